//! The walk over the parsed text: slides start at headings and rules,
//! comments become notes, images and links are recorded where they stand.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::front_matter::parse_front_matter;
use super::{
    markdown_options, Deck, RefKind, Reference, Render, Slide, SlideAttrs, SlideKind, TextProblem,
};

/// A walk over part of the text.
pub(super) struct Walked {
    pub deck: Deck,
    /// Whether the part ends with everything in it closed: no fenced code
    /// or HTML block cut off by its end, no inline comment running past
    /// it. Only then does the text after it parse the same on its own.
    pub ends_cleanly: bool,
}

/// The walk over the parsed text (the part of it in `part`): slides, their
/// HTML, where their notes are (sent on to `notes_tx`, a few at a time,
/// if given). Slides get their ids once the whole deck is known.
pub(super) fn walk<R: Render>(
    text: &str,
    part: Range<usize>,
    slide_level: u8,
    render: &R,
    notes_tx: Option<std::sync::mpsc::Sender<Vec<Range<usize>>>>,
) -> Walked {
    let mut s = Splitter {
        text,
        slide_level,
        render,
        deck: Deck::default(),
        current: new_slide(SlideKind::Title, part.start),
        events: Vec::new(),
        depth: 0,
        heading: None,
        recovering: 0,
        in_code: false,
        code_lines: 0,
        meta: None,
        notes_tx,
        notes_batch: Vec::new(),
        in_pause: false,
        pauses: 0,
    };
    let fed = s.feed(part.clone());
    s.flush();
    s.send_notes();
    Walked {
        deck: s.deck,
        ends_cleanly: fed.skip_until <= part.end && fed.open_ended.is_none_or(|end| end < part.end),
    }
}

pub(super) fn new_slide(kind: SlideKind, at: usize) -> Slide {
    Slide {
        kind,
        title: String::new(),
        id: String::new(),
        body_html: String::new(),
        notes: Vec::new(),
        notes_html: String::new(),
        at,
        list_items: 0,
        code_lines: 0,
        seconds: 0,
        words: None,
        attrs: Default::default(),
    }
}

struct Splitter<'a, R> {
    text: &'a str,
    slide_level: u8,
    render: &'a R,
    deck: Deck,
    current: Slide,
    events: Vec<Event<'a>>,
    depth: usize,
    /// The title being collected while inside a slide heading.
    heading: Option<String>,
    /// How many comments left open are being recovered, one inside the
    /// other.
    recovering: usize,
    /// Inside a code block, where `-->` is code, and its lines so far.
    in_code: bool,
    code_lines: usize,
    meta: Option<String>,
    /// Where notes go to be rendered, when a thread renders them.
    notes_tx: Option<std::sync::mpsc::Sender<Vec<Range<usize>>>>,
    /// Notes found and not sent yet: sending each alone would wake the
    /// notes thread ten thousand times.
    notes_batch: Vec<Range<usize>>,
    /// Inside a `. . .` paragraph, which is a pause, not text.
    in_pause: bool,
    /// Pauses on the current slide: each opens a fragment that runs to the
    /// slide's end.
    pauses: usize,
}

/// How a stretch of text ended, for [`Walked::ends_cleanly`].
struct Fed {
    skip_until: usize,
    open_ended: Option<usize>,
}

impl<'a, R: Render> Splitter<'a, R> {
    /// Parses `part` of the text and walks its events. Called again for
    /// text that a comment left open had swallowed.
    fn feed(&mut self, part: Range<usize>) -> Fed {
        let text = self.text;
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
                if self.depth == 0 {
                    open_ended =
                        matches!(tag, Tag::CodeBlock(_) | Tag::HtmlBlock).then_some(range.end);
                }
            }
            match event {
                Event::Start(Tag::HtmlBlock) => {
                    self.html(range);
                    in_html_block = true;
                }
                Event::InlineHtml(ref h) if h.starts_with("<!--") => {
                    skip_until = match self.comment(range.start) {
                        Comment::Closed(end) | Comment::Recovered(end) => end,
                    };
                }
                event => self.event(event, range),
            }
        }
        Fed {
            skip_until,
            open_ended,
        }
    }

    fn event(&mut self, mut event: Event<'a>, range: Range<usize>) {
        // `. . .` alone in a paragraph pauses (as in pandoc's slides): what
        // follows on the slide is shown at the next step.
        if self.in_pause {
            if let Event::End(TagEnd::Paragraph) = event {
                self.in_pause = false;
                self.depth -= 1;
            }
            return;
        }
        if let Event::Start(Tag::Paragraph) = event {
            if self.depth == 0 && self.text[range.clone()].trim() == ". . ." {
                self.in_pause = true;
                self.depth += 1;
                self.pauses += 1;
                self.events
                    .push(Event::Html(CowStr::Borrowed("<div class=\"fragment\">\n")));
                return;
            }
        }
        match &mut event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) if self.depth == 0 && heading_level(*level) <= self.slide_level => {
                let kind = if heading_level(*level) < self.slide_level {
                    SlideKind::Section
                } else {
                    SlideKind::Content
                };
                self.start_slide(kind, range.start);
                self.heading = Some(String::new());
                // `{#id .class key=value}` belongs to the slide, as in
                // pandoc's slides: it goes on the section, not the heading.
                self.current.attrs = SlideAttrs {
                    id: id.take().map(|i| i.to_string()),
                    classes: classes.drain(..).map(|c| c.to_string()).collect(),
                    attrs: attrs
                        .drain(..)
                        .map(|(k, v)| {
                            // `key="a value"`: the quotes are no part of it.
                            let v = v.map_or(String::new(), |v| v.to_string());
                            let unquoted = v
                                .strip_prefix('"')
                                .and_then(|v| v.strip_suffix('"'))
                                .or_else(|| {
                                    v.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))
                                });
                            (k.to_string(), unquoted.map_or(v.clone(), str::to_string))
                        })
                        .collect(),
                };
                self.background_ref(range.start);
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
            Event::Start(Tag::CodeBlock(_)) => {
                self.in_code = true;
                self.code_lines = 0;
            }
            Event::Text(t) if self.in_code => {
                self.code_lines += memchr::memchr_iter(b'\n', t.as_bytes()).count();
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.current.code_lines = self.current.code_lines.max(self.code_lines);
            }
            Event::Start(Tag::Item) => self.current.list_items += 1,
            Event::InlineMath(tex) | Event::DisplayMath(tex) => {
                let display = self.text[range.clone()].starts_with("$$");
                if let Some((html, problem)) = self.render.math(tex, display) {
                    if let Some(why) = problem {
                        let at = range.start;
                        self.deck
                            .text_problems
                            .push(TextProblem::Formula { at, why });
                    }
                    event = Event::Html(CowStr::from(html));
                }
            }
            _ => {}
        }
        if let Event::Text(_) = &event {
            if !self.in_code {
                self.stray_close(range.clone());
            }
        }
        match &event {
            Event::Start(_) => self.depth += 1,
            Event::End(_) => self.depth -= 1,
            _ => {}
        }
        record_reference(&event, range.start, false, &mut self.deck.refs);
        if let Event::InlineHtml(h) = &event {
            scan_html_refs(h, range.start, false, &mut self.deck.refs);
        }
        self.events.push(event);
    }

    /// An HTML block: its comments become notes, the rest stays HTML.
    fn html(&mut self, range: Range<usize>) {
        let block = &self.text[range.clone()];
        let mut kept = String::new();
        let mut pos = 0;
        while let Some(i) = block[pos..].find("<!--") {
            let start = pos + i;
            self.keep_piece(&mut kept, range.start + pos..range.start + start);
            match self.comment(range.start + start) {
                Comment::Closed(end) => pos = (end - range.start).min(block.len()),
                // What the open comment swallowed is read as the slides it
                // was meant to be; a few levels deep at most, as each level
                // reads the rest of the block again.
                Comment::Recovered(resume) if self.recovering < MAX_RECOVERIES => {
                    self.keep_html(kept);
                    if resume < range.end {
                        self.recovering += 1;
                        self.feed(resume..range.end);
                        self.recovering -= 1;
                    }
                    return;
                }
                Comment::Recovered(_) => {
                    pos = block.len();
                    break;
                }
            }
        }
        self.keep_piece(&mut kept, range.start + pos..range.end);
        self.keep_html(kept);
    }

    /// A piece of an HTML block between its comments, kept, with what it
    /// loads recorded at the piece's own place in the text.
    fn keep_piece(&mut self, kept: &mut String, piece: Range<usize>) {
        let text = &self.text[piece.clone()];
        scan_html_refs(text, piece.start, false, &mut self.deck.refs);
        kept.push_str(text);
    }

    fn keep_html(&mut self, kept: String) {
        if !kept.trim().is_empty() {
            self.events.push(Event::Html(CowStr::from(kept)));
        }
    }

    /// A `-->` that ends a line of text: a note's end whose `<!--` is
    /// missing.
    fn stray_close(&mut self, range: Range<usize>) {
        let raw = &self.text[range.clone()];
        if memchr::memchr(b'>', raw.as_bytes()).is_none() {
            return;
        }
        let Some(i) = memchr::memmem::find(raw.as_bytes(), b"-->") else {
            return;
        };
        let after = &self.text[range.start + i + 3..];
        let line_rest = after.split('\n').next().unwrap_or("");
        if line_rest.trim().is_empty() {
            self.deck.text_problems.push(TextProblem::StrayClose {
                at: range.start + i,
            });
        }
    }

    /// A comment starting at `start` of the text: the current slide's
    /// notes. A comment never closed, or closed only after another `<!--`,
    /// ends at the next heading or rule instead, so the slides after it
    /// are kept.
    fn comment(&mut self, start: usize) -> Comment {
        let inner = start + 4;
        let close = memchr::memmem::find(&self.text.as_bytes()[inner..], b"-->").map(|i| inner + i);
        let searched = &self.text[inner..close.unwrap_or(self.text.len())];
        let reopened = memchr::memmem::find(searched.as_bytes(), b"<!--").map(|i| inner + i);
        let (end, found) = match (close, reopened) {
            (Some(close), None) => {
                // reveal.js's `<!-- .slide: ... -->` sets the slide's
                // attributes; it is no note.
                let inside = self.text[inner..close].trim_start();
                if let Some(attrs) = inside.strip_prefix(".slide:") {
                    self.current.attrs.read(attrs);
                    self.background_ref(start);
                    return Comment::Closed(close + 3);
                }
                (close, Comment::Closed(close + 3))
            }
            (_, reopened) => {
                let limit = reopened.unwrap_or(self.text.len());
                let resume = next_slide_line(self.text, inner, limit);
                self.deck.text_problems.push(match reopened {
                    Some(at) => TextProblem::Reopened { at, opened: start },
                    None => TextProblem::Unclosed { at: start },
                });
                (resume, Comment::Recovered(resume))
            }
        };
        self.current.notes.push(inner..end);
        if self.notes_tx.is_some() {
            self.notes_batch.push(inner..end);
            if self.notes_batch.len() == NOTES_BATCH {
                self.send_notes();
            }
        }
        found
    }

    /// A slide's background picture is copied and checked like any other.
    fn background_ref(&mut self, at: usize) {
        if let Some(url) = self.current.attrs.get("data-background-image") {
            self.deck.refs.push(Reference {
                kind: RefKind::Image,
                url: url.to_string(),
                at,
                in_notes: false,
            });
        }
    }

    fn start_slide(&mut self, kind: SlideKind, at: usize) {
        self.flush();
        self.current = new_slide(kind, at);
    }

    /// Ends the current slide, keeping it unless it is an empty one left
    /// by a rule right before a heading.
    fn flush(&mut self) {
        for _ in 0..std::mem::take(&mut self.pauses) {
            self.events.push(Event::Html(CowStr::Borrowed("</div>\n")));
        }
        let html = self.render.html(self.events.drain(..));
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

/// Comments left open recovered one inside the other, at most: past
/// that, the rest of the block is the note, as if the comment had run on.
const MAX_RECOVERIES: usize = 8;

/// How a comment ended.
enum Comment {
    /// At its `-->`: reading goes on just after it.
    Closed(usize),
    /// Never properly: reading goes on here, where its slides resume.
    Recovered(usize),
}

/// Where the text after `from` (and before `limit`) starts a new slide: a
/// line that is a heading or a rule, else `limit`.
fn next_slide_line(text: &str, from: usize, limit: usize) -> usize {
    let mut at = from;
    while let Some(nl) = text[at..limit].find('\n') {
        let line = at + nl + 1;
        let rest = &text[line..limit];
        let first = rest.split('\n').next().unwrap_or("").trim_end();
        let heading =
            first.starts_with('#') && first.trim_start_matches('#').starts_with([' ', '\t']);
        let rule = first.len() >= 3 && first.chars().all(|c| c == '-');
        if heading || rule || (first.starts_with('#') && first.chars().all(|c| c == '#')) {
            return line;
        }
        at = line;
    }
    limit
}

/// Notes sent to the notes thread at a time.
const NOTES_BATCH: usize = 64;

fn heading_level(l: HeadingLevel) -> u8 {
    l as u8
}

/// Renders one note, with the references it makes.
pub(super) fn render_note<R: Render>(
    text: &str,
    note: Range<usize>,
    render: &R,
) -> (String, Vec<Reference>) {
    let mut refs = Vec::new();
    let md = &text[note.clone()];
    if md.trim().is_empty() {
        return (String::new(), refs);
    }
    let mut events = Vec::with_capacity(md.len() / 16);
    for (event, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        let at = note.start + range.start;
        record_reference(&event, at, true, &mut refs);
        if let Event::Html(h) | Event::InlineHtml(h) = &event {
            scan_html_refs(h, at, true, &mut refs);
        }
        events.push(event);
    }
    (render.html(events.into_iter()), refs)
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

/// What raw HTML loads, as references: pictures as images, the rest
/// (scripts, stylesheets, frames, media, CSS addresses) as resources.
fn scan_html_refs(html: &str, at: usize, in_notes: bool, refs: &mut Vec<Reference>) {
    for load in super::loads::loads(html) {
        refs.push(Reference {
            kind: if load.picture {
                RefKind::Image
            } else {
                RefKind::Resource
            },
            url: load.url,
            at: at + load.at,
            in_notes,
        });
    }
}
