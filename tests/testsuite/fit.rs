//! What the audience sees is what was written: slides that do not fit are
//! named by `check` (surely, by estimate; all of them, measured with
//! `--layout`), and the steps of a build-up keep one size.

use serde_json::json;

use crate::harness::Talk;
use crate::webdriver::Browser;

const HELP: &str = "help: split it into two slides, or shorten what it shows\n";

#[test]
fn check_names_the_list_and_the_code_block_that_cannot_fit() {
    let talk = Talk::fixture("overflow");
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(format!(
            "error: this slide does not fit: its lists have 45 items, and at most 20 fit on a slide, even shrunk to 70 %
 --> talk.md:5:1
  |
5 | ## Long list
  | ^^^^^^^^^^^^
{HELP}error: this slide does not fit: its code block has 45 lines, and at most 37 fit on a slide, even shrunk to 70 %
  --> talk.md:53:1
   |
53 | ## Long code
   | ^^^^^^^^^^^^
{HELP}checked 1 deck: 2 errors
"
        ))
        .run();
    // A build still writes the deck, and says what does not fit.
    talk.args(&["build", "talk.md"])
        .stderr_ends_with(
            "built talk: 4 slides, 0 with notes, 1 file copied -> book/talk/index.html\n",
        )
        .run();
}

/// The measured overflow in pixels depends on the fonts at hand: the
/// figures are shown as `N`.
fn without_pixels(stderr: &str) -> String {
    let mut out = String::new();
    let mut rest = stderr;
    while let Some(i) = rest.find(" runs ") {
        out.push_str(&rest[..i + 6]);
        rest = rest[i + 6..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out + rest
}

#[test]
fn check_layout_measures_every_slide_in_a_browser() {
    // `check --layout` needs Chromium, as the browser tests do.
    if Browser::start().is_none() {
        return;
    }
    let talk = Talk::fixture("overflow");
    let run = talk
        .args(&["check", "--layout", "talk.md"])
        .status(1)
        .stderr_any()
        .run();
    assert_eq!(
        without_pixels(&run.stderr),
        format!(
            "error: this slide does not fit, even shrunk to 70 %: its list of 45 items runs N px past the bottom
 --> talk.md:5:1
  |
5 | ## Long list
  | ^^^^^^^^^^^^
{HELP}error: this slide does not fit, even shrunk to 70 %: its code block of 45 lines runs N px past the bottom
  --> talk.md:53:1
   |
53 | ## Long code
   | ^^^^^^^^^^^^
{HELP}error: this slide does not fit, even shrunk to 70 %: its paragraph runs N px past the bottom
   --> talk.md:103:1
    |
103 | ## Picture and text
    | ^^^^^^^^^^^^^^^^^^^
{HELP}checked 1 deck: 3 errors
"
        )
    );
    // The slide that fits is not named.
    assert!(!run.stderr.contains("## Short"));
}

#[test]
fn the_steps_of_a_build_up_keep_one_size_and_place() {
    let Some(b) = Browser::start() else { return };
    let talk = Talk::fixture("buildup");
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 9 slides, 9 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    let url = format!("file://{}/book/talk/index.html", talk.path().display());
    let mut seen = Vec::new();
    for n in 0..9 {
        b.goto(&format!("{url}#/{n}"));
        b.wait_for(
            "return document.querySelector('section.present').dataset.number",
            &json!((n + 1).to_string()),
        );
        seen.push(b.eval(
            "const s = document.querySelector('section.present');
             const h = s.querySelector('h2').getBoundingClientRect();
             return [getComputedStyle(s).fontSize, h.top, h.left, h.height];",
        ));
    }
    // The last step is the fullest, and shrinks: every step shrinks with it.
    assert!(seen[8][0] != json!("30px"), "{seen:?}");
    assert!(seen.iter().all(|s| *s == seen[8]), "{seen:#?}");
}
