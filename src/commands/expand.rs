//! `slidebook expand FILE`: the file with its includes expanded, byte for
//! byte what GNU m4 prints after `changequote(,)dnl`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Project;
use crate::error::{Error, Result};
use crate::m4::ProblemKind;
use crate::pipeline;

pub fn run(project: &Project, file: &Path, include: &[PathBuf], define: &[String]) -> Result<i32> {
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    // -I folders are relative to where the command runs, as with m4.
    let include: Vec<PathBuf> = include.iter().map(|d| cwd.join(d)).collect();
    let spec = pipeline::DeckSpec {
        name: String::new(),
        source: cwd.join(file),
        title: None,
        incremental: false,
        minutes: None,
        defines: define
            .iter()
            .map(|d| match d.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => (d.clone(), String::new()),
            })
            .collect(),
    };
    let loaded = pipeline::load(project, &spec, &include, pipeline::Reading::Exact)?;
    let mut text = loaded.expanded.text.as_str();
    // m4 stops at a comment the input ends in, and drops it.
    for p in &loaded.expanded.problems {
        if let ProblemKind::UnterminatedComment { output_offset } = p.kind {
            text = &text[..output_offset];
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(Error::io("<stdout>"))?;
    let diagnostics = loaded.problem_diagnostics(false);
    for d in &diagnostics {
        eprint!("{}", d.render());
    }
    Ok(if diagnostics.is_empty() { 0 } else { 1 })
}
