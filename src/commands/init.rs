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
    let files: Vec<(String, &str)> = FILES.iter().map(|(r, t)| (r.to_string(), *t)).collect();
    let place = write_all(dir, &files, "nothing was written; run `slidebook init NEW-FOLDER` to start the talk in a folder of its own")?;
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

/// `init --templates`: the built-in templates and runtime written into
/// `dir/templates/`, where a build takes them instead of its own.
pub fn templates(dir: Option<&Path>) -> Result<i32> {
    let files: Vec<(String, &str)> = crate::html::page::BUILT_IN
        .iter()
        .map(|(name, text)| (format!("templates/{name}"), *text))
        .collect();
    let place = write_all(dir, &files, "nothing was written; delete or move those files first, or keep them: they are yours to edit")?;
    let mut report = format!("wrote the built-in templates in {place}:\n");
    for (rel, _) in &files {
        report.push_str(&format!("  {rel}\n"));
    }
    report.push_str(
        "each replaces the built-in file of its name; delete the ones you do not change.\n\
         To add rules rather than replace the stylesheet, list a CSS file under [build] css in book.toml.\n",
    );
    eprint!("{report}");
    Ok(0)
}

/// Writes `files` (paths under `dir`) or, if any is there already,
/// nothing. Says where, as the report names it.
fn write_all(dir: Option<&Path>, files: &[(String, &str)], help: &str) -> Result<String> {
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
    let taken: Vec<String> = files
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
        .help(help)
        .into());
    }
    for (rel, text) in files {
        write_new(&root.join(rel), text)?;
    }
    Ok(match dir {
        Some(d) => format!("`{}`", d.display()),
        None => "this folder".to_string(),
    })
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
