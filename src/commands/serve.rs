//! `slidebook serve`: watch and rebuild as `watch` does, and serve the
//! build folder, where open pages follow each rebuild (a deck patches
//! the slides that changed in place) and show a failed build's errors.

use std::io::IsTerminal;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::Project;
use crate::error::{Error, Result};
use crate::live::{self, server};

pub fn run(
    root: Option<&Path>,
    targets: &[String],
    bind: IpAddr,
    port: u16,
    strict: bool,
) -> Result<i32> {
    // Before any thread starts, so that all of them leave the signals to
    // the one that stops.
    stop_on_signals()?;
    let project = Project::discover(root)?;
    let dir = project.root.join(&project.config.build.build_dir);
    let (http, addr) = server::listen(bind, port)?;
    let builds = Arc::new(server::Builds::default());
    server::spawn(http, dir.clone(), builds.clone())?;
    let mut presenter = Presenter {
        urls: server::urls(addr),
        addr,
        dir,
        builds,
        builds_seen: 0,
    };
    live::watch(root, targets, strict, |project, rebuilt| {
        // The report says what changed and how long the build took.
        live::report(project, &rebuilt);
        presenter.after_build(project, rebuilt.result.as_ref().map(|_| ()), None);
    })?;
    Ok(0)
}

/// What `serve` does after each build besides reporting it.
struct Presenter {
    addr: SocketAddr,
    /// Where the decks can be opened, the one on this machine first.
    urls: Vec<String>,
    dir: PathBuf,
    builds: Arc<server::Builds>,
    builds_seen: u64,
}

impl Presenter {
    /// Tells the pages, and says in one line what happened and where;
    /// `took` is how long the build took, when known.
    fn after_build(
        &mut self,
        project: &Project,
        outcome: std::result::Result<(), &Error>,
        took: Option<Duration>,
    ) {
        self.builds.record(outcome);
        self.builds_seen += 1;
        let url = &self.urls[0];
        if self.builds_seen == 1 {
            let shown = self.dir.strip_prefix(&project.root).unwrap_or(&self.dir);
            let shown = crate::error::visible(&shown.display().to_string()).into_owned();
            eprintln!("serving {shown} at {url} (Ctrl-C stops)");
            if !self.addr.ip().is_loopback() {
                let also = match &self.urls[1..] {
                    [] => String::new(),
                    others => format!(" at {} too", others.join(" ")),
                };
                eprintln!("on the network{also}: anyone who can reach it may read {shown}");
            }
        }
        if let Some(line) = said(self.builds_seen, outcome.is_ok(), took, url) {
            eprintln!("{line}");
        }
    }
}

/// The line a build gets after its report: `None` for a good first build
/// (the `serving` line says it all).
fn said(build: u64, good: bool, took: Option<Duration>, url: &str) -> Option<String> {
    let took = took.map_or(String::new(), |d| format!(" in {} ms", d.as_millis()));
    match (build, good) {
        (1, true) => None,
        (1, false) => Some(format!(
            "build failed{took}: its errors are shown at {url} until it builds"
        )),
        (_, true) => Some(format!("rebuilt{took}: open pages updated, {url}")),
        (_, false) => Some(format!(
            "build failed{took}: the last good build stays up, with the errors over it, {url}"
        )),
    }
}

/// Ctrl-C (and a hang-up or `kill`) stops serving at once with a short
/// line and the shell's code for it (130 for Ctrl-C), from a thread that
/// waits for nothing else. A build it cuts short leaves the last deck
/// whole: builds swap a finished folder in.
#[cfg(unix)]
fn stop_on_signals() -> Result<()> {
    // SAFETY: a zeroed sigset_t is a valid value to hand to sigemptyset,
    // which initialises it; the calls only read and write it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::Builder::new()
        .name("serve-stop".into())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: `set` is an initialised signal set, `signal` a place
            // for the one that came.
            while unsafe { libc::sigwait(&set, &mut signal) } != 0 {}
            // The terminal echoed ^C without ending the line.
            let start = if std::io::stderr().is_terminal() {
                "\n"
            } else {
                ""
            };
            eprintln!("{start}stopped serving");
            std::process::exit(128 + signal);
        })
        .map_err(Error::io("serve-stop thread"))?;
    Ok(())
}

#[cfg(not(unix))]
fn stop_on_signals() -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rebuild_says_what_it_did_and_where() {
        let url = "http://127.0.0.1:3000/";
        assert_eq!(said(1, true, None, url), None);
        assert_eq!(
            said(2, true, None, url).unwrap(),
            "rebuilt: open pages updated, http://127.0.0.1:3000/"
        );
        let took = Some(Duration::from_millis(12));
        assert_eq!(
            said(3, true, took, url).unwrap(),
            "rebuilt in 12 ms: open pages updated, http://127.0.0.1:3000/"
        );
        assert!(said(1, false, None, url)
            .unwrap()
            .starts_with("build failed: "));
        assert!(said(4, false, took, url)
            .unwrap()
            .starts_with("build failed in 12 ms: the last good build stays up"));
    }
}
