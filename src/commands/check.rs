//! `slidebook check`: the build pipeline stopped before writing, reporting
//! every problem it finds rather than the first.

use crate::browser::{self, Interrupts, Printer};
use crate::config::Project;
use crate::error::{count, Diagnostic, Error, Result};
use crate::html::{Highlighter, Templates};
use crate::layout;
use crate::output;
use crate::pipeline;

pub use super::Format;

/// Checks the named decks (all of them by default) and prints what is
/// wrong. Exit code 0 when clean, 1 when anything is wrong.
/// `layout` measures every slide in a browser rather than estimating.
pub fn run(project: &Project, targets: &[String], format: Format, layout: bool) -> Result<i32> {
    let specs = pipeline::select(project, targets)?;
    let hl = Highlighter::new();
    let measure = match layout {
        true => {
            let printer = Printer {
                browser: browser::find()?,
                timeout: browser::timeout()?,
            };
            Some((
                printer,
                Templates::load(&project.root)?,
                Interrupts::catch(),
            ))
        }
        false => None,
    };
    let mut all = Vec::new();
    for spec in &specs {
        // Where the deck would be built is checked too: a pull request
        // can change `build-dir`.
        let checked = pipeline::analyze(project, spec, &hl).and_then(|a| {
            output::place_of(project, &a, None)?;
            let mut found = match &measure {
                Some((printer, templates, interrupts)) => {
                    layout::overflows(project, &a, templates, printer, interrupts)?
                }
                None => a.overflows,
            };
            found.extend(a.warnings);
            Ok(found)
        });
        match checked {
            Ok(warnings) => all.extend(warnings.into_iter().map(Diagnostic::as_error)),
            Err(Error::Talk(ds)) => all.extend(ds.into_iter().map(Diagnostic::as_error)),
            Err(e) => all.push(Diagnostic::new(e.to_string())),
        }
    }
    // Ctrl-C while a browser measured: it was stopped and cleaned up.
    if let Some(signal) = measure.as_ref().and_then(|(_, _, i)| i.caught()) {
        return Ok(128 + signal);
    }
    pipeline::dedupe(&mut all);
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
