//! Big talks on two threads: split as two halves, each walked on its own
//! thread, or (when no safe cut exists) walked whole while a second thread
//! renders the notes.

use std::ops::Range;

use super::walk::{render_note, walk};
use super::{Deck, Reference, Render};

/// A big talk, walked in one piece while a second thread parses and
/// renders each note as the walk finds it.
pub(super) fn split_beside_notes<R: Render>(text: &str, slide_level: u8, render: &R) -> Deck {
    std::thread::scope(|scope| {
        let (notes_tx, notes_rx) = std::sync::mpsc::channel::<Vec<Range<usize>>>();
        let worker = scope.spawn(move || {
            notes_rx
                .iter()
                .flatten()
                .map(|note| render_note(text, note, render))
                .collect::<Vec<_>>()
        });
        let mut deck = walk(text, 0..text.len(), slide_level, render, Some(notes_tx)).deck;
        let rendered = worker.join().expect("the notes thread does not panic");
        attach_notes(&mut deck, rendered);
        deck
    })
}

/// A big talk, split as two halves on two threads, each walking its half
/// and then rendering that half's notes. `None` when the first half turns
/// out to end inside something that goes on past `middle`.
pub(super) fn split_in_halves<R: Render>(
    text: &str,
    middle: usize,
    slide_level: u8,
    render: &R,
) -> Option<Deck> {
    let half = |range: Range<usize>| {
        let walked = walk(text, range, slide_level, render, None);
        let notes = render_notes(text, &walked.deck, render);
        (walked, notes)
    };
    let ((second, second_notes), (first, first_notes)) =
        crate::par::both(true, || half(middle..text.len()), || half(0..middle));
    if !first.ends_cleanly {
        return None;
    }
    let mut deck = first.deck;
    let rest = second.deck;
    deck.slides.extend(rest.slides);
    deck.refs.extend(rest.refs);
    deck.text_problems.extend(rest.text_problems);
    attach_notes(
        &mut deck,
        first_notes.into_iter().chain(second_notes).collect(),
    );
    Some(deck)
}

/// Where a big talk can be cut in two, so that each half parses as it
/// would in the whole: near the middle, at a slide heading that starts a
/// line after a blank one. `None` when the text has link reference or
/// footnote definitions (which reach across the whole text), or no such
/// heading in its third quarter. The cut is checked once the first half
/// is parsed (see `Walked::ends_cleanly`).
pub(super) fn halfway(text: &str, slide_level: u8) -> Option<usize> {
    if has_definitions(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let from = (bytes.len() / 2).max(front_matter_end(text)?);
    let until = bytes.len() / 4 * 3;
    let finder = memchr::memmem::Finder::new(b"\n\n#");
    let blocks = metadata_blocks(text);
    let mut at = from;
    while at < until {
        let found = at + finder.find(&bytes[at..until])?;
        let line = found + 2;
        let hashes = bytes[line..].iter().take_while(|&&b| b == b'#').count();
        if (1..=slide_level as usize).contains(&hashes)
            && bytes.get(line + hashes) == Some(&b' ')
            && !inside(&blocks, line)
        {
            return Some(line);
        }
        at = line;
    }
    None
}

/// Where metadata blocks may be: pulldown-cmark reads a `---` line
/// followed by text, anywhere in the talk, as the start of one that runs
/// to the next `---` or `...` line. Whether it does depends on text far
/// after it, so no cut falls inside. Every line that ends in `---` counts,
/// which is more than the parser takes.
pub(super) fn metadata_blocks(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let line_end =
        |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
    let blank = |line: &[u8]| line.iter().all(|b| b.is_ascii_whitespace());
    let closes = |line: &[u8]| {
        let rest = line
            .strip_prefix(b"---")
            .or_else(|| line.strip_prefix(b"..."));
        rest.is_some_and(|r| r.iter().all(|&b| b == b' ' || b == b'\r'))
    };
    // Every closing line, where it starts and ends, in order.
    let mut closing = Vec::new();
    for pattern in [&b"\n---"[..], b"\n..."] {
        for i in memchr::memmem::find_iter(bytes, pattern) {
            let (start, stop) = (i + 1, line_end(i + 1));
            if closes(&bytes[start..stop]) {
                closing.push((start, stop));
            }
        }
    }
    closing.sort_unstable();
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(&bytes[at..], b"---") {
        let dashes = at + i;
        let end = line_end(dashes);
        at = end.max(dashes + 3);
        if !blank(&bytes[dashes + 3..end]) || end == bytes.len() {
            continue;
        }
        // The first line inside may be neither blank nor a closing one.
        let first = end + 1;
        let first_end = line_end(first);
        if blank(&bytes[first..first_end]) || closes(&bytes[first..first_end]) {
            continue;
        }
        let next = closing.partition_point(|&(start, _)| start <= first_end);
        if let Some(&(_, stop)) = closing.get(next) {
            blocks.push(dashes..stop);
        }
    }
    blocks
}

/// Whether `at` falls inside one of `blocks` (which are in order).
pub(super) fn inside(blocks: &[Range<usize>], at: usize) -> bool {
    blocks.iter().any(|b| b.start < at && at < b.end)
}

/// Whether the text may hold link reference or footnote definitions,
/// which reach across the whole text: then it is never cut.
pub(super) fn has_definitions(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"]:").is_some() || memchr::memmem::find(bytes, b"[^").is_some()
}

/// Where front matter ends (0 without any): it may hold blank lines and
/// `#`, so no cut comes before. `None` when it never ends.
pub(super) fn front_matter_end(text: &str) -> Option<usize> {
    if !(text.starts_with("---") || text.starts_with("+++")) {
        return Some(0);
    }
    let end = text
        .lines()
        .skip(1)
        .position(|l| matches!(l, "---" | "..." | "+++"))?;
    Some(text.lines().take(end + 2).map(|l| l.len() + 1).sum())
}

pub(super) fn render_notes<R: Render>(
    text: &str,
    deck: &Deck,
    render: &R,
) -> Vec<(String, Vec<Reference>)> {
    let notes = deck.slides.iter().flat_map(|s| s.notes.iter().cloned());
    notes.map(|n| render_note(text, n, render)).collect()
}

/// Gives each slide its rendered notes, which come in the order they
/// stand in, slide after slide.
pub(super) fn attach_notes(deck: &mut Deck, rendered: Vec<(String, Vec<Reference>)>) {
    let mut rendered = rendered.into_iter();
    for slide in &mut deck.slides {
        for (html, refs) in rendered.by_ref().take(slide.notes.len()) {
            slide.notes_html.push_str(&html);
            deck.refs.extend(refs);
        }
    }
}
