//! Expanded Markdown becomes a deck: slides split at headings and rules,
//! speaker notes taken from HTML comments, every image and link recorded
//! with its offset so problems can point back at the source.
//!
//! The text is parsed once, with pulldown-cmark, so a `<!--` inside code
//! stays code. Each slide's events are handed to a [`Render`] (the `html`
//! stage's) as the walk goes; notes are parsed on their own, as the
//! Markdown they are.
//!
//! [`walk`] splits, [`halves`] puts big talks on two threads,
//! [`front_matter`] reads the metadata block.

mod divs;
mod front_matter;
mod halves;
pub mod loads;
mod memory;
mod walk;

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, Options};

pub use front_matter::parse_front_matter;
pub use memory::Memory;
use walk::{new_slide, walk};

/// Writes Markdown events as HTML. The deck decides what belongs to which
/// slide and which note; how it looks is the `html` stage's business, and
/// it hands its writer to [`split`].
pub trait Render: Sync {
    fn html<'e>(&self, events: impl Iterator<Item = Event<'e>>) -> String;

    /// A formula (`$…$`, or `$$…$$` when `display`) as HTML, and why it
    /// cannot be shown if it cannot; `None` leaves it to [`Render::html`].
    /// The walk asks once per formula, to place its problem.
    fn math(&self, _tex: &str, _display: bool) -> Option<(String, Option<String>)> {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlideKind {
    /// The deck's title slide: its metadata and what comes before the
    /// first heading.
    Title,
    /// A heading above the slide level: the title of a part of the talk.
    Section,
    Content,
}

#[derive(Clone, Debug)]
pub struct Slide {
    pub kind: SlideKind,
    /// The heading as plain text; empty for a slide started by a rule.
    pub title: String,
    pub id: String,
    pub body_html: String,
    /// Where each note's Markdown sits in the expanded text.
    pub notes: Vec<Range<usize>>,
    pub notes_html: String,
    /// Offset of the slide's first byte in the expanded text.
    pub at: usize,
    /// List items on the slide, and the lines of its longest code block:
    /// what decides whether it can fit.
    pub list_items: usize,
    pub code_lines: usize,
    /// The time the slide takes, in seconds, by its notes: set by
    /// [`Deck::pace`].
    pub seconds: u32,
    /// The words its notes say, when counted already (slides kept between
    /// builds keep their count).
    pub words: Option<u32>,
    /// What the author set on the slide: `{#id .class key=value}` after its
    /// heading, or a `<!-- .slide: ... -->` comment.
    pub attrs: SlideAttrs,
}

impl Slide {
    /// The words its notes say, in `text`.
    pub fn count_words(&self, text: &str) -> u32 {
        let words = self.notes.iter().map(|r| spoken_words(&text[r.clone()]));
        words.fold(0, u32::saturating_add)
    }
}

/// A slide's own id, classes and attributes, as the author wrote them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlideAttrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub attrs: Vec<(String, String)>,
}

impl SlideAttrs {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.classes.is_empty() && self.attrs.is_empty()
    }

    /// The value of attribute `key`, the last one set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Reads reveal.js's `key="value" key2=value class="a b"` (the text of
    /// a `<!-- .slide: -->` comment) into these attributes.
    pub fn read(&mut self, text: &str) {
        let mut rest = text.trim();
        while !rest.is_empty() {
            let key_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let key = &rest[..key_end];
            rest = rest[key_end..].trim_start();
            let value = if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (value, next) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &after[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = after.find(char::is_whitespace).unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                rest = next.trim_start();
                value
            } else {
                ""
            };
            if key.is_empty() {
                // A stray `=` or quote: skip one character and go on.
                let mut chars = rest.chars();
                chars.next();
                rest = chars.as_str().trim_start();
                continue;
            }
            match key {
                "class" => self
                    .classes
                    .extend(value.split_whitespace().map(String::from)),
                "id" if !value.is_empty() => self.id = Some(value.to_string()),
                _ => self.attrs.push((key.to_string(), value.to_string())),
            }
        }
    }
}

impl Slide {
    /// The slide's title as the transcript names it.
    pub fn transcript_title(&self) -> &str {
        match (self.title.as_str(), self.kind) {
            ("", SlideKind::Title) => "Title slide",
            ("", _) => "(untitled)",
            (t, _) => t,
        }
    }

    /// Moves the slide's offsets (its start, its notes) through `f`.
    pub fn map_offsets(&mut self, f: impl Fn(usize) -> usize) {
        self.at = f(self.at);
        for note in &mut self.notes {
            *note = f(note.start)..f(note.end);
        }
    }

    /// Whether the slide has notes to show: an empty `<!-- -->` is no
    /// note. The one definition the summary, the deck, the handout and
    /// the transcript all use.
    pub fn has_notes(&self) -> bool {
        !self.notes_html.trim().is_empty()
    }
}

/// What the deck is called and by whom, as its title slide and pages show
/// it: decided once, from `book.toml` and the front matter, by the pipeline.
#[derive(Clone, Debug, Default)]
pub struct Cover {
    pub title: String,
    pub authors: Vec<String>,
    pub date: String,
    /// What every slide shows at its foot, and the picture in its corner
    /// (its path in the deck).
    pub footer: String,
    pub logo: Option<String>,
}

/// Metadata from front matter (`---` YAML-style block at the top).
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub date: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Image,
    Link,
    /// A file the page loads beside pictures: a script, a stylesheet, a
    /// frame, a sound or a film, a font.
    Resource,
}

/// An image or link to a local file, at an offset of the expanded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    pub url: String,
    pub at: usize,
    pub in_notes: bool,
}

/// Something written wrongly (a comment, a formula), at offsets of the
/// expanded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// A formula that does not parse, and why.
    Formula { at: usize, why: String },
    /// A `<!--` never closed: its note ran to the next heading.
    Unclosed { at: usize },
    /// A `<!--` at `at` while the comment opened at `opened` was still
    /// open: that one ran to the next heading.
    Reopened { at: usize, opened: usize },
    /// A `-->` that ends a line, with no comment open.
    StrayClose { at: usize },
}

impl TextProblem {
    /// Moves the problem's offsets through `f`.
    pub fn map_offsets(&mut self, f: impl Fn(usize) -> usize) {
        match self {
            TextProblem::Unclosed { at }
            | TextProblem::StrayClose { at }
            | TextProblem::Formula { at, .. } => *at = f(*at),
            TextProblem::Reopened { at, opened } => {
                *at = f(*at);
                *opened = f(*opened);
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Deck {
    pub meta: Meta,
    pub slides: Vec<Slide>,
    pub refs: Vec<Reference>,
    /// Comments written wrongly.
    pub text_problems: Vec<TextProblem>,
    /// Bytes of the text the deck was split from: how big a job it is.
    pub text_len: usize,
}

/// The words of `text` a speaker says: runs between white space that
/// hold a letter or digit.
pub fn spoken_words(text: &str) -> u32 {
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric));
    u32::try_from(words.count()).unwrap_or(u32::MAX)
}

impl Deck {
    /// Moves every offset the deck records (slides, notes, references,
    /// comment problems) through `f`.
    pub fn map_offsets(&mut self, f: impl Fn(usize) -> usize) {
        for slide in &mut self.slides {
            slide.map_offsets(&f);
        }
        for r in &mut self.refs {
            r.at = f(r.at);
        }
        for p in &mut self.text_problems {
            p.map_offsets(&f);
        }
    }

    /// Marks the list items of incremental slides (`{.incremental}` on the
    /// heading, or every slide with `all`) and of `::: incremental` divs as
    /// fragments, to be shown one at a time; `{.nonincremental}` keeps a
    /// slide's lists whole. `text` is what the deck was split from.
    pub fn reveal_lists(&mut self, all: bool, text: &str) {
        // Most talks say nothing of it: their slides are not looked at.
        if !all && memchr::memmem::find(text.as_bytes(), b"incremental").is_none() {
            return;
        }
        for slide in &mut self.slides {
            let has = |c: &str| slide.attrs.classes.iter().any(|k| k == c);
            let on = (all || has("incremental")) && !has("nonincremental");
            if on && slide.body_html.contains("<li>") {
                slide.body_html = slide.body_html.replace("<li>", "<li class=\"fragment\">");
            } else if slide.body_html.contains("<div class=\"incremental\">") {
                slide.body_html = incremental_divs(&slide.body_html);
            }
        }
    }

    /// Slides with notes, as the summary counts them.
    /// Gives each slide its time: its notes read at `words_per_minute`,
    /// and at least `min_seconds`.
    pub fn pace(&mut self, text: &str, words_per_minute: u32, min_seconds: u32) {
        let wpm = u64::from(words_per_minute.max(1));
        for s in &mut self.slides {
            let words = s.words.unwrap_or_else(|| s.count_words(text));
            let words = u64::from(words);
            let spoken = (words * 60 + wpm / 2) / wpm;
            s.seconds = u32::try_from(spoken).unwrap_or(u32::MAX).max(min_seconds);
        }
    }

    /// The whole deck's time, in seconds.
    pub fn seconds(&self) -> u64 {
        self.slides.iter().map(|s| u64::from(s.seconds)).sum()
    }

    pub fn notes_count(&self) -> usize {
        self.slides.iter().filter(|s| s.has_notes()).count()
    }

    /// The transcript: every slide's notes, in order, as Markdown; with
    /// `titles`, each slide's number and title above its notes.
    pub fn transcript(&self, text: &str, titles: bool) -> String {
        let mut out = String::new();
        for (n, slide) in self.slides.iter().enumerate() {
            if !slide.has_notes() {
                continue;
            }
            if titles {
                out.push_str(&format!("## {}. {}\n\n", n + 1, slide.transcript_title()));
            }
            for note in &slide.notes {
                let raw = &text[note.clone()];
                // `<!-- text -->` on one line: drop the spaces around the
                // text; a note starting on its own line keeps its indent.
                let md = match raw.strip_prefix(' ') {
                    Some(inline) => inline.trim(),
                    None => raw.trim_start_matches(['\n', '\r']).trim_end(),
                };
                if md.is_empty() {
                    continue;
                }
                out.push_str(md);
                out.push_str("\n\n");
            }
        }
        out
    }
}

pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
}

/// The list items inside each `::: incremental` div marked as fragments.
fn incremental_divs(html: &str) -> String {
    const OPEN: &str = "<div class=\"incremental\">";
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        // The div ends at the `</div>` that closes it.
        let body = &rest[i..];
        let mut depth = 0usize;
        let mut end = body.len();
        let mut pos = 0;
        while let Some(j) = body[pos..]
            .find("<div")
            .into_iter()
            .chain(body[pos..].find("</div>"))
            .min()
        {
            let k = pos + j;
            if body[k..].starts_with("</div>") {
                depth -= 1;
                if depth == 0 {
                    end = k + "</div>".len();
                    break;
                }
                pos = k + 6;
            } else {
                depth += 1;
                pos = k + 4;
            }
        }
        out.push_str(&body[..end].replace("<li>", "<li class=\"fragment\">"));
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// Splits expanded text into slides. Headings of level up to `slide_level`
/// start a slide; `title_known` says the deck has a title from its
/// configuration, which makes a title slide even if no text precedes the
/// first heading.
pub fn split<R: Render>(text: &str, slide_level: u8, title_known: bool, render: &R) -> Deck {
    split_remembering(text, slide_level, title_known, render, None)
}

/// As [`split`], taking from `memory` what earlier calls walked of the
/// same text, and keeping there what this one walks.
pub fn split_remembering<R: Render>(
    text: &str,
    slide_level: u8,
    title_known: bool,
    render: &R,
    memory: Option<&Memory>,
) -> Deck {
    // Fenced divs are rewritten as HTML first; what the deck records is
    // then taken back to where the author wrote it.
    if let Some(r) = divs::rewrite(text) {
        let mut deck = split_remembering(&r.text, slide_level, title_known, render, memory);
        deck.map_offsets(|at| r.original(at));
        deck.text_len = text.len();
        return deck;
    }
    let remembered = memory.and_then(|m| m.split(text, slide_level, render));
    let mut deck = remembered.unwrap_or_else(|| walk_whole(text, slide_level, render));
    let has_title_slide = deck.slides.first().map(|s| s.kind) == Some(SlideKind::Title);
    if !has_title_slide && (title_known || deck.meta.title.is_some()) {
        deck.slides.insert(0, new_slide(SlideKind::Title, 0));
    }
    let give = || {
        let mut ids = Ids::default();
        // Ids the author chose are theirs; the others are made around them.
        for s in &deck.slides {
            if let Some(id) = &s.attrs.id {
                ids.seen.insert(id.clone());
            }
        }
        let titles = deck.slides.iter().enumerate();
        titles
            .map(|(n, s)| match &s.attrs.id {
                Some(id) => id.clone(),
                None => ids.unique(&s.title, n),
            })
            .collect()
    };
    let ids: Vec<String> = match memory {
        Some(m) => m.ids(&deck.slides, give),
        None => give(),
    };
    for (slide, id) in deck.slides.iter_mut().zip(ids) {
        slide.id = id;
    }
    deck.text_len = text.len();
    deck
}

/// The deck as walked, before ids: on two threads when it is big.
fn walk_whole<R: Render>(text: &str, slide_level: u8, render: &R) -> Deck {
    if text.len() < crate::par::WORTH_A_THREAD {
        let mut walked = walk(text, 0..text.len(), slide_level, render, None).deck;
        let notes = halves::render_notes(text, &walked, render);
        halves::attach_notes(&mut walked, notes);
        walked
    } else {
        halves::halfway(text, slide_level)
            .and_then(|middle| halves::split_in_halves(text, middle, slide_level, render))
            .unwrap_or_else(|| halves::split_beside_notes(text, slide_level, render))
    }
}

/// The ids given so far, and for each base the next number to try, so a
/// title repeated ten thousand times does not count from 2 each time.
#[derive(Default)]
struct Ids {
    seen: HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Ids {
    /// A lower-case, dash-separated id from a title, unique in the deck:
    /// `base`, then `base-2`, `base-3`…
    fn unique(&mut self, title: &str, n: usize) -> String {
        let mut slug = String::new();
        for c in title.chars() {
            if c.is_alphanumeric() {
                slug.extend(c.to_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        let base = if slug.is_empty() {
            format!("slide-{}", n + 1)
        } else {
            slug.to_string()
        };
        if self.seen.insert(base.clone()) {
            return base;
        }
        let k = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{k}");
            *k += 1;
            if self.seen.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::halves::{self, halfway, split_beside_notes, split_in_halves};
    use super::*;

    /// HTML as pulldown-cmark writes it, without highlighting.
    struct Plain;
    impl Render for Plain {
        fn html<'e>(&self, events: impl Iterator<Item = Event<'e>>) -> String {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, events);
            html
        }
    }

    fn split2(text: &str) -> Deck {
        split(text, 2, false, &Plain)
    }

    #[test]
    fn headings_split_and_comments_become_notes() {
        let d = split2("# Part\n\n## One\n\ntext\n\n<!-- say *this* -->\n\n## Two\n");
        let kinds: Vec<_> = d.slides.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [SlideKind::Section, SlideKind::Content, SlideKind::Content]
        );
        assert_eq!(d.slides[1].notes_html, "<p>say <em>this</em></p>\n");
        assert!(!d.slides[1].body_html.contains("say"));
    }

    #[test]
    fn comments_in_code_stay_code() {
        let d = split2("## Html\n\n```\n<!-- not a note -->\n```\n\n`<!-- inline -->`\n");
        assert!(d.slides[0].notes.is_empty());
        assert!(d.slides[0].body_html.contains("&lt;!-- not a note --&gt;"));
        assert!(d.slides[0].body_html.contains("&lt;!-- inline --&gt;"));
    }

    #[test]
    fn notes_before_the_first_heading_make_a_title_slide() {
        let d = split2("<!-- welcome -->\n\n## First\n");
        assert_eq!(d.slides.len(), 2);
        assert_eq!(d.slides[0].kind, SlideKind::Title);
        assert!(d.slides[0].notes_html.contains("welcome"));
    }

    #[test]
    fn rules_start_untitled_slides_and_repeated_titles_are_new_slides() {
        let d = split2("## Same\n\na\n\n## Same\n\nb\n\n---\n\nc\n\n---\n\n## Next\n");
        assert_eq!(d.slides.len(), 4);
        assert_eq!(d.slides[2].title, "");
        assert_eq!(d.slides[0].id, "same");
        assert_eq!(d.slides[1].id, "same-2");
    }

    #[test]
    fn images_in_slides_and_notes_are_recorded() {
        let text = "## A\n\n![x](img/a.png)\n\n<!--\n![y](img/b.png)\n-->\n";
        let d = split2(text);
        let urls: Vec<_> = d
            .refs
            .iter()
            .map(|r| (r.url.as_str(), r.in_notes))
            .collect();
        assert_eq!(urls, [("img/a.png", false), ("img/b.png", true)]);
        assert_eq!(&text[d.refs[1].at..d.refs[1].at + 3], "![y");
    }

    #[test]
    fn a_note_inside_a_paragraph_leaves_the_paragraph_whole() {
        let d = split2("## A\n\nText <!-- say this --> more\n\n## B\n");
        assert_eq!(d.slides.len(), 2);
        assert_eq!(d.slides[0].body_html, "<h2>A</h2>\n<p>Text  more</p>\n");
        assert_eq!(d.slides[0].notes_html, "<p>say this</p>\n");
    }

    #[test]
    fn list_items_and_code_lines_are_counted_per_slide() {
        let d = split2("## A\n\n* a\n* b\n  * c\n\n```\n1\n2\n3\n```\n\n```sh\n1\n```\n\n## B\n");
        assert_eq!((d.slides[0].list_items, d.slides[0].code_lines), (3, 3));
        assert_eq!((d.slides[1].list_items, d.slides[1].code_lines), (0, 0));
    }

    #[test]
    fn unclosed_comments_are_reported() {
        let d = split2("## A\n\n<!-- never closed\n");
        assert_eq!(d.text_problems, [TextProblem::Unclosed { at: 6 }]);
    }

    #[test]
    fn front_matter_gives_title_and_authors() {
        let d = split2("---\ntitle: \"Talk\"\nauthor: [Ann, Bob]\ndate: 2026\n---\n\n## One\n");
        assert_eq!(d.meta.title.as_deref(), Some("Talk"));
        assert_eq!(d.meta.authors, ["Ann", "Bob"]);
        assert_eq!(d.slides[0].kind, SlideKind::Title);
    }

    /// Every place `halfway` could cut a text: after a blank line, at a
    /// heading of level 1 or 2, outside what may be a metadata block.
    fn cuts(text: &str) -> Vec<usize> {
        let blocks = halves::metadata_blocks(text);
        text.match_indices("\n\n#")
            .map(|(i, _)| i + 2)
            .filter(|&l| text[l..].starts_with("# ") || text[l..].starts_with("## "))
            .filter(|&l| !halves::inside(&blocks, l))
            .collect()
    }

    /// Pieces that open, close or cut off blocks a cut could fall in.
    const PIECES: [&str; 24] = [
        "## Slide\n\ntext *em*\n",
        "# Part\n",
        "```\ncode\n",
        "```\n",
        "~~~ sh\n",
        "<!--\nnote *x* ![n](img/n.png)\n",
        "-->\n",
        "<!-- inline -->\n",
        "<pre>\n",
        "</pre>\n",
        "- item\n",
        "  ```\n",
        "> quote\n",
        "| a | b |\n|---|---|\n| c | d |\n",
        "![img](img/a.png)\n",
        "para <!-- start\n",
        "end --> after\n",
        "---\n",
        "    indented\n",
        "<div>\n",
        "<script>\n",
        "</script>\n",
        "## Second\n",
        "<?php\n",
    ];

    /// Random texts made of [`PIECES`], the same ones for a seed.
    struct Texts(u64);

    impl Texts {
        /// A number below `n`.
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize % n
        }

        /// At least `min` pieces and fewer than `min + spread`, each maybe
        /// followed by a blank line.
        fn text(&mut self, min: usize, spread: usize) -> String {
            let mut text = String::new();
            for _ in 0..min + self.next(spread) {
                text.push_str(PIECES[self.next(PIECES.len())]);
                if self.next(2) == 0 {
                    text.push('\n');
                }
            }
            text
        }
    }

    #[test]
    fn halves_split_as_the_whole_or_not_at_all() {
        let mut texts = Texts(7);
        let (mut checked, mut refused) = (0, 0);
        for _ in 0..3000 {
            let text = texts.text(4, 12);
            let whole = format!("{:?}", split_beside_notes(&text, 2, &Plain));
            for cut in cuts(&text) {
                match split_in_halves(&text, cut, 2, &Plain) {
                    Some(halves) => {
                        assert_eq!(format!("{halves:?}"), whole, "cut at {cut} of {text:?}");
                        checked += 1;
                    }
                    None => refused += 1,
                }
            }
        }
        // Both ways are exercised.
        assert!(
            checked > 400 && refused > 400,
            "{checked} checked, {refused} refused"
        );
    }

    /// A deck from kept stretches, each slide's word count checked against
    /// its notes where they now stand, and then dropped, as a deck walked
    /// whole has none.
    fn counted(mut deck: Deck, text: &str) -> Deck {
        for s in &mut deck.slides {
            assert_eq!(s.words.take(), Some(s.count_words(text)), "{}", s.title);
        }
        deck
    }

    #[test]
    fn stretches_remembered_split_as_the_whole_or_not_at_all() {
        // Texts cut at several places at once, and walked again after an
        // edit with what the first walk kept.
        let mut texts = Texts(11);
        let (mut checked, mut refused) = (0, 0);
        for _ in 0..3000 {
            let text = texts.text(6, 16);
            let all = cuts(&text);
            if all.is_empty() {
                continue;
            }
            let chosen: Vec<usize> = all.iter().copied().filter(|_| texts.next(2) == 0).collect();
            if chosen.is_empty() {
                continue;
            }
            let memory = Memory::default();
            let whole = format!("{:?}", split_beside_notes(&text, 2, &Plain));
            match memory::split_with_cuts(&memory, &text, &chosen, 2, &Plain) {
                Some(deck) => {
                    let deck = counted(deck, &text);
                    assert_eq!(format!("{deck:?}"), whole, "cuts {chosen:?} of {text:?}");
                    checked += 1;
                }
                None => {
                    refused += 1;
                    continue;
                }
            }
            // An edit in one stretch: the others are taken from memory and
            // moved to where they now stand.
            let at = chosen[texts.next(chosen.len())];
            let added = "## Added\n\nnew words\n\n";
            let edited = format!("{}{added}{}", &text[..at], &text[at..]);
            let moved: Vec<usize> = chosen
                .iter()
                .map(|&c| if c > at { c + added.len() } else { c })
                .collect();
            let whole = format!("{:?}", split_beside_notes(&edited, 2, &Plain));
            if let Some(deck) = memory::split_with_cuts(&memory, &edited, &moved, 2, &Plain) {
                let deck = counted(deck, &edited);
                assert_eq!(format!("{deck:?}"), whole, "cuts {moved:?} of {edited:?}");
            }
        }
        assert!(
            checked > 150 && refused > 100,
            "{checked} checked, {refused} refused"
        );
    }

    #[test]
    fn cuts_stay_out_of_front_matter_and_away_from_definitions() {
        let body = "## Slide\n\ntext\n\n".repeat(40);
        let front = format!(
            "---\ntitle: x\n\n{}---\n\n",
            "## not a slide\n\n".repeat(60)
        );
        let text = format!("{front}{body}");
        let cut = halfway(&text, 2).expect("a cut");
        assert!(cut > front.len() && text[cut..].starts_with("## Slide"));
        assert_eq!(halfway(&format!("{body}[a]: /url\n"), 2), None);
        assert_eq!(halfway(&format!("{body}x[^1]\n"), 2), None);
        assert!(halfway(&body, 2).is_some());
        // A `---` line followed by text opens a metadata block wherever it
        // stands, if a `---` or `...` line closes it further on.
        let text = format!(
            "{body}---\nkey: x\n\n{body}...\n{}",
            "## Tail\n\n".repeat(110)
        );
        let cut = halfway(&text, 2).expect("a cut");
        assert!(cut > text.find("...\n").unwrap(), "cut at {cut}");
        assert_eq!(halfway(&body.replace("## ", "### "), 2), None);
    }
}
