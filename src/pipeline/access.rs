//! What makes a deck harder to follow for someone who cannot see it well,
//! or reads it with a screen reader: a picture without a text, a slide
//! without a title, a heading level skipped, and text in the talk's own
//! stylesheet too faint against its background (WCAG AA, 4.5:1). Said by
//! `check` as advice: none of it fails a run.

use std::path::Path;

use super::{slide_diagnostic, Loaded};
use crate::colour;
use crate::config::Project;
use crate::deck::{Deck, RefKind, SlideKind};
use crate::error::{Diagnostic, Location};

pub fn lint(project: &Project, loaded: &Loaded, deck: &Deck) -> Vec<Diagnostic> {
    let (text, map) = (&loaded.expanded.text, &loaded.expanded.map);
    let mut found = Vec::new();
    for r in deck
        .refs
        .iter()
        .filter(|r| r.kind == RefKind::Image && !r.in_notes)
    {
        // Raw HTML records the address; the picture is its tag.
        let at = match text[r.at..].starts_with("![") {
            true => r.at,
            false => text[..r.at]
                .rfind('<')
                .filter(|&lt| r.at - lt < 4096)
                .unwrap_or(r.at),
        };
        if !has_alt(&text[at..]) {
            let d = Diagnostic::warning(format!("the picture `{}` has no text", r.url)).help(
                "say in a few words what it shows, `![what it shows](path)`: screen readers read it, and it shows when the picture does not",
            );
            found.push(match map.origin_at(text, at) {
                Some(o) => map.point(&loaded.sources, d, o, 1),
                None => d,
            });
        }
    }
    for s in &deck.slides {
        if s.kind == SlideKind::Content && s.title.is_empty() {
            let d = Diagnostic::warning("this slide has no title").help(
                "give it a heading: screen readers, the contents of the handout and the outline of the PDF go by titles",
            );
            // Shown at its first line of text, not the rule before it.
            let rest = &text[s.at..];
            let at = s.at + rest.len() - rest.trim_start().len();
            let width = text[at..]
                .split('\n')
                .next()
                .unwrap_or("")
                .trim_end()
                .chars()
                .count();
            found.push(match map.origin_at(text, at) {
                Some(o) => map.point(&loaded.sources, d, o, width),
                None => d,
            });
        }
        if let Some((from, to)) = skipped_level(&s.body_html) {
            let d = Diagnostic::warning(format!(
                "a heading of level {to} follows one of level {from} on this slide"
            ))
            .help(format!(
                "use a level-{} heading, or one level below the heading before",
                from + 1
            ));
            found.push(slide_diagnostic(loaded, s, d));
        }
    }
    for css in &project.config.build.css {
        let shown = crate::paths::normalize(css).to_string_lossy().into_owned();
        found.extend(faint_text(&project.root, &shown));
    }
    found
}

/// Whether the picture written at the start of `text` (`![alt](…)` or
/// `<img …>`) says what it shows.
fn has_alt(text: &str) -> bool {
    static ALT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if let Some(rest) = text.strip_prefix("![") {
        return rest
            .split(']')
            .next()
            .is_some_and(|alt| !alt.trim().is_empty());
    }
    // A picture started some other way (a background) is not checked.
    if !text
        .get(..4)
        .is_some_and(|t| t.eq_ignore_ascii_case("<img"))
    {
        return true;
    }
    let tag = &text[..text.find('>').unwrap_or(text.len())];
    let alt = ALT.get_or_init(|| {
        regex::Regex::new(r#"(?i)\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
            .expect("valid regex")
    });
    alt.captures(tag).is_some_and(|c| {
        let value = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map_or("", |m| m.as_str());
        !value.trim().is_empty()
    })
}

/// The first heading on a slide that goes more than one level below the
/// heading before it: (before, after).
fn skipped_level(html: &str) -> Option<(u8, u8)> {
    let mut last: Option<u8> = None;
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let level = rest.as_bytes().get(i + 2).copied();
        rest = &rest[i + 2..];
        let Some(level @ b'1'..=b'6') = level else {
            continue;
        };
        let level = level - b'0';
        if let Some(before) = last {
            if level > before + 1 {
                return Some((before, level));
            }
        }
        last = Some(level);
    }
    None
}

/// Rules of a stylesheet that set both a text colour and a background, both
/// as plain colours, with too little contrast between them.
fn faint_text(root: &Path, file: &str) -> Vec<Diagnostic> {
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let css = crate::deck::loads::without_comments(&text);
    // Each innermost rule: a `{` and the `}` after it, with neither between
    // (a rule inside `@media` is one of them).
    for (close, _) in css.match_indices('}') {
        let Some(open) = css[..close].rfind('{') else {
            continue;
        };
        let body = &css[open + 1..close];
        if body.contains('}') {
            continue;
        }
        let value = |name: &str| -> Option<(usize, [f64; 3])> {
            body.split(';').find_map(|decl| {
                let (k, v) = decl.split_once(':')?;
                (k.trim() == name).then_some(())?;
                // Where the declaration's own text starts.
                let lead = decl.len() - decl.trim_start().len();
                let offset = open + 1 + (decl.as_ptr() as usize - body.as_ptr() as usize) + lead;
                Some((
                    offset,
                    colour::parse(v.trim().trim_end_matches("!important").trim())?,
                ))
            })
        };
        let (Some((where_, fg)), Some((_, bg))) = (
            value("color"),
            value("background-color").or_else(|| value("background")),
        ) else {
            continue;
        };
        let ratio = colour::contrast(fg, bg);
        if ratio < 4.5 {
            let decl = &css[where_..];
            found.push(
                Diagnostic::warning(format!(
                    "text and its background differ too little: contrast {}:1, where 4.5:1 is the least for text (WCAG AA)",
                    (ratio * 100.0).floor() / 100.0
                ))
                .at(
                    Location::at_offset(file, &text, where_),
                    decl.split(';').next().unwrap_or("").trim_end().chars().count(),
                )
                .help("darken the text or lighten the background (or the other way round)"),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_need_a_text_and_headings_go_down_one_level() {
        assert!(has_alt("![a cat](cat.png)"));
        assert!(!has_alt("![](cat.png)"));
        assert!(!has_alt("![ ](cat.png)"));
        assert!(has_alt("<img src=\"a.png\" alt=\"A\">"));
        assert!(!has_alt("<img src=\"a.png\" alt=\"\">"));
        assert!(!has_alt("<img src=\"a.png\">"));
        assert!(has_alt("<img data-alt=\"\" alt=\"A cat\" src=\"a.png\">"));
        assert!(has_alt("<img alt = \"x\" src=\"a.png\">"));
        assert!(!has_alt("<img data-alt=\"x\" src=\"a.png\">"));
        let long = format!(
            "<img title=\"{}{}\" alt=\"ok\">",
            "x".repeat(4071),
            "é".repeat(100)
        );
        assert!(has_alt(&long));
        assert_eq!(skipped_level("<h2>A</h2><h3>B</h3><h2>C</h2>"), None);
        assert_eq!(skipped_level("<h2>A</h2><p>x</p><h4>B</h4>"), Some((2, 4)));
        assert_eq!(skipped_level("<hr><h2>A</h2>"), None);
    }
}
