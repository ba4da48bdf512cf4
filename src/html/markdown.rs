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
        let mut code: Option<Fence> = None;
        let mut events: Vec<Event<'e>> = events.collect();
        // Room for the usual slide at once, rather than growing by copies.
        let mut html = String::with_capacity(events.len() * 32);
        // Most slides have no picture and no address: those passes are
        // skipped for them.
        let (mut pictures, mut addresses) = (false, false);
        let mut after_picture = false;
        for e in &events {
            match e {
                Event::Start(Tag::Image { .. }) => pictures |= self.missing_images.is_some(),
                // Braces right after a picture are its attributes.
                Event::Text(t) if after_picture && t.starts_with('{') => pictures = true,
                Event::Text(t) if !addresses && has_scheme(t) => addresses = true,
                _ => {}
            }
            after_picture = matches!(e, Event::End(TagEnd::Image));
        }
        if pictures {
            events = images(events, self.missing_images);
        }
        if addresses {
            events = autolinks(events);
        }
        let events = events
            .into_iter()
            .map(math)
            .filter_map(|e| highlight_step(&mut code, e, self.highlighter));
        pulldown_cmark::html::push_html(&mut html, events);
        html
    }

    fn math(&self, tex: &str, display: bool) -> Option<(String, Option<String>)> {
        Some(formula(tex, display))
    }
}

/// Formulas the walk did not turn into HTML (those in notes).
fn math(event: Event<'_>) -> Event<'_> {
    match &event {
        Event::InlineMath(t) => Event::Html(CowStr::from(formula(t, false).0)),
        Event::DisplayMath(t) => Event::Html(CowStr::from(formula(t, true).0)),
        _ => event,
    }
}

/// A formula as MathML, which browsers show with no script and no
/// network; one that cannot be read shows as its source, marked, and why.
fn formula(tex: &str, display: bool) -> (String, Option<String>) {
    match to_mathml(tex, display) {
        Ok(mathml) => (mathml, None),
        Err(why) => (
            format!("<code class=\"sb-math-error\">{}</code>", escape(tex)),
            Some(why),
        ),
    }
}

/// The longest formula read, and how deep its groups may nest: the reader
/// recurses, and a talk must not be able to exhaust the stack.
const MATH_MAX: usize = 16 << 10;
const MATH_DEPTH: usize = 64;

fn to_mathml(tex: &str, display: bool) -> Result<String, String> {
    if tex.len() > MATH_MAX {
        return Err(format!("it is longer than {} KiB", MATH_MAX >> 10));
    }
    // The reader takes an unbalanced group silently and shows something
    // else than was meant: braces are counted here (`\{` and `\}` are
    // braces shown, not groups).
    let (mut depth, mut groups) = (0usize, 0usize);
    let mut chars = tex.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => groups += 1,
            '}' if groups == 0 => return Err("a `}` closes no group".to_string()),
            '}' => groups -= 1,
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth + groups > MATH_DEPTH {
            return Err(format!("its groups nest more than {MATH_DEPTH} deep"));
        }
    }
    if groups > 0 {
        return Err("a `{` is never closed".to_string());
    }
    let style = if display {
        latex2mathml::DisplayStyle::Block
    } else {
        latex2mathml::DisplayStyle::Inline
    };
    match std::panic::catch_unwind(|| latex2mathml::latex_to_mathml(tex, style)) {
        Ok(Ok(mathml)) => Ok(mathml),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the formula reader gave up on it".to_string()),
    }
}

/// Whether a text may hold a web address (`://`): a colon is looked for
/// first, which is quick, and most texts have none.
fn has_scheme(t: &str) -> bool {
    let b = t.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &b[from..]) {
        if b[from + i..].starts_with(b"://") {
            return true;
        }
        from += i + 1;
    }
    false
}

/// Images as the slide shows them: a missing one as a box that says what
/// is missing; one followed by pandoc's `{width=40% .right}` sized and
/// placed as that says (the braces are not shown).
fn images<'e>(events: Vec<Event<'e>>, missing: Option<&HashSet<String>>) -> Vec<Event<'e>> {
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &event
        else {
            out.push(event);
            continue;
        };
        let (url, title) = (dest_url.to_string(), title.to_string());
        // The alt text: everything up to the image's end, as plain text.
        let mut inner = vec![event];
        let mut alt = String::new();
        let mut depth = 1;
        for e in events.by_ref() {
            match &e {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) => depth -= 1,
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                _ => {}
            }
            inner.push(e);
            if depth == 0 {
                break;
            }
        }
        let attrs = match events.peek() {
            Some(Event::Text(t)) => image_attrs(t),
            _ => None,
        };
        // The text after the braces, which comes after the image.
        let mut rest = None;
        if let Some((_, used)) = &attrs {
            if let Some(Event::Text(t)) = events.next() {
                rest = Some(t[*used..].to_string()).filter(|r| !r.is_empty());
            }
        }
        if missing.is_some_and(|m| m.contains(&url)) {
            out.push(Event::Html(CowStr::from(format!(
                "<span class=\"sb-missing\" role=\"img\" aria-label=\"missing image: {0}\">missing image: <code>{0}</code></span>",
                escape(&url)
            ))));
        } else if let Some((a, _)) = &attrs {
            let mut html = format!("<img src=\"{}\" alt=\"{}\"", escape(&url), escape(&alt));
            if !title.is_empty() {
                html.push_str(&format!(" title=\"{}\"", escape(&title)));
            }
            html.push_str(&a.html());
            html.push_str(" />");
            out.push(Event::Html(CowStr::from(html)));
        } else {
            out.extend(inner);
        }
        if let Some(rest) = rest {
            out.push(Event::Text(CowStr::from(rest)));
        }
    }
    out
}

/// What pandoc's braces after an image say.
#[derive(Default)]
struct ImageAttrs {
    id: Option<String>,
    classes: Vec<String>,
    style: Vec<String>,
}

impl ImageAttrs {
    fn html(&self) -> String {
        let mut html = String::new();
        if let Some(id) = &self.id {
            html.push_str(&format!(" id=\"{}\"", escape(id)));
        }
        if !self.classes.is_empty() {
            html.push_str(&format!(" class=\"{}\"", escape(&self.classes.join(" "))));
        }
        if !self.style.is_empty() {
            html.push_str(&format!(" style=\"{}\"", escape(&self.style.join("; "))));
        }
        html
    }
}

/// Reads `{width=40% height=3em .right #fig}` at the start of `text`: the
/// attributes, and how many bytes they took. `None` when the text does not
/// start with such braces.
fn image_attrs(text: &str) -> Option<(ImageAttrs, usize)> {
    let body = text.strip_prefix('{')?;
    let end = body.find('}')?;
    let mut attrs = ImageAttrs::default();
    for word in body[..end].split_whitespace() {
        if let Some(class) = word.strip_prefix('.') {
            attrs.classes.push(class.to_string());
        } else if let Some(id) = word.strip_prefix('#') {
            attrs.id = Some(id.to_string());
        } else if let Some((key, value)) = word.split_once('=') {
            let value = value.trim_matches(['"', '\'']);
            // A percentage is of the slide (as on a reveal.js slide, which
            // has no margin), a bare number is pixels.
            let size = |v: &str, side: &str| -> Option<String> {
                let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
                let n: f64 = digits.parse().ok()?;
                Some(match &v[digits.len()..] {
                    "" => format!("{v}px"),
                    "%" => format!("calc(var(--sb-{side}) * {})", n / 100.0),
                    _ => v.to_string(),
                })
            };
            match key {
                "width" => attrs.style.push(format!("width: {}", size(value, "w")?)),
                "height" => attrs.style.push(format!("height: {}", size(value, "h")?)),
                _ => return None,
            }
        } else {
            return None;
        }
    }
    Some((attrs, end + 2))
}

/// Web addresses written out in text become links, as GitHub shows them.
fn autolinks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // The parser splits text where emphasis could start (an address may
    // hold `_`): the pieces are joined first.
    let mut joined: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for event in events {
        match (joined.last_mut(), event) {
            (Some(Event::Text(a)), Event::Text(b)) => {
                *a = CowStr::from(format!("{a}{b}"));
            }
            (_, event) => joined.push(event),
        }
    }
    let events = joined;
    let mut out = Vec::with_capacity(events.len());
    // Inside a link, an image or code, text stays text.
    let mut inside = 0usize;
    for event in events {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => inside += 1,
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                inside = inside.saturating_sub(1)
            }
            Event::Text(t) if inside == 0 && (t.contains("http://") || t.contains("https://")) => {
                let t = t.to_string();
                let mut rest = t.as_str();
                while let Some((before, url, after)) = find_url(rest) {
                    if !before.is_empty() {
                        out.push(Event::Text(CowStr::from(before.to_string())));
                    }
                    out.push(Event::Start(Tag::Link {
                        link_type: pulldown_cmark::LinkType::Autolink,
                        dest_url: CowStr::from(url.to_string()),
                        title: CowStr::from(""),
                        id: CowStr::from(""),
                    }));
                    out.push(Event::Text(CowStr::from(url.to_string())));
                    out.push(Event::End(TagEnd::Link));
                    rest = after;
                }
                if !rest.is_empty() {
                    out.push(Event::Text(CowStr::from(rest.to_string())));
                }
                continue;
            }
            _ => {}
        }
        out.push(event);
    }
    out
}

/// The first web address in `text`: what comes before it, it, and what
/// comes after. Punctuation that ends a sentence is not part of it, nor
/// a closing bracket it did not open.
fn find_url(text: &str) -> Option<(&str, &str, &str)> {
    let start = ["https://", "http://"]
        .iter()
        .filter_map(|p| text.find(p))
        .min()?;
    // A word that merely contains the scheme (`xhttps://`) is no address:
    // look again after it.
    if text[..start].ends_with(|c: char| c.is_alphanumeric()) {
        let skip = start + 4;
        let (before, url, after) = find_url(&text[skip..])?;
        return Some((&text[..skip + before.len()], url, after));
    }
    let len = text[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(text.len() - start);
    let mut url = &text[start..start + len];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        let unbalanced =
            trimmed.ends_with(')') && trimmed.matches('(').count() < trimmed.matches(')').count();
        let next = if unbalanced {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if next.len() == url.len() {
            break;
        }
        url = next;
    }
    let scheme_only = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .is_empty();
    if scheme_only {
        return None;
    }
    Some((&text[..start], url, &text[start + url.len()..]))
}

/// Passes events through, except fenced code with a language, which comes
/// out as one highlighted HTML event.
fn highlight_step<'e>(
    code: &mut Option<Fence>,
    event: Event<'e>,
    hl: &Highlighter,
) -> Option<Event<'e>> {
    match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) => {
            let (lang, lines) = fence_info(info);
            if lines.is_none() && (lang.is_empty() || !hl.knows(lang)) {
                return Some(event);
            }
            *code = Some(Fence {
                lang: lang.to_string(),
                lines,
                src: String::new(),
            });
            None
        }
        Event::Text(t) if code.is_some() => {
            code.as_mut().unwrap().src.push_str(&t);
            None
        }
        Event::End(TagEnd::CodeBlock) if code.is_some() => {
            let f = code.take().unwrap();
            Some(Event::Html(CowStr::from(match &f.lines {
                Some((steps, numbers)) => stepped(hl, &f, steps, *numbers),
                None => hl.highlight(&f.lang, &f.src),
            })))
        }
        e => Some(e),
    }
}

/// Fenced code with its lines marked: with several steps, the first
/// step's lines marked, and one fragment after the code for each step
/// after it, naming its lines, which the runtime marks in turn.
fn stepped(
    hl: &Highlighter,
    f: &Fence,
    steps: &[Vec<std::ops::RangeInclusive<usize>>],
    numbers: bool,
) -> String {
    let html = hl.highlight_lines(&f.lang, &f.src, &steps[0], numbers);
    if steps.len() == 1 {
        return html;
    }
    let lines = |step: &[std::ops::RangeInclusive<usize>]| {
        let parts: Vec<String> = step
            .iter()
            .map(|r| match (r.start(), r.end()) {
                (a, b) if a == b => a.to_string(),
                (a, b) => format!("{a}-{b}"),
            })
            .collect();
        parts.join(",")
    };
    let mut out = format!(
        "<div class=\"sb-stepped\" data-lines=\"{}\">\n{html}",
        lines(&steps[0])
    );
    for step in &steps[1..] {
        out.push_str(&format!(
            "<span class=\"fragment sb-step\" data-lines=\"{}\" aria-hidden=\"true\"></span>\n",
            lines(step)
        ));
    }
    out.push_str("</div>\n");
    out
}

/// Fenced code being collected: its language, the lines to mark and
/// whether to number them (when its info string asks), its text.
pub(super) struct Fence {
    lang: String,
    lines: Option<LineMarks>,
    src: String,
}

/// The lines a fence marks (one set, or one per step), and whether it
/// numbers them.
type LineMarks = (Vec<Vec<std::ops::RangeInclusive<usize>>>, bool);

/// A fence's info string: its language, and `{1,3-5}` (lines to mark) or
/// `{.numberLines}` / `{.line-numbers}` (number them) after it, as
/// reveal.js and pandoc write them.
fn fence_info(info: &str) -> (&str, Option<LineMarks>) {
    let (lang, rest) = match info.find('{') {
        Some(i) => (info[..i].trim(), Some(&info[i..])),
        None => (info.split_whitespace().next().unwrap_or(""), None),
    };
    let Some(braces) = rest
        .and_then(|r| r.trim().strip_prefix('{'))
        .and_then(|r| r.strip_suffix('}'))
    else {
        return (lang, None);
    };
    // `{1|2-3|5}`: steps, each marking its lines in turn.
    let mut steps = vec![Vec::new()];
    let mut numbers = false;
    for word in braces.split(|c: char| c.is_whitespace() || c == ',') {
        match word {
            "" => {}
            ".numberLines" | ".number-lines" | ".line-numbers" | "numbers" => numbers = true,
            w => {
                for (i, part) in w.split('|').enumerate() {
                    if i > 0 {
                        steps.push(Vec::new());
                    }
                    if part.is_empty() {
                        continue;
                    }
                    let (a, b) = part.split_once('-').unwrap_or((part, part));
                    match (a.parse::<usize>(), b.parse::<usize>()) {
                        (Ok(a), Ok(b)) if a >= 1 && a <= b => {
                            steps.last_mut().expect("one at least").push(a..=b)
                        }
                        _ => return (lang, None),
                    }
                }
            }
        }
    }
    (lang, Some((steps, numbers)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> String {
        let hl = Highlighter::default();
        let m = Markdown {
            highlighter: &hl,
            missing_images: None,
        };
        m.html(pulldown_cmark::Parser::new_ext(
            md,
            crate::deck::markdown_options(),
        ))
    }

    #[test]
    fn braces_after_an_image_size_and_place_it() {
        assert_eq!(
            render("![A *cat*](img/c.png \"T\"){width=40% .right} and more\n"),
            "<p><img src=\"img/c.png\" alt=\"A cat\" title=\"T\" class=\"right\" style=\"width: calc(var(--sb-w) * 0.4)\" /> and more</p>\n"
        );
        assert_eq!(
            render("![x](a.png){height=200}\n"),
            "<p><img src=\"a.png\" alt=\"x\" style=\"height: 200px\" /></p>\n"
        );
        // Braces that are not attributes stay text.
        assert_eq!(
            render("![x](a.png){not this}\n"),
            "<p><img src=\"a.png\" alt=\"x\" />{not this}</p>\n"
        );
    }

    #[test]
    fn web_addresses_in_text_become_links() {
        assert_eq!(
            render("See https://example.org/a_(b). Or (http://x.io/p), not xhttps://no.\n"),
            "<p>See <a href=\"https://example.org/a_(b)\">https://example.org/a_(b)</a>. Or (<a href=\"http://x.io/p\">http://x.io/p</a>), not xhttps://no.</p>\n"
        );
        // Not inside code or an existing link.
        assert_eq!(
            render("`https://a.b` [https://c.d](https://e.f)\n"),
            "<p><code>https://a.b</code> <a href=\"https://e.f\">https://c.d</a></p>\n"
        );
    }
}

#[cfg(test)]
mod fence_tests {
    use super::*;

    #[test]
    fn a_fence_may_mark_and_number_its_lines() {
        assert_eq!(fence_info("rust"), ("rust", None));
        assert_eq!(
            fence_info("rust {1,3-5}"),
            ("rust", Some((vec![vec![1..=1, 3..=5]], false)))
        );
        assert_eq!(
            fence_info("{2 .numberLines}"),
            ("", Some((vec![vec![2..=2]], true)))
        );
        assert_eq!(
            fence_info("sh {1|2-3|5}"),
            (
                "sh",
                Some((vec![vec![1..=1], vec![2..=3], vec![5..=5]], false))
            )
        );
        assert_eq!(fence_info("sh {x}"), ("sh", None));
        let hl = Highlighter::default();
        let html = hl.highlight_lines("", "a\nb <c>\n", &[2..=2], true);
        assert_eq!(
            html,
            "<pre class=\"code sb-lines sb-numbered\" style=\"background-color:#ffffff;\"><code><span class=\"line\" data-line=\"1\">a</span>\n<span class=\"line hl\" data-line=\"2\">b &lt;c&gt;</span>\n</code></pre>\n"
        );
    }
}

#[cfg(test)]
mod math_tests {
    use super::to_mathml;

    #[test]
    fn formulas_that_would_show_something_else_or_exhaust_the_stack_are_refused() {
        assert!(to_mathml("x^2", false).unwrap().starts_with("<math"));
        assert_eq!(to_mathml("\\{x\\}", false).map(|_| ()), Ok(()));
        assert_eq!(to_mathml("}{", false), Err("a `}` closes no group".into()));
        assert_eq!(
            to_mathml("\\frac{a", true),
            Err("a `{` is never closed".into())
        );
        let deep = format!("{}x{}", "{".repeat(100), "}".repeat(100));
        assert_eq!(
            to_mathml(&deep, true),
            Err("its groups nest more than 64 deep".into())
        );
    }
}
