//! Expanded Markdown becomes a deck: slides split at headings and rules,
//! speaker notes taken from HTML comments, every image and link recorded
//! with its offset so problems can point back at the source.
//!
//! The text is parsed once, with pulldown-cmark, so a `<!--` inside code
//! stays code. Each slide's events are rendered to HTML as the walk goes;
//! notes are parsed on their own, as the Markdown they are.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::highlight::Highlighter;

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
}

/// An image or link to a local file, at an offset of the expanded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    pub url: String,
    pub at: usize,
    pub in_notes: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Deck {
    pub meta: Meta,
    pub slides: Vec<Slide>,
    pub refs: Vec<Reference>,
    /// Offsets of `<!--` that never close.
    pub unclosed_comments: Vec<usize>,
    /// Bytes of the text the deck was split from: how big a job it is.
    pub text_len: usize,
}

impl Deck {
    pub fn notes_count(&self) -> usize {
        self.slides.iter().filter(|s| !s.notes.is_empty()).count()
    }

    /// The transcript: every slide's notes, in order, as Markdown.
    pub fn transcript(&self, text: &str) -> String {
        let mut out = String::new();
        for slide in &self.slides {
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
}

/// Splits expanded text into slides. Headings of level up to `slide_level`
/// start a slide; `title_known` says the deck has a title from its
/// configuration, which makes a title slide even if no text precedes the
/// first heading.
pub fn split(text: &str, slide_level: u8, title_known: bool, hl: &Highlighter) -> Deck {
    let mut deck = if text.len() < crate::par::WORTH_A_THREAD {
        let mut walked = walk(text, 0..text.len(), slide_level, hl, None).deck;
        let notes = render_notes(text, &walked, hl);
        attach_notes(&mut walked, notes);
        walked
    } else {
        halfway(text, slide_level)
            .and_then(|middle| split_in_halves(text, middle, slide_level, hl))
            .unwrap_or_else(|| split_beside_notes(text, slide_level, hl))
    };
    let has_title_slide = deck.slides.first().map(|s| s.kind) == Some(SlideKind::Title);
    if !has_title_slide && (title_known || deck.meta.title.is_some()) {
        deck.slides.insert(0, new_slide(SlideKind::Title, 0));
    }
    let mut ids = HashSet::new();
    for (n, slide) in deck.slides.iter_mut().enumerate() {
        slide.id = unique_id(&slide.title, n, &mut ids);
    }
    deck.text_len = text.len();
    deck
}

/// A big talk, walked in one piece while a second thread parses and
/// renders each note as the walk finds it.
fn split_beside_notes(text: &str, slide_level: u8, hl: &Highlighter) -> Deck {
    std::thread::scope(|scope| {
        let (notes_tx, notes_rx) = std::sync::mpsc::channel::<Vec<Range<usize>>>();
        let worker = scope.spawn(move || {
            notes_rx
                .iter()
                .flatten()
                .map(|note| render_note(text, note, hl))
                .collect::<Vec<_>>()
        });
        let mut deck = walk(text, 0..text.len(), slide_level, hl, Some(notes_tx)).deck;
        let rendered = worker.join().expect("the notes thread does not panic");
        attach_notes(&mut deck, rendered);
        deck
    })
}

/// A big talk, split as two halves on two threads, each walking its half
/// and then rendering that half's notes. `None` when the first half turns
/// out to end inside something that goes on past `middle`.
fn split_in_halves(text: &str, middle: usize, slide_level: u8, hl: &Highlighter) -> Option<Deck> {
    let half = |range: Range<usize>| {
        let walked = walk(text, range, slide_level, hl, None);
        let notes = render_notes(text, &walked.deck, hl);
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
    deck.unclosed_comments.extend(rest.unclosed_comments);
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
fn halfway(text: &str, slide_level: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"]:").is_some() || memchr::memmem::find(bytes, b"[^").is_some()
    {
        return None;
    }
    // Front matter may hold blank lines and `#`: the cut comes after it.
    let mut from = bytes.len() / 2;
    if text.starts_with("---") || text.starts_with("+++") {
        let end = text
            .lines()
            .skip(1)
            .position(|l| matches!(l, "---" | "..." | "+++"))?;
        let after: usize = text.lines().take(end + 2).map(|l| l.len() + 1).sum();
        from = from.max(after);
    }
    let until = bytes.len() / 4 * 3;
    let finder = memchr::memmem::Finder::new(b"\n\n#");
    let mut at = from;
    while at < until {
        let found = at + finder.find(&bytes[at..until])?;
        let line = found + 2;
        let hashes = bytes[line..].iter().take_while(|&&b| b == b'#').count();
        if (1..=slide_level as usize).contains(&hashes) && bytes.get(line + hashes) == Some(&b' ') {
            return Some(line);
        }
        at = line;
    }
    None
}

fn render_notes(text: &str, deck: &Deck, hl: &Highlighter) -> Vec<(String, Vec<Reference>)> {
    let notes = deck.slides.iter().flat_map(|s| s.notes.iter().cloned());
    notes.map(|n| render_note(text, n, hl)).collect()
}

/// Gives each slide its rendered notes, which come in the order they
/// stand in, slide after slide.
fn attach_notes(deck: &mut Deck, rendered: Vec<(String, Vec<Reference>)>) {
    let mut rendered = rendered.into_iter();
    for slide in &mut deck.slides {
        for (html, refs) in rendered.by_ref().take(slide.notes.len()) {
            slide.notes_html.push_str(&html);
            deck.refs.extend(refs);
        }
    }
}

/// A walk over part of the text.
struct Walked {
    deck: Deck,
    /// Whether the part ends with everything in it closed: no fenced code
    /// or HTML block cut off by its end, no inline comment running past
    /// it. Only then does the text after it parse the same on its own.
    ends_cleanly: bool,
}

/// The walk over the parsed text (the part of it in `part`): slides, their
/// HTML, where their notes are (sent on to `notes_tx`, a few at a time,
/// if given). Slides get their ids once the whole deck is known.
fn walk(
    text: &str,
    part: Range<usize>,
    slide_level: u8,
    hl: &Highlighter,
    notes_tx: Option<std::sync::mpsc::Sender<Vec<Range<usize>>>>,
) -> Walked {
    let mut s = Splitter {
        text,
        slide_level,
        hl,
        deck: Deck::default(),
        current: new_slide(SlideKind::Title, part.start),
        events: Vec::new(),
        depth: 0,
        heading: None,
        code: None,
        meta: None,
        notes_tx,
        notes_batch: Vec::new(),
    };
    // Events already taken apart into notes: a whole HTML block, or the
    // rest of an inline comment that spans several events.
    let mut in_html_block = false;
    let mut skip_until = 0;
    let mut skipped_open = 0usize;
    // The last block at the top level that could run on past the end of
    // the part: fenced code or HTML. Where it ends.
    let mut open_ended: Option<usize> = None;
    let parser = Parser::new_ext(&text[part.clone()], markdown_options());
    for (event, local) in parser.into_offset_iter() {
        let range = local.start + part.start..local.end + part.start;
        if in_html_block {
            in_html_block = !matches!(event, Event::End(TagEnd::HtmlBlock));
            continue;
        }
        if range.start < skip_until {
            // Inside a note: what it holds goes, but an end closing what
            // began before the note (its paragraph) stays.
            match event {
                Event::Start(_) => {
                    skipped_open += 1;
                    continue;
                }
                Event::End(_) if skipped_open > 0 => {
                    skipped_open -= 1;
                    continue;
                }
                Event::End(_) => {}
                _ => continue,
            }
        }
        if let Event::Start(tag) = &event {
            if s.depth == 0 {
                open_ended = matches!(tag, Tag::CodeBlock(_) | Tag::HtmlBlock).then_some(range.end);
            }
        }
        match event {
            Event::Start(Tag::HtmlBlock) => {
                s.html(range);
                in_html_block = true;
            }
            Event::InlineHtml(ref h) if h.starts_with("<!--") => {
                skip_until = s.comment(range.start).unwrap_or(text.len());
            }
            event => s.event(event, range),
        }
    }
    s.flush();
    s.send_notes();
    Walked {
        deck: s.deck,
        ends_cleanly: skip_until <= part.end && open_ended.is_none_or(|end| end < part.end),
    }
}

fn new_slide(kind: SlideKind, at: usize) -> Slide {
    Slide {
        kind,
        title: String::new(),
        id: String::new(),
        body_html: String::new(),
        notes: Vec::new(),
        notes_html: String::new(),
        at,
    }
}

struct Splitter<'a> {
    text: &'a str,
    slide_level: u8,
    hl: &'a Highlighter,
    deck: Deck,
    current: Slide,
    events: Vec<Event<'a>>,
    depth: usize,
    /// The title being collected while inside a slide heading.
    heading: Option<String>,
    /// A fenced block with a language, being collected for highlighting.
    code: Option<(String, String)>,
    meta: Option<String>,
    /// Where notes go to be rendered, when a thread renders them.
    notes_tx: Option<std::sync::mpsc::Sender<Vec<Range<usize>>>>,
    /// Notes found and not sent yet: sending each alone would wake the
    /// notes thread ten thousand times.
    notes_batch: Vec<Range<usize>>,
}

impl<'a> Splitter<'a> {
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        match &event {
            Event::Start(Tag::Heading { level, .. })
                if self.depth == 0 && heading_level(*level) <= self.slide_level =>
            {
                let kind = if heading_level(*level) < self.slide_level {
                    SlideKind::Section
                } else {
                    SlideKind::Content
                };
                self.start_slide(kind, range.start);
                self.heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) if self.depth == 1 && self.heading.is_some() => {
                self.current.title = self.heading.take().unwrap_or_default().trim().to_string();
            }
            Event::Rule if self.depth == 0 => {
                self.start_slide(SlideKind::Content, range.end);
                return;
            }
            Event::Start(Tag::MetadataBlock(_)) => {
                self.meta = Some(String::new());
                self.depth += 1;
                return;
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                self.depth -= 1;
                if let Some(m) = self.meta.take() {
                    self.deck.meta = parse_front_matter(&m);
                }
                return;
            }
            Event::Text(t) if self.meta.is_some() => {
                self.meta.as_mut().unwrap().push_str(t);
                return;
            }
            Event::Text(t) | Event::Code(t) if self.heading.is_some() => {
                self.heading.as_mut().unwrap().push_str(t);
            }
            _ => {}
        }
        match &event {
            Event::Start(_) => self.depth += 1,
            Event::End(_) => self.depth -= 1,
            _ => {}
        }
        record_reference(&event, range.start, false, &mut self.deck.refs);
        if let Some(e) = highlight_step(&mut self.code, event, self.hl) {
            self.events.push(e);
        }
    }

    /// An HTML block: its comments become notes, the rest stays HTML.
    fn html(&mut self, range: Range<usize>) {
        let block = &self.text[range.clone()];
        let mut kept = String::new();
        let mut pos = 0;
        while let Some(i) = block[pos..].find("<!--") {
            let start = pos + i;
            kept.push_str(&block[pos..start]);
            match self.comment(range.start + start) {
                Some(end) => pos = (end - range.start).min(block.len()),
                None => {
                    pos = block.len();
                    break;
                }
            }
        }
        kept.push_str(&block[pos..]);
        if !kept.trim().is_empty() {
            scan_html_images(&kept, range.start, &mut self.deck.refs);
            self.events.push(Event::Html(CowStr::from(kept)));
        }
    }

    /// A comment starting at `start` of the text: the current slide's
    /// notes. Returns the offset just past its `-->`.
    fn comment(&mut self, start: usize) -> Option<usize> {
        let inner = start + 4;
        match self.text[inner..].find("-->") {
            Some(i) => {
                self.current.notes.push(inner..inner + i);
                if self.notes_tx.is_some() {
                    self.notes_batch.push(inner..inner + i);
                    if self.notes_batch.len() == NOTES_BATCH {
                        self.send_notes();
                    }
                }
                Some(inner + i + 3)
            }
            None => {
                self.deck.unclosed_comments.push(start);
                None
            }
        }
    }

    fn start_slide(&mut self, kind: SlideKind, at: usize) {
        self.flush();
        self.current = new_slide(kind, at);
    }

    /// Ends the current slide, keeping it unless it is an empty one left
    /// by a rule right before a heading.
    fn flush(&mut self) {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, self.events.drain(..));
        let mut slide = std::mem::replace(&mut self.current, new_slide(SlideKind::Content, 0));
        slide.body_html = html;
        let empty = slide.body_html.trim().is_empty() && slide.notes.is_empty();
        let is_title = slide.kind == SlideKind::Title;
        if !(empty && (is_title || slide.title.is_empty())) {
            self.deck.slides.push(slide);
        }
    }

    fn send_notes(&mut self) {
        if let Some(tx) = &self.notes_tx {
            let _ = tx.send(std::mem::take(&mut self.notes_batch));
        }
    }
}

/// Notes sent to the notes thread at a time.
const NOTES_BATCH: usize = 64;

fn heading_level(l: HeadingLevel) -> u8 {
    l as u8
}

/// Renders one note, with the references it makes.
fn render_note(text: &str, note: Range<usize>, hl: &Highlighter) -> (String, Vec<Reference>) {
    let mut html = String::new();
    let mut refs = Vec::new();
    let md = &text[note.clone()];
    if md.trim().is_empty() {
        return (html, refs);
    }
    let mut code = None;
    let mut events = Vec::new();
    for (event, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        let at = note.start + range.start;
        record_reference(&event, at, true, &mut refs);
        if let Event::Html(h) | Event::InlineHtml(h) = &event {
            scan_html_images(h, at, &mut refs);
        }
        if let Some(e) = highlight_step(&mut code, event, hl) {
            events.push(e);
        }
    }
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (html, refs)
}

/// Passes events through, except fenced code with a language, which comes
/// out as one highlighted HTML event.
fn highlight_step<'e>(
    code: &mut Option<(String, String)>,
    event: Event<'e>,
    hl: &Highlighter,
) -> Option<Event<'e>> {
    match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) => {
            let lang = info.split_whitespace().next().unwrap_or("");
            if lang.is_empty() || !hl.knows(lang) {
                return Some(event);
            }
            *code = Some((lang.to_string(), String::new()));
            None
        }
        Event::Text(t) if code.is_some() => {
            code.as_mut().unwrap().1.push_str(&t);
            None
        }
        Event::End(TagEnd::CodeBlock) if code.is_some() => {
            let (lang, src) = code.take().unwrap();
            Some(Event::Html(CowStr::from(hl.highlight(&lang, &src))))
        }
        e => Some(e),
    }
}

fn record_reference(event: &Event, at: usize, in_notes: bool, refs: &mut Vec<Reference>) {
    let (kind, url) = match event {
        Event::Start(Tag::Image { dest_url, .. }) => (RefKind::Image, dest_url),
        Event::Start(Tag::Link { dest_url, .. }) => (RefKind::Link, dest_url),
        _ => return,
    };
    refs.push(Reference {
        kind,
        url: url.to_string(),
        at,
        in_notes,
    });
}

/// `<img src="…">` in raw HTML counts as an image reference too.
fn scan_html_images(html: &str, at: usize, refs: &mut Vec<Reference>) {
    static IMG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !html.contains("<img") && !html.contains("<IMG") {
        return;
    }
    let re = IMG.get_or_init(|| {
        regex::Regex::new(r#"(?i)<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']"#).expect("valid regex")
    });
    for c in re.captures_iter(html) {
        let m = c.get(1).expect("group 1");
        refs.push(Reference {
            kind: RefKind::Image,
            url: m.as_str().to_string(),
            at: at + c.get(0).expect("match").start(),
            in_notes: false,
        });
    }
}

/// A lower-case, dash-separated id from a title, unique in the deck.
fn unique_id(title: &str, n: usize, seen: &mut HashSet<String>) -> String {
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
    let mut id = base.clone();
    let mut k = 2;
    while !seen.insert(id.clone()) {
        id = format!("{base}-{k}");
        k += 1;
    }
    id
}

/// Reads `title:`, `author:`/`authors:` and `date:` from front matter;
/// authors may be one name, a `[a, b]` list or `- a` lines.
pub fn parse_front_matter(yaml: &str) -> Meta {
    let mut meta = Meta::default();
    let mut in_authors = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if in_authors {
            if let Some(item) = trimmed.strip_prefix("- ") {
                meta.authors.push(unquote(item));
                continue;
            }
            in_authors = false;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "title" => meta.title = Some(unquote(value)),
            "date" => meta.date = Some(unquote(value)),
            "author" | "authors" => {
                if value.is_empty() {
                    in_authors = true;
                } else if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']'))
                {
                    meta.authors.extend(list.split(',').map(unquote));
                } else {
                    meta.authors.push(unquote(value));
                }
            }
            _ => {}
        }
    }
    meta
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(s)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split2(text: &str) -> Deck {
        split(text, 2, false, &Highlighter::new())
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
    fn unclosed_comments_are_reported() {
        let d = split2("## A\n\n<!-- never closed\n");
        assert_eq!(d.unclosed_comments, [6]);
    }

    #[test]
    fn front_matter_gives_title_and_authors() {
        let d = split2("---\ntitle: \"Talk\"\nauthor: [Ann, Bob]\ndate: 2026\n---\n\n## One\n");
        assert_eq!(d.meta.title.as_deref(), Some("Talk"));
        assert_eq!(d.meta.authors, ["Ann", "Bob"]);
        assert_eq!(d.slides[0].kind, SlideKind::Title);
    }

    /// Every place `halfway` could cut a text: after a blank line, at a
    /// heading of level 1 or 2.
    fn cuts(text: &str) -> Vec<usize> {
        text.match_indices("\n\n#")
            .map(|(i, _)| i + 2)
            .filter(|&l| text[l..].starts_with("# ") || text[l..].starts_with("## "))
            .collect()
    }

    #[test]
    fn halves_split_as_the_whole_or_not_at_all() {
        // Pieces that open, close or cut off blocks a cut could fall in.
        const PIECES: [&str; 24] = [
            "## Slide\n\ntext *em*\n",
            "# Part\n",
            "```\ncode\n",
            "```\n",
            "~~~ sh\n",
            "<!--\nnote *x*\n",
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
        let hl = Highlighter::new();
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let (mut checked, mut refused) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..4 + next(12) {
                text.push_str(PIECES[next(PIECES.len())]);
                if next(2) == 0 {
                    text.push('\n');
                }
            }
            let whole = format!("{:?}", split_beside_notes(&text, 2, &hl));
            for cut in cuts(&text) {
                match split_in_halves(&text, cut, 2, &hl) {
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
        assert_eq!(halfway(&body.replace("## ", "### "), 2), None);
    }
}
