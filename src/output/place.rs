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
pub use crate::pipeline::MARKER;

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
    deck: &Deck<'_>,
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
        if !inside(dir, root)? {
            return refuse(
                "`build-dir` in book.toml leads outside the talk's root".into(),
                OUTSIDE_HELP,
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
        Ok(_) if is_deck_folder(dir, deck) => Ok(()),
        Ok(_) => refuse(
            "it holds files that slidebook did not write".into(),
            "a build replaces the deck's folder whole; choose a new or empty folder",
        ),
    }
}

/// The deck to be written, as far as telling its old folder goes.
pub struct Deck<'a> {
    pub name: &'a str,
    /// The files it copies, relative to its folder.
    pub copies: Vec<&'a str>,
}

/// What the marker says: a line, then every file the build wrote.
pub fn marker_text(files: impl Iterator<Item = String>) -> String {
    let mut text = String::from(MARKER_HEAD);
    for f in files {
        text.push_str(&f);
        text.push('\n');
    }
    text
}

const MARKER_HEAD: &str =
    "A deck built by slidebook; the next build replaces this folder, which holds only these files:\n";

/// Whether `dir` may be replaced: empty, or holding nothing but what a
/// build of this deck wrote there: the files its marker lists (and the
/// PDFs `slidebook pdf` adds), or, for a deck built before there was a
/// marker, its pages and the files this build copies. Anything else in it
/// (a website the deck was copied into, say) keeps it from being replaced.
fn is_deck_folder(dir: &Path, deck: &Deck<'_>) -> bool {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return false;
    };
    if entries.next().is_none() {
        return true;
    }
    let pdfs = [
        format!("{}.pdf", deck.name),
        format!("{}-handout.pdf", deck.name),
    ];
    let mut allowed: std::collections::HashSet<String> = crate::pipeline::PAGES
        .into_iter()
        .map(String::from)
        .chain(pdfs)
        .collect();
    match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(text) => {
            let Some(listed) = text.strip_prefix(MARKER_HEAD) else {
                return false;
            };
            allowed.insert(MARKER.to_string());
            allowed.extend(listed.lines().map(String::from));
        }
        Err(_) => {
            let mut head = [0u8; 1024];
            let read = std::fs::File::open(dir.join("index.html"))
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head));
            let ours = read.is_ok_and(|n| {
                String::from_utf8_lossy(&head[..n])
                    .contains("<meta name=\"generator\" content=\"slidebook\">")
            });
            if !ours {
                return false;
            }
            allowed.extend(deck.copies.iter().map(|c| c.to_string()));
        }
    }
    holds_only(dir, Path::new(""), &allowed, &mut 0)
}

/// Whether every file under `dir` (`rel` from the deck's folder) is one of
/// `allowed`; a link, or more than a hundred thousand entries, is not.
fn holds_only(
    dir: &Path,
    rel: &Path,
    allowed: &std::collections::HashSet<String>,
    seen: &mut usize,
) -> bool {
    let Ok(entries) = std::fs::read_dir(dir.join(rel)) else {
        return false;
    };
    for entry in entries {
        *seen += 1;
        let Ok(entry) = entry else { return false };
        let Ok(kind) = entry.file_type() else {
            return false;
        };
        let path = rel.join(entry.file_name());
        let ok = if *seen > 100_000 || kind.is_symlink() {
            false
        } else if kind.is_dir() {
            holds_only(dir, &path, allowed, seen)
        } else {
            path.to_str().is_some_and(|p| allowed.contains(p))
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Where `path` really is: its deepest existing ancestor with links
/// resolved, and the rest of it as named.
const OUTSIDE_HELP: &str = "keep build-dir inside the talk, build elsewhere with -o DIR, or set `allow-build-dir-outside-root = true` under [build]";

/// Whether `dir` is inside `root`, as written and where it really leads.
fn inside(dir: &Path, root: &Path) -> Result<bool> {
    let real_root = root.canonicalize().map_err(Error::io(root))?;
    Ok(dir.starts_with(root) && real_path(dir)?.starts_with(&real_root))
}

/// The build folder book.toml names, checked as a build checks it: inside
/// the talk unless book.toml allows otherwise. What a command other than
/// `build` writes there (an export) is as confined as a deck.
pub fn build_dir(root: &Path, config: &crate::config::BuildConfig) -> Result<PathBuf> {
    let dir = normalize(&root.join(&config.build_dir));
    if !config.allow_build_dir_outside_root && !inside(&dir, root)? {
        let d = Diagnostic::new(format!(
            "cannot write into `{}`: `build-dir` in book.toml leads outside the talk's root",
            config.build_dir.display()
        ))
        .help(OUTSIDE_HELP);
        return Err(d.into());
    }
    Ok(dir)
}

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
