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
pub fn run(
    project: &Project,
    targets: &[String],
    format: Format,
    layout: bool,
    unused: bool,
) -> Result<i32> {
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
    // Said, but no failure: a deck longer than its minutes, a picture
    // without a text.
    let mut advice = Vec::new();
    // Every file the decks read, where it really is.
    let mut read: std::collections::HashSet<std::path::PathBuf> = Default::default();
    let mut all_read = true;
    for spec in &specs {
        // Where the deck would be built is checked too: a pull request
        // can change `build-dir`.
        let checked = pipeline::analyze(project, spec, &hl).and_then(|a| {
            if unused {
                read.extend(a.inputs().map(std::path::Path::to_path_buf));
            }
            output::place_of(project, &a, None)?;
            advice.extend(pipeline::advice(project, &a));
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
            Err(Error::Talk(ds)) => {
                all_read = false;
                all.extend(ds.into_iter().map(Diagnostic::as_error));
            }
            Err(e) => {
                all_read = false;
                all.push(Diagnostic::new(e.to_string()));
            }
        }
    }
    // What `export` would be made with, when book.toml chooses it.
    let export = crate::export::Settings::from_config(&project.config);
    let odp = match export.chosen() {
        true => crate::export::odp_template(&project.root, &export).err(),
        false => None,
    };
    let pptx = match export.reference_doc.is_some() {
        true => crate::export::pptx_reference(&project.root, &export).err(),
        false => None,
    };
    for e in odp.into_iter().chain(pptx) {
        let message = match e {
            Error::Usage(m) => m,
            other => other.to_string(),
        };
        all.push(Diagnostic::new(message).help("`[export]` in book.toml chooses it"));
    }
    // Ctrl-C while a browser measured: it was stopped and cleaned up.
    if let Some(signal) = measure.as_ref().and_then(|(_, _, i)| i.caught()) {
        return Ok(128 + signal);
    }
    pipeline::dedupe(&mut all);
    // A deck that could not be read reads files no list would show.
    let notes = match (unused, all_read) {
        (true, true) => unused_files(&project.root, &read)?,
        (true, false) => vec![Diagnostic::note(
            "unused files are not listed: a deck could not be read through",
        )],
        (false, _) => Vec::new(),
    };
    for d in all.iter().chain(&advice).chain(&notes) {
        match format {
            Format::Human => eprint!("{}", d.render()),
            Format::Json => println!("{}", d.to_json()),
        }
    }
    if format == Format::Human {
        let decks = count(specs.len(), "deck");
        let found = match all.len() {
            0 => "no problems".to_string(),
            n => count(n, "error"),
        };
        if unused && all_read && !notes.is_empty() {
            eprintln!(
                "checked {decks}: {found}; {} no deck reads",
                count(notes.len(), "file")
            );
        } else {
            eprintln!("checked {decks}: {found}");
        }
    }
    Ok(if all.is_empty() { 0 } else { 1 })
}

/// The folders a talk keeps its parts in, where files can be forgotten.
const PART_FOLDERS: [&str; 4] = ["cmd", "output", "common", "img"];

/// A note for every file under the part folders that no deck read.
fn unused_files(
    root: &std::path::Path,
    read: &std::collections::HashSet<std::path::PathBuf>,
) -> Result<Vec<Diagnostic>> {
    let mut unused = Vec::new();
    for folder in PART_FOLDERS {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&dir).to_path_buf();
                Error::io(path)(e.into())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let real = entry
                .path()
                .canonicalize()
                .map_err(Error::io(entry.path()))?;
            if !read.contains(&real) {
                let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
                unused.push(Diagnostic::note(format!(
                    "`{}` is read by no deck",
                    shown.display()
                )));
            }
        }
    }
    Ok(unused)
}
