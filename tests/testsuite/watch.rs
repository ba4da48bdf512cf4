//! `slidebook watch`: it says it is watching, rebuilds after a change to
//! what the talk reads (and only then), and takes a burst of saves as one.

use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::{slidebook, stderr_lines, Talk};

/// A running `slidebook watch`, stopped when dropped.
struct Watching {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watching {
    fn start(talk: &Talk) -> Watching {
        let mut child = slidebook(talk.path())
            .arg("watch")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let lines = stderr_lines(&mut child);
        Watching { child, lines }
    }

    /// The next line, within ten seconds.
    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("watch printed a line in time")
    }

    /// Every line printed in the next `time`.
    fn lines_for(&self, time: Duration) -> Vec<String> {
        let end = Instant::now() + time;
        let mut got = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => got.push(line),
                Err(_) => break,
            }
        }
        got
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `changed FILE: rebuilt in N ms`, with N as `N`.
fn changed_line(line: &str) -> String {
    match line.split_once(": rebuilt in ") {
        Some((head, _)) => format!("{head}: rebuilt in N ms"),
        None => line.to_string(),
    }
}

#[test]
fn watch_says_so_and_rebuilds_after_what_the_talk_reads() {
    let talk = Talk::fixture("basics");
    let w = Watching::start(&talk);
    assert_eq!(
        w.next(),
        "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html"
    );
    assert_eq!(
        w.next(),
        format!(
            "watching {} for changes (Ctrl-C stops)",
            talk.path().display()
        )
    );
    // A file the talk does not read changes: nothing happens.
    std::fs::write(talk.path().join("README.md"), "first\n").unwrap();
    w.lines_for(Duration::from_millis(500));
    std::fs::write(talk.path().join("README.md"), "second\n").unwrap();
    assert_eq!(
        w.lines_for(Duration::from_millis(500)),
        Vec::<String>::new()
    );
    // An included file changes: one rebuild, that names it.
    let shared = talk.path().join("common/shared.md");
    let text = std::fs::read_to_string(&shared).unwrap();
    std::fs::write(&shared, text + "\nMore.\n").unwrap();
    assert_eq!(
        changed_line(&w.next()),
        "changed common/shared.md: rebuilt in N ms"
    );
    assert_eq!(
        w.next(),
        "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html"
    );
}

#[test]
fn a_burst_of_saves_gives_a_handful_of_builds() {
    let talk = Talk::fixture("basics");
    let w = Watching::start(&talk);
    w.next();
    w.next();
    let shared = talk.path().join("common/shared.md");
    let text = std::fs::read_to_string(&shared).unwrap();
    for n in 0..200 {
        std::fs::write(&shared, format!("{text}\nSave {n}.\n")).unwrap();
    }
    let lines = w.lines_for(Duration::from_secs(3));
    let builds = lines
        .iter()
        .filter(|l| l.starts_with("built deck:"))
        .count();
    assert!((1..=10).contains(&builds), "{builds} builds: {lines:#?}");
    // The last build saw the last save.
    assert!(talk.read("book/deck/index.html").contains("Save 199."));
}

#[test]
fn a_broken_book_toml_is_a_failed_build_and_mending_it_builds() {
    let talk = Talk::fixture("basics");
    let w = Watching::start(&talk);
    w.next();
    w.next();
    let config = talk.read("book.toml");
    std::fs::write(
        talk.path().join("book.toml"),
        format!("{config}\n[biuld]\n"),
    )
    .unwrap();
    assert_eq!(
        changed_line(&w.next()),
        "changed book.toml: rebuilt in N ms"
    );
    assert_eq!(
        w.next(),
        "error: book.toml: unknown key `biuld` in book.toml"
    );
    w.lines_for(Duration::from_millis(300));
    std::fs::write(talk.path().join("book.toml"), config).unwrap();
    let lines = w.lines_for(Duration::from_secs(2));
    assert!(
        lines.contains(
            &"built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html"
                .to_string()
        ),
        "{lines:#?}"
    );
}
