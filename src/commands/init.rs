//! `slidebook init [DIR]`: a new talk with the layout of this repository's
//! own (`book.toml`, `slides/`, `common/`, `cmd/`, `output/`, `img/`),
//! small enough to read in a minute, that builds and checks cleanly as it
//! is. The files are in `templates/init/`, built into the binary.
//!
//! It never overwrites: if any file it would write is already there, it
//! writes nothing and names them.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use crate::error::{Diagnostic, Error, Result};

/// The new talk: each file's path in the talk, and its contents.
const FILES: &[(&str, &str)] = &[
    ("book.toml", include_str!("../../templates/init/book.toml")),
    (
        "slides/talk.md",
        include_str!("../../templates/init/slides/talk.md"),
    ),
    (
        "common/intro.md",
        include_str!("../../templates/init/common/intro.md"),
    ),
    (
        "cmd/hello.sh",
        include_str!("../../templates/init/cmd/hello.sh"),
    ),
    (
        "output/hello",
        include_str!("../../templates/init/output/hello"),
    ),
    (
        "img/layout.svg",
        include_str!("../../templates/init/img/layout.svg"),
    ),
];

/// Writes a new talk into `dir` (the current folder by default) and says
/// what to run next.
pub fn run(dir: Option<&Path>) -> Result<i32> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let shown_dir = dir.unwrap_or(Path::new(""));
    let root = cwd.join(shown_dir);
    if root.exists() && !root.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is a file, not a folder",
            shown_dir.display()
        )));
    }
    let shown = |rel: &str| {
        crate::paths::normalize(&shown_dir.join(rel))
            .display()
            .to_string()
    };
    let taken: Vec<String> = FILES
        .iter()
        .filter(|(rel, _)| root.join(rel).symlink_metadata().is_ok())
        .map(|(rel, _)| format!("`{}`", shown(rel)))
        .collect();
    if !taken.is_empty() {
        let what = if taken.len() == 1 {
            "an existing file"
        } else {
            "existing files"
        };
        return Err(Diagnostic::new(format!(
            "refusing to overwrite {what}: {}",
            taken.join(", ")
        ))
        .help("nothing was written; run `slidebook init NEW-FOLDER` to start the talk in a folder of its own")
        .into());
    }
    for (rel, text) in FILES {
        write_new(&root.join(rel), text)?;
    }
    let place = match dir {
        Some(d) => format!("`{}`", d.display()),
        None => "this folder".to_string(),
    };
    let mut report = format!("created a talk in {place}:\n");
    for (rel, _) in FILES {
        report.push_str(&format!("  {rel}\n"));
    }
    report.push_str("next:\n");
    if let Some(d) = dir {
        report.push_str(&format!("  cd {}\n", d.display()));
    }
    report.push_str("  slidebook build   # the deck and its handout, in book/talk/\n");
    report.push_str("  slidebook check   # what CI runs: exit 0 when the talk is sound\n");
    eprint!("{report}");
    Ok(0)
}

/// Creates `path` (and its folders) with `text`, failing rather than
/// replacing a file that appeared since the check.
fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(Error::io(path))?;
    file.write_all(text.as_bytes()).map_err(Error::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_talk_is_a_valid_book() {
        let config = crate::config::parse(FILES[0].1, "book.toml").unwrap();
        assert_eq!(config.decks.len(), 1);
        let source = config.decks[0].source.to_str().unwrap();
        assert!(FILES.iter().any(|(rel, _)| *rel == source));
    }
}
