//! `slidebook notes [DECK...]`: the transcript, every note in order, as
//! Markdown on stdout; every deck's by default, each under its title when
//! there are several.

use std::io::Write;

use crate::config::Project;
use crate::error::{Error, Result};
use crate::html::Highlighter;
use crate::pipeline;

pub fn run(project: &Project, targets: &[String], titles: bool, timing: bool) -> Result<i32> {
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
        if timing {
            text.push_str(&timing_table(project, &a));
        } else {
            text.push_str(&a.deck.transcript(&a.loaded.expanded.text, titles));
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(Error::io("<stdout>"))?;
    Ok(0)
}

/// Each slide's time by its notes, and the deck's, against its minutes.
fn timing_table(project: &Project, a: &pipeline::Analyzed) -> String {
    let mut out = String::new();
    let width = a.deck.slides.len().to_string().len();
    for (n, s) in a.deck.slides.iter().enumerate() {
        let time = pipeline::clock(u64::from(s.seconds));
        out.push_str(&format!(
            "{:>width$}  {time:>5}  {}\n",
            n + 1,
            s.transcript_title()
        ));
    }
    let total = a.deck.seconds();
    let build = &project.config.build;
    out.push_str(&format!(
        "total {} for {} at {} words a minute (each slide {} s at least)",
        pipeline::clock(total),
        crate::error::count(a.deck.slides.len(), "slide"),
        build.words_per_minute,
        build.min_seconds_per_slide
    ));
    if let Some(minutes) = a.spec.minutes {
        let planned = u64::from(minutes) * 60;
        let side = match total.cmp(&planned) {
            std::cmp::Ordering::Greater => format!("{} over", pipeline::clock(total - planned)),
            _ => format!("{} to spare", pipeline::clock(planned - total)),
        };
        out.push_str(&format!(
            "; {} planned: {side}",
            crate::error::count(minutes as usize, "minute")
        ));
    }
    out.push('\n');
    out
}
