//! The built-in page templates, written in Rust: the same bytes Tera
//! writes from `templates/deck.html` and `templates/handout.html` (a test
//! holds them together), without parsing a template on every build. A
//! talk with its own page templates goes through Tera.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::page::{Part, Piece};
use super::views::{BookView, DeckView, HandoutView};

/// A page being put together: short texts gathered into one string, the
/// runtime borrowed where it stands, the generated parts left as places.
#[derive(Default)]
struct Shell<'a> {
    pieces: Vec<Piece<'a>>,
    text: String,
}

impl<'a> Shell<'a> {
    fn borrowed(&mut self, text: &'a str) {
        self.end_text();
        self.pieces.push(Piece::Text(Cow::Borrowed(text)));
    }

    fn part(&mut self, part: Part) {
        self.end_text();
        self.pieces.push(Piece::Part(part));
    }

    fn end_text(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.pieces.push(Piece::Text(Cow::Owned(text)));
        }
    }

    fn finish(mut self) -> Vec<Piece<'a>> {
        self.end_text();
        self.pieces
    }
}

impl std::fmt::Write for Shell<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

/// Tera's escaping of a value, so the bytes match.
fn e(s: &str) -> String {
    tera::escape_html(s)
}

/// The title the pages show: the deck's, else the book's.
fn title(book: &BookView, deck: &DeckView) -> String {
    e(if deck.title.is_empty() {
        &book.title
    } else {
        &deck.title
    })
}

fn head_meta(out: &mut Shell, book: &BookView) {
    if !book.description.is_empty() {
        let _ = write!(
            out,
            "\n<meta name=\"description\" content=\"{}\">",
            e(&book.description)
        );
    }
    if !book.authors.is_empty() {
        let _ = write!(
            out,
            "\n<meta name=\"author\" content=\"{}\">",
            e(&book.authors.join(", "))
        );
    }
}

fn theme(deck: &DeckView) -> String {
    match deck.theme {
        "light" => String::new(),
        other => format!(" data-theme=\"{}\"", e(other)),
    }
}

fn css_links(out: &mut Shell, deck: &DeckView) {
    for href in &deck.css {
        let _ = write!(out, "\n<link rel=\"stylesheet\" href=\"{}\">", e(href));
    }
}

/// `deck.html`, with a place for the slides.
pub(super) fn deck<'a>(
    book: &BookView,
    deck: &DeckView,
    reveal: &str,
    [css, layout]: [&'a str; 2],
    js: &'a str,
) -> Vec<Piece<'a>> {
    let (w, h) = (deck.width, deck.height);
    let theme = theme(deck);
    let mut out = Shell::default();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"{theme}>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"slidebook\">\n<title>{}</title>",
        e(&book.language),
        title(book, deck)
    );
    head_meta(&mut out, book);
    if reveal.is_empty() {
        out.text.push_str("\n<style>\n");
        out.borrowed(css);
        out.text.push_str("\n</style>\n<style>\n");
        out.borrowed(layout);
        let _ = write!(out,
            "\n</style>\n<style>\n:root {{ --sb-w: {w}px; --sb-h: {h}px; }}\n@page {{ size: {w}px {h}px; margin: 0; }}\n</style>\n<noscript><style>\nhtml, body {{ height: auto; overflow: auto; }}\n.reveal {{ position: static; overflow: visible; }}\n.reveal > .slides {{ position: static; transform: none; height: auto; margin: 0 auto; background: none; box-shadow: none; }}\n.reveal > .slides > section {{ display: flex; position: relative; width: var(--sb-w); height: var(--sb-h); margin-bottom: 16px; }}\n</style></noscript>"
        );
    } else {
        let r = e(reveal);
        let _ = write!(out,
            "\n<link rel=\"stylesheet\" href=\"{r}/dist/reveal.css\">\n<link rel=\"stylesheet\" href=\"{r}/dist/theme/white.css\">\n<style>\n:root {{ --sb-w: {w}px; --sb-h: {h}px; }}\n"
        );
        out.borrowed(layout);
        out.text.push_str("\n</style>");
        if deck.pinned {
            out.text
                .push_str("\n<style>\n.reveal .slides > section { height: 100%; }\n</style>");
        }
    }
    css_links(&mut out, deck);
    let _ = write!(out,
        "\n</head>\n<body>\n<div class=\"reveal\" data-width=\"{w}\" data-height=\"{h}\" data-aspect=\"{}\" data-deck=\"{}\">\n<div class=\"slides\">",
        e(deck.aspect),
        e(&deck.name)
    );
    out.part(Part::Slides);
    out.text.push_str("\n</div>\n</div>");
    if reveal.is_empty() {
        out.text.push_str("\n<script>\n");
        out.borrowed(js);
        out.text.push_str("\n</script>");
    } else {
        let _ = write!(out,
            "\n<script src=\"{}/dist/reveal.js\"></script>\n<script>\nReveal.initialize({{ hash: true, width: {w}, height: {h}{} }});\n</script>",
            e(reveal),
            if deck.pinned { ", center: false" } else { "" }
        );
    }
    out.text.push_str("\n</body>\n</html>\n");
    out.finish()
}

/// `handout.html`, with places for the contents and the entries.
pub(super) fn handout<'a>(
    book: &BookView,
    deck: &DeckView,
    handout: &HandoutView,
    [runtime, layout, css]: [&'a str; 3],
) -> Vec<Piece<'a>> {
    let (w, h) = (deck.width, deck.height);
    let title = title(book, deck);
    let mut out = Shell::default();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"{}>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"slidebook\">\n<title>{title} (handout)</title>",
        e(&book.language),
        theme(deck),
    );
    head_meta(&mut out, book);
    for text in [runtime, layout, css] {
        out.text.push_str("\n<style>\n");
        out.borrowed(text);
        out.text.push_str("\n</style>");
    }
    let _ = write!(
        out,
        "\n<style>\n:root {{ --sb-w: {w}px; --sb-h: {h}px; --sb-ratio: {w} / {h}; }}\n{}\n</style>",
        handout.css
    );
    css_links(&mut out, deck);
    let _ = write!(out,
        "\n</head>\n<body>\n<main class=\"handout h-notes-{}\" data-aspect=\"{}\" data-paper=\"{}\" data-per-page=\"{}\">\n<header class=\"h-header\">",
        e(handout.notes),
        e(deck.aspect),
        e(handout.paper),
        handout.per_page,
    );
    if !book.title.is_empty() && book.title != deck.title {
        let _ = write!(out, "\n<p class=\"h-book\">{}</p>", e(&book.title));
    }
    let _ = write!(out, "\n<h1>{title}</h1>");
    let authors = !book.authors.is_empty();
    if authors || !deck.date.is_empty() {
        out.text.push_str("\n<p class=\"h-meta\">");
        if authors {
            let _ = write!(
                out,
                "<span class=\"h-authors\">{}</span>",
                e(&book.authors.join(", "))
            );
        }
        if authors && !deck.date.is_empty() {
            out.text
                .push_str("<span class=\"h-sep\" aria-hidden=\"true\"> · </span>");
        }
        if !deck.date.is_empty() {
            let _ = write!(out, "<span class=\"h-date\">{}</span>", e(&deck.date));
        }
        out.text.push_str("</p>");
    }
    if !book.description.is_empty() {
        let _ = write!(
            out,
            "\n<p class=\"h-description\">{}</p>",
            e(&book.description)
        );
    }
    out.text.push_str(
        "\n</header>\n\n<nav class=\"h-toc\" aria-labelledby=\"h-toc-title\">\n<h2 id=\"h-toc-title\">Contents</h2>\n<ol>",
    );
    out.part(Part::Toc);
    out.text.push_str("\n</ol>\n</nav>\n\n");
    out.part(Part::Entries);
    out.text.push_str("\n</main>\n</body>\n</html>\n");
    out.finish()
}
