//! `slidebook pdf`: build, then have a headless Chromium print the deck
//! (one slide per page) and the handout to PDF, each marked with the
//! deck's title, authors and an outline. The browser gets a timeout per
//! page (`SLIDEBOOK_PDF_TIMEOUT`), and Ctrl-C stops it and removes its
//! profile before `slidebook` exits.

use std::path::{Path, PathBuf};

use crate::browser::{self, Interrupts, Printed, Printer};
use crate::config::Project;
use crate::error::{Diagnostic, Error, Result};
use crate::output::{Builder, Built};
use crate::pdf::{self, Info, Mark};

/// Which of a deck's two PDFs to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Which {
    pub slides: bool,
    pub handout: bool,
}

/// One PDF to print.
struct Job<'a> {
    deck: &'a Built,
    page: PathBuf,
    out: PathBuf,
    what: &'static str,
    title: String,
    authors: &'a str,
    marks: &'a [Mark],
}

pub fn run(project: &Project, targets: &[String], out: Option<&Path>, which: Which) -> Result<i32> {
    let timeout = browser::timeout()?;
    let printer = Printer {
        browser: browser::find()?,
        timeout,
    };
    let out = match out {
        Some(o) => Some(checked_out(project, targets, o)?),
        None => None,
    };
    let built = Builder::default()
        .with_outline()
        .build(project, targets, None)?;
    for b in &built {
        eprint!("{}", b.report(project));
    }
    let shown = |path: &Path| {
        path.strip_prefix(&project.root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut jobs = Vec::new();
    for b in &built {
        let outline = b.outline.as_ref().expect("asked for");
        let (slides_pdf, handout_pdf) = match &out {
            Some(file) if !which.slides => (None, Some(file.clone())),
            Some(file) => (Some(file.clone()), Some(beside(file, "-handout"))),
            None => (
                Some(b.dir.join(format!("{}.pdf", b.name))),
                Some(b.dir.join(format!("{}-handout.pdf", b.name))),
            ),
        };
        if which.slides {
            jobs.push(Job {
                deck: b,
                page: b.dir.join("index.html"),
                out: slides_pdf.expect("set when slides are printed"),
                what: "slides",
                title: outline.title.clone(),
                authors: &outline.authors,
                marks: &outline.slides,
            });
        }
        if which.handout {
            jobs.push(Job {
                deck: b,
                page: b.dir.join("handout.html"),
                out: handout_pdf.expect("always set"),
                what: "handout",
                title: format!("{} (handout)", outline.title),
                authors: &outline.authors,
                marks: &outline.entries,
            });
        }
    }
    // A PDF is never written over a file the talk is made of (a diagram
    // the slides show, say, that `-o` or the handout's name would hit).
    for job in &jobs {
        let real = job.out.canonicalize().unwrap_or_else(|_| job.out.clone());
        if job.deck.inputs.contains(&real) {
            return Err(Diagnostic::new(format!(
                "`{}` is one of the files the talk is made of: `pdf` will not write over it",
                shown(&job.out)
            ))
            .help("name another file with -o")
            .into());
        }
    }
    let interrupts = Interrupts::catch();
    for (n, job) in jobs.iter().enumerate() {
        let name = &job.deck.name;
        eprintln!(
            "printing {name} {} ({} of {}) ...",
            job.what,
            n + 1,
            jobs.len()
        );
        // Printed beside its place first: a failed print leaves the last
        // good PDF where it was.
        let file = job.out.file_name().unwrap_or_default().to_string_lossy();
        let printing = job.out.with_file_name(format!(".{file}.printing"));
        match printer.print(&job.page, &shown(&job.page), &printing, &interrupts)? {
            Printed::Done => {}
            Printed::Interrupted(signal) => {
                eprintln!(
                    "interrupted: stopped {} while it printed `{}`",
                    printer.name(),
                    shown(&job.page)
                );
                return Ok(128 + signal);
            }
        }
        let info = Info {
            title: &job.title,
            author: job.authors,
        };
        let printed = std::fs::read(&printing).map_err(Error::io(&printing))?;
        let pages = match pdf::finish(&printed, &info, job.marks) {
            Ok((marked, pages)) => {
                std::fs::write(&printing, marked).map_err(Error::io(&printing))?;
                pages
            }
            Err(why) => {
                eprint!(
                    "{}",
                    Diagnostic::warning(format!(
                        "`{}` is printed without its outline and title: {why}",
                        shown(&job.out)
                    ))
                    .render()
                );
                0
            }
        };
        std::fs::rename(&printing, &job.out).map_err(Error::io(&job.out))?;
        let count = match pages {
            0 => String::new(),
            1 => " (1 page)".to_string(),
            n => format!(" ({n} pages)"),
        };
        eprintln!("printed {name} {} -> {}{count}", job.what, shown(&job.out));
    }
    Ok(0)
}

/// `file` with `tag` before its extension: `talk.pdf` → `talk-handout.pdf`.
fn beside(file: &Path, tag: &str) -> PathBuf {
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    file.with_file_name(format!("{stem}{tag}.pdf"))
}

/// The file `-o` names, checked: one deck, a `.pdf` name, in a folder
/// that exists. The name rule keeps a slip (`-o talk.md`) from writing
/// over a source.
fn checked_out(project: &Project, targets: &[String], out: &Path) -> Result<PathBuf> {
    let decks = crate::pipeline::select(project, targets)?;
    if decks.len() != 1 {
        let names: Vec<&str> = decks.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "-o names one PDF, so `pdf -o` prints one deck, and {} were chosen: name one of {}",
            decks.len(),
            names.join(", ")
        )));
    }
    super::out_file(out, "pdf", "the PDF")
}
