//! `slidebook notes DECK`: the transcript, every note in order, as
//! Markdown on stdout.

use std::io::Write;

use crate::config::Project;
use crate::error::{Error, Result};
use crate::html::Highlighter;
use crate::pipeline;

pub fn run(project: &Project, target: &str) -> Result<i32> {
    let specs = pipeline::select(project, &[target.to_string()])?;
    let hl = Highlighter::new();
    let a = pipeline::analyze(project, &specs[0], &hl)?;
    // A missing picture costs the transcript nothing, but is worth saying.
    for w in a.all_warnings() {
        eprint!("{}", w.render());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(a.deck.transcript(&a.loaded.expanded.text).as_bytes())
        .map_err(Error::io("<stdout>"))?;
    Ok(0)
}
