//! `slidebook check`: the build pipeline stopped before writing, reporting
//! every problem it finds rather than the first.

use crate::cli::Format;
use crate::config::Project;
use crate::error::{Diagnostic, Result};
use crate::talk;

/// Checks the named decks (all of them by default) and prints what is
/// wrong. Exit code 0 when clean, 1 when anything is wrong.
pub fn run(project: &Project, targets: &[String], format: Format) -> Result<i32> {
    let specs = talk::select(project, targets)?;
    let mut all = Vec::new();
    for spec in &specs {
        all.extend(check_deck(project, spec));
    }
    for d in &all {
        match format {
            Format::Human => eprint!("{}", d.render()),
            Format::Json => println!("{}", d.to_json()),
        }
    }
    if format == Format::Human {
        let decks = specs.len();
        let plural = if decks == 1 { "" } else { "s" };
        if all.is_empty() {
            eprintln!("checked {decks} deck{plural}: no problems");
        } else {
            let n = all.len();
            eprintln!("checked {decks} deck{plural}: {n} error{}", if n == 1 { "" } else { "s" });
        }
    }
    Ok(if all.is_empty() { 0 } else { 1 })
}

/// Everything wrong with one deck.
pub fn check_deck(project: &Project, spec: &talk::DeckSpec) -> Vec<Diagnostic> {
    let loaded = match talk::load(project, spec, &[]) {
        Ok(l) => l,
        Err(crate::error::Error::Talk(ds)) => return ds,
        Err(e) => return vec![Diagnostic::new(e.to_string())],
    };
    loaded.problem_diagnostics(true)
}
