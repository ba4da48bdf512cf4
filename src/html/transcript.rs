//! The transcript as a page of its own: every slide's number and title
//! with its notes, for the trainer to read or print.

use super::escape;
use crate::deck::Deck;

/// `transcript.html`: each slide with notes, its number and title, and
/// the notes as the speaker view shows them (rendered once, for both).
pub fn page(title: &str, language: &str, deck: &Deck) -> String {
    let mut body = String::new();
    for (n, slide) in deck.slides.iter().enumerate() {
        if !slide.has_notes() {
            continue;
        }
        body.push_str(&format!(
            "<h2>{}. {}</h2>\n{}",
            n + 1,
            escape(slide.transcript_title()),
            slide.notes_html
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"slidebook\">\n<title>{} (transcript)</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n{body}</main>\n</body>\n</html>\n",
        escape(language),
        escape(title),
        escape(title)
    )
}

/// Readable on a screen and on paper: a column of text, each slide's
/// heading kept with its notes.
const STYLE: &str = "body { margin: 0; font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", \"Liberation Sans\", Arial, sans-serif; line-height: 1.5; color: #1d2330; }
main { max-width: 42em; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.8em; margin: 0 0 1em; }
h2 { font-size: 1.15em; margin: 1.6em 0 0.4em; padding-top: 0.4em; border-top: 1px solid #d9dfe7; break-after: avoid; }
pre, code { font-family: ui-monospace, \"DejaVu Sans Mono\", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f4f6f9; padding: 0.6em 0.8em; overflow-x: auto; }
img { max-width: 100%; }
@page { size: A4; margin: 18mm; }
@media print { main { max-width: none; margin: 0; padding: 0; } }";
