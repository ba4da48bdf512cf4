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

/// A talk big enough (about 400 KB) that `watch` keeps its files and
/// slides from build to build: 40 parts of 25 slides, a file included
/// through a symbolic link, and one named by `sinclude` that is not there.
fn big_talk() -> Talk {
    let mut main = String::from("# Big\n\n");
    let mut talk = Talk::new().file(
        "book.toml",
        "[book]\ntitle = \"Big\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
    );
    for p in 0..40 {
        main.push_str(&format!("include(parts/p{p}.md)\n"));
        let mut part = String::new();
        for s in 0..25 {
            part.push_str(&format!(
                "## Part {p} slide {s}\n\n* point {s} of part {p}, {}\n\n<!-- say {p}.{s} -->\n\n",
                "words ".repeat(50)
            ));
        }
        talk = talk.file(&format!("parts/p{p}.md"), part);
    }
    main.push_str("include(linked.md)\nsinclude(parts/later.md)\n");
    let talk = talk
        .file("main.md", main)
        .file("a.md", "## From a\n\nText of a.\n")
        .file("b.md", "## From b\n\nText of b.\n");
    std::os::unix::fs::symlink("a.md", talk.path().join("linked.md")).unwrap();
    talk
}

/// Waits for the builds a change starts, then checks that the deck
/// `watch` wrote is, byte for byte, the deck a fresh build writes, and
/// that it told the same places for the same warnings.
fn same_as_fresh(talk: &Talk, w: &Watching, what: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let line = w.next();
        let done = line.starts_with("built deck:");
        lines.push(line);
        if done {
            break;
        }
    }
    // A change made of several events may start more builds (a failed one
    // among them): what the last good build said is what counts, from the
    // `changed` line that starts it.
    lines.extend(w.lines_for(Duration::from_millis(400)));
    let last = lines
        .iter()
        .rposition(|l| l.starts_with("built deck:"))
        .unwrap();
    let start = lines[..last]
        .iter()
        .rposition(|l| l.starts_with("changed "))
        .map_or(0, |c| c + 1);
    let told = lines[start..last].to_vec();
    let places = |lines: &[String]| -> Vec<String> {
        let at = lines.iter().filter(|l| l.trim_start().starts_with("--> "));
        at.map(|l| l.trim().to_string()).collect()
    };
    let out = tempfile::tempdir().unwrap();
    let built = slidebook(talk.path())
        .args(["build", "-o"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "{what}: {built:?}");
    let fresh: Vec<String> = String::from_utf8_lossy(&built.stderr)
        .lines()
        .map(String::from)
        .collect();
    let told = places(&told);
    assert_eq!(told, places(&fresh), "{what}: the warnings' places");
    for page in ["index.html", "handout.html"] {
        let watched = talk.read(&format!("book/deck/{page}"));
        let fresh = std::fs::read_to_string(out.path().join(page)).unwrap();
        assert!(
            watched == fresh,
            "{what}: {page} differs from a fresh build"
        );
    }
    told
}

#[test]
fn each_rebuild_is_what_a_fresh_build_makes() {
    let talk = big_talk();
    let w = Watching::start(&talk);
    assert!(w.next().starts_with("built deck: 1003 slides"));
    w.next();
    let edit = |path: &str, f: &dyn Fn(String) -> String| {
        let text = talk.read(path);
        std::fs::write(talk.path().join(path), f(text)).unwrap();
    };
    // A slide added in the middle of a part.
    edit("parts/p17.md", &|t| {
        t.replacen(
            "## Part 17 slide 9",
            "## Added\n\nNew.\n\n## Part 17 slide 9",
            1,
        )
    });
    same_as_fresh(&talk, &w, "a slide added");
    assert!(talk.read("book/deck/index.html").contains("<h2>Added</h2>"));
    // A comment left open swallows what follows up to the next heading,
    // whatever stretch that falls in; closing it again gives it back.
    edit("parts/p20.md", &|t| {
        t.replacen("<!-- say 20.3 -->", "<!-- say 20.3", 1)
    });
    same_as_fresh(&talk, &w, "a comment left open");
    edit("parts/p20.md", &|t| {
        t.replacen("<!-- say 20.3", "<!-- say 20.3 -->", 1)
    });
    same_as_fresh(&talk, &w, "the comment closed");
    // Lines added above a missing picture, with a file included and a
    // macro defined and used: the warning names the line it is on now.
    edit("parts/p5.md", &|t| {
        t.replacen(
            "## Part 5 slide 3\n",
            "include(a.md)\n\n## Part 5 slide 3\n\n![gone](img/gone.png)\n",
            1,
        )
    });
    let told = same_as_fresh(&talk, &w, "an include and a missing picture");
    assert_eq!(told, ["--> parts/p5.md:23:1"]);
    edit("parts/p5.md", &|t| format!("\n\n\n{t}"));
    let told = same_as_fresh(&talk, &w, "lines added above");
    assert_eq!(told, ["--> parts/p5.md:26:1"]);
    edit("parts/p5.md", &|t| {
        format!("define(WHO, the presenter)dnl\nBy WHO.\n\n{t}")
    });
    same_as_fresh(&talk, &w, "a macro defined");
    assert!(talk
        .read("book/deck/index.html")
        .contains("By the presenter."));
    // The file a `sinclude` names appears.
    std::fs::write(talk.path().join("parts/later.md"), "## Later\n\nAt last.\n").unwrap();
    same_as_fresh(&talk, &w, "a file appearing");
    assert!(talk.read("book/deck/index.html").contains("At last."));
    // The link is pointed at another file.
    let tmp = talk.path().join("linked.tmp");
    std::os::unix::fs::symlink("b.md", &tmp).unwrap();
    std::fs::rename(&tmp, talk.path().join("linked.md")).unwrap();
    same_as_fresh(&talk, &w, "a link pointed elsewhere");
    assert!(talk.read("book/deck/index.html").contains("Text of b."));
    // A folder of parts renamed away and back, with a part changed.
    std::fs::rename(talk.path().join("parts"), talk.path().join("parts.old")).unwrap();
    std::fs::write(
        talk.path().join("parts.old/p3.md"),
        "## Only\n\nOne slide.\n",
    )
    .unwrap();
    std::fs::rename(talk.path().join("parts.old"), talk.path().join("parts")).unwrap();
    same_as_fresh(&talk, &w, "a folder renamed away and back");
    assert!(talk.read("book/deck/index.html").contains("One slide."));
}
