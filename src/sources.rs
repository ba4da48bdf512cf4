//! The talk's files: finding them as m4 does, keeping them inside the talk,
//! reading each once.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceId(pub u32);

#[derive(Debug)]
pub struct SourceFile {
    /// The path shown to people: relative to the talk's root when inside it.
    pub path: String,
    pub real: PathBuf,
    pub text: Arc<str>,
}

/// Why a file named by an include or a reference could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    IsDirectory,
    /// The file resolves outside the talk's root and every include folder.
    OutsideRoot(PathBuf),
    /// `line` and `col` (from 1, in characters) say where `offset` is.
    NotUtf8 {
        path: String,
        offset: usize,
        line: usize,
        col: usize,
    },
    Unreadable {
        path: String,
        reason: String,
    },
}

pub struct Sources {
    root: PathBuf,
    include_dirs: Vec<PathBuf>,
    /// Canonical folders a resolved file may live in.
    allowed: Vec<PathBuf>,
    allow_outside_root: bool,
    files: Vec<SourceFile>,
    by_real: HashMap<PathBuf, SourceId>,
    /// Real paths of the folders files were found in.
    real_dirs: std::cell::RefCell<HashMap<PathBuf, PathBuf>>,
    /// What each name given to `include` resolved to.
    includes: HashMap<String, Result<SourceId, LoadError>>,
}

impl Sources {
    /// `include_dirs` are taken relative to `root` unless absolute.
    pub fn new(root: &Path, include_dirs: &[PathBuf], allow_outside_root: bool) -> Sources {
        let root = absolute(root);
        let include_dirs: Vec<PathBuf> = include_dirs.iter().map(|d| root.join(d)).collect();
        let allowed = std::iter::once(&root)
            .chain(&include_dirs)
            .filter_map(|d| d.canonicalize().ok())
            .collect();
        Sources {
            root,
            include_dirs,
            allowed,
            allow_outside_root,
            files: Vec::new(),
            by_real: HashMap::default(),
            includes: HashMap::default(),
            real_dirs: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn has_include_dirs(&self) -> bool {
        !self.include_dirs.is_empty()
    }

    /// Where every file read so far really is.
    pub fn real_paths(&self) -> impl Iterator<Item = &Path> + '_ {
        self.files.iter().map(|f| f.real.as_path())
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Line `line` (from 1) of a file, without its line ending.
    pub fn line(&self, id: SourceId, line: u32) -> &str {
        let text = &self.get(id).text;
        let l = text
            .split('\n')
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("");
        l.strip_suffix('\r').unwrap_or(l)
    }

    /// Reads a file named by `include(name)`: the root first, then each
    /// include folder in order, as m4 searches its `-I` path.
    pub fn load_include(&mut self, name: &str) -> Result<SourceId, LoadError> {
        // Talks include the same few files again and again; the file
        // system is asked once per name.
        if let Some(known) = self.includes.get(name) {
            return known.clone();
        }
        let found = self.search_include(name);
        self.includes.insert(name.to_string(), found.clone());
        found
    }

    fn search_include(&mut self, name: &str) -> Result<SourceId, LoadError> {
        if name.is_empty() {
            return Err(LoadError::NotFound);
        }
        let named = Path::new(name);
        let mut found_dir = false;
        let candidates: Vec<PathBuf> = if named.is_absolute() {
            vec![named.to_path_buf()]
        } else {
            std::iter::once(&self.root)
                .chain(&self.include_dirs)
                .map(|d| d.join(named))
                .collect()
        };
        for candidate in candidates {
            let Some((meta, is_link)) = stat(&candidate) else {
                continue;
            };
            if meta.is_dir() {
                found_dir = true;
                continue;
            }
            return self.load_path(&candidate, &meta, is_link, true);
        }
        Err(if found_dir {
            LoadError::IsDirectory
        } else {
            LoadError::NotFound
        })
    }

    /// Reads a file the user named directly (the entry file); it may live
    /// anywhere.
    pub fn load_entry(&mut self, path: &Path) -> Result<SourceId, LoadError> {
        let path = absolute(path);
        match stat(&path) {
            Some((m, _)) if m.is_dir() => Err(LoadError::IsDirectory),
            Some((m, is_link)) => self.load_path(&path, &m, is_link, false),
            None => Err(LoadError::NotFound),
        }
    }

    /// A text that is not a file (definitions from the command line or
    /// `book.toml`), so that what comes from it still has an origin.
    pub fn add_virtual(&mut self, name: &str, text: &str) -> SourceId {
        let id = SourceId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: name.to_string(),
            real: PathBuf::from(name),
            text: text.into(),
        });
        id
    }

    /// Where a referenced file (an image, a linked file) really is: the
    /// same rules as includes, but relative to the root only.
    pub fn resolve_reference(&self, name: &str) -> Result<PathBuf, LoadError> {
        let path = self.root.join(name);
        let Some((_, is_link)) = stat(&path) else {
            return Err(LoadError::NotFound);
        };
        let real = self.real_path(&path, is_link)?;
        self.confine(real)
    }

    /// Where a path really is, symbolic links resolved: the real path of
    /// its folder (asked once per folder) and its name, or the whole path
    /// resolved when the file itself is a link.
    fn real_path(&self, path: &Path, is_link: bool) -> Result<PathBuf, LoadError> {
        let unreadable = |e: std::io::Error| LoadError::Unreadable {
            path: self.display(path),
            reason: e.to_string(),
        };
        let (Some(parent), Some(name), false) = (path.parent(), path.file_name(), is_link) else {
            return path.canonicalize().map_err(unreadable);
        };
        if let Some(dir) = self.real_dirs.borrow().get(parent) {
            return Ok(dir.join(name));
        }
        let dir = parent.canonicalize().map_err(unreadable)?;
        self.real_dirs
            .borrow_mut()
            .insert(parent.to_path_buf(), dir.clone());
        Ok(dir.join(name))
    }

    /// `real` itself, if the talk may read it.
    fn confine(&self, real: PathBuf) -> Result<PathBuf, LoadError> {
        if !self.allow_outside_root && !self.allowed.iter().any(|a| real.starts_with(a)) {
            return Err(LoadError::OutsideRoot(real));
        }
        Ok(real)
    }

    fn load_path(
        &mut self,
        path: &Path,
        meta: &std::fs::Metadata,
        is_link: bool,
        confined: bool,
    ) -> Result<SourceId, LoadError> {
        let real = self.real_path(path, is_link)?;
        let real = if confined { self.confine(real)? } else { real };
        if let Some(&id) = self.by_real.get(&real) {
            return Ok(id);
        }
        let shown = self.display(path);
        // A pipe would block the read, a device like /dev/zero never end it.
        if !meta.is_file() {
            return Err(LoadError::Unreadable {
                path: shown,
                reason: "not a regular file (a pipe, a socket or a device)".into(),
            });
        }
        let bytes = read_sized(&real, meta.len() as usize).map_err(|e| LoadError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            // What comes before the bad byte is valid text.
            let before = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or("");
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            LoadError::NotUtf8 {
                path: shown.clone(),
                offset,
                line: before.matches('\n').count() + 1,
                col: before[line_start..].chars().count() + 1,
            }
        })?;
        let id = SourceId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: shown,
            real: real.clone(),
            text: text.into(),
        });
        self.by_real.insert(real, id);
        Ok(id)
    }

    /// A path as people should read it: relative to the root when inside.
    pub fn display(&self, path: &Path) -> String {
        // The common case, a plain relative name under the root, needs no
        // folding of `.` and `..`.
        if let Some(rel) = path.strip_prefix(&self.root).ok().and_then(|r| r.to_str()) {
            if !rel.is_empty() && rel.split('/').all(|c| !matches!(c, "" | "." | "..")) {
                return rel.to_string();
            }
        }
        let clean = normalize(path);
        match clean.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => clean.to_string_lossy().into_owned(),
        }
    }
}

/// A path's metadata, following a symbolic link, and whether it was one;
/// `None` when there is nothing there.
fn stat(path: &Path) -> Option<(std::fs::Metadata, bool)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        return Some((std::fs::metadata(path).ok()?, true));
    }
    Some((meta, false))
}

/// A file's bytes, read into a buffer of the size its metadata gave.
/// Talks have thousands of files and each system call counts: `fs::read`
/// would ask for the size again, and reading on to prove the end of the
/// file costs one more call, so reading stops once `size` bytes are in.
fn read_sized(path: &Path, size: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = vec![0; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(p))
    }
}

/// Removes `.` and folds `..` without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
