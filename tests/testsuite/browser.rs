//! The built deck in a real, headless Chromium: what a presenter does with
//! it, from `file://`, with the keyboard.

use serde_json::{json, Value};

use crate::build::built_basics;
use crate::harness::Talk;
use crate::webdriver::{pdf_pages, Browser};

const RIGHT: &str = "\u{E014}";
const LEFT: &str = "\u{E012}";
const HOME: &str = "\u{E011}";
const END: &str = "\u{E010}";

/// The index of the `present` slide, or -1, and how many are present.
const PRESENT: &str = "
    const s = [...document.querySelectorAll('.reveal > .slides > section')];
    return [s.findIndex(x => x.classList.contains('present')),
            s.filter(x => x.classList.contains('present')).length];";

fn deck_url(talk: &Talk, rest: &str) -> String {
    format!(
        "file://{}/book/deck/index.html{rest}",
        talk.path().display()
    )
}

#[test]
fn the_hash_selects_a_slide_and_keys_move_through_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    assert_eq!(b.wait_for(PRESENT, &json!([2, 1])), json!([2, 1]));
    assert_eq!(
        b.eval("return document.querySelector('section.present h2').textContent"),
        json!("Code with a comment")
    );
    b.press(RIGHT);
    assert_eq!(b.wait_for(PRESENT, &json!([3, 1])), json!([3, 1]));
    assert_eq!(
        b.wait_for("return location.hash", &json!("#/3")),
        json!("#/3")
    );
    b.press(" ");
    assert_eq!(b.wait_for(PRESENT, &json!([4, 1])), json!([4, 1]));
    b.press(LEFT);
    assert_eq!(b.wait_for(PRESENT, &json!([3, 1])), json!([3, 1]));
    b.press(END);
    assert_eq!(b.wait_for(PRESENT, &json!([6, 1])), json!([6, 1]));
    b.press(HOME);
    assert_eq!(b.wait_for(PRESENT, &json!([0, 1])), json!([0, 1]));
    // Reloading stays on the slide the address names.
    b.goto(&deck_url(&talk, "#/5"));
    assert_eq!(b.wait_for(PRESENT, &json!([5, 1])), json!([5, 1]));
    assert_eq!(
        b.eval("return document.querySelector('.sb-number').textContent"),
        json!("6 / 7")
    );
}

#[test]
fn notes_are_never_visible_on_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    b.wait_for(PRESENT, &json!([2, 1]));
    let shown = b.eval(
        "return [...document.querySelectorAll('aside.notes')]
            .filter(a => getComputedStyle(a).display !== 'none' || a.offsetHeight > 0).length",
    );
    assert_eq!(shown, json!(0));
    assert_eq!(
        b.eval("return document.querySelectorAll('aside.notes').length"),
        json!(5)
    );
}

#[test]
fn the_slide_scales_to_the_window_at_its_aspect_ratio() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    let size = "const r = document.querySelector('section.present').getBoundingClientRect();
                return [Math.round(r.width), Math.round(r.height)];";
    b.goto(&deck_url(&talk, "#/3"));
    b.wait_for(PRESENT, &json!([3, 1]));
    b.set_size(800, 900);
    let inner = b.eval("return [innerWidth, innerHeight]");
    let width = inner[0].as_f64().unwrap();
    let got = b.wait_for(size, &Value::Null);
    let (w, h) = (got[0].as_f64().unwrap(), got[1].as_f64().unwrap());
    assert!((w / h - 16.0 / 9.0).abs() < 0.02, "{w}x{h} is not 16:9");
    assert!(
        (w - width).abs() <= 2.0,
        "slide {w} wide in a window {width} wide"
    );
}

#[test]
fn overview_and_blackout_toggle_from_the_keyboard() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/1"));
    b.wait_for(PRESENT, &json!([1, 1]));
    let open = "return document.body.classList.contains('sb-overview-open')";
    b.press("o");
    assert_eq!(b.wait_for(open, &json!(true)), json!(true));
    assert_eq!(
        b.eval("return document.querySelectorAll('.sb-overview-item').length"),
        json!(7)
    );
    b.press("\u{E00C}");
    assert_eq!(b.wait_for(open, &json!(false)), json!(false));
    let black = "return document.body.classList.contains('sb-black')";
    b.press("b");
    assert_eq!(b.wait_for(black, &json!(true)), json!(true));
    b.press("b");
    assert_eq!(b.wait_for(black, &json!(false)), json!(false));
}

#[test]
fn the_speaker_view_shows_notes_and_follows_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    b.wait_for(PRESENT, &json!([2, 1]));
    let main = b.window();
    b.press("s");
    let started = std::time::Instant::now();
    while b.windows().len() < 2 && started.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let speaker = b
        .windows()
        .into_iter()
        .find(|w| *w != main)
        .expect("a speaker window");
    b.switch_to(&speaker);
    let notes = "const n = document.querySelector('.sb-sp-notes-body');
                 return n ? n.textContent.trim() : null";
    let got = b.wait_for(notes, &json!("x"));
    assert!(
        got.as_str()
            .unwrap_or("")
            .starts_with("The fence above shows HTML."),
        "speaker notes: {got}"
    );
    assert!(b
        .eval("return document.querySelector('.sb-sp-clock').textContent")
        .as_str()
        .unwrap()
        .contains(':'));
    // Moving in the deck moves the speaker view.
    b.switch_to(&main);
    b.press(RIGHT);
    b.press(RIGHT);
    b.wait_for(PRESENT, &json!([4, 1]));
    b.switch_to(&speaker);
    let want = json!("Same title, a new slide.");
    assert_eq!(b.wait_for(notes, &want), want);
    // And moving in the speaker view moves the deck.
    b.press(RIGHT);
    b.switch_to(&main);
    assert_eq!(b.wait_for(PRESENT, &json!([5, 1])), json!([5, 1]));
}

#[test]
fn printing_gives_one_page_per_slide() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/0"));
    b.wait_for(PRESENT, &json!([0, 1]));
    assert_eq!(pdf_pages(&b.print()), 7);
}

#[test]
fn the_handout_prints() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&format!(
        "file://{}/book/deck/handout.html",
        talk.path().display()
    ));
    let pages = pdf_pages(&b.print());
    assert!((1..=7).contains(&pages), "{pages} pages");
    assert!(b.screenshot().starts_with(b"\x89PNG"));
}

#[test]
fn pdf_prints_the_deck_one_slide_a_page_and_the_handout() {
    if Browser::start().is_none() {
        return;
    }
    let talk = Talk::fixture("basics");
    talk.args(&["pdf"])
        .stderr(
            "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html
printed deck -> book/deck/deck.pdf
printed deck -> book/deck/deck-handout.pdf
",
        )
        .run();
    let deck = std::fs::read(talk.path().join("book/deck/deck.pdf")).unwrap();
    assert!(deck.starts_with(b"%PDF"));
    assert_eq!(pdf_pages(&deck), 7);
    let handout = std::fs::read(talk.path().join("book/deck/deck-handout.pdf")).unwrap();
    assert!((1..=7).contains(&pdf_pages(&handout)));
}

#[test]
fn pdf_without_a_browser_says_what_to_install() {
    let talk = Talk::fixture("basics");
    // SLIDEBOOK_CHROMIUM is unset for every run.
    talk.args(&["pdf"])
        .env("PATH", "/nonexistent")
        .status(1)
        .stderr(
            "error: `slidebook pdf` needs Chromium or Chrome, and found neither on PATH
help: install chromium (Debian: apt-get install chromium), or set SLIDEBOOK_CHROMIUM to the browser's path
",
        )
        .run();
    assert!(
        !talk.path().join("book").exists(),
        "nothing is built without a browser"
    );
}
