//! Slides from earlier builds, kept for the next one. A save changes a
//! few slides of a big talk; `watch` and `serve` walk only the stretches
//! of text that changed and take the rest as they were.
//!
//! The text is cut at slide headings where each stretch parses as it
//! does in the whole, as [`super::halves`] cuts it in two. Where the cuts
//! fall is decided by the text near each heading, not by its offset, so
//! an edit moves no cut but its own neighbours' and the stretches after
//! it come out the same as before.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard};

use rustc_hash::FxHashMap as HashMap;

use super::halves::{front_matter_end, has_definitions, inside, metadata_blocks, render_notes};
use super::walk::walk;
use super::{Deck, Reference, Render, Slide, TextProblem};

/// Texts smaller than this are walked whole: they take a few milliseconds.
const WORTH_REMEMBERING: usize = 256 << 10;
/// A stretch is at least this long...
const SHORTEST: usize = 16 << 10;
/// ...and ends at one heading in about this many, chosen by their text...
const ONE_IN: u64 = 8;
/// ...or at the first heading past this length.
const LONGEST: usize = 256 << 10;

/// Stretches of text walked by earlier builds of one deck, by their text.
#[derive(Default)]
pub struct Memory {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    slide_level: u8,
    /// Each stretch kept, with the text it was walked from.
    stretches: HashMap<Fingerprint, (Box<str>, Stretch)>,
    build: u64,
    /// The titles of the last deck, and the ids they were given.
    titles: Vec<String>,
    ids: Vec<String>,
}

/// A stretch's length and the hash of its ends: hashing every byte of a
/// big talk on each save costs more than the rest of the lookup.
type Fingerprint = (usize, u64);

fn fingerprint(text: &str) -> Fingerprint {
    use std::hash::Hasher;
    let bytes = text.as_bytes();
    let mut h = rustc_hash::FxHasher::default();
    h.write(&bytes[..bytes.len().min(64)]);
    h.write(&bytes[bytes.len().saturating_sub(64)..]);
    (bytes.len(), h.finish())
}

/// A stretch of text walked, its offsets counted from its start.
#[derive(Clone)]
struct Stretch {
    /// Whether it starts the text (and so may hold front matter and a
    /// title slide).
    first: bool,
    ends_cleanly: bool,
    /// Whether it was walked from its own text alone: a comment closed
    /// past its end, or never closed, was read as the text after it says.
    own: bool,
    /// What the walk found, the notes' references kept apart (a whole
    /// deck lists them after every slide's own).
    deck: Deck,
    note_refs: Vec<Reference>,
    build: u64,
}

impl Memory {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The deck as [`super::split`] walks it before ids are given, taking
    /// what earlier calls walked; `None` when the text is small or cannot
    /// be cut (the caller walks it whole).
    pub(super) fn split<R: Render>(&self, text: &str, slide_level: u8, render: &R) -> Option<Deck> {
        if text.len() < WORTH_REMEMBERING {
            return None;
        }
        self.split_at(text, &cuts(text, slide_level)?, slide_level, render)
    }

    fn split_at<R: Render>(
        &self,
        text: &str,
        cuts: &[usize],
        slide_level: u8,
        render: &R,
    ) -> Option<Deck> {
        let bounds: Vec<Range<usize>> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .zip(cuts.iter().copied().chain([text.len()]))
            .map(|(a, b)| a..b)
            .collect();
        let mut found: Vec<Option<Stretch>> = {
            let mut state = self.lock();
            if state.slide_level != slide_level {
                state.stretches.clear();
                state.slide_level = slide_level;
            }
            state.build += 1;
            let build = state.build;
            bounds
                .iter()
                .map(|r| {
                    let part = &text[r.clone()];
                    let (was, kept) = state.stretches.get_mut(&fingerprint(part))?;
                    if kept.first != (r.start == 0) || **was != *part {
                        return None;
                    }
                    kept.build = build;
                    Some(kept.clone())
                })
                .collect()
        };
        // Walk what is not known, on two threads when there is much of it.
        let missing: Vec<usize> = (0..bounds.len()).filter(|&i| found[i].is_none()).collect();
        let size: usize = missing.iter().map(|&i| bounds[i].len()).sum();
        let walk_all = |ids: &[usize]| -> Vec<(usize, Stretch)> {
            ids.iter()
                .map(|&i| {
                    (
                        i,
                        walk_stretch(text, bounds[i].clone(), slide_level, render),
                    )
                })
                .collect()
        };
        let (a, b) = missing.split_at(missing.len() / 2);
        let (walked_b, walked_a) = crate::par::both(
            size >= crate::par::WORTH_A_THREAD,
            || walk_all(b),
            || walk_all(a),
        );
        {
            let mut state = self.lock();
            let build = state.build;
            for (i, mut stretch) in walked_a.into_iter().chain(walked_b) {
                stretch.build = build;
                if stretch.own {
                    let part = &text[bounds[i].clone()];
                    let kept = (part.into(), stretch.clone());
                    state.stretches.insert(fingerprint(part), kept);
                }
                found[i] = Some(stretch);
            }
            state.stretches.retain(|_, (_, s)| s.build == build);
        }
        let found: Vec<Stretch> = found
            .into_iter()
            .map(|s| s.expect("walked above"))
            .collect();
        if found[..found.len() - 1].iter().any(|s| !s.ends_cleanly) {
            return None;
        }
        Some(assemble(found, &bounds))
    }
}

impl Memory {
    /// The slides' ids: those of the last deck when its titles were the
    /// same, else as `give` makes them.
    pub(super) fn ids(&self, slides: &[Slide], give: impl FnOnce() -> Vec<String>) -> Vec<String> {
        let mut state = self.lock();
        let same = state.titles.len() == slides.len()
            && state.titles.iter().zip(slides).all(|(t, s)| *t == s.title);
        if !same {
            state.titles = slides.iter().map(|s| s.title.clone()).collect();
            state.ids = give();
        }
        state.ids.clone()
    }
}

/// Where the text may be cut; `None` when it has definitions (which reach
/// across the whole text) or no cut at all.
fn cuts(text: &str, slide_level: u8) -> Option<Vec<usize>> {
    if has_definitions(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let from = front_matter_end(text)?;
    let blocks = metadata_blocks(text);
    let finder = memchr::memmem::Finder::new(b"\n\n#");
    let (mut cuts, mut last, mut at) = (Vec::new(), 0, from);
    while let Some(found) = finder.find(&bytes[at..]) {
        let line = at + found + 2;
        at = line;
        let hashes = bytes[line..].iter().take_while(|&&b| b == b'#').count();
        let heading =
            (1..=slide_level as usize).contains(&hashes) && bytes.get(line + hashes) == Some(&b' ');
        let since = line - last;
        if !heading || since < SHORTEST || inside(&blocks, line) {
            continue;
        }
        // The heading and what follows it choose; a talk whose headings
        // all read alike is still cut by what its slides say.
        let near = &bytes[line..bytes.len().min(line + 96)];
        if chosen(near) || since >= LONGEST {
            cuts.push(line);
            last = line;
        }
    }
    (!cuts.is_empty()).then_some(cuts)
}

/// Whether the text at a heading makes it a cut: one in [`ONE_IN`].
fn chosen(near: &[u8]) -> bool {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(near);
    // Fx mixes its low bits poorly; the top ones choose.
    (h.finish() >> 40).is_multiple_of(ONE_IN)
}

/// Walks one stretch, its notes rendered, its offsets counted from its start.
fn walk_stretch<R: Render>(text: &str, part: Range<usize>, slide_level: u8, render: &R) -> Stretch {
    let walked = walk(text, part.clone(), slide_level, render, None);
    let mut deck = walked.deck;
    let notes = render_notes(text, &deck, render);
    let mut notes = notes.into_iter();
    let mut note_refs = Vec::new();
    for slide in &mut deck.slides {
        for (html, refs) in notes.by_ref().take(slide.notes.len()) {
            slide.notes_html.push_str(&html);
            note_refs.extend(refs);
        }
        // Counted once for as long as the stretch is kept.
        slide.words = Some(slide.count_words(text));
    }
    let own = deck.text_problems.iter().all(|p| {
        matches!(
            p,
            TextProblem::StrayClose { .. } | TextProblem::Formula { .. }
        )
    }) && deck
        .slides
        .iter()
        .flat_map(|s| &s.notes)
        .all(|n| n.end <= part.end);
    let mut stretch = Stretch {
        first: part.start == 0,
        ends_cleanly: walked.ends_cleanly,
        own,
        deck,
        note_refs,
        build: 0,
    };
    stretch.shift(|at| at - part.start);
    stretch
}

impl Stretch {
    fn shift(&mut self, by: impl Fn(usize) -> usize) {
        self.deck.map_offsets(&by);
        for r in &mut self.note_refs {
            r.at = by(r.at);
        }
    }
}

/// The deck from its stretches, as a walk of the whole would give it: the
/// slides' own references first, then the notes'.
fn assemble(stretches: Vec<Stretch>, bounds: &[Range<usize>]) -> Deck {
    let mut deck = Deck::default();
    let mut note_refs = Vec::new();
    for (mut s, r) in stretches.into_iter().zip(bounds) {
        s.shift(|at| at + r.start);
        if s.first {
            deck.meta = s.deck.meta;
        }
        deck.slides.extend(s.deck.slides);
        deck.refs.extend(s.deck.refs);
        note_refs.extend(s.note_refs);
        deck.text_problems.extend(s.deck.text_problems);
    }
    deck.refs.extend(note_refs);
    deck
}

#[cfg(test)]
pub(super) fn split_with_cuts<R: Render>(
    memory: &Memory,
    text: &str,
    cuts: &[usize],
    slide_level: u8,
    render: &R,
) -> Option<Deck> {
    memory.split_at(text, cuts, slide_level, render)
}
