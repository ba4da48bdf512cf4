//! The repeated parts of the pages, written in Rust: one `<section>` per
//! slide for the deck, one entry per slide for the handout, and its table
//! of contents. A template engine looks up every variable by name, which
//! for a deck of ten thousand slides costs more than parsing the Markdown;
//! the page around these parts stays a Tera template. They are written
//! straight into the page's file as it is written, never held whole.

use std::io::{Result, Write};

use super::escape;
use crate::deck::{Cover, Deck, Slide, SlideAttrs, SlideKind};

fn kind_name(kind: SlideKind) -> &'static str {
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
        write!(
            out,
            "\n<section id=\"{}\" data-kind=\"{}\" data-number=\"{}\"",
            escape(&s.id),
            kind_name(s.kind),
            i + 1
        )?;
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
        if s.has_notes() {
            write!(out, "\n<aside class=\"notes\">\n{}\n</aside>", s.notes_html)?;
        }
        out.write_all(b"\n</section>")?;
    }
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
    if bg.and_then(luminance).is_some_and(|l| l < 0.4) {
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

/// How light a `#rgb`, `#rrggbb` or `rgb(r, g, b)` colour is, from 0 to 1.
fn luminance(colour: &str) -> Option<f64> {
    let c = colour.trim();
    let (r, g, b) = if let Some(hex) = c.strip_prefix('#') {
        let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
        match hex.len() {
            3 | 4 => (digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17),
            6 | 8 => (digit(0, 2)?, digit(2, 2)?, digit(4, 2)?),
            _ => return None,
        }
    } else {
        let inner = c
            .strip_prefix("rgb(")
            .or(c.strip_prefix("rgba("))?
            .strip_suffix(')')?;
        let mut parts = inner.split([',', ' ', '/']).filter(|p| !p.is_empty());
        let mut next = || parts.next()?.parse::<u8>().ok();
        (next()?, next()?, next()?)
    };
    Some((0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)) / 255.0)
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

/// The handout's table of contents: one link per slide.
pub fn handout_toc(out: &mut impl Write, deck: &Deck, t: &Cover) -> Result<()> {
    for (i, s) in deck.slides.iter().enumerate() {
        let n = i + 1;
        let label = match (s.title.is_empty(), s.kind) {
            (false, _) => escape(&s.title),
            (true, SlideKind::Title) => escape(&t.title),
            (true, _) => format!("Slide {n}").into(),
        };
        write!(
            out,
            "\n<li class=\"h-toc-kind-{}\"><a href=\"#{}\"><span class=\"h-toc-num\">{n}</span> <span class=\"h-toc-title\">{label}</span></a></li>",
            kind_name(s.kind),
            escape(&s.id),
        )?;
    }
    Ok(())
}

/// The handout's entries: each slide beside its notes.
pub fn handout_entries(out: &mut impl Write, deck: &Deck, t: &Cover) -> Result<()> {
    for (i, s) in deck.slides.iter().enumerate() {
        let n = i + 1;
        let notes = s.has_notes();
        let own_heading = s.kind == SlideKind::Title
            || ["<h1", "<h2", "<h3"]
                .iter()
                .any(|h| s.body_html.contains(h));
        let title = escape(&s.title);
        write!(
            out,
            "\n<article class=\"h-slide h-kind-{kind}{none}\" id=\"{id}\" aria-label=\"Slide {n}{sep}{title}\">\n<div class=\"h-slide-head\"><span class=\"h-num\">{n}</span>",
            kind = kind_name(s.kind),
            none = if notes { "" } else { " h-no-notes" },
            id = escape(&s.id),
            sep = if s.title.is_empty() { "" } else { ": " },
        )?;
        if !s.title.is_empty() && !own_heading {
            write!(out, " <span class=\"h-title\">{title}</span>")?;
        }
        write!(
            out,
            "</div>\n<div class=\"h-pair\">\n<div class=\"h-frame\" data-kind=\"{}\">\n<div class=\"h-content\">",
            kind_name(s.kind)
        )?;
        if s.kind == SlideKind::Title {
            title_content(out, s, t, "h")?;
        } else {
            write!(out, "\n{}", s.body_html)?;
        }
        out.write_all(b"\n</div>\n</div>\n<div class=\"h-notes\">\n")?;
        if notes {
            out.write_all(s.notes_html.as_bytes())?;
        } else {
            out.write_all(b"<p class=\"h-none\">No notes.</p>")?;
        }
        out.write_all(b"\n</div>\n</div>\n</article>")?;
    }
    Ok(())
}
