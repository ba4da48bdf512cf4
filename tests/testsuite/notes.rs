//! Which slides have notes: one rule for the build's summary, the deck's
//! `<aside>`s, the handout and the transcript.

use scraper::{Html, Selector};

use crate::harness::Talk;

fn count(html: &str, selector: &str) -> usize {
    Html::parse_document(html)
        .select(&Selector::parse(selector).unwrap())
        .count()
}

#[test]
fn an_empty_comment_is_no_note_anywhere() {
    let talk = Talk::new().file(
        "talk.md",
        "## Quiet\n\nText\n\n<!-- -->\n\n## Spoken\n\n<!--\n   \n-->\n\n<!-- say this -->\n",
    );
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 2 slides, 1 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    let index = talk.read("book/talk/index.html");
    assert_eq!(count(&index, "aside.notes"), 1);
    assert_eq!(count(&index, "section#quiet aside.notes"), 0);
    let handout = talk.read("book/talk/handout.html");
    assert_eq!(count(&handout, "article.h-no-notes"), 1);
    assert_eq!(count(&handout, "article#quiet.h-no-notes"), 1);
    talk.args(&["notes", "talk.md"])
        .stdout("say this\n\n")
        .run();
}

/// Four slides, the first note never closed: it used to swallow slides
/// two and three, up to the third slide's `-->`.
const FOUR_SLIDES: &str = "## One\n\ntext one\n\n<!-- note one, never closed\n\n## Two\n\ntext two\n\n## Three\n\n<!-- note three -->\n\n## Four\n\nend\n";

fn reopened(kind: &str) -> String {
    format!(
        "{kind}: the comment opened at talk.md:5 is still open here
  --> talk.md:13:1
   |
13 | <!-- note three -->
   | ^^^^
help: close it with `-->` before this `<!--` (until then, its note runs to the next heading)
"
    )
}

#[test]
fn a_comment_left_open_keeps_the_slides_after_it() {
    let talk = Talk::new().file("talk.md", FOUR_SLIDES);
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(reopened("error") + "checked 1 deck: 1 error\n")
        .run();
    talk.args(&["build", "talk.md"])
        .stderr(
            reopened("warning")
                + "built talk: 4 slides, 2 with notes, 0 files copied -> book/talk/index.html\n",
        )
        .run();
    let index = talk.read("book/talk/index.html");
    let html = Html::parse_document(&index);
    let titles: Vec<&str> = html
        .select(&Selector::parse("section").unwrap())
        .filter_map(|s| s.value().attr("data-title"))
        .collect();
    assert_eq!(titles, ["One", "Two", "Three", "Four"]);
    // The open note ends where the next slide starts.
    talk.args(&["notes", "talk.md"])
        .stdout("note one, never closed\n\nnote three\n\n")
        .stderr(reopened("warning"))
        .run();
}

#[test]
fn a_comment_open_at_the_end_and_a_stray_close_are_named() {
    let talk = Talk::new().file(
        "talk.md",
        "## One\n\nsaid aloud -->\n\n## Two\n\n<!-- open to the end\n\n## Three\n",
    );
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(
            "error: `-->` outside any comment
 --> talk.md:3:12
  |
3 | said aloud -->
  |            ^^^
help: a note starts with `<!--`: add it where the note begins, or remove this `-->`
error: this comment is never closed: `<!--` without `-->`
 --> talk.md:7:1
  |
7 | <!-- open to the end
  | ^^^^
help: speaker notes are HTML comments; close it with `-->`
checked 1 deck: 2 errors
",
        )
        .run();
    let run = talk.args(&["build", "talk.md"]).stderr_ends_with(
        "built talk: 3 slides, 1 with notes, 0 files copied -> book/talk/index.html\n",
    );
    run.run();
    // Arrows inside code are code.
    let talk = Talk::new().file("talk.md", "## A\n\n```\na -->\n```\n\n`b -->`\n");
    talk.args(&["check", "talk.md"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

#[test]
fn notes_with_titles_number_each_slide_and_without_a_deck_print_every_deck() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"long\"\nsource = \"long.md\"\ntitle = \"The long one\"\n\n[[deck]]\nname = \"short\"\nsource = \"short.md\"\n",
        )
        .file(
            "long.md",
            "<!-- hello -->\n\n## First\n\n<!-- say *one* -->\n\n## Quiet\n\n---\n\n<!-- untitled -->\n",
        )
        .file("short.md", "## Only\n\n<!-- just this -->\n");
    talk.args(&["notes", "long", "--titles"])
        .stdout("## 1. Title slide\n\nhello\n\n## 2. First\n\nsay *one*\n\n## 4. (untitled)\n\nuntitled\n\n")
        .run();
    talk.args(&["notes"])
        .stdout("# The long one\n\nhello\n\nsay *one*\n\nuntitled\n\n\n# short\n\njust this\n\n")
        .run();
}

#[test]
fn build_writes_the_transcript_beside_the_handout() {
    let talk = Talk::fixture("basics");
    talk.args(&["build"]).stderr_any().run();
    let run = talk
        .args(&["notes", "--titles"])
        .stdout_any()
        .stderr_any()
        .run();
    assert_eq!(talk.read("book/deck/transcript.md"), run.stdout);
    assert!(run
        .stdout
        .starts_with("## 1. Title slide\n\nWelcome everyone"));
    let html = talk.read("book/deck/transcript.html");
    assert!(
        html.contains("<title>Fixture talk (transcript)</title>"),
        "{html}"
    );
    assert!(html.contains("<h2>1. Title slide</h2>\n<p>Welcome everyone"));
    assert!(!html.contains("<script"));
}
