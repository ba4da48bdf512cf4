//! Where a build writes, and what it leaves when it cannot finish: only
//! inside the deck's folder, never over a source or a stranger's files,
//! and never half a deck.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::{bin, Run, Talk};

#[track_caller]
fn assert_run(run: &Run, code: i32, stderr: &str) {
    assert!(
        run.code == code && run.stderr == stderr,
        "expected exit {code} and stderr:\n{stderr}\ngot exit {} and stderr:\n{}",
        run.code,
        run.stderr
    );
}

const OUTSIDE_HELP: &str = "help: keep build-dir inside the talk, build elsewhere with -o DIR, \
     or set `allow-build-dir-outside-root = true` under [build]\n";
const COPY_HELP: &str = "help: the deck's folder keeps the talk's paths: refer to the file from \
     the talk's root, with no `..`, under a name of its own\n";

#[test]
fn a_build_dir_outside_the_talk_is_refused_by_check_and_build() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("etc/cron.d/evil");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "precious\n").unwrap();
    let talk = Talk::new()
        .file(
            "book.toml",
            format!(
                "[build]\nbuild-dir = \"{}\"\n\n[[deck]]\nname = \"etc\"\nsource = \"main.md\"\n",
                outside.path().display()
            ),
        )
        .file("main.md", "## Slide\n\n[cron](cron.d/evil)\n")
        .file("cron.d/evil", "* * * * * root rm -rf /\n");
    let expected = format!(
        "error: cannot build into `{}/etc`: `build-dir` in book.toml leads outside the talk's root\n{OUTSIDE_HELP}",
        outside.path().display()
    );
    assert_run(
        &talk.run(&["check"]),
        1,
        &format!("{expected}checked 1 deck: 1 error\n"),
    );
    assert_run(&talk.run(&["build"]), 1, &expected);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // Through a symbolic link inside the talk, too.
    std::os::unix::fs::symlink(outside.path(), talk.path().join("out")).unwrap();
    std::fs::write(
        talk.path().join("book.toml"),
        "[build]\nbuild-dir = \"out\"\n\n[[deck]]\nname = \"etc\"\nsource = \"main.md\"\n",
    )
    .unwrap();
    assert_run(
        &talk.run(&["build"]),
        1,
        &format!(
            "error: cannot build into `out/etc`: `build-dir` in book.toml leads outside the talk's root\n{OUTSIDE_HELP}"
        ),
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // Said on the command line, it is the user's choice.
    let elsewhere = outside.path().join("decks");
    let run = talk.run(&["build", "-o", elsewhere.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(elsewhere.join("index.html").is_file());
}

#[test]
fn copies_stay_inside_the_deck_and_never_replace_its_pages() {
    let root_name = "talk";
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join(root_name);
    std::fs::create_dir_all(root.join("img")).unwrap();
    std::fs::write(root.join("img/a.svg"), "<svg/>\n").unwrap();
    std::fs::write(root.join("index.html"), "mine\n").unwrap();
    let climb = format!("../../{}/{root_name}/img/a.svg", parent.path().file_name().unwrap().to_str().unwrap());
    std::fs::write(
        root.join("main.md"),
        format!("## A\n\n![up]({climb})\n\n[page](./index.html)\n"),
    )
    .unwrap();
    let run = crate::harness::run_in(&root, &["check", "main.md"]);
    let underline = "^".repeat(climb.len() + 7);
    assert_run(
        &run,
        1,
        &format!(
            "error: image `{climb}` would be copied outside the deck's folder
 --> main.md:3:1
  |
3 | ![up]({climb})
  | {underline}
{COPY_HELP}error: linked file `./index.html` would take the place of a page the build writes
 --> main.md:5:1
  |
5 | [page](./index.html)
  | ^^^^^^^^^^^^^^^^^^^^
{COPY_HELP}checked 1 deck: 2 errors
"
        ),
    );
    let run = crate::harness::run_in(&root, &["build", "main.md"]);
    assert_eq!(run.code, 1);
    assert!(!root.join("book").exists());
}

#[test]
fn places_that_are_not_a_deck_folder_are_refused() {
    let talk = Talk::new()
        .file("main.md", "## A\n")
        .file("notes.txt", "x\n")
        .file("mine/keep.txt", "keep\n");
    assert_run(
        &talk.run(&["build", "main.md", "-o", "notes.txt"]),
        1,
        "error: cannot build into `notes.txt`: it is a file, not a folder
help: -o and build-dir name a folder for the deck; choose a new one
",
    );
    assert_run(
        &talk.run(&["build", "main.md", "-o", "mine"]),
        1,
        "error: cannot build into `mine`: it holds files that slidebook did not write
help: a build replaces the deck's folder whole; choose a new or empty folder
",
    );
    assert_eq!(talk.read("mine/keep.txt"), "keep\n");
    assert_run(
        &talk.run(&["build", "main.md", "-o", "/"]),
        1,
        "error: cannot build into `/`: it is the top of the file system
help: name a folder of its own for the deck with -o
",
    );
    // A bare file whose name is all dots still gets a plain deck name.
    let talk = talk.file("...md", "## Dots\n");
    assert_run(
        &talk.run(&["build", "...md"]),
        0,
        "built deck: 1 slide, 0 with notes, 0 files copied -> book/deck/index.html\n",
    );
}

#[test]
fn a_link_planted_in_the_deck_folder_is_replaced_not_followed() {
    let talk = Talk::new().file("main.md", "## A\n");
    assert_eq!(talk.run(&["build", "main.md", "-o", "out"]).code, 0);
    let page = talk.path().join("out/index.html");
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(talk.path().join("main.md"), &page).unwrap();
    assert_eq!(talk.run(&["build", "main.md", "-o", "out"]).code, 0);
    assert_eq!(talk.read("main.md"), "## A\n");
    assert!(!page.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(talk.read("out/index.html").contains("<section"));
}

/// A talk big enough that a build takes a while, even unoptimized.
fn big_talk(slides: usize, word: &str) -> Talk {
    let mut text = String::new();
    for n in 0..slides {
        text.push_str(&format!(
            "## Slide {n}\n\n* {word} one\n* {word} two with `code`\n\n<!-- say {word} {n} -->\n\n"
        ));
    }
    Talk::new().file("main.md", text)
}

fn deck_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_last_deck_whole() {
    let talk = big_talk(10_000, "first");
    let start = std::time::Instant::now();
    assert_eq!(talk.run(&["build", "main.md", "-o", "out"]).code, 0);
    let took = start.elapsed();
    let before = deck_files(&talk.path().join("out"));
    std::fs::write(talk.path().join("main.md"), "## Changed\n").unwrap();
    for i in 0..8u32 {
        let mut child = Command::new(bin())
            .args(["build", "main.md", "-o", "out"])
            .current_dir(talk.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From the very start to well into the writing.
        std::thread::sleep(took.mul_f64(f64::from(i) / 8.0).min(Duration::from_secs(5)));
        let _ = child.kill();
        let _ = child.wait();
        let after = deck_files(&talk.path().join("out"));
        let now = if after == before { "the last deck" } else { "another deck" };
        if now != "the last deck" {
            // Only a finished build may change it: the whole new deck.
            assert!(
                after.iter().any(|(f, b)| f == "index.html" && String::from_utf8_lossy(b).contains("Changed")),
                "kill {i}: the deck folder is neither the old nor the new deck"
            );
            return;
        }
    }
}

#[test]
fn two_builds_at_once_leave_one_whole_deck() {
    let talk = big_talk(3_000, "alpha").file("b.md", {
        let talk = big_talk(3_000, "beta");
        talk.read("main.md")
    });
    for _ in 0..4 {
        let start = |file: &str| {
            Command::new(bin())
                .args(["build", file, "-o", "out"])
                .current_dir(talk.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start("main.md"), start("b.md"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
        let index = talk.read("out/index.html");
        let handout = talk.read("out/handout.html");
        let alpha = index.contains("alpha one");
        assert_ne!(alpha, index.contains("beta one"), "a page of both decks");
        assert_eq!(alpha, handout.contains("alpha one"), "pages of two decks");
        assert!(index.trim_end().ends_with("</html>"));
        // No temporary folders are left behind.
        let names: Vec<String> = std::fs::read_dir(talk.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("slidebook"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
