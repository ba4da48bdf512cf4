//! Rebuilding as the talk changes, for `watch` and `serve`. Which paths
//! may matter is decided by a pure function that tests can check without
//! a file system; among them, a rebuild follows a change to what the last
//! build read. The builder (its highlighter, its templates) is kept from
//! build to build. [`server`] serves the build folder.

pub mod server;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::config::Project;
use crate::error::{Error, Result};
use crate::output::{self, Built};

/// Whether a changed path may call for a rebuild: inside one of the
/// watched `folders`, and not the build's own output, version control,
/// tool folders or editors' scratch files.
pub fn matters(path: &Path, folders: &[PathBuf], build_dir: &Path) -> bool {
    let Some(rel) = folders.iter().find_map(|f| path.strip_prefix(f).ok()) else {
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

/// One build as `watch` and `serve` see it: its result, how long it took,
/// and the changed files that started it (none for the first).
pub struct Rebuilt {
    pub result: Result<Vec<Built>>,
    pub took: Duration,
    pub changed: Vec<PathBuf>,
}

/// A burst of saves ends once no event has come for this long...
const QUIET: Duration = Duration::from_millis(3);
/// ...or once it has gone on this long.
const LONGEST_BURST: Duration = Duration::from_millis(250);

/// Builds the decks once and after every change, calling `after` with each
/// build; `strict` makes warnings fail a build. Runs until the watcher
/// stops. A change matters when it is to a file the last good build read,
/// to `book.toml` or `templates/`, or a file appearing or going (an
/// include may name it); after a failed build, any change to the talk.
pub fn watch(
    root: Option<&Path>,
    targets: &[String],
    strict: bool,
    mut after: impl FnMut(&Project, Rebuilt),
) -> Result<()> {
    let discover = |root: Option<&Path>| {
        Project::discover(root).map(|mut p| {
            p.config.build.strict |= strict;
            p
        })
    };
    let project = discover(root)?;
    let root = project.root.clone();
    let (tx, rx) = mpsc::channel::<notify::Event>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading files is an event too (the build reads the sources):
        // only changes count, or every build would start another.
        match event {
            Ok(e) if !e.kind.is_access() => drop(tx.send(e)),
            Ok(_) => {}
            // Events may have been lost: what was kept is not trusted.
            Err(_) => {
                let lost = notify::Event::new(notify::EventKind::Other)
                    .set_flag(notify::event::Flag::Rescan);
                drop(tx.send(lost));
            }
        }
    })
    .map_err(|e| watch_error(&root, e))?;
    // The talk, and the include folders it reads from outside it.
    let mut folders = vec![root.clone()];
    for dir in &project.config.build.include_path {
        let dir = crate::paths::normalize(&root.join(dir));
        if !dir.starts_with(&root) && dir.is_dir() {
            folders.push(dir);
        }
    }
    for folder in &folders {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .map_err(|e| watch_error(folder, e))?;
    }
    // The first build comes after the watcher is set, so a save made while
    // it runs is not missed.
    let mut builder = output::Builder::remembering();
    let mut project = project;
    let mut changed = Vec::new();
    let mut first = true;
    loop {
        let start = Instant::now();
        let mut result = builder.build(&project, targets, None);
        let read = match &mut result {
            Ok(built) => Some(inputs(built)),
            Err(_) => None,
        };
        let took = start.elapsed();
        after(
            &project,
            Rebuilt {
                result,
                took,
                changed: std::mem::take(&mut changed),
            },
        );
        if first {
            let shown: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
            eprintln!("watching {} for changes (Ctrl-C stops)", shown.join(", "));
            first = false;
        }
        let build_dir = root.join(&project.config.build.build_dir);
        loop {
            let Ok(event) = rx.recv() else {
                return Ok(());
            };
            let mut events = vec![event];
            // Editors save in bursts (write, rename, chmod): take them as
            // one, without holding a single save back.
            let burst = Instant::now();
            while burst.elapsed() < LONGEST_BURST {
                match rx.recv_timeout(QUIET) {
                    Ok(more) => events.push(more),
                    Err(_) => break,
                }
            }
            // What was read from a changed file is read again, whether or
            // not the change calls for a rebuild by itself.
            let mut touched: Vec<(PathBuf, bool)> = Vec::new();
            for e in &events {
                if e.need_rescan() {
                    builder.forget_all();
                }
                for p in &e.paths {
                    if !p.starts_with(&build_dir) {
                        touched.push((p.clone(), appears_or_goes(e)));
                    }
                    let relevant = matters(p, &folders, &build_dir)
                        && (read.is_none()
                            || appears_or_goes(e)
                            || is_setting(p, &root)
                            || read
                                .as_ref()
                                .is_some_and(|r: &HashSet<PathBuf>| r.contains(&real(p))));
                    if relevant && !changed.contains(p) {
                        changed.push(p.clone());
                    }
                }
            }
            touched.sort();
            touched.dedup();
            builder.forget_files(&touched);
            if changed.is_empty() {
                continue;
            }
            if changed
                .iter()
                .any(|p| p.starts_with(root.join("templates")))
            {
                builder.forget_templates();
            }
            match discover(Some(&root)) {
                Ok(p) => {
                    project = p;
                    break;
                }
                // A broken book.toml is a failed build like any other: the
                // pages show it, and the next change tries again.
                Err(e) => {
                    let changed = std::mem::take(&mut changed);
                    let took = Duration::ZERO;
                    after(
                        &project,
                        Rebuilt {
                            result: Err(e),
                            took,
                            changed,
                        },
                    );
                }
            }
        }
    }
}

/// Every file a build read, where it really is (taken from the builds).
fn inputs(built: &mut [Built]) -> HashSet<PathBuf> {
    built
        .iter_mut()
        .flat_map(|b| std::mem::take(&mut b.inputs))
        .collect()
}

/// Where `p` really is (as itself when it is gone).
fn real(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn appears_or_goes(e: &notify::Event) -> bool {
    matches!(
        e.kind,
        notify::EventKind::Create(_)
            | notify::EventKind::Remove(_)
            | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
    )
}

/// `book.toml` and the talk's own templates change every deck.
fn is_setting(p: &Path, root: &Path) -> bool {
    p == root.join(crate::config::CONFIG_FILE) || p.starts_with(root.join("templates"))
}

fn watch_error(root: &Path, e: notify::Error) -> Error {
    Error::Io {
        path: root.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

/// Prints a build's outcome the way `slidebook build` does, after a line
/// that says what changed and how long the build took.
pub fn report(project: &Project, rebuilt: &Rebuilt) {
    if let Some(first) = rebuilt.changed.first() {
        let shown = first
            .strip_prefix(&project.root)
            .unwrap_or(first)
            .display()
            .to_string();
        let more = match rebuilt.changed.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        eprintln!(
            "changed {}{more}: rebuilt in {} ms",
            crate::error::visible(&shown),
            rebuilt.took.as_millis()
        );
    }
    match &rebuilt.result {
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
        let folders = [PathBuf::from("/talk"), PathBuf::from("/shared/parts")];
        matters(Path::new(p), &folders, Path::new("/talk/book"))
    }

    #[test]
    fn sources_templates_and_config_matter() {
        assert!(matters_here("/talk/slides/main.md"));
        assert!(matters_here("/talk/img/a.png"));
        assert!(matters_here("/talk/templates/deck.html"));
        assert!(matters_here("/talk/book.toml"));
        assert!(matters_here("/shared/parts/intro.md"));
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
