//! Pacing: each slide's time from its notes, carried in the page; the
//! speaker view shows it and whether the talk runs ahead or behind;
//! `notes --timing` prints it; `check` warns when a deck runs over.

use serde_json::json;

use crate::harness::Talk;
use crate::webdriver::Browser;

const RIGHT: &str = "\u{E014}";

/// Three slides whose notes take 10 s, 20 s and nothing (so 5 s, the
/// least a slide takes), at 60 words a minute.
fn paced(minutes: u32) -> Talk {
    let words = |n: usize| vec!["word"; n].join(" ");
    Talk::new()
        .file(
            "book.toml",
            format!(
                "[build]\nwords-per-minute = 60\nmin-seconds-per-slide = 5\n\n[[deck]]\nname = \"d\"\nsource = \"talk.md\"\nminutes = {minutes}\n"
            ),
        )
        .file(
            "talk.md",
            format!(
                "## One\n\n<!-- {} -->\n\n## Two\n\n<!-- {} -->\n\n## Three\n",
                words(10),
                words(20)
            ),
        )
}

#[test]
fn each_slide_carries_its_time_and_notes_timing_prints_them() {
    let talk = paced(1);
    talk.args(&["build"]).stderr_any().run();
    let index = talk.read("book/d/index.html");
    let times: Vec<&str> = index
        .split(" data-timing=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(times, ["10", "20", "5"]);
    talk.args(&["notes", "--timing"])
        .stdout(
            "1   0:10  One
2   0:20  Two
3   0:05  Three
total 0:35 for 3 slides at 60 words a minute (each slide 5 s at least); 1 minute planned: 0:25 to spare
",
        )
        .run();
}

#[test]
fn check_warns_when_a_deck_runs_over_its_minutes_and_passes() {
    let words = vec!["word"; 100].join(" ");
    let talk = paced(1);
    let text = talk.read("talk.md") + &format!("\n<!-- {words} -->\n");
    let talk = talk.file("talk.md", text);
    talk.args(&["check"])
        .stderr(
            "warning: deck `d` takes about 2:10 by its notes, 117% over its 1 minute
help: shorten the notes or the deck, or give it more minutes; the notes are read at 60 words a minute (`words-per-minute` under [build]), each slide 5 s at least
checked 1 deck: no problems
",
        )
        .run();
    // Within a tenth over: nothing to say.
    let talk = paced(1);
    talk.args(&["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

/// The speaker view's pacing line: this slide's time, and the pace.
const PACE: &str = "return [document.querySelector('.sb-sp-budget').textContent,
                           document.querySelector('.sb-sp-pace').textContent,
                           document.querySelector('.sb-sp-timer').textContent];";

#[test]
fn the_speaker_view_shows_each_slides_time_and_whether_the_talk_runs_ahead_or_behind() {
    let Some(b) = Browser::start() else { return };
    let talk = paced(1);
    talk.args(&["build"]).stderr_any().run();
    b.goto(&format!(
        "file://{}/book/d/index.html?speaker#/0",
        talk.path().display()
    ));
    b.wait_for(
        "return !!document.querySelector('.sb-sp-pace');",
        &json!(true),
    );
    // The test's clock: the timer reset at 1,000 s, then moved by hand.
    let at = |secs: u64| {
        b.eval(&format!(
            "window.slidebookTime = {}; return true;",
            secs * 1000
        ));
    };
    b.eval(
        "window.slidebookClock = function () { return window.slidebookTime; };
         window.slidebookTime = 1000000;
         [...document.querySelectorAll('.sb-sp-status button')]
           .find(x => x.textContent === 'Reset').click();
         return true;",
    );
    at(1005);
    assert_eq!(
        b.wait_for(PACE, &json!(["slide 0:10", "on time", "0:00:05"])),
        json!(["slide 0:10", "on time", "0:00:05"])
    );
    at(1015);
    assert_eq!(
        b.wait_for(PACE, &json!(["slide 0:10", "0:05 behind", "0:00:15"])),
        json!(["slide 0:10", "0:05 behind", "0:00:15"])
    );
    // On the second slide, 15 s in is within its time (10 s to 30 s).
    b.press(RIGHT);
    assert_eq!(
        b.wait_for(PACE, &json!(["slide 0:20", "on time", "0:00:15"])),
        json!(["slide 0:20", "on time", "0:00:15"])
    );
    // The third starts at 30 s: at 18 s in, the talk is 12 s ahead.
    at(1018);
    b.press(RIGHT);
    assert_eq!(
        b.wait_for(PACE, &json!(["slide 0:05", "0:12 ahead", "0:00:18"])),
        json!(["slide 0:05", "0:12 ahead", "0:00:18"])
    );
    let class = b.eval("return document.querySelector('.sb-sp-pace').className;");
    assert_eq!(class, json!("sb-sp-pace sb-ahead"));
}

#[test]
fn a_deck_of_no_minutes_is_refused_where_it_is_written() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"d\"\nsource = \"talk.md\"\nminutes = 0\n",
        )
        .file("talk.md", "## A\n");
    talk.args(&["check"])
        .status(1)
        .stderr(
            "error: book.toml: minutes must be at least 1
 --> book.toml:4:1
  |
4 | minutes = 0
  | ^^^^^^^
",
        )
        .run();
}
