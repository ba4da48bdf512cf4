//! `slidebook serve`: watch and rebuild as `watch` does, and serve the
//! build folder on localhost, where open pages reload after each rebuild.

use std::path::Path;
use std::sync::Arc;

use crate::config::Project;
use crate::error::Result;
use crate::live::{self, server};

pub fn run(root: Option<&Path>, targets: &[String], port: u16, strict: bool) -> Result<i32> {
    let project = Project::discover(root)?;
    let dir = project.root.join(&project.config.build.build_dir);
    let (http, port) = server::listen(port)?;
    let builds = Arc::new(server::Builds::default());
    server::spawn(http, dir.clone(), builds.clone())?;
    let mut announced = false;
    live::watch(root, targets, strict, |project, rebuilt| {
        live::report(project, &rebuilt);
        if rebuilt.result.is_ok() {
            builds.bump();
        }
        if !announced {
            let shown = dir.strip_prefix(&project.root).unwrap_or(&dir);
            eprintln!(
                "serving {} at http://127.0.0.1:{port}/ (Ctrl-C stops)",
                shown.display()
            );
            announced = true;
        }
    })?;
    Ok(0)
}
