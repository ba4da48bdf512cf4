//! Markdown events to HTML, as slides and notes show them: what
//! pulldown-cmark writes, with fenced code in a known language
//! highlighted at build time.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use std::collections::HashSet;

use super::escape;
use super::highlight::Highlighter;
use crate::deck::Render;

/// The writer the deck stage is handed for slide bodies and notes.
pub struct Markdown<'h> {
    pub highlighter: &'h Highlighter,
    /// Images (their URLs as written) that are not there: each shows as a
    /// box that names it.
    pub missing_images: Option<&'h HashSet<String>>,
}

impl Render for Markdown<'_> {
    fn html<'e>(&self, events: impl Iterator<Item = Event<'e>>) -> String {
        let mut html = String::new();
        let mut code = None;
        let mut in_missing = 0;
        let events = events
            .filter_map(|e| match self.missing_images {
                Some(missing) => placeholder_step(&mut in_missing, e, missing),
                None => Some(e),
            })
            .filter_map(|e| highlight_step(&mut code, e, self.highlighter));
        pulldown_cmark::html::push_html(&mut html, events);
        html
    }
}

/// Passes events through, except a missing image, which comes out as a
/// box that says what is missing (its alt text dropped with it).
fn placeholder_step<'e>(
    depth: &mut usize,
    event: Event<'e>,
    missing: &HashSet<String>,
) -> Option<Event<'e>> {
    match event {
        Event::Start(Tag::Image { ref dest_url, .. })
            if *depth > 0 || missing.contains(dest_url.as_ref()) =>
        {
            *depth += 1;
            (*depth == 1).then(|| {
                Event::Html(CowStr::from(format!(
                    "<span class=\"sb-missing\" role=\"img\" aria-label=\"missing image: {0}\">missing image: <code>{0}</code></span>",
                    escape(dest_url)
                )))
            })
        }
        Event::End(TagEnd::Image) if *depth > 0 => {
            *depth -= 1;
            None
        }
        _ if *depth > 0 => None,
        e => Some(e),
    }
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
