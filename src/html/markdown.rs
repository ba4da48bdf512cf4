//! Markdown events to HTML, as slides and notes show them: what
//! pulldown-cmark writes, with fenced code in a known language
//! highlighted at build time.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use super::highlight::Highlighter;
use crate::deck::Render;

/// The writer the deck stage is handed for slide bodies and notes.
pub struct Markdown<'h> {
    pub highlighter: &'h Highlighter,
}

impl Render for Markdown<'_> {
    fn html<'e>(&self, events: impl Iterator<Item = Event<'e>>) -> String {
        let mut html = String::new();
        let mut code = None;
        let events = events.filter_map(|e| highlight_step(&mut code, e, self.highlighter));
        pulldown_cmark::html::push_html(&mut html, events);
        html
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
