//! `slidebook build`: every deck named (all by default) written, with one
//! line each on what was written.

use std::path::Path;

use crate::config::Project;
use crate::error::Result;
use crate::output;

pub fn run(project: &Project, targets: &[String], out: Option<&Path>) -> Result<i32> {
    for b in output::build(project, targets, out)? {
        eprint!("{}", b.report(project));
    }
    Ok(0)
}
