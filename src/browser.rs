//! A headless Chromium: found on the machine, and asked to print a page
//! to PDF, or to lay it out and say what its scripts made of it.
//!
//! A browser is a tree of processes that writes a profile folder, and it
//! can hang. So each print runs the browser in a process group of its own,
//! with a profile in a new temporary folder, for at most a timeout; when it
//! ends, however it ends (printed, failed, timed out, or `slidebook` was
//! interrupted), the whole group is killed and the folder removed.
//! [`Interrupts`] catches Ctrl-C (and SIGTERM, SIGHUP) while printing, so
//! that the cleaning up happens before `slidebook` exits.

use std::fs::File;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Result};

/// Browsers tried, in order, when `SLIDEBOOK_CHROMIUM` names none.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The variable that sets the timeout, in seconds.
pub const TIMEOUT_VAR: &str = "SLIDEBOOK_PDF_TIMEOUT";

/// How long one page may take when `SLIDEBOOK_PDF_TIMEOUT` is unset: a
/// page takes a second or two; a big deck on a slow machine, some more.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a running browser is checked on (has it exited, has the
/// time run out, was `slidebook` interrupted).
const POLL: Duration = Duration::from_millis(20);

/// The browser to use: `SLIDEBOOK_CHROMIUM`, else the first on `PATH`.
pub fn find() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SLIDEBOOK_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .flat_map(|d| BROWSERS.iter().map(move |b| d.join(b)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Diagnostic::new("`slidebook pdf` needs Chromium or Chrome, and found neither on PATH")
                .help("install chromium (Debian: apt-get install chromium), or set SLIDEBOOK_CHROMIUM to the browser's path")
                .into()
        })
}

/// How long the browser may take over one page: `SLIDEBOOK_PDF_TIMEOUT`
/// seconds (unset or empty: [`DEFAULT_TIMEOUT`]).
pub fn timeout() -> Result<Duration> {
    let Some(value) = std::env::var_os(TIMEOUT_VAR) else {
        return Ok(DEFAULT_TIMEOUT);
    };
    let value = value.to_string_lossy();
    if value.trim().is_empty() {
        return Ok(DEFAULT_TIMEOUT);
    }
    match value.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(Error::Usage(format!(
            "{TIMEOUT_VAR} must be a whole number of seconds above 0, not `{value}`"
        ))),
    }
}

/// A browser, and how long it may take over a page.
#[derive(Clone, Debug)]
pub struct Printer {
    pub browser: PathBuf,
    pub timeout: Duration,
}

/// How a print ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printed {
    Done,
    /// `slidebook` got this signal while the browser ran; the browser was
    /// stopped and its folder removed.
    Interrupted(i32),
}

impl Printer {
    /// The browser's name as messages show it (`chromium`).
    pub fn name(&self) -> String {
        self.browser
            .file_name()
            .unwrap_or(self.browser.as_os_str())
            .to_string_lossy()
            .into_owned()
    }

    /// Prints `page` (shown in messages as `shown`) to `pdf`. When it
    /// fails, times out or is interrupted, no PDF is left at `pdf`.
    pub fn print(
        &self,
        page: &Path,
        shown: &str,
        pdf: &Path,
        interrupts: &Interrupts,
    ) -> Result<Printed> {
        let result = self.run(page, shown, Job::Pdf(pdf), interrupts);
        if !matches!(result, Ok((Printed::Done, _))) {
            let _ = std::fs::remove_file(pdf);
        }
        result.map(|(printed, _)| printed)
    }

    /// The page at `page` as the browser leaves it once its scripts ran,
    /// in a window of `width` × `height` (`None` when interrupted): what
    /// `check --layout` reads the runtime's marks from.
    pub fn dom(
        &self,
        page: &Path,
        shown: &str,
        (width, height): (u32, u32),
        interrupts: &Interrupts,
    ) -> Result<Option<String>> {
        let (printed, dom) = self.run(page, shown, Job::Dom(width, height), interrupts)?;
        Ok(match printed {
            Printed::Done => dom,
            Printed::Interrupted(_) => None,
        })
    }

    fn run(
        &self,
        page: &Path,
        shown: &str,
        job: Job,
        interrupts: &Interrupts,
    ) -> Result<(Printed, Option<String>)> {
        if let Some(signal) = interrupts.caught() {
            return Ok((Printed::Interrupted(signal), None));
        }
        let scratch = Scratch::new()?;
        // A profile of its own, so a running browser of the user's is left
        // alone; what it says goes to a file beside it, which needs no
        // reader while it runs.
        let profile = scratch.path.join("profile");
        let log = scratch.path.join("browser.log");
        let log_file = File::create(&log).map_err(Error::io(&log))?;
        // Its temporary files too, which a killed browser leaves behind.
        let tmp = scratch.path.join("tmp");
        std::fs::create_dir(&tmp).map_err(Error::io(&tmp))?;
        let dom = scratch.path.join("page.html");
        let mut command = Command::new(&self.browser);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-crash-reporter",
                "--disable-breakpad",
                "--virtual-time-budget=5000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()));
        let stdout = match job {
            Job::Pdf(pdf) => {
                command
                    .arg("--no-pdf-header-footer")
                    .arg(format!("--print-to-pdf={}", pdf.display()));
                Stdio::null()
            }
            Job::Dom(width, height) => {
                command
                    .args(["--dump-dom", "--hide-scrollbars"])
                    .arg(format!("--window-size={width},{height}"));
                File::create(&dom).map_err(Error::io(&dom))?.into()
            }
        };
        let child = command
            .arg(format!("file://{}", page.display()))
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log_file)
            // Its own group, so that it and every process it starts can be
            // killed at once, and so that Ctrl-C in the terminal reaches
            // `slidebook` alone, which then stops it.
            .process_group(0)
            .spawn()
            .map_err(Error::io(&self.browser))?;
        // From here on, dropping `running` kills the group and removes the
        // folder, on every path out of this function.
        let mut running = Running {
            child: Some(child),
            _scratch: scratch,
        };
        let started = Instant::now();
        loop {
            if let Some(signal) = interrupts.caught() {
                return Ok((Printed::Interrupted(signal), None));
            }
            if running.has_exited().map_err(Error::io(&self.browser))? {
                break;
            }
            if started.elapsed() >= self.timeout {
                let name = self.name();
                let secs = self.timeout.as_secs();
                let doing = match job {
                    Job::Pdf(_) => "printing",
                    Job::Dom(..) => "laying out",
                };
                return Err(Diagnostic::new(format!(
                    "{name} did not finish {doing} `{shown}` within {secs} s"
                ))
                .help(format!(
                    "a big deck on a slow machine may need longer: set {TIMEOUT_VAR} to more seconds; \
                     if it never finishes, try `{} --headless --print-to-pdf=out.pdf {}` by hand",
                    self.browser.display(),
                    page.display()
                ))
                .into());
            }
            std::thread::sleep(POLL);
        }
        let status = running.finish().map_err(Error::io(&self.browser))?;
        let written = match job {
            Job::Pdf(pdf) => pdf.is_file(),
            Job::Dom(..) => true,
        };
        if !status.success() || !written {
            let said = std::fs::read(&log).unwrap_or_default();
            let said = String::from_utf8_lossy(&said);
            let last = said
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(Diagnostic::new(format!(
                "{} could not print {}: {}",
                self.browser.display(),
                page.display(),
                last.trim()
            ))
            .into());
        }
        let page = match job {
            Job::Pdf(_) => None,
            Job::Dom(..) => Some(std::fs::read_to_string(&dom).map_err(Error::io(&dom))?),
        };
        Ok((Printed::Done, page))
    }
}

/// What the browser is asked to do with a page.
#[derive(Clone, Copy)]
enum Job<'a> {
    /// Print it to this PDF.
    Pdf(&'a Path),
    /// Write it out as its scripts left it, in a window of this size.
    Dom(u32, u32),
}

/// A browser's process group and its folder: dropped, the group is killed
/// and the folder removed.
struct Running {
    /// The group's leader; its id is the group's. `None` once reaped.
    child: Option<Child>,
    _scratch: Scratch,
}

impl Running {
    /// Whether the leader has exited, without reaping it: while it is a
    /// zombie its id cannot be reused, so the group can still be killed
    /// safely.
    fn has_exited(&self) -> std::io::Result<bool> {
        let Some(child) = &self.child else {
            return Ok(true);
        };
        // SAFETY: `info` is a plain C struct that waitid fills in.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let r = libc::waitid(
                libc::P_PID,
                child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            );
            if r == -1 {
                let e = std::io::Error::last_os_error();
                return match e.kind() {
                    std::io::ErrorKind::Interrupted => Ok(false),
                    _ => Err(e),
                };
            }
            Ok(info.si_pid() != 0)
        }
    }

    /// Kills what is left of the group (helpers a browser leaves behind
    /// too) and reaps the leader.
    fn finish(&mut self) -> std::io::Result<std::process::ExitStatus> {
        let mut child = self.child.take().expect("finished once");
        kill_group(&child);
        child.wait()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(&child);
            let _ = child.wait();
        }
        // `_scratch` is dropped next, removing the folder once nothing of
        // the group writes to it any more.
    }
}

fn kill_group(leader: &Child) {
    // SAFETY: kill has no memory effects; the leader is not reaped yet, so
    // the group id is still this group's.
    unsafe {
        libc::kill(-(leader.id() as libc::pid_t), libc::SIGKILL);
    }
}

/// A new folder in the temporary folder, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("slidebook-pdf-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Scratch { path }),
                // Left by an earlier `slidebook` with the same id that was
                // killed outright: take the next name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
                Err(e) => return Err(Error::io(path)(e)),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A process that left the group (a crash reporter starts a session
        // of its own) may still be writing for a moment.
        for _ in 0..50 {
            match std::fs::remove_dir_all(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => return,
            }
        }
    }
}

/// The signal caught while [`Interrupts`] is in force; 0 for none.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: safe in a signal handler.
    CAUGHT.store(signal, Ordering::SeqCst);
}

/// While alive, SIGINT, SIGTERM and SIGHUP no longer end `slidebook` at
/// once: they are noted, for [`Printer::print`] to stop the browser and
/// clean up, and the command to exit with 128 + the signal's number.
/// Signals that were ignored when it started (`nohup`) stay ignored.
/// Dropped, the handlers from before come back.
///
/// Written with `sigaction` from `libc`, which slidebook uses already,
/// rather than a crate such as `signal-hook` or `ctrlc`: the handler only
/// stores into an atomic, which the printing loop polls anyway, and the
/// old handlers must come back afterwards, which `ctrlc` cannot do.
pub struct Interrupts {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

impl Interrupts {
    pub fn catch() -> Interrupts {
        CAUGHT.store(0, Ordering::SeqCst);
        let mut previous = Vec::new();
        for signal in SIGNALS {
            // SAFETY: plain C structs, filled in by sigaction; the handler
            // is async-signal-safe.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut new.sa_mask);
                new.sa_flags = libc::SA_RESTART;
                if libc::sigaction(signal, &new, std::ptr::null_mut()) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        Interrupts { previous }
    }

    /// The signal caught, if any.
    pub fn caught(&self) -> Option<i32> {
        match CAUGHT.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: restores what sigaction gave back.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}
