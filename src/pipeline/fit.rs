//! Whether a slide's content can fit: the sure cases, estimated here
//! without a browser. A slide is shrunk to at most 70 % of its size
//! (`FLOOR` in the runtime, `templates/deck.js`); a list or a code block
//! with more lines than the slide holds at that size, counting every line
//! at its smallest and nothing else on the slide but a one-line title,
//! cannot fit whatever else is true. `check --layout` measures the rest in
//! a browser.

use crate::deck::{Slide, SlideKind};

/// The built-in stylesheet's sizes, in slide heights, at full size: the
/// text is H/24 with line-height 1.35; code is 0.66 of that with
/// line-height 1.4, and may shrink to 0.8 of it to fit its width; a
/// slide's padding is 0.07 H above and below; a content slide's title is
/// 1.6 em with line-height 1.15.
const FLOOR: f64 = 0.7;
const TEXT_LINE: f64 = 1.35 / 24.0;
const CODE_LINE: f64 = 0.66 * 0.8 * 1.4 / 24.0;
const ROOM: f64 = 1.0 - 2.0 * 0.07;
const TITLE_LINE: f64 = 1.6 * 1.15 / 24.0;

/// The most list items and code lines a slide can hold, surely; `type_size`
/// is its text's size against the usual (0.8 on a `{.smaller}` slide).
pub fn capacity(titled: bool, type_size: f64) -> (usize, usize) {
    let f = FLOOR * type_size;
    let room = ROOM - if titled { TITLE_LINE * f } else { 0.0 };
    (
        (room / (TEXT_LINE * f)).floor() as usize,
        (room / (CODE_LINE * f)).floor() as usize,
    )
}

/// What surely does not fit on `slide`: the block and its size.
pub fn sure_overflow(slide: &Slide) -> Option<String> {
    if slide.kind == SlideKind::Title {
        return None;
    }
    // `{.smaller}` sets the text at H/30 instead of H/24.
    let smaller = slide.attrs.classes.iter().any(|c| c == "smaller");
    let (items, lines) = capacity(!slide.title.is_empty(), if smaller { 0.8 } else { 1.0 });
    if slide.list_items > items {
        return Some(format!(
            "its lists have {} items, and at most {items} fit on a slide, even shrunk to 70 %",
            slide.list_items
        ));
    }
    if slide.code_lines > lines {
        return Some(format!(
            "its code block has {} lines, and at most {lines} fit on a slide, even shrunk to 70 %",
            slide.code_lines
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_slide_surely_holds() {
        // At 70 %, 0.86 of 720 px holds 15.7 px code lines and 28.35 px
        // text lines, less a 38.6 px title.
        assert_eq!(capacity(true, 1.0), (20, 37));
        assert_eq!(capacity(false, 1.0), (21, 39));
        // A `{.smaller}` slide holds a quarter more.
        assert_eq!(capacity(true, 0.8), (25, 47));
    }
}
