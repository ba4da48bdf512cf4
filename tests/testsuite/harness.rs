//! A talk in a temporary folder, and the binary run inside it.

use std::path::{Path, PathBuf};
use std::process::Command;
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

    /// Runs `slidebook ARGS` with the talk's root as the current folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = slidebook(dir).args(args).output().expect("slidebook runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The binary, to run in `dir`, without the `SLIDEBOOK_*` variables of
/// whoever runs the tests: their settings must not change what tests see.
pub fn slidebook(dir: &Path) -> Command {
    let mut command = Command::new(bin());
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.as_encoded_bytes().starts_with(b"SLIDEBOOK_") {
            command.env_remove(name);
        }
    }
    command
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_slidebook"))
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
