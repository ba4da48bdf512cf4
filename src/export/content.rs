//! What an exported slide holds, read again from its Markdown: a title,
//! blocks of body (paragraphs, lists, code, tables, pictures) and notes
//! as blocks too. The deck's HTML is not reused: a presentation file wants
//! structure (a list is a list, a table a table), not markup.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::deck::{self, Cover, Slide, SlideKind};
use crate::html::Highlighter;

/// A slide as an export writes it.
#[derive(Debug)]
pub struct Page {
    pub kind: SlideKind,
    pub title: String,
    /// The lines under the title of a title slide (authors, date).
    pub subtitle: Vec<String>,
    pub body: Vec<Block>,
    pub notes: Vec<Block>,
    /// What the format cannot carry and was shown in its final state.
    pub flattened: Vec<&'static str>,
    /// Where the slide starts in the expanded text.
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Vec<Run>),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    /// Lines of code, each a list of coloured runs.
    Code(Vec<Vec<Run>>),
    Table(Vec<Vec<Vec<Run>>>),
    Picture {
        /// As the slide wrote it, resolved against the talk's root.
        src: String,
        alt: String,
    },
}

/// Text in one style.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub colour: Option<[u8; 3]>,
}

impl Run {
    fn plain(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }
}

/// The text of runs, unstyled.
pub fn plain_text(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

/// Every slide of a deck read for export. `text` is the expanded text the
/// deck was split from.
pub fn pages(text: &str, slides: &[Slide], cover: &Cover, hl: &Highlighter) -> Vec<Page> {
    let mut pages = Vec::with_capacity(slides.len());
    for (i, slide) in slides.iter().enumerate() {
        let end = slides.get(i + 1).map_or(text.len(), |s| s.at);
        let mut flattened = Vec::new();
        let notes = slide
            .notes
            .iter()
            .flat_map(|r| blocks(note_text(&text[r.clone()]), hl, &mut Vec::new()))
            .collect();
        let (title, subtitle, body) = match slide.kind {
            SlideKind::Title => {
                let mut lines = vec![cover.authors.join(", "), cover.date.clone()];
                lines.retain(|l| !l.is_empty());
                (cover.title.clone(), lines, Vec::new())
            }
            _ => {
                let source = body_source(text, slide.at..end, &slide.notes);
                let body = blocks(&source, hl, &mut flattened);
                (slide.title.clone(), Vec::new(), body)
            }
        };
        // However they were asked for (`{.incremental}`, a div, book.toml),
        // the deck steps through marked fragments.
        if slide.body_html.contains("class=\"fragment") {
            flattened.push("fragments");
        }
        flattened.sort_unstable();
        flattened.dedup();
        pages.push(Page {
            kind: slide.kind,
            title,
            subtitle,
            body,
            notes,
            flattened,
            at: slide.at,
        });
    }
    pages
}

/// A note's Markdown without its comment marks.
fn note_text(raw: &str) -> &str {
    let t = raw.trim();
    let t = t.strip_prefix("<!--").unwrap_or(t);
    t.strip_suffix("-->").unwrap_or(t)
}

/// The slide's Markdown below its heading, without its notes, the comments
/// that set its attributes, or the marks of fenced divs (their content is
/// shown as it is).
fn body_source(text: &str, range: Range<usize>, notes: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    let mut cut: Vec<Range<usize>> = notes
        .iter()
        .filter(|n| n.start >= range.start && n.end <= range.end)
        .cloned()
        .collect();
    cut.sort_by_key(|r| r.start);
    for n in cut {
        if n.start >= at {
            out.push_str(&text[at..n.start]);
            at = n.end;
        }
    }
    out.push_str(&text[at..range.end]);
    let mut lines = out.split_inclusive('\n').peekable();
    let mut body = String::new();
    // The heading is the title, shown apart: an ATX line, or a setext one
    // with its underline.
    let first = lines.next().unwrap_or("");
    let underline = |l: &str| {
        let t = l.trim();
        !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
    };
    if first.trim_start().starts_with('#') {
    } else if lines.peek().is_some_and(|l| underline(l)) && !first.trim().is_empty() {
        lines.next();
    } else {
        body.push_str(first);
    }
    // Fence marks of divs are dropped, but not inside code.
    let code_fence = |t: &str| -> Option<(char, usize)> {
        let c = t.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let n = t.chars().take_while(|&x| x == c).count();
        (n >= 3).then_some((c, n))
    };
    let mut open: Option<(char, usize)> = None;
    for line in lines {
        let t = line.trim_start();
        let in_code = match (open, code_fence(t)) {
            (None, Some(f)) => {
                open = Some(f);
                true
            }
            (Some((c, n)), Some((c2, n2)))
                if c == c2 && n2 >= n && t.trim_end().chars().all(|x| x == c) =>
            {
                open = None;
                true
            }
            (o, _) => o.is_some(),
        };
        if !in_code && (t.starts_with(":::") || t.starts_with("<!-- .slide:")) {
            body.push('\n');
            continue;
        }
        body.push_str(line);
    }
    body
}

/// The Markdown `source` as blocks; what they cannot carry is named in
/// `flattened`.
pub fn blocks(source: &str, hl: &Highlighter, flattened: &mut Vec<&'static str>) -> Vec<Block> {
    let mut reader = Reader {
        hl,
        flattened,
        stack: vec![Open::Root(Vec::new())],
        style: Style::default(),
        code: None,
    };
    for event in Parser::new_ext(source, deck::markdown_options()) {
        reader.event(event);
    }
    match reader.stack.swap_remove(0) {
        Open::Root(blocks) => blocks,
        _ => Vec::new(),
    }
}

#[derive(Default, Clone, Copy)]
struct Style {
    bold: u32,
    italic: u32,
}

/// A container being filled.
enum Open {
    Root(Vec<Block>),
    Paragraph(Vec<Run>),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    Item(Vec<Block>, Vec<Run>),
    Table(Vec<Vec<Vec<Run>>>),
    Row(Vec<Vec<Run>>),
    Cell(Vec<Run>),
    /// Pictures read their alternative text as a paragraph does.
    Picture(String, Vec<Run>),
    /// Contents dropped (a heading below the slide's, a footnote's text).
    Skip(Vec<Run>),
}

struct Reader<'a> {
    hl: &'a Highlighter,
    flattened: &'a mut Vec<&'static str>,
    stack: Vec<Open>,
    style: Style,
    /// The language and text of a code block being read.
    code: Option<(String, String)>,
}

impl Reader<'_> {
    fn event(&mut self, event: Event) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, code) = self.code.take().expect("reading code");
                    let lines = code_lines(self.hl, &lang, &code);
                    self.push_block(Block::Code(lines));
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                // A pause (`. . .`) steps the slide on in the deck.
                if t.trim() == ". . ." {
                    self.flattened.push("fragments");
                    return;
                }
                self.run(Run {
                    text: t.into_string(),
                    ..self.styled()
                });
            }
            Event::Code(t) => self.run(Run {
                text: t.into_string(),
                code: true,
                ..self.styled()
            }),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.flattened.push("formulas");
                self.run(Run {
                    text: t.into_string(),
                    italic: true,
                    ..self.styled()
                });
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                if !h.trim_start().starts_with("<!--") && !h.trim().is_empty() {
                    self.flattened.push("raw HTML");
                }
            }
            Event::SoftBreak => self.run(Run::plain(" ")),
            Event::HardBreak => self.run(Run::plain("\n")),
            Event::TaskListMarker(done) => self.run(Run::plain(if done { "☑ " } else { "☐ " })),
            Event::FootnoteReference(_) | Event::Rule => {}
        }
    }

    fn styled(&self) -> Run {
        Run {
            bold: self.style.bold > 0,
            italic: self.style.italic > 0,
            ..Run::default()
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => {
                // A list item's own text runs on in the item.
                if !matches!(self.stack.last(), Some(Open::Item(..))) {
                    self.stack.push(Open::Paragraph(Vec::new()));
                }
            }
            Tag::Heading { .. } => {
                // A heading below the slide's shows as a bold paragraph.
                self.stack.push(Open::Paragraph(Vec::new()));
                self.style.bold += 1;
            }
            Tag::BlockQuote(_) => self.style.italic += 1,
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                if info_has_steps(&lang) {
                    self.flattened.push("fragments");
                }
                self.code = Some((lang, String::new()));
            }
            Tag::List(first) => self.stack.push(Open::List {
                ordered: first.is_some(),
                items: Vec::new(),
            }),
            Tag::Item => self.stack.push(Open::Item(Vec::new(), Vec::new())),
            Tag::Table(_) => self.stack.push(Open::Table(Vec::new())),
            Tag::TableHead | Tag::TableRow => self.stack.push(Open::Row(Vec::new())),
            Tag::TableCell => self.stack.push(Open::Cell(Vec::new())),
            Tag::Emphasis => self.style.italic += 1,
            Tag::Strong => self.style.bold += 1,
            Tag::Image { dest_url, .. } => self
                .stack
                .push(Open::Picture(dest_url.into_string(), Vec::new())),
            Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) => {
                self.stack.push(Open::Skip(Vec::new()))
            }
            Tag::HtmlBlock => {}
            Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Superscript
            | Tag::Subscript
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                if let Some(Open::Paragraph(_)) = self.stack.last() {
                    if let Some(Open::Paragraph(runs)) = self.stack.pop() {
                        self.paragraph(runs);
                    }
                }
            }
            TagEnd::Heading(_) => {
                self.style.bold = self.style.bold.saturating_sub(1);
                if let Some(Open::Paragraph(runs)) = self.stack.pop() {
                    self.paragraph(runs);
                }
            }
            TagEnd::BlockQuote(_) => self.style.italic = self.style.italic.saturating_sub(1),
            TagEnd::List(_) => {
                if let Some(Open::List { ordered, items }) = self.stack.pop() {
                    self.push_block(Block::List { ordered, items });
                }
            }
            TagEnd::Item => {
                if let Some(Open::Item(mut blocks, runs)) = self.stack.pop() {
                    if !runs.is_empty() {
                        blocks.insert(0, Block::Paragraph(trimmed(runs)));
                    }
                    if let Some(Open::List { items, .. }) = self.stack.last_mut() {
                        items.push(blocks);
                    }
                }
            }
            TagEnd::Table => {
                if let Some(Open::Table(rows)) = self.stack.pop() {
                    self.push_block(Block::Table(rows));
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(Open::Row(cells)) = self.stack.pop() {
                    if let Some(Open::Table(rows)) = self.stack.last_mut() {
                        rows.push(cells);
                    }
                }
            }
            TagEnd::TableCell => {
                if let Some(Open::Cell(runs)) = self.stack.pop() {
                    if let Some(Open::Row(cells)) = self.stack.last_mut() {
                        cells.push(trimmed(runs));
                    }
                }
            }
            TagEnd::Emphasis => self.style.italic = self.style.italic.saturating_sub(1),
            TagEnd::Strong => self.style.bold = self.style.bold.saturating_sub(1),
            TagEnd::Image => {
                if let Some(Open::Picture(src, runs)) = self.stack.pop() {
                    self.push_block(Block::Picture {
                        src,
                        alt: plain_text(&runs),
                    });
                }
            }
            TagEnd::FootnoteDefinition | TagEnd::MetadataBlock(_) => {
                self.stack.pop();
            }
            _ => {}
        }
    }

    /// Text into whatever is open.
    fn run(&mut self, run: Run) {
        match self.stack.last_mut() {
            Some(
                Open::Paragraph(runs)
                | Open::Item(_, runs)
                | Open::Cell(runs)
                | Open::Picture(_, runs)
                | Open::Skip(runs),
            ) => push_run(runs, run),
            // Text straight in a container (a tight list's item holds its
            // text without a paragraph): a paragraph of its own.
            _ => {
                if !run.text.trim().is_empty() {
                    self.push_block(Block::Paragraph(vec![run]));
                }
            }
        }
    }

    fn paragraph(&mut self, runs: Vec<Run>) {
        // A picture alone in its paragraph is a block already; what is
        // left is the `{width=…}` after it.
        let runs = trimmed(runs);
        let text = plain_text(&runs);
        if text.trim().is_empty() || (text.starts_with('{') && text.trim_end().ends_with('}')) {
            return;
        }
        self.push_block(Block::Paragraph(runs));
    }

    fn push_block(&mut self, block: Block) {
        // Inside a footnote's text or metadata: not on the slide.
        if self.stack.iter().any(|o| matches!(o, Open::Skip(_))) {
            return;
        }
        // A picture inside a paragraph leaves it as a block of its own,
        // before the paragraph's text.
        let at = self
            .stack
            .iter()
            .rposition(|o| matches!(o, Open::Root(_) | Open::Item(..)))
            .unwrap_or(0);
        match &mut self.stack[at] {
            Open::Root(blocks) => blocks.push(block),
            Open::Item(blocks, runs) => {
                if !runs.is_empty() {
                    let text = std::mem::take(runs);
                    blocks.push(Block::Paragraph(trimmed(text)));
                }
                blocks.push(block);
            }
            _ => {}
        }
    }
}

/// Whether a fence's info steps through its lines (`{1|2-3}`).
fn info_has_steps(info: &str) -> bool {
    info.contains('|')
}

fn push_run(runs: &mut Vec<Run>, run: Run) {
    if let Some(last) = runs.last_mut() {
        let same = last.bold == run.bold
            && last.italic == run.italic
            && last.code == run.code
            && last.colour == run.colour;
        if same {
            last.text.push_str(&run.text);
            return;
        }
    }
    runs.push(run);
}

/// Runs without white space at either end.
fn trimmed(mut runs: Vec<Run>) -> Vec<Run> {
    if let Some(first) = runs.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = runs.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    runs.retain(|r| !r.text.is_empty());
    runs
}

/// Each line of `code` as runs coloured by the deck's highlighter.
fn code_lines(hl: &Highlighter, lang: &str, code: &str) -> Vec<Vec<Run>> {
    let code = code.strip_suffix('\n').unwrap_or(code);
    hl.runs(lang, code)
        .into_iter()
        .map(|line| {
            line.into_iter()
                .map(|s| Run {
                    text: s.text,
                    bold: s.bold,
                    italic: s.italic,
                    code: true,
                    colour: s.colour,
                })
                .collect()
        })
        .collect()
}

/// The pictures of the pages, as the slides name them.
pub fn pictures(pages: &[Page]) -> Vec<String> {
    fn walk(blocks: &[Block], out: &mut Vec<String>) {
        for b in blocks {
            match b {
                Block::Picture { src, .. } => out.push(src.clone()),
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for p in pages {
        walk(&p.body, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(md: &str) -> Vec<Block> {
        blocks(md, &Highlighter::new(), &mut Vec::new())
    }

    #[test]
    fn lists_code_tables_and_pictures_keep_their_shape() {
        let b = read("Intro *em* text\n\n* one\n* two\n  1. inner\n\n```\na  b\n```\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n![alt text](img/a.png){width=40%}\n");
        assert_eq!(b.len(), 5, "{b:#?}");
        assert!(matches!(&b[0], Block::Paragraph(r) if plain_text(r) == "Intro em text"));
        let Block::List {
            ordered: false,
            items,
        } = &b[1]
        else {
            panic!("{b:#?}")
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1][1], Block::List { ordered: true, .. }));
        assert!(matches!(&b[2], Block::Code(lines) if plain_text(&lines[0]) == "a  b"));
        assert!(
            matches!(&b[3], Block::Table(rows) if rows.len() == 2 && plain_text(&rows[1][1]) == "2")
        );
        assert_eq!(
            b[4],
            Block::Picture {
                src: "img/a.png".into(),
                alt: "alt text".into()
            }
        );
    }

    #[test]
    fn the_body_is_what_is_under_the_title_with_code_kept_whole() {
        let text = "## Title\n\n```\n::: notes\n:::\n```\n::: columns\ntext\n:::\n";
        let body = body_source(text, 0..text.len(), &[]);
        assert_eq!(body, "\n```\n::: notes\n:::\n```\n\ntext\n\n");
        let text = "Setext title\n============\n\nbody\n";
        assert_eq!(body_source(text, 0..text.len(), &[]), "\nbody\n");
        let b = read("Text[^1] here.\n\n[^1]: The footnote text.\n");
        assert_eq!(b.len(), 1, "{b:#?}");
    }

    #[test]
    fn what_cannot_be_carried_is_named() {
        let mut flat = Vec::new();
        blocks(
            "a $x^2$ b\n\n. . .\n\n<div>raw</div>\n",
            &Highlighter::new(),
            &mut flat,
        );
        flat.sort_unstable();
        assert_eq!(flat, ["formulas", "fragments", "raw HTML"]);
    }
}
