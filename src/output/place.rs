//! Where a deck may be written. A build replaces its deck's folder whole,
//! so the folder is checked before anything is written: inside the talk
//! unless the command line or `book.toml` says otherwise, after symbolic
//! links as well as by its name; never a folder that holds the talk's own
//! files, or files that no build of slidebook wrote.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::paths::normalize;

/// The file every deck folder holds, so a later build knows the folder is
/// its own to replace.
pub const MARKER: &str = ".slidebook";

/// Why a deck goes where it goes, for the messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// `-o` on the command line: the user named the place.
    CommandLine,
    /// `build-dir` in `book.toml`, which a pull request can change.
    BuildDir { outside_allowed: bool },
}

/// Checks `dir` (absolute, lexically folded) as the folder of a deck of
/// the talk at `root`, whose files really are at `sources`.
pub fn check(
    dir: &Path,
    root: &Path,
    chosen: Chosen,
    sources: &[&Path],
    shown: &str,
) -> Result<()> {
    let refuse = |what: String, help: &str| -> Result<()> {
        Err(
            Diagnostic::new(format!("cannot build into `{shown}`: {what}"))
                .help(help)
                .into(),
        )
    };
    if dir.parent().is_none() || dir.file_name().is_none() {
        return refuse(
            "it is the top of the file system".into(),
            "name a folder of its own for the deck with -o",
        );
    }
    let real_root = root.canonicalize().map_err(Error::io(root))?;
    let real = real_path(dir)?;
    if let Chosen::BuildDir {
        outside_allowed: false,
    } = chosen
    {
        if !dir.starts_with(root) || !real.starts_with(&real_root) {
            return refuse(
                "`build-dir` in book.toml leads outside the talk's root".into(),
                "keep build-dir inside the talk, build elsewhere with -o DIR, or set `allow-build-dir-outside-root = true` under [build]",
            );
        }
    }
    if real_root.starts_with(&real) {
        return refuse(
            "it holds the whole talk".into(),
            "build into a folder of its own, such as the default `book/`",
        );
    }
    if let Some(source) = sources.iter().find(|s| s.starts_with(&real)) {
        let name = source.strip_prefix(&real_root).unwrap_or(source);
        return refuse(
            format!(
                "it holds `{}`, which the deck is built from",
                name.display()
            ),
            "build into a folder of its own, outside the talk's sources",
        );
    }
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir)(e)),
        Ok(m) if m.file_type().is_symlink() => refuse(
            "it is a symbolic link".into(),
            "name the folder the link points to, or another one",
        ),
        Ok(m) if !m.is_dir() => refuse(
            "it is a file, not a folder".into(),
            "-o and build-dir name a folder for the deck; choose a new one",
        ),
        Ok(_) if is_deck_folder(dir) => Ok(()),
        Ok(_) => refuse(
            "it holds files that slidebook did not write".into(),
            "a build replaces the deck's folder whole; choose a new or empty folder",
        ),
    }
}

/// Whether `dir` may be replaced: empty, or a deck an earlier build wrote
/// (with the marker, or, before there was one, a page of ours).
fn is_deck_folder(dir: &Path) -> bool {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return false;
    };
    if entries.next().is_none() || dir.join(MARKER).is_file() {
        return true;
    }
    let mut head = [0u8; 1024];
    let read = std::fs::File::open(dir.join("index.html"))
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head));
    read.is_ok_and(|n| {
        String::from_utf8_lossy(&head[..n])
            .contains("<meta name=\"generator\" content=\"slidebook\">")
    })
}

/// Where `path` really is: its deepest existing ancestor with links
/// resolved, and the rest of it as named.
fn real_path(path: &Path) -> Result<PathBuf> {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let joined = rest.iter().rev().fold(real, |p: PathBuf, c| p.join(c));
                return Ok(normalize(&joined));
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => return Ok(path.to_path_buf()),
            },
        }
    }
}
