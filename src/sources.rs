//! The talk's files: finding them as m4 does, keeping them inside the talk,
//! reading each once.

use std::collections::HashMap;
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
    NotUtf8 {
        path: String,
        offset: usize,
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
            by_real: HashMap::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn has_include_dirs(&self) -> bool {
        !self.include_dirs.is_empty()
    }

    /// Where every file read so far really is.
    pub fn real_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.files.iter().map(|f| f.real.clone())
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
            match std::fs::metadata(&candidate) {
                Ok(m) if m.is_dir() => found_dir = true,
                Ok(_) => return self.load_path(&candidate, true),
                Err(_) => {}
            }
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
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => Err(LoadError::IsDirectory),
            Ok(_) => self.load_path(&path, false),
            Err(_) => Err(LoadError::NotFound),
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

    /// Where a referenced file (an image, a linked file) resolves to: the
    /// same rules as includes, but relative to the root only.
    pub fn resolve_reference(&self, name: &str) -> Result<PathBuf, LoadError> {
        let path = self.root.join(name);
        if !path.exists() {
            return Err(LoadError::NotFound);
        }
        self.check_inside(&path)?;
        Ok(path)
    }

    fn check_inside(&self, path: &Path) -> Result<PathBuf, LoadError> {
        let real = path.canonicalize().map_err(|e| LoadError::Unreadable {
            path: self.display(path),
            reason: e.to_string(),
        })?;
        if !self.allow_outside_root && !self.allowed.iter().any(|a| real.starts_with(a)) {
            return Err(LoadError::OutsideRoot(real));
        }
        Ok(real)
    }

    fn load_path(&mut self, path: &Path, confined: bool) -> Result<SourceId, LoadError> {
        let real = if confined {
            self.check_inside(path)?
        } else {
            path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
        };
        if let Some(&id) = self.by_real.get(&real) {
            return Ok(id);
        }
        let shown = self.display(path);
        // A pipe would block the read, a device like /dev/zero never end it.
        if std::fs::metadata(&real).is_ok_and(|m| !m.is_file()) {
            return Err(LoadError::Unreadable {
                path: shown,
                reason: "not a regular file (a pipe, a socket or a device)".into(),
            });
        }
        let bytes = std::fs::read(&real).map_err(|e| LoadError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
            path: shown.clone(),
            offset: e.utf8_error().valid_up_to(),
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
        let clean = normalize(path);
        match clean.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => clean.to_string_lossy().into_owned(),
        }
    }
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
