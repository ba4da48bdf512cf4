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
    let mut d = deck::split(text, level, title_known, &render);
    let _ = d.transcript(text, true);
    d.pace(text, 130, 10);
    let runs = slidebook::html::handout::entries(&d, slidebook::config::Steps::Last);
    assert_eq!(runs.iter().map(|r| r.len()).sum::<usize>(), d.slides.len());
    for s in &d.slides {
        assert!(s.at <= text.len(), "slide at {} of {}", s.at, text.len());
        for n in &s.notes {
            assert!(
                text.get(n.clone()).is_some(),
                "note {n:?} is not a piece of the text"
            );
        }
    }
    // Every place is one a diagnostic can show: inside the text, on a
    // character's first byte.
    for r in &d.refs {
        assert!(text.is_char_boundary(r.at), "reference at {} of {}", r.at, text.len());
    }
    for l in deck::loads::loads(text) {
        assert!(text.get(l.at..l.at + l.url.len()) == Some(l.url.as_str()));
    }
});
