//! `slidebook watch`: build, then rebuild whenever a file of the talk
//! changes, with the build's line (or its errors) each time.

use std::path::Path;

use crate::error::Result;
use crate::live;

pub fn run(root: Option<&Path>, targets: &[String], strict: bool) -> Result<i32> {
    live::watch(root, targets, strict, |project, result| {
        live::report(project, &result)
    })?;
    Ok(0)
}
