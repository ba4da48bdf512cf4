//! The talk's files: finding them as m4 does, keeping them inside the talk,
//! reading each once.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::ahead::ReadAhead;

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

/// The largest file read: as large as the expanded text may grow.
const MAX_FILE: u64 = 1 << 30;

pub struct Sources {
    resolver: Arc<Resolver>,
    files: Vec<SourceFile>,
    /// Keyed by the real path's bytes, which hash faster than a `Path`.
    by_real: HashMap<OsString, SourceId>,
    /// What each name given to `include` resolved to.
    includes: HashMap<String, Result<SourceId, LoadError>>,
    /// Real folders for the expander's own lookups and for references.
    real_dirs: RefCell<RealDirs>,
    ahead: ReadAhead,
}

/// How a name becomes a file the talk may read: where `include` searches,
/// which folders files may really live in. Shared with the threads that
/// read ahead.
#[derive(Debug)]
pub struct Resolver {
    root: PathBuf,
    include_dirs: Vec<PathBuf>,
    /// Canonical folders a resolved file may live in.
    allowed: Vec<PathBuf>,
    allow_outside_root: bool,
}

/// The real path of each folder a file was found in, asked once per folder
/// (by each thread that asks).
pub type RealDirs = HashMap<OsString, PathBuf>;

/// A path found for a name, before it is read.
struct Found {
    path: PathBuf,
    meta: std::fs::Metadata,
    is_link: bool,
    /// The file, when it was opened to learn what it is.
    file: Option<std::fs::File>,
}

impl Resolver {
    /// Finds, checks and reads what `include(name)` names: the root first,
    /// then each include folder in order, as m4 searches its `-I` path.
    pub fn open_include(
        &self,
        name: &str,
        real_dirs: &mut RealDirs,
    ) -> Result<SourceFile, LoadError> {
        if name.is_empty() {
            return Err(LoadError::NotFound);
        }
        let named = Path::new(name);
        let mut saw_folder = false;
        let mut look = |candidate: PathBuf| look(candidate, &mut saw_folder);
        let found = if named.is_absolute() {
            look(named.to_path_buf())
        } else {
            std::iter::once(&self.root)
                .chain(&self.include_dirs)
                .find_map(|d| look(d.join(named)))
        };
        let Some(found) = found else {
            return Err(if saw_folder {
                LoadError::IsDirectory
            } else {
                LoadError::NotFound
            });
        };
        let real = self.real_path(&found.path, found.is_link, real_dirs)?;
        let real = self.confine(real)?;
        self.read(found, real)
    }

    /// Reads a file found at `found.path`, which really is `real`.
    fn read(&self, found: Found, real: PathBuf) -> Result<SourceFile, LoadError> {
        let shown = self.display(&found.path);
        let unreadable = |reason: String| LoadError::Unreadable {
            path: shown.clone(),
            reason,
        };
        // A pipe would block the read, a device like /dev/zero never end it.
        if !found.meta.is_file() {
            return Err(unreadable(
                "not a regular file (a pipe, a socket or a device)".into(),
            ));
        }
        if found.meta.len() > MAX_FILE {
            return Err(unreadable(
                "it is larger than 1 GiB, more than a talk may expand to".into(),
            ));
        }
        let file = match found.file {
            Some(file) => Ok(file),
            None => std::fs::File::open(&real),
        };
        let bytes = file
            .and_then(|f| read_sized(f, found.meta.len() as usize))
            .map_err(|e| unreadable(e.to_string()))?;
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
        Ok(SourceFile {
            path: shown,
            real,
            text: text.into(),
        })
    }

    /// Where a path really is, symbolic links resolved: the real path of
    /// its folder (asked once per folder) and its name, or the whole path
    /// resolved when the file itself is a link.
    fn real_path(
        &self,
        path: &Path,
        is_link: bool,
        real_dirs: &mut RealDirs,
    ) -> Result<PathBuf, LoadError> {
        let unreadable = |e: std::io::Error| LoadError::Unreadable {
            path: self.display(path),
            reason: e.to_string(),
        };
        let (Some(parent), Some(name), false) = (path.parent(), path.file_name(), is_link) else {
            return path.canonicalize().map_err(unreadable);
        };
        if let Some(dir) = real_dirs.get(parent.as_os_str()) {
            return Ok(dir.join(name));
        }
        let dir = parent.canonicalize().map_err(unreadable)?;
        real_dirs.insert(parent.as_os_str().to_owned(), dir.clone());
        Ok(dir.join(name))
    }

    /// `real` itself, if the talk may read it.
    fn confine(&self, real: PathBuf) -> Result<PathBuf, LoadError> {
        if !self.allow_outside_root && !self.allowed.iter().any(|a| real.starts_with(a)) {
            return Err(LoadError::OutsideRoot(real));
        }
        Ok(real)
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

/// One candidate of a search: `None` when it is missing or a folder.
fn look(candidate: PathBuf, saw_folder: &mut bool) -> Option<Found> {
    // A plain file is learnt with one lookup of its path: opened without
    // following a final link (a pipe opened this way does not block), then
    // asked its metadata, then read through the same handle. Links and
    // files that cannot be opened take the long way, which also tells
    // what is wrong with them.
    match open_no_follow(&candidate) {
        Ok(file) => {
            if let Ok(meta) = file.metadata() {
                if meta.is_dir() {
                    *saw_folder = true;
                    return None;
                }
                return Some(Found {
                    path: candidate,
                    meta,
                    is_link: false,
                    file: Some(file),
                });
            }
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return None
        }
        Err(_) => {}
    }
    let (meta, is_link) = stat(&candidate)?;
    if meta.is_dir() {
        *saw_folder = true;
        return None;
    }
    Some(Found {
        path: candidate,
        meta,
        is_link,
        file: None,
    })
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(_: &Path) -> std::io::Result<std::fs::File> {
    Err(std::io::ErrorKind::Unsupported.into())
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
        let resolver = Arc::new(Resolver {
            root,
            include_dirs,
            allowed,
            allow_outside_root,
        });
        Sources {
            ahead: ReadAhead::new(Arc::clone(&resolver)),
            resolver,
            files: Vec::new(),
            by_real: HashMap::default(),
            includes: HashMap::default(),
            real_dirs: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.resolver.root
    }

    pub fn has_include_dirs(&self) -> bool {
        !self.resolver.include_dirs.is_empty()
    }

    /// Expansion is over: no more files are worth reading ahead.
    pub fn stop_reading_ahead(&mut self) {
        self.ahead.stop();
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
        let opened = match self.ahead.take(name) {
            Some(opened) => opened,
            None => {
                let opened = self.resolver.open_include(name, self.real_dirs.get_mut());
                if let Ok(file) = &opened {
                    self.ahead.read_here(file.text.as_bytes());
                }
                opened
            }
        };
        let found = opened.map(|file| self.add(file));
        self.includes.insert(name.to_string(), found.clone());
        found
    }

    /// Reads a file the user named directly (the entry file); it may live
    /// anywhere.
    pub fn load_entry(&mut self, path: &Path) -> Result<SourceId, LoadError> {
        let path = absolute(path);
        let found = match stat(&path) {
            Some((m, _)) if m.is_dir() => return Err(LoadError::IsDirectory),
            Some((meta, is_link)) => Found {
                path,
                meta,
                is_link,
                file: None,
            },
            None => return Err(LoadError::NotFound),
        };
        let real = self
            .resolver
            .real_path(&found.path, found.is_link, self.real_dirs.get_mut())?;
        let file = self.resolver.read(found, real)?;
        self.ahead.read_here(file.text.as_bytes());
        Ok(self.add(file))
    }

    /// A file read, under the id it already had if it was read before
    /// under another name.
    fn add(&mut self, file: SourceFile) -> SourceId {
        let next = SourceId(self.files.len() as u32);
        let id = *self
            .by_real
            .entry(file.real.as_os_str().to_owned())
            .or_insert(next);
        if id == next {
            self.files.push(file);
        }
        id
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
        let path = self.resolver.root.join(name);
        let Some((_, is_link)) = stat(&path) else {
            return Err(LoadError::NotFound);
        };
        let real = self
            .resolver
            .real_path(&path, is_link, &mut self.real_dirs.borrow_mut())?;
        self.resolver.confine(real)
    }

    /// A path as people should read it: relative to the root when inside.
    pub fn display(&self, path: &Path) -> String {
        self.resolver.display(path)
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
fn read_sized(mut file: std::fs::File, size: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
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
