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
