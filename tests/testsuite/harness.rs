//! A talk in a temporary folder, and the binary run inside it: `Test`
//! states how a run must end (exit status, stdout, stderr) and checks all
//! three at once.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Talk {
    dir: tempfile::TempDir,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Talk {
    pub fn new() -> Talk {
        Talk {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (and its folders) under the talk's root.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Talk {
        let p = self.dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        self
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(path))
            .unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    /// A test of `slidebook ARGS` run in the talk's root. It borrows the
    /// talk, so the folder outlives the run.
    pub fn args(&self, args: &[&str]) -> Test<'_> {
        Test::in_dir(self.path(), args)
    }
}

/// A run of `slidebook ARGS` in a folder and how it must end. By default:
/// exit status 0, nothing on stdout, nothing on stderr; `run` checks all
/// three and shows all three when any differs.
#[must_use = "nothing runs until `.run()`"]
pub struct Test<'a> {
    dir: Cow<'a, Path>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    status: i32,
    stdout: Expect,
    stderr: Expect,
}

/// What a stream must hold: exactly a text, or any text with these ends
/// (both `None` for any text at all).
enum Expect {
    Exact(String),
    Ends {
        start: Option<String>,
        end: Option<String>,
    },
}

impl<'a> Test<'a> {
    /// A test of `slidebook ARGS` run in `dir`, for a folder other than a
    /// talk's root.
    pub fn in_dir(dir: impl Into<Cow<'a, Path>>, args: &[&str]) -> Test<'a> {
        Test {
            dir: dir.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            status: 0,
            stdout: Expect::Exact(String::new()),
            stderr: Expect::Exact(String::new()),
        }
    }

    /// Sets a variable for the run; `SLIDEBOOK_*` ones are unset otherwise.
    pub fn env(mut self, name: &str, value: &str) -> Test<'a> {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn status(mut self, code: i32) -> Test<'a> {
        self.status = code;
        self
    }

    pub fn stdout(mut self, text: impl Into<String>) -> Test<'a> {
        self.stdout = Expect::Exact(text.into());
        self
    }

    pub fn stderr(mut self, text: impl Into<String>) -> Test<'a> {
        self.stderr = Expect::Exact(text.into());
        self
    }

    /// For output a test checks in its own way afterwards (JSON, lengths).
    pub fn stdout_any(mut self) -> Test<'a> {
        self.stdout = Expect::any();
        self
    }

    pub fn stderr_any(mut self) -> Test<'a> {
        self.stderr = Expect::any();
        self
    }

    pub fn stdout_starts_with(mut self, text: &str) -> Test<'a> {
        self.stdout = self.stdout.starting(text);
        self
    }

    pub fn stdout_ends_with(mut self, text: &str) -> Test<'a> {
        self.stdout = self.stdout.ending(text);
        self
    }

    pub fn stderr_starts_with(mut self, text: &str) -> Test<'a> {
        self.stderr = self.stderr.starting(text);
        self
    }

    pub fn stderr_ends_with(mut self, text: &str) -> Test<'a> {
        self.stderr = self.stderr.ending(text);
        self
    }

    /// Runs the binary and panics, showing expected and actual status,
    /// stdout and stderr, unless all three are as stated.
    #[track_caller]
    pub fn run(self) -> Run {
        let mut command = slidebook(&self.dir);
        command.args(&self.args);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let run = finished(command.output().expect("slidebook runs"));
        let good = run.code == self.status
            && self.stdout.accepts(&run.stdout)
            && self.stderr.accepts(&run.stderr);
        if !good {
            panic!("{}", self.report(&run));
        }
        run
    }

    fn report(&self, run: &Run) -> String {
        let mut r = format!(
            "`slidebook {}` in {}",
            self.args.join(" "),
            self.dir.display()
        );
        for (name, value) in &self.env {
            let _ = write!(r, " with {name}={value}");
        }
        r.push_str(" did not end as expected\n");
        if run.code == self.status {
            let _ = writeln!(r, "status: {}, as expected", run.code);
        } else {
            let _ = writeln!(
                r,
                "status: expected {}, got {}  <- differs",
                self.status, run.code
            );
        }
        self.stdout.report("stdout", &run.stdout, &mut r);
        self.stderr.report("stderr", &run.stderr, &mut r);
        r
    }
}

impl Expect {
    fn any() -> Expect {
        Expect::Ends {
            start: None,
            end: None,
        }
    }

    fn starting(self, text: &str) -> Expect {
        match self {
            Expect::Ends { end, .. } => Expect::Ends {
                start: Some(text.into()),
                end,
            },
            Expect::Exact(_) => Expect::Ends {
                start: Some(text.into()),
                end: None,
            },
        }
    }

    fn ending(self, text: &str) -> Expect {
        match self {
            Expect::Ends { start, .. } => Expect::Ends {
                start,
                end: Some(text.into()),
            },
            Expect::Exact(_) => Expect::Ends {
                start: None,
                end: Some(text.into()),
            },
        }
    }

    fn accepts(&self, got: &str) -> bool {
        match self {
            Expect::Exact(text) => got == text,
            Expect::Ends { start, end } => {
                start.as_ref().is_none_or(|s| got.starts_with(s.as_str()))
                    && end.as_ref().is_none_or(|e| got.ends_with(e.as_str()))
            }
        }
    }

    fn report(&self, name: &str, got: &str, r: &mut String) {
        match self {
            Expect::Exact(text) if text == got => {
                let _ = writeln!(r, "{name}: as expected");
                show(got, None, r);
            }
            Expect::Exact(text) => {
                let at = first_difference(text, got);
                let _ = writeln!(
                    r,
                    "{name}: first difference at line {}, column {}  <- differs\n  expected:",
                    at.0, at.1
                );
                show(text, Some(at), r);
                r.push_str("  got:\n");
                show(got, Some(at), r);
            }
            Expect::Ends { start, end } => {
                let good = self.accepts(got);
                let _ = writeln!(
                    r,
                    "{name}: {}{}",
                    if good { "as expected, " } else { "" },
                    match (start, end) {
                        (None, None) => "any text",
                        (Some(_), None) => "text that starts with what follows",
                        (None, Some(_)) => "text that ends with what follows",
                        (Some(_), Some(_)) => "text that starts and ends with what follows",
                    }
                );
                let mut at = None;
                if let Some(start) = start {
                    r.push_str("  expected start:\n");
                    if !got.starts_with(start.as_str()) {
                        at = Some(first_difference(start, got));
                    }
                    show(start, at, r);
                }
                if let Some(end) = end {
                    r.push_str("  expected end:\n");
                    show(end, None, r);
                    if at.is_none() && !got.ends_with(end.as_str()) {
                        // Show the end of what came instead.
                        at = Some((got.split_inclusive('\n').count(), 1));
                    }
                }
                r.push_str(if good {
                    "  got:\n"
                } else {
                    "  got:  <- differs\n"
                });
                show(got, at, r);
            }
        }
    }
}

/// Where two texts part: a line and a column, counted from 1.
fn first_difference(a: &str, b: &str) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            break;
        }
        if x == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Lines shown whole; a longer text shows the lines around `at`.
const SHOWN_LINES: usize = 40;
/// Characters shown of a line; a longer one shows those around `at`.
const SHOWN_WIDTH: usize = 160;

/// Appends `text` to `r`, a numbered line each, cut down around `at` when
/// long (a 10 MB stdout must not flood the terminal).
fn show(text: &str, at: Option<(usize, usize)>, r: &mut String) {
    if text.is_empty() {
        r.push_str("      (empty)\n");
        return;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (focus_line, focus_column) = at.unwrap_or((1, 1));
    let (first, last) = if lines.len() <= SHOWN_LINES {
        (1, lines.len())
    } else {
        let first = focus_line.saturating_sub(5).clamp(1, lines.len() - 10);
        (first, first + 10)
    };
    if first > 1 {
        let _ = writeln!(r, "      ({} lines before)", first - 1);
    }
    for n in first..=last {
        let line = lines[n - 1];
        let content = line.strip_suffix('\n').unwrap_or(line);
        let column = if n == focus_line { focus_column } else { 1 };
        let _ = writeln!(r, "{n:>5}|{}", clip(content, column));
        if !line.ends_with('\n') {
            r.push_str("      (no newline at the end)\n");
        }
    }
    if last < lines.len() {
        let _ = writeln!(r, "      ({} lines after)", lines.len() - last);
    }
}

/// The characters of `line` around `column`, with `…` where it was cut.
fn clip(line: &str, column: usize) -> String {
    let count = line.chars().count();
    if count <= SHOWN_WIDTH {
        return line.to_string();
    }
    let start = column
        .saturating_sub(SHOWN_WIDTH / 2 + 1)
        .min(count - SHOWN_WIDTH);
    let mut shown: String = line.chars().skip(start).take(SHOWN_WIDTH).collect();
    if start > 0 {
        shown.insert(0, '…');
    }
    if start + SHOWN_WIDTH < count {
        shown.push('…');
    }
    format!("{shown}  ({count} characters, from column {})", start + 1)
}

/// Runs `slidebook ARGS` in `dir` and returns how it ended, whatever that
/// was (for output a test cannot state ahead, such as a talk's outputs).
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    finished(slidebook(dir).args(args).output().expect("slidebook runs"))
}

pub fn finished(out: Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The binary, to run in `dir`, without the `SLIDEBOOK_*` variables of
/// whoever runs the tests: their settings must not change what tests see.
pub fn slidebook(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slidebook"));
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.as_encoded_bytes().starts_with(b"SLIDEBOOK_") {
            command.env_remove(name);
        }
    }
    command
}

/// The shared corpus talk, when this checkout has `../shared` beside it.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/magnum-debugging-101");
    if p.is_dir() {
        Some(p)
    } else {
        crate::harness::skip("../shared/corpus/magnum-debugging-101 is not here");
        None
    }
}

/// GNU m4, when installed. CI sets SLIDEBOOK_REQUIRE_M4=1, which turns a
/// missing m4 from a visible skip into a failure.
pub fn m4() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("m4"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("SLIDEBOOK_REQUIRE_M4").is_some() {
            panic!("SLIDEBOOK_REQUIRE_M4 is set but m4 is not on PATH");
        }
        crate::harness::skip("GNU m4 is not installed");
    }
    found
}

/// What GNU m4 prints for `changequote(,)dnl` followed by `file`, run in
/// `dir`, with extra m4 arguments.
pub fn m4_expand(m4: &Path, dir: &Path, file: &str, args: &[&str]) -> (Vec<u8>, i32) {
    let mut input = b"changequote(,)dnl\n".to_vec();
    input.extend(std::fs::read(dir.join(file)).unwrap());
    let mut child = Command::new(m4)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("m4 runs");
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    (out.stdout, out.status.code().unwrap_or(-1))
}

impl Talk {
    /// A copy of `tests/fixtures/NAME`, so builds never write into the
    /// repository.
    pub fn fixture(name: &str) -> Talk {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let talk = Talk::new();
        copy_tree(&from, talk.path());
        talk
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What a process printed and how it ended, bytes as they came.
#[derive(Debug)]
pub struct RawRun {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub code: i32,
}

/// Runs `command` with `input` on stdin, killing it after `limit`: `None`
/// when it was still running then.
fn run_within(mut command: Command, input: Vec<u8>, limit: Duration) -> Option<RawRun> {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut pause = Duration::from_micros(200);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the command") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    status.map(|s| RawRun {
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: s.code().unwrap_or(-1),
    })
}

/// `m4_expand` with a time limit, for inputs that might make m4 loop:
/// `None` when m4 had not finished after `limit`.
pub fn m4_expand_within(
    m4: &Path,
    dir: &Path,
    file: &str,
    args: &[&str],
    limit: Duration,
) -> Option<RawRun> {
    let mut input = b"changequote(,)dnl\n".to_vec();
    input.extend(std::fs::read(dir.join(file)).unwrap());
    let mut command = Command::new(m4);
    command.args(args).current_dir(dir);
    run_within(command, input, limit)
}

/// `run_in` with a time limit: `None` when slidebook had not finished
/// after `limit` (a hang is a failure the caller reports, not a stuck test).
pub fn run_in_within(dir: &Path, args: &[&str], limit: Duration) -> Option<RawRun> {
    let mut command = slidebook(dir);
    command.args(args);
    run_within(command, Vec::new(), limit)
}

/// Says on the terminal that a test did not run. libtest hides what
/// `eprintln!` prints from passing tests; a write to the stderr handle
/// itself is not captured, so the skip stays visible.
pub fn skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The lines a running child prints on stderr (piped), as they come.
pub fn stderr_lines(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, lines) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    lines
}
