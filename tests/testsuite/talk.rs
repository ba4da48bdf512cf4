//! The repository's own talk (`book.toml`, `slides/`, `common/`, `cmd/`,
//! `output/`, `img/`): it checks clean and builds both decks, its diagrams
//! are what the generator draws, and every command it shows prints what the
//! slides say it prints.
//!
//! A command shown on a slide is a file `cmd/NAME.sh` holding one line.
//! When that line runs `slidebook`, `output/NAME` holds its output: what it
//! wrote on stdout, then what it wrote on stderr (slidebook writes results on
//! stdout and messages on stderr, so for the commands on the slides one of
//! the two is empty or they do not interleave). The test runs each such
//! command in a fresh copy of the talk, so none sees another's files, with
//! the arguments split at white space and no shell, and compares.
//!
//! After a change that is meant to alter what a command prints,
//!
//! ```text
//! SLIDEBOOK_BLESS=1 cargo test --test testsuite talk::
//! ```
//!
//! rewrites the files in `output/` instead of failing: review the diff, and
//! the slides that show them. `cargo run --example diagrams` does the same
//! for the pictures in `img/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scraper::{Html, Selector};

use crate::harness::{copy_tree, m4, m4_expand_within, run_in, Talk};

#[path = "../../examples/diagrams/figures.rs"]
mod figures;

/// What the talk is made of, relative to its root; `templates/` is there so
/// that the deck looks as it does when built in place.
const TALK_PARTS: &[&str] = &[
    "book.toml",
    "slides",
    "common",
    "cmd",
    "output",
    "img",
    "templates",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the talk at `from` into `to`.
fn copy_talk(from: &Path, to: &Path) {
    for part in TALK_PARTS {
        let src = from.join(part);
        if src.is_dir() {
            copy_tree(&src, &to.join(part));
        } else if src.is_file() {
            std::fs::copy(&src, to.join(part)).unwrap();
        }
    }
}

/// A copy of the repository's talk in a temporary folder.
fn talk_copy() -> Talk {
    let talk = Talk::new();
    copy_talk(&repo(), talk.path());
    talk
}

/// A command shown on a slide: `cmd/NAME.sh`, and its arguments when it runs
/// slidebook (`None` for other commands, which are shown but not run).
struct Shown {
    name: String,
    args: Option<Vec<String>>,
}

/// Every `cmd/*.sh` of the talk at `root`, by name.
fn shown_commands(root: &Path) -> Vec<Shown> {
    let mut found: Vec<Shown> = std::fs::read_dir(root.join("cmd"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(
                lines.len(),
                1,
                "cmd/{name}.sh: one command per file, on one line"
            );
            let words: Vec<String> = lines[0].split_whitespace().map(String::from).collect();
            let args = (words[0] == "slidebook").then(|| words[1..].to_vec());
            Shown { name, args }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// `slidebook verify ARGS` in the talk at `root`, with this slidebook
/// first on PATH for the commands it runs.
fn verify(root: &Path, args: &[&str]) -> crate::harness::Run {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_slidebook"));
    let mut path = std::ffi::OsString::from(bin.parent().unwrap());
    if let Some(rest) = std::env::var_os("PATH") {
        path.push(":");
        path.push(rest);
    }
    crate::harness::finished(
        crate::harness::slidebook(root)
            .arg("verify")
            .args(args)
            .env("PATH", path)
            .output()
            .expect("slidebook runs"),
    )
}

/// The slidebook commands of the talk at `root` that have no output kept.
fn missing_outputs(root: &Path) -> Vec<String> {
    shown_commands(root)
        .into_iter()
        .filter(|c| c.args.is_some() && !root.join("output").join(&c.name).exists())
        .map(|c| format!("output/{} is missing for cmd/{}.sh", c.name, c.name))
        .collect()
}

fn blessing() -> bool {
    std::env::var("SLIDEBOOK_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The repository's drift test is `slidebook verify`, run on a fresh copy
/// of the talk (`init` and `build` leave files behind).
#[test]
fn every_command_on_a_slide_prints_what_the_slide_shows() {
    let root = repo();
    if blessing() {
        // Outputs are part of the talk the commands run on: a missing one
        // would fail the build whose output is being kept. So a new command
        // starts with a placeholder, and blessing goes on until nothing moves.
        for shown in shown_commands(&root).iter().filter(|c| c.args.is_some()) {
            let file = root.join("output").join(&shown.name);
            if !file.exists() {
                std::fs::write(&file, "(not run yet)\n").unwrap();
            }
        }
        for _ in 0..3 {
            let copy = talk_copy();
            let run = verify(copy.path(), &["--bless"]);
            if !run.stderr.contains("rewrote ") {
                break;
            }
            copy_tree(&copy.path().join("output"), &root.join("output"));
        }
    }
    let missing = missing_outputs(&root);
    assert!(missing.is_empty(), "{missing:?}");
    let copy = talk_copy();
    let run = verify(copy.path(), &[]);
    let commands = shown_commands(&root)
        .iter()
        .filter(|c| c.args.is_some())
        .count();
    assert!(
        run.code == 0
            && run.stderr == format!("verified {commands} commands: {commands} the same\n"),
        "{}\n\nIf the change is meant, run `SLIDEBOOK_BLESS=1 cargo test --test testsuite talk::` \
         to rewrite output/, and look at the slides that show it.",
        run.stderr
    );
}

#[test]
fn an_output_edited_by_hand_is_caught() {
    let talk = talk_copy();
    let file = talk.path().join("output/check");
    let kept = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, kept.replace("no problems", "no problems at all")).unwrap();
    let run = verify(talk.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: output/check is not what cmd/check.sh prints now
--- output/check
+++ cmd/check.sh, run now
@@ -1 +1 @@
-checked 2 decks: no problems at all
+checked 2 decks: no problems
help: if the change is meant, `slidebook verify --bless check` rewrites output/check
verified 1 command: 0 the same, 1 differs
"
    );
}

#[test]
fn a_missing_or_orphaned_output_is_caught() {
    let talk = talk_copy()
        .file("cmd/check-lightning.sh", "slidebook check lightning\n")
        .file("output/gone", "old\n");
    assert_eq!(
        missing_outputs(talk.path()),
        ["output/check-lightning is missing for cmd/check-lightning.sh"]
    );
    let run = verify(talk.path(), &["check"]);
    assert_eq!(
        run.stderr,
        "warning: output/gone belongs to no command: there is no cmd/gone.sh
verified 1 command: 1 the same
"
    );
}

#[test]
fn the_talk_checks_clean_and_builds_both_decks_with_handouts() {
    let talk = talk_copy();
    talk.args(&["check"])
        .stderr("checked 2 decks: no problems\n")
        .run();
    // Slide counts move as the talk is written: checked below, by range.
    talk.args(&["build"]).stderr_any().run();
    let sel = |s: &str| Selector::parse(s).unwrap();
    for (deck, slides, pictures) in [
        (
            "talk",
            25..=40,
            &["pipeline.svg", "two-decks.svg", "handout.svg"][..],
        ),
        ("lightning", 10..=14, &["pipeline.svg", "two-decks.svg"][..]),
    ] {
        let dir = talk.path().join("book").join(deck);
        let index = Html::parse_document(&talk.read(&format!("book/{deck}/index.html")));
        let sections: Vec<_> = index.select(&sel(".reveal > .slides > section")).collect();
        assert!(
            slides.contains(&sections.len()),
            "{deck}: {} slides",
            sections.len()
        );
        for s in &sections {
            let content = s.value().attr("data-kind") == Some("content");
            let title = s.value().attr("data-title").unwrap_or("");
            assert!(
                !content || s.select(&sel("aside.notes")).next().is_some(),
                "{deck}: slide `{title}` has no speaker notes"
            );
        }
        assert!(dir.join("handout.html").is_file(), "{deck}: no handout");
        for picture in pictures {
            assert!(
                dir.join("img").join(picture).is_file(),
                "{deck}: img/{picture} not copied"
            );
        }
    }
}

#[test]
fn the_diagrams_are_what_the_generator_draws() {
    for (name, svg) in figures::all() {
        let committed = std::fs::read_to_string(repo().join("img").join(name)).unwrap_or_default();
        assert!(
            committed == svg,
            "img/{name} is not what examples/diagrams draws: run `cargo run --example diagrams`"
        );
    }
}

/// The expanded text of every deck of the repository's talk.
fn expanded_decks() -> Vec<(String, String)> {
    let project = slidebook::config::Project::discover(Some(&repo())).unwrap();
    slidebook::pipeline::select(&project, &[])
        .unwrap()
        .iter()
        .map(|spec| {
            let loaded =
                slidebook::pipeline::load(&project, spec, &[], slidebook::pipeline::Reading::Talk)
                    .unwrap();
            (spec.name.clone(), loaded.expanded.text.clone())
        })
        .collect()
}

#[test]
fn files_the_slides_show_appear_on_them_unchanged() {
    // Included files are read again as the include language, so a macro
    // name in an output would be replaced on the slide: every command and
    // output must come through as it is, in at least one deck.
    let decks = expanded_decks();
    let shown_somewhere = |text: &str| decks.iter().any(|(_, expanded)| expanded.contains(text));
    for dir in ["cmd", "output"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                shown_somewhere(&text),
                "{} is not on any slide as it is",
                path.display()
            );
        }
    }
    // Two files are quoted on slides rather than included (their macro
    // calls are the point): they must still be the real ones.
    let demo = std::fs::read_to_string(repo().join("slides/demo.md")).unwrap();
    assert!(
        shown_somewhere(&demo),
        "the slide quoting slides/demo.md is out of date"
    );
    let config = std::fs::read_to_string(repo().join("book.toml")).unwrap();
    let decks_part = &config[config.find("[[deck]]").unwrap()..];
    assert!(
        shown_somewhere(decks_part),
        "the slide quoting book.toml is out of date"
    );
}

#[test]
fn the_talk_expands_as_m4_does() {
    let Some(m4) = m4() else { return };
    let root = repo();
    let project = slidebook::config::Project::discover(Some(&root)).unwrap();
    for deck in &project.config.decks {
        let defines: Vec<String> = deck
            .defines
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let source = deck.source.to_str().unwrap();
        let mut m4_args = Vec::new();
        let mut our_args = vec!["expand"];
        for d in &defines {
            m4_args.push(format!("-D{d}"));
            our_args.extend(["-D", d]);
        }
        our_args.push(source);
        let m4_args: Vec<&str> = m4_args.iter().map(String::as_str).collect();
        // A talk that includes itself makes m4 loop: give up after a while.
        let m4_run = m4_expand_within(&m4, &root, source, &m4_args, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("m4 did not finish {source} in a minute"));
        assert_eq!(m4_run.code, 0, "m4 failed on {source}: {}", m4_run.stderr);
        let expected = m4_run.stdout;
        let ours = run_in(&root, &our_args);
        assert_eq!(ours.code, 0, "{}", ours.stderr);
        assert!(
            ours.stdout.as_bytes() == expected,
            "{}: slidebook and m4 differ",
            deck.name
        );
    }
}
