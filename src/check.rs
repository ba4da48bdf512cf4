//! `slidebook check`: the build pipeline stopped before writing, reporting
//! every problem it finds rather than the first.

use crate::assets::{self, Assets};
use crate::build::count;
use crate::cli::Format;
use crate::config::Project;
use crate::deck::{self, Deck};
use crate::error::{Diagnostic, Error, Result};
use crate::highlight::Highlighter;
use crate::talk::{self, DeckSpec, Loaded};

/// A deck read, expanded, split and with its files resolved: everything a
/// build needs before it writes.
pub struct Analyzed {
    pub loaded: Loaded,
    pub deck: Deck,
    pub assets: Assets,
}

/// Runs the pipeline up to writing. Any problem in the talk fails it, with
/// every problem found.
pub fn analyze(project: &Project, spec: &DeckSpec, hl: &Highlighter) -> Result<Analyzed> {
    let loaded = talk::load(project, spec, &[])?;
    let mut problems = loaded.problem_diagnostics(true);
    let title_known = spec.title.is_some() || project.config.book.title.is_some();
    let deck = deck::split(
        &loaded.expanded.text,
        project.config.build.slide_level,
        title_known,
        hl,
    );
    for &at in &deck.unclosed_comments {
        let d = Diagnostic::new("this comment is never closed: `<!--` without `-->`")
            .help("speaker notes are HTML comments; close it with `-->`");
        problems.push(
            match loaded.expanded.map.origin_at(&loaded.expanded.text, at) {
                Some(o) => d.at_origin(&loaded.sources, &loaded.expanded.map, o, 4),
                None => d,
            },
        );
    }
    let (assets, missing) = assets::resolve(&loaded, &deck);
    problems.extend(missing);
    if !problems.is_empty() {
        return Err(Error::Talk(problems));
    }
    Ok(Analyzed {
        loaded,
        deck,
        assets,
    })
}

/// Checks the named decks (all of them by default) and prints what is
/// wrong. Exit code 0 when clean, 1 when anything is wrong.
pub fn run(project: &Project, targets: &[String], format: Format) -> Result<i32> {
    let specs = talk::select(project, targets)?;
    let hl = Highlighter::new();
    let mut all = Vec::new();
    for spec in &specs {
        match analyze(project, spec, &hl) {
            Ok(_) => {}
            Err(Error::Talk(ds)) => all.extend(ds),
            Err(e) => all.push(Diagnostic::new(e.to_string())),
        }
    }
    dedupe(&mut all);
    for d in &all {
        match format {
            Format::Human => eprint!("{}", d.render()),
            Format::Json => println!("{}", d.to_json()),
        }
    }
    if format == Format::Human {
        let decks = count(specs.len(), "deck");
        if all.is_empty() {
            eprintln!("checked {decks}: no problems");
        } else {
            eprintln!("checked {decks}: {}", count(all.len(), "error"));
        }
    }
    Ok(if all.is_empty() { 0 } else { 1 })
}

/// Keeps the first report of each problem: a file shared by several decks
/// is reported once, through the first deck that reads it.
pub fn dedupe(all: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    all.retain(|d| seen.insert((d.message.clone(), d.at.clone())));
}
