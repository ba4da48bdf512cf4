//! `slidebook notes [DECK...]`: the transcript, every note in order, as
//! Markdown on stdout; every deck's by default, each under its title when
//! there are several.

use std::io::Write;

use crate::config::Project;
use crate::error::{Error, Result};
use crate::html::Highlighter;
use crate::pipeline;

pub fn run(project: &Project, targets: &[String], titles: bool) -> Result<i32> {
    let specs = pipeline::select(project, targets)?;
    let hl = Highlighter::new();
    let mut text = String::new();
    for spec in &specs {
        let a = pipeline::analyze(project, spec, &hl)?;
        // A missing picture costs the transcript nothing, but is worth saying.
        for w in a.all_warnings() {
            eprint!("{}", w.render());
        }
        if specs.len() > 1 {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("# {}\n\n", a.cover.title));
        }
        text.push_str(&a.deck.transcript(&a.loaded.expanded.text, titles));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(Error::io("<stdout>"))?;
    Ok(0)
}
