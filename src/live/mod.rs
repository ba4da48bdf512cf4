//! Rebuilding as the talk changes, for `watch` and `serve`. Which events
//! matter is decided by a pure function that tests can check without a
//! file system; a rebuild takes milliseconds, so any change rebuilds
//! everything. [`server`] serves the build folder.

pub mod server;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::config::Project;
use crate::error::{Error, Result};
use crate::output::{self, Built};

/// Whether a changed path calls for a rebuild: not for the build's own
/// output, version control, tool folders or editors' scratch files.
pub fn matters(path: &Path, root: &Path, build_dir: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if path.starts_with(build_dir) {
        return false;
    }
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    let scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913";
    let tool = rel.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "target" || c == "node_modules" || (c.starts_with('.') && c.len() > 1)
    });
    !scratch && !tool
}

/// Builds the decks once and after every change, calling `after` with each
/// result; `strict` makes warnings fail a build. Runs until the watcher
/// stops.
pub fn watch(
    root: Option<&Path>,
    targets: &[String],
    strict: bool,
    mut after: impl FnMut(&Project, Result<Vec<Built>>),
) -> Result<()> {
    let discover = |root: Option<&Path>| {
        Project::discover(root).map(|mut p| {
            p.config.build.strict |= strict;
            p
        })
    };
    let project = discover(root)?;
    let root = project.root.clone();
    let build_dir = root.join(&project.config.build.build_dir);
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading files is an event too (the build reads the sources):
        // only changes count, or every build would start another.
        match event {
            Ok(e) if !e.kind.is_access() => drop(tx.send(e.paths)),
            _ => {}
        }
    })
    .map_err(|e| watch_error(&root, e))?;
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| watch_error(&root, e))?;
    // The first build comes after the watcher is set, so a save made while
    // it runs is not missed.
    let result = output::build(&project, targets, None);
    after(&project, result);

    while let Ok(first) = rx.recv() {
        let mut paths = first;
        // Editors save in bursts (write, rename, chmod): take them as one.
        while let Ok(more) = rx.recv_timeout(Duration::from_millis(100)) {
            paths.extend(more);
        }
        if !paths.iter().any(|p| matters(p, &root, &build_dir)) {
            continue;
        }
        match discover(Some(&root)) {
            Ok(project) => {
                let result = output::build(&project, targets, None);
                after(&project, result);
            }
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok(())
}

fn watch_error(root: &Path, e: notify::Error) -> Error {
    Error::Io {
        path: root.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

/// Prints a build's outcome the way `slidebook build` does.
pub fn report(project: &Project, result: &Result<Vec<Built>>) {
    match result {
        Ok(built) => {
            for b in built {
                eprint!("{}", b.report(project));
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matters_here(p: &str) -> bool {
        matters(Path::new(p), Path::new("/talk"), Path::new("/talk/book"))
    }

    #[test]
    fn sources_templates_and_config_matter() {
        assert!(matters_here("/talk/slides/main.md"));
        assert!(matters_here("/talk/img/a.png"));
        assert!(matters_here("/talk/templates/deck.html"));
        assert!(matters_here("/talk/book.toml"));
    }

    #[test]
    fn output_tools_and_scratch_files_do_not() {
        assert!(!matters_here("/talk/book/talk/index.html"));
        assert!(!matters_here("/talk/.git/index"));
        assert!(!matters_here("/talk/target/debug/x"));
        assert!(!matters_here("/talk/slides/.main.md.swp"));
        assert!(!matters_here("/talk/slides/main.md~"));
        assert!(!matters_here("/talk/slides/4913"));
        assert!(!matters_here("/elsewhere/x.md"));
    }
}
