//! How a name becomes a file the talk may read: searched for as m4
//! searches, symbolic links resolved, confined to the talk, read once.

use rustc_hash::FxHashMap as HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::paths::{absolute, normalize};

use super::{LoadError, Reading, SourceFile};

/// The largest file read: as large as the expanded text may grow.
const MAX_FILE: u64 = 64 << 20;

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
    reading: Reading,
}

/// The real path of each folder a file was found in, asked once per folder
/// (by each thread that asks).
pub type RealDirs = HashMap<OsString, PathBuf>;

/// A path found for a name, before it is read.
pub(super) struct Found {
    pub path: PathBuf,
    pub meta: std::fs::Metadata,
    pub is_link: bool,
    /// The file, when it was opened to learn what it is.
    pub file: Option<std::fs::File>,
}

impl Resolver {
    /// `include_dirs` are taken relative to `root` unless absolute.
    pub fn new(
        root: &Path,
        include_dirs: &[PathBuf],
        allow_outside_root: bool,
        reading: Reading,
    ) -> Resolver {
        let root = absolute(root);
        let include_dirs: Vec<PathBuf> = include_dirs.iter().map(|d| root.join(d)).collect();
        let allowed = std::iter::once(&root)
            .chain(&include_dirs)
            .filter_map(|d| d.canonicalize().ok())
            .collect();
        Resolver {
            root,
            include_dirs,
            allowed,
            allow_outside_root,
            reading,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How names are looked up, for a memory of what they found.
    pub(super) fn lookup(&self) -> super::memory::Lookup {
        super::memory::Lookup {
            root: self.root.clone(),
            include_dirs: self.include_dirs.clone(),
            allow_outside_root: self.allow_outside_root,
            reading: self.reading,
        }
    }

    pub fn has_include_dirs(&self) -> bool {
        !self.include_dirs.is_empty()
    }

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
        let mut saw = Missing::Nothing;
        let mut look = |candidate: PathBuf| look(candidate, &mut saw);
        let found = if named.is_absolute() {
            look(named.to_path_buf())
        } else {
            std::iter::once(&self.root)
                .chain(&self.include_dirs)
                .find_map(|d| look(d.join(named)))
        };
        let Some(found) = found else {
            return Err(match saw {
                Missing::Nothing => LoadError::NotFound,
                Missing::Folder => LoadError::IsDirectory,
                Missing::Link(e) => e,
            });
        };
        let real = self.real_path(&found.path, found.is_link, real_dirs)?;
        let real = self.confine(real)?;
        self.read(found, real)
    }

    /// Reads a file found at `found.path`, which really is `real`.
    pub(super) fn read(&self, found: Found, real: PathBuf) -> Result<SourceFile, LoadError> {
        let shown = self.display(&found.path);
        let unreadable = |reason: String| LoadError::Unreadable {
            path: shown.clone(),
            reason,
        };
        // A pipe would block the read, a device like /dev/zero never end it.
        if !found.meta.is_file() {
            use std::os::unix::fs::FileTypeExt;
            let kind = found.meta.file_type();
            let what = if kind.is_fifo() {
                "a named pipe (FIFO)"
            } else if kind.is_socket() {
                "a socket"
            } else if kind.is_block_device() || kind.is_char_device() {
                "a device"
            } else {
                "a special file"
            };
            return Err(unreadable(format!("it is {what}, not a regular file")));
        }
        if found.meta.len() > MAX_FILE {
            return Err(unreadable(format!(
                "it is larger than {} MiB, more than a talk may expand to",
                MAX_FILE >> 20
            )));
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
        let text = match self.reading {
            Reading::Exact => text,
            Reading::Talk => as_talk_text(text),
        };
        Ok(SourceFile {
            path: shown,
            real,
            text: text.into(),
        })
    }

    /// Where a path really is, symbolic links resolved: the real path of
    /// its folder (asked once per folder) and its name, or the whole path
    /// resolved when the file itself is a link.
    pub(super) fn real_path(
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
    pub(super) fn confine(&self, real: PathBuf) -> Result<PathBuf, LoadError> {
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
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => clean.to_string_lossy().into_owned(),
        }
    }
}

/// What a search found where no file was, first a folder or a broken
/// link, to say why nothing could be read.
enum Missing {
    Nothing,
    Folder,
    Link(LoadError),
}

/// One candidate of a search: `None` when it is missing, a folder or a
/// broken link (noted in `saw`).
fn look(candidate: PathBuf, saw: &mut Missing) -> Option<Found> {
    let mut saw_folder = false;
    let found = look_at(candidate.clone(), &mut saw_folder);
    if found.is_none() && matches!(saw, Missing::Nothing) {
        if saw_folder {
            *saw = Missing::Folder;
        } else if let Some(broken) = broken_link(&candidate) {
            *saw = Missing::Link(broken);
        }
    }
    found
}

/// Why `path` is a link that leads nowhere, if it is one.
pub(super) fn broken_link(path: &Path) -> Option<LoadError> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let target = std::fs::read_link(path).ok()?;
    let looping = std::fs::metadata(path)
        .err()
        .is_some_and(|e| e.raw_os_error() == Some(libc::ELOOP));
    Some(LoadError::BrokenLink {
        target: target.to_string_lossy().into_owned(),
        looping,
    })
}

fn look_at(candidate: PathBuf, saw_folder: &mut bool) -> Option<Found> {
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

/// A path's metadata, following a symbolic link, and whether it was one;
/// `None` when there is nothing there.
pub(super) fn stat(path: &Path) -> Option<(std::fs::Metadata, bool)> {
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
    // Files the kernel makes up as they are read (`/proc`, `/sys`) say
    // they are empty: read those to their end, as m4 does.
    if size == 0 {
        let mut bytes = Vec::new();
        file.take(MAX_FILE + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(std::io::Error::other(format!(
                "it is larger than {} MiB, more than a talk may expand to",
                MAX_FILE >> 20
            )));
        }
        return Ok(bytes);
    }
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

/// A file's text as slides read it: without a byte-order mark at the start
/// (pandoc drops it too), a lone CR as a line ending, and NUL as U+FFFD,
/// which is what HTML makes of it. A lone CR becomes LF in place, so
/// offsets and lines still match the file.
fn as_talk_text(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let bytes = text.as_bytes();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    let nul = memchr::memchr(0, bytes).is_some();
    if !lone_cr && !nul {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn talk_text_drops_the_mark_and_mends_line_ends_and_nul() {
        let t = |s: &str| as_talk_text(s.to_string());
        assert_eq!(t("\u{feff}## A\r\rb\r\nc\0"), "## A\n\nb\r\nc\u{fffd}");
        assert_eq!(t("plain\n"), "plain\n");
        assert_eq!(t("a\u{feff}"), "a\u{feff}");
    }
}
