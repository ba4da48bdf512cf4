//! From a deck's name (or a bare Markdown file) to its expanded text: the
//! part every command shares.

use std::path::{Path, PathBuf};

use crate::config::{Config, Project};
use crate::error::{Diagnostic, Error, Result};
use crate::expand::{self, Expanded, Problem, ProblemKind};
use crate::sources::{LoadError, Sources};

/// One deck to work on: from `book.toml`, or a file named on the command
/// line.
#[derive(Clone, Debug)]
pub struct DeckSpec {
    pub name: String,
    /// The entry file, absolute.
    pub source: PathBuf,
    pub title: Option<String>,
    pub defines: Vec<(String, String)>,
}

/// The decks the command line names: deck names from `book.toml` or paths
/// of Markdown files; every deck of the book when none is named.
pub fn select(project: &Project, names: &[String]) -> Result<Vec<DeckSpec>> {
    let from_config = |d: &crate::config::DeckConfig| DeckSpec {
        name: d.name.clone(),
        source: project.root.join(&d.source),
        title: d.title.clone(),
        defines: d.defines.clone().into_iter().collect(),
    };
    if names.is_empty() {
        if project.config.decks.is_empty() {
            let why = match &project.config_file {
                Some(f) => format!("{} has no [[deck]]", f.display()),
                None => format!(
                    "there is no book.toml in {} or above",
                    project.root.display()
                ),
            };
            return Err(Error::Usage(format!(
                "no deck to work on: {why}; name a Markdown file, or run `slidebook init`"
            )));
        }
        return Ok(project.config.decks.iter().map(from_config).collect());
    }
    names
        .iter()
        .map(|n| {
            if let Some(d) = project.deck(n) {
                return Ok(from_config(d));
            }
            let path = Path::new(n);
            if path.is_file() {
                let stem = deck_name_for(path);
                return Ok(DeckSpec {
                    name: stem,
                    source: std::env::current_dir().unwrap_or_default().join(path),
                    title: None,
                    defines: Vec::new(),
                });
            }
            let decks: Vec<&str> = project
                .config
                .decks
                .iter()
                .map(|d| d.name.as_str())
                .collect();
            let known = if decks.is_empty() {
                String::new()
            } else {
                format!(" (decks: {})", decks.join(", "))
            };
            Err(Error::Usage(format!("no deck or file named `{n}`{known}")))
        })
        .collect()
}

/// A deck's sources, read and expanded.
pub struct Loaded {
    pub sources: Sources,
    pub expanded: Expanded,
}

fn sources_for(root: &Path, config: &Config, extra_includes: &[PathBuf]) -> Sources {
    let mut dirs = config.build.include_path.clone();
    dirs.extend(extra_includes.iter().cloned());
    Sources::new(root, &dirs, config.build.allow_outside_root)
}

/// Reads and expands a deck. Errors here are about the entry file itself;
/// problems inside the talk are in `expanded.problems`.
pub fn load(project: &Project, spec: &DeckSpec, extra_includes: &[PathBuf]) -> Result<Loaded> {
    let mut sources = sources_for(&project.root, &project.config, extra_includes);
    let entry = load_entry(&mut sources, &spec.source)?;
    let options = expand::Options {
        defines: spec.defines.clone(),
        ..Default::default()
    };
    let expanded = expand::expand(&mut sources, entry, &options);
    Ok(Loaded { sources, expanded })
}

pub fn load_entry(sources: &mut Sources, path: &Path) -> Result<crate::sources::SourceId> {
    let shown = sources.display(path);
    sources.load_entry(path).map_err(|e| {
        let d = match e {
            LoadError::NotFound => Diagnostic::new(format!("cannot read `{shown}`: no such file"))
                .help("check the deck's `source` in book.toml, or the path on the command line"),
            LoadError::IsDirectory => {
                Diagnostic::new(format!("cannot read `{shown}`: it is a folder"))
            }
            other => load_diagnostic(&shown, &other, false),
        };
        d.into()
    })
}

/// Why a file could not be read; `include_dirs` says whether the talk has
/// include folders (searched after the root).
fn load_diagnostic(name: &str, e: &LoadError, include_dirs: bool) -> Diagnostic {
    match e {
        LoadError::NotFound => Diagnostic::new(format!("cannot open `{name}`: no such file")).help(format!(
            "include paths are relative to the talk's root, not to the including file{}; check the spelling or create the file",
            if include_dirs { " and then the include folders" } else { "" }
        )),
        LoadError::IsDirectory => Diagnostic::new(format!("`{name}` is a folder, not a file"))
            .help("include a file inside it instead"),
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

impl Loaded {
    /// The expansion's problems as diagnostics. `strict` is every command
    /// but `expand`: there a comment cut off by the end of the input is
    /// just the last line of the talk, as the include language reads it.
    pub fn problem_diagnostics(&self, strict: bool) -> Vec<Diagnostic> {
        self.expanded
            .problems
            .iter()
            .filter(|p| !(strict && matches!(p.kind, ProblemKind::UnterminatedComment { .. })))
            .map(|p| self.diagnostic(p))
            .collect()
    }

    pub fn diagnostic(&self, p: &Problem) -> Diagnostic {
        let d = match &p.kind {
            ProblemKind::Load { name, error } => {
                load_diagnostic(name, error, self.sources.has_include_dirs())
            }
            ProblemKind::Cycle { files } => Diagnostic::new(format!(
                "include cycle: {}",
                files.join(" -> ")
            ))
            .help("a file includes itself through this chain, which never ends; remove one of these includes"),
            ProblemKind::UnclosedCall { name } => Diagnostic::new(format!(
                "`{name}(` is never closed: the input ends inside its arguments"
            ))
            .help("add the missing `)`; with quoting off, every `(` inside the arguments needs its own `)` too"),
            ProblemKind::UnclosedQuote => Diagnostic::new("the input ends inside a quoted string")
                .help("close the quote, or switch quoting off again with `changequote(,)`"),
            ProblemKind::UnterminatedComment { .. } => Diagnostic::new(
                "the input ends inside a `#` comment: the last line has no newline",
            )
            .help("m4 stops with an error here and drops that line; end the file with a newline"),
            ProblemKind::NestingLimit { name, limit } => Diagnostic::new(format!(
                "macro calls nest deeper than {limit} levels (at `{name}`)"
            ))
            .help("a macro whose arguments call it again never ends; check recursive defines"),
            ProblemKind::Runaway { name } => Diagnostic::new(format!(
                "`{name}` keeps expanding without end"
            ))
            .help("a macro that expands to a call of itself (or an include that includes itself through a macro) never stops; m4 would loop until it runs out of memory"),
            ProblemKind::TooLarge => Diagnostic::new("the expanded text grows beyond 1 GiB")
                .help("a macro or include is multiplying the text; check recursive defines"),
        };
        d.at_origin(&self.sources, &self.expanded.map, p.at, p.width)
            .in_calls(&self.sources, &self.expanded.map, &p.calls)
    }
}

/// A deck name for a bare file: its stem, or its folder's name for entry
/// files called `main.md` or `index.md` (as in `lightning/main.md`).
fn deck_name_for(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let folder = std::env::current_dir()
        .unwrap_or_default()
        .join(path)
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned());
    match (stem.as_deref(), folder) {
        (Some("main" | "index"), Some(folder)) => folder,
        (Some(stem), _) => stem.to_string(),
        (None, _) => "deck".to_string(),
    }
}
