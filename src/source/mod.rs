//! The talk's files: finding them as m4 does, keeping them inside the talk,
//! reading each once.

mod ahead;
mod memory;
mod resolve;

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Diagnostic;
use crate::paths::absolute;
pub use ahead::Guess;
use ahead::ReadAhead;
use memory::Lookup;
pub use memory::Memory;
use resolve::{stat, Found, RealDirs, Resolver};

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
    /// A symbolic link to nothing, or one that leads back to itself.
    BrokenLink {
        target: String,
        looping: bool,
    },
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

impl LoadError {
    /// Why `name` could not be read, as people read it; `include_dirs`
    /// says whether the talk has include folders (searched after the root).
    pub fn diagnostic(&self, name: &str, include_dirs: bool) -> Diagnostic {
        match self {
            LoadError::NotFound => Diagnostic::new(format!("cannot open `{name}`: no such file")).help(format!(
                "include paths are relative to the talk's root, not to the including file{}; check the spelling or create the file",
                if include_dirs { " and then the include folders" } else { "" }
            )),
            LoadError::IsDirectory => Diagnostic::new(format!("`{name}` is a folder, not a file"))
                .help("include a file inside it instead"),
            LoadError::BrokenLink { target, looping: true } => Diagnostic::new(format!(
                "cannot open `{name}`: it is a symbolic link that leads back to itself (through `{target}`)"
            ))
            .help("point the link at a file, or replace it with the file"),
            LoadError::BrokenLink { target, looping: false } => Diagnostic::new(format!(
                "cannot open `{name}`: it is a symbolic link to `{target}`, which does not exist"
            ))
            .help("point the link at a file, or replace it with the file"),
            LoadError::OutsideRoot(real) => Diagnostic::new(format!(
                "`{name}` leaves the talk's root (it resolves to {})",
                real.display()
            ))
            .help("keep included files inside the talk, add their folder to `include-path`, or set `allow-outside-root = true` under [build] in book.toml"),
            LoadError::NotUtf8 {
                path,
                offset,
                line,
                col,
            } => Diagnostic::new(format!(
                "`{path}` is not UTF-8 text: invalid byte at offset {offset} (line {line}, column {col})"
            ))
            .help("slidebook reads talks as UTF-8; convert the file (for example with iconv), or include only text files"),
            LoadError::Unreadable { path, reason } => {
                Diagnostic::new(format!("cannot read `{path}`: {reason}"))
            }
        }
    }
}

/// How files are read. `expand` reads them as m4 does, byte for byte;
/// slides read them as text: see [`resolve`]'s `as_talk_text`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    Exact,
    Talk,
}

pub struct Sources {
    resolver: Arc<Resolver>,
    files: Vec<Arc<SourceFile>>,
    /// Keyed by the real path's bytes, which hash faster than a `Path`.
    by_real: HashMap<OsString, SourceId>,
    /// What each name given to `include` resolved to.
    includes: HashMap<String, Result<SourceId, LoadError>>,
    /// Those names, in the order they were first asked for.
    asked: Vec<String>,
    /// Real folders for the expander's own lookups and for references.
    real_dirs: RefCell<RealDirs>,
    ahead: ReadAhead,
    /// What earlier builds read, and how they looked names up.
    memory: Option<(Arc<Memory>, Lookup)>,
}

impl Sources {
    /// `include_dirs` are taken relative to `root` unless absolute.
    /// `guess` names the files a file's text will include, for reading
    /// them ahead; the include language's own scanner knows how.
    pub fn new(
        root: &Path,
        include_dirs: &[PathBuf],
        allow_outside_root: bool,
        reading: Reading,
        guess: Guess,
    ) -> Sources {
        let resolver = Arc::new(Resolver::new(
            root,
            include_dirs,
            allow_outside_root,
            reading,
        ));
        Sources {
            memory: None,
            ahead: ReadAhead::new(Arc::clone(&resolver), guess),
            resolver,
            files: Vec::new(),
            by_real: HashMap::default(),
            includes: HashMap::default(),
            asked: Vec::new(),
            real_dirs: Default::default(),
        }
    }

    /// Looks names up in `memory` first, and keeps what is found there.
    pub fn remembering(mut self, memory: Arc<Memory>) -> Sources {
        self.memory = Some((memory, self.resolver.lookup()));
        self
    }

    pub fn root(&self) -> &Path {
        self.resolver.root()
    }

    pub fn has_include_dirs(&self) -> bool {
        self.resolver.has_include_dirs()
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
        let recalled = self.memory.as_ref().and_then(|(m, l)| m.recall(l, name));
        let opened = match recalled {
            Some(opened) => opened,
            None => {
                let opened = match self.ahead.take(name) {
                    Some(opened) => opened,
                    None => {
                        let opened = self.resolver.open_include(name, self.real_dirs.get_mut());
                        if let Ok(file) = &opened {
                            self.ahead.read_here(file.text.as_bytes());
                        }
                        opened
                    }
                }
                .map(Arc::new);
                if let Some((m, l)) = &self.memory {
                    m.keep(l, name, &opened);
                }
                opened
            }
        };
        let found = opened.map(|file| self.add(file));
        self.includes.insert(name.to_string(), found.clone());
        self.asked.push(name.to_string());
        found
    }

    /// Every name given to `include`, in the order first asked, with what
    /// it found: asking again in this order gives every file its id again.
    pub fn asked(&self) -> impl Iterator<Item = (&str, &Result<SourceId, LoadError>)> + '_ {
        self.asked.iter().map(|n| (n.as_str(), &self.includes[n]))
    }

    /// How many names `include` was given.
    pub fn asked_len(&self) -> usize {
        self.asked.len()
    }

    /// Every file read, by id.
    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
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
            None => return Err(resolve::broken_link(&path).unwrap_or(LoadError::NotFound)),
        };
        let real = self
            .resolver
            .real_path(&found.path, found.is_link, self.real_dirs.get_mut())?;
        let file = self.resolver.read(found, real)?;
        self.ahead.read_here(file.text.as_bytes());
        Ok(self.add(Arc::new(file)))
    }

    /// A file read, under the id it already had if it was read before
    /// under another name.
    fn add(&mut self, file: Arc<SourceFile>) -> SourceId {
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
        self.files.push(Arc::new(SourceFile {
            path: name.to_string(),
            real: PathBuf::from(name),
            text: text.into(),
        }));
        id
    }

    /// Where a referenced file (an image, a linked file) really is: the
    /// same rules as includes, but relative to the root only.
    pub fn resolve_reference(&self, name: &str) -> Result<PathBuf, LoadError> {
        let path = self.resolver.root().join(name);
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
