//! The repeated part of the deck page, written in Rust: one `<section>`
//! per slide (the handout shows the same sections, scaled down: see
//! [`super::handout`]). A template engine looks up every variable by name, which
//! for a deck of ten thousand slides costs more than parsing the Markdown;
//! the page around these parts stays a Tera template. They are written
//! straight into the page's file as it is written, never held whole.

use std::io::{Result, Write};

use super::escape;
use crate::deck::{Cover, Deck, Slide, SlideAttrs, SlideKind};

pub(super) fn kind_name(kind: SlideKind) -> &'static str {
    match kind {
        SlideKind::Title => "title",
        SlideKind::Section => "section",
        SlideKind::Content => "content",
    }
}

/// The title slide's text: the deck's title unless its own text has a
/// level-1 heading, then the text, then authors and date.
fn title_content(out: &mut impl Write, s: &Slide, t: &Cover, class: &str) -> Result<()> {
    if !s.body_html.contains("<h1") {
        write!(out, "\n<h1>{}</h1>", escape(&t.title))?;
    }
    write!(out, "\n{}", s.body_html)?;
    if !t.authors.is_empty() {
        write!(
            out,
            "\n<p class=\"{class}-authors\">{}</p>",
            escape(&t.authors.join(", "))
        )?;
    }
    if !t.date.is_empty() {
        write!(out, "\n<p class=\"{class}-date\">{}</p>", escape(&t.date))?;
    }
    Ok(())
}

/// The deck's slides: reveal.js markup, notes in `<aside class="notes">`.
pub fn deck_sections(out: &mut impl Write, deck: &Deck, t: &Cover) -> Result<()> {
    for (i, s) in deck.slides.iter().enumerate() {
        section(out, s, i + 1, t, Shown::InDeck)?;
    }
    Ok(())
}

/// Where a slide's section is written.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Shown {
    /// In the deck: with its id and its notes.
    InDeck,
    /// A picture of it elsewhere (the handout): neither.
    Picture,
}

/// One slide as a `<section>`, numbered `number`.
pub(super) fn section(
    out: &mut impl Write,
    s: &Slide,
    number: usize,
    t: &Cover,
    shown: Shown,
) -> Result<()> {
    out.write_all(b"\n<section")?;
    if shown == Shown::InDeck {
        write!(out, " id=\"{}\"", escape(&s.id))?;
    }
    write!(
        out,
        " data-kind=\"{}\" data-number=\"{number}\"",
        kind_name(s.kind),
    )?;
    // reveal.js paces its speaker view by `data-timing`; so does ours.
    if shown == Shown::InDeck {
        write!(out, " data-timing=\"{}\"", s.seconds)?;
    }
    if !s.title.is_empty() {
        write!(out, " data-title=\"{}\"", escape(&s.title))?;
    }
    section_attrs(out, &s.attrs)?;
    out.write_all(b">")?;
    if s.kind == SlideKind::Title {
        out.write_all(b"\n<div class=\"sb-titleblock\">")?;
        title_content(out, s, t, "sb")?;
        out.write_all(b"\n</div>")?;
    } else {
        write!(out, "\n{}", s.body_html)?;
    }
    if !t.footer.is_empty() {
        write!(
            out,
            "\n<div class=\"sb-footer\">{}</div>",
            escape(&t.footer)
        )?;
    }
    if let Some(logo) = &t.logo {
        write!(
            out,
            "\n<img class=\"sb-logo\" src=\"{}\" alt=\"\">",
            escape(logo)
        )?;
    }
    if s.has_notes() && shown == Shown::InDeck {
        write!(out, "\n<aside class=\"notes\">\n{}\n</aside>", s.notes_html)?;
    }
    out.write_all(b"\n</section>")?;
    Ok(())
}

/// What the author set on a slide, on its `<section>`: classes, the
/// attributes as written (reveal.js reads `data-background-*` itself), and
/// for the built-in runtime the background as a style, so it shows in
/// print too.
fn section_attrs(out: &mut impl Write, a: &SlideAttrs) -> Result<()> {
    let mut classes = a.classes.clone();
    // On a dark background the text turns light, as reveal.js does it.
    let bg = a.get("data-background-color").or(a.get("data-background"));
    let lightness = bg
        .and_then(crate::colour::parse)
        .map(crate::colour::lightness);
    if lightness.is_some_and(|l| l < 0.4) {
        classes.push("has-dark-background".to_string());
    }
    if !classes.is_empty() {
        write!(out, " class=\"{}\"", escape(&classes.join(" ")))?;
    }
    let mut style = String::new();
    for (key, value) in &a.attrs {
        // Names other than an attribute's would break the tag.
        let name_ok = key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            && key.starts_with(|c: char| c.is_ascii_alphabetic());
        if !name_ok
            || matches!(
                key.as_str(),
                "id" | "class" | "style" | "data-kind" | "data-number" | "data-title"
            )
        {
            continue;
        }
        write!(out, " {key}=\"{}\"", escape(value))?;
        match key.as_str() {
            "data-background-color" | "data-background" if plain_css(value) => {
                style.push_str(&format!("background-color: {value}; "));
            }
            "data-background-image" if !value.contains(['"', '\\', '\n']) => {
                style.push_str(&format!(
                    "background-image: url(\"{value}\"); background-size: cover; background-position: center; "
                ));
            }
            _ => {}
        }
    }
    if let Some(css) = a.get("style") {
        style.push_str(css);
    }
    if !style.is_empty() {
        write!(out, " style=\"{}\"", escape(style.trim_end()))?;
    }
    Ok(())
}

/// A colour as CSS writes it (`#000`, `navy`, `rgb(0 0 0 / 50%)`): nothing
/// that could end the declaration.
fn plain_css(value: &str) -> bool {
    !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '#' | '(' | ')' | ',' | '.' | '%' | ' ' | '/' | '-')
        })
}
