//! The splitter and the Markdown to HTML of slides and notes, on any
//! text. The first byte chooses the slide level (1 to 6) and whether the
//! deck's title is known; the rest is the expanded text.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slidebook::deck;
use slidebook::html::{Highlighter, Markdown};

fn highlighter() -> &'static Highlighter {
    static HL: OnceLock<Highlighter> = OnceLock::new();
    HL.get_or_init(Highlighter::new)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let level = first % 6 + 1;
    let title_known = first & 0x80 != 0;
    let render = Markdown {
        highlighter: highlighter(),
        missing_images: None,
    };
    let d = deck::split(text, level, title_known, &render);
    let _ = d.transcript(text);
    for s in &d.slides {
        assert!(s.at <= text.len(), "slide at {} of {}", s.at, text.len());
        for n in &s.notes {
            assert!(
                text.get(n.clone()).is_some(),
                "note {n:?} is not a piece of the text"
            );
        }
    }
    for r in &d.refs {
        assert!(r.at <= text.len());
    }
});
