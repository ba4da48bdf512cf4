//! What earlier builds read, kept for the next one. `watch` and `serve`
//! rebuild after every save; reading a ten-thousand-file talk again costs
//! more than expanding it. A file is read again once the watcher says it
//! (or a path its lookup passed through) changed, so what is kept is never
//! older than what the next build would read.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{LoadError, Reading, SourceFile};

/// What a name was found to be, shared with the builds that read it.
pub(super) type Known = Result<std::sync::Arc<SourceFile>, LoadError>;
use crate::paths::normalize;

/// How names were looked up: a memory holds answers for one way only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Lookup {
    pub root: PathBuf,
    pub include_dirs: Vec<PathBuf>,
    pub allow_outside_root: bool,
    pub reading: Reading,
}

impl Lookup {
    /// Every path `include(name)` looks at, folded.
    fn candidates<'a>(&'a self, name: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
        let named = Path::new(name);
        let dirs: Vec<&Path> = if named.is_absolute() {
            vec![Path::new("/")]
        } else {
            std::iter::once(self.root.as_path())
                .chain(self.include_dirs.iter().map(PathBuf::as_path))
                .collect()
        };
        dirs.into_iter().map(move |d| normalize(&d.join(named)))
    }
}

/// The answers for the names `include` was given, kept between builds.
#[derive(Default)]
pub struct Memory {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    lookup: Option<Lookup>,
    names: HashMap<String, Kept>,
    /// The names found through a link, or written other than as a plain
    /// relative path: a change is checked against each of them.
    unusual: HashSet<String>,
    /// Counts builds, so that what the last one did not read is dropped.
    build: u64,
    /// Names asked for by this build.
    used: usize,
}

struct Kept {
    opened: Known,
    /// The name is a plain relative path (no `.`, `..` or empty parts):
    /// what it passes through is told from its bytes alone.
    plain: bool,
    /// The lookup went through a symbolic link: any file appearing or
    /// going may have changed where it leads.
    linked: bool,
    build: u64,
}

impl Memory {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain data: nothing is left half-done by a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A build starts.
    pub fn begin(&self) {
        let mut state = self.lock();
        state.build += 1;
        state.used = 0;
    }

    /// A build ended: what it did not read is not kept, once that is much
    /// (looking through all of it costs as much as a save's rebuild).
    pub fn end(&self) {
        let mut state = self.lock();
        if state.names.len() > 2 * state.used + 64 {
            let build = state.build;
            state.retain(|_, k| k.build == build);
        }
    }

    /// Forgets everything (the watcher lost track of changes).
    pub fn forget_all(&self) {
        let mut state = self.lock();
        state.names.clear();
        state.unusual.clear();
    }

    /// Each of `changed` changed: forget what was read from it or found
    /// through it. With `true`, it is a file or folder created, removed or
    /// renamed, which can change what any name finds through a link.
    pub fn forget(&self, changed: &[(PathBuf, bool)]) {
        if changed.is_empty() {
            return;
        }
        let mut state = self.lock();
        let Some(lookup) = state.lookup.clone() else {
            return;
        };
        let changes: Vec<Changed> = changed
            .iter()
            .map(|(path, _)| Changed::new(path, &lookup))
            .collect();
        // A saved file, the usual change: the names that found it are
        // looked up by what they are, not searched for.
        if changed
            .iter()
            .all(|(p, structural)| !structural && !p.is_dir())
        {
            for c in &changes {
                for rel in c.under.iter().filter_map(|r| std::str::from_utf8(r).ok()) {
                    state.names.remove(rel);
                    state.unusual.remove(rel);
                }
            }
            let unusual: Vec<String> = state.unusual.iter().cloned().collect();
            for name in unusual {
                let touched = state.names.get(&name).is_none_or(|kept| {
                    let real = kept.opened.as_ref().ok().map(|f| f.real.as_path());
                    changes
                        .iter()
                        .any(|c| c.touches(&name, kept.plain, real, &lookup))
                });
                if touched {
                    state.names.remove(&name);
                    state.unusual.remove(&name);
                }
            }
            return;
        }
        let any_structural = changed.iter().any(|(_, s)| *s);
        state.retain(|name, kept| {
            if any_structural && kept.linked {
                return false;
            }
            let real = kept.opened.as_ref().ok().map(|f| f.real.as_path());
            !changes
                .iter()
                .any(|c| c.touches(name, kept.plain, real, &lookup))
        });
    }

    /// What `name` was found to be, if still known.
    pub(super) fn recall(&self, lookup: &Lookup, name: &str) -> Option<Known> {
        let mut state = self.lock();
        if state.lookup.as_ref() != Some(lookup) {
            return None;
        }
        let build = state.build;
        let kept = state.names.get_mut(name)?;
        kept.build = build;
        let opened = kept.opened.clone();
        state.used += 1;
        Some(opened)
    }

    /// Keeps what `name` was found to be.
    pub(super) fn keep(&self, lookup: &Lookup, name: &str, opened: &Known) {
        let mut state = self.lock();
        if state.lookup.as_ref() != Some(lookup) {
            state.names.clear();
            state.unusual.clear();
            state.lookup = Some(lookup.clone());
        }
        let linked = match opened {
            Ok(file) => !lookup.candidates(name).any(|c| c == file.real),
            // An error may come from a link too (one to nothing).
            Err(_) => true,
        };
        let build = state.build;
        let plain = !name.starts_with('/')
            && name
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        if linked || !plain {
            state.unusual.insert(name.to_string());
        } else {
            state.unusual.remove(name);
        }
        state.used += 1;
        state.names.insert(
            name.to_string(),
            Kept {
                opened: opened.clone(),
                plain,
                linked,
                build,
            },
        );
    }
}

impl State {
    /// Keeps the names `keep` says to, and their place among the unusual.
    fn retain(&mut self, mut keep: impl FnMut(&String, &Kept) -> bool) {
        self.names.retain(|name, kept| keep(name, kept));
        let names = &self.names;
        self.unusual.retain(|name| names.contains_key(name));
    }
}

/// A changed path, and where it stands against the folders names are
/// looked up in. Compared as bytes: a talk of ten thousand files is
/// checked against every change.
struct Changed<'a> {
    path: &'a [u8],
    real: PathBuf,
    /// The path relative to each lookup folder it is in.
    under: Vec<Vec<u8>>,
    at: &'a Path,
}

/// Whether `path` is `prefix` or inside it.
fn within(path: &[u8], prefix: &[u8]) -> bool {
    path.starts_with(prefix)
        && (path.len() == prefix.len()
            || prefix.is_empty()
            || prefix.ends_with(b"/")
            || path[prefix.len()] == b'/')
}

impl<'a> Changed<'a> {
    fn new(path: &'a Path, lookup: &Lookup) -> Changed<'a> {
        use std::os::unix::ffi::OsStrExt;
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let dirs = || std::iter::once(&lookup.root).chain(&lookup.include_dirs);
        // Under the folders as written, and (for names read where they
        // really are) as they really are.
        let mut under: Vec<Vec<u8>> = Vec::new();
        for p in [path, real.as_path()] {
            for rel in dirs().filter_map(|d| p.strip_prefix(d).ok()) {
                let rel = rel.as_os_str().as_bytes().to_vec();
                if !under.contains(&rel) {
                    under.push(rel);
                }
            }
        }
        Changed {
            path: path.as_os_str().as_bytes(),
            real,
            under,
            at: path,
        }
    }

    /// Whether `name`, which was read from `real`, depends on this path:
    /// the file itself, or a folder on the way to it.
    fn touches(&self, name: &str, plain: bool, real: Option<&Path>, lookup: &Lookup) -> bool {
        use std::os::unix::ffi::OsStrExt;
        if let Some(r) = real.map(|r| r.as_os_str().as_bytes()) {
            if within(r, self.real.as_os_str().as_bytes()) || within(r, self.path) {
                return true;
            }
        }
        if plain {
            // The common case, asked without building a path.
            self.under.iter().any(|rel| within(name.as_bytes(), rel))
        } else {
            lookup.candidates(name).any(|c| c.starts_with(self.at))
        }
    }
}
