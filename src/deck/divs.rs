//! pandoc's fenced divs: `::: columns` … `:::`, and `::: {.column
//! width="40%"}` inside. pulldown-cmark has none, so before the text is
//! parsed each fence line becomes a `<div>` or `</div>` line with a blank
//! line after it (so that the Markdown inside is read as blocks), and
//! [`Rewritten::original`] takes offsets in the new text back to the text
//! the author wrote, for every place the deck records.

use std::ops::Range;

use crate::escape::escape;

/// The text with its fences rewritten, and where each rewritten line was.
pub struct Rewritten {
    pub text: String,
    /// For each rewritten line: its place in the new text and in the old.
    lines: Vec<(Range<usize>, Range<usize>)>,
}

impl Rewritten {
    /// Where offset `at` of the new text was in the old one (the start of
    /// its fence line, for an offset inside one).
    pub fn original(&self, at: usize) -> usize {
        let i = self.lines.partition_point(|(new, _)| new.start <= at);
        let Some((new, old)) = i.checked_sub(1).map(|i| &self.lines[i]) else {
            return at;
        };
        if at < new.end {
            old.start
        } else {
            at - new.end + old.end
        }
    }
}

/// The text with its fenced divs as HTML, or `None` when it has none.
pub fn rewrite(text: &str) -> Option<Rewritten> {
    if !(text.starts_with(":::") || text.contains("\n:::")) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 256);
    let mut lines = Vec::new();
    let mut open = 0usize;
    let mut fence: Option<(char, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        // Inside fenced code, colons are code.
        let trimmed = content.trim_start_matches(' ');
        if content.len() - trimmed.len() < 4 {
            let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = marker {
                let n = trimmed.chars().take_while(|&x| x == c).count();
                match fence {
                    None if n >= 3 => fence = Some((c, n)),
                    Some((fc, fnum)) if fc == c && n >= fnum && trimmed[n..].trim().is_empty() => {
                        fence = None
                    }
                    _ => {}
                }
            }
        }
        let html = if fence.is_some() {
            None
        } else if is_closer(content) && open > 0 {
            open -= 1;
            Some("</div>\n\n".to_string())
        } else {
            opener(content).map(|div| {
                open += 1;
                format!("{div}\n\n")
            })
        };
        match html {
            Some(html) => {
                // A blank line before, too, unless the line before was one.
                let html = if out.ends_with("\n\n") || out.is_empty() {
                    html
                } else {
                    format!("\n{html}")
                };
                lines.push((out.len()..out.len() + html.len(), start..at));
                out.push_str(&html);
            }
            None => out.push_str(line),
        }
    }
    (!lines.is_empty()).then_some(Rewritten { text: out, lines })
}

fn is_closer(line: &str) -> bool {
    let t = line.trim_end();
    t.len() >= 3 && t.chars().all(|c| c == ':')
}

/// The `<div>` a fence line opens: `::: name` or `::: {#id .class k=v}`.
fn opener(line: &str) -> Option<String> {
    let colons = line.chars().take_while(|&c| c == ':').count();
    if colons < 3 {
        return None;
    }
    let rest = line[colons..].trim().trim_end_matches(':').trim_end();
    let mut id = None;
    let mut classes = Vec::new();
    let mut style = Vec::new();
    let mut attrs = Vec::new();
    if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        for word in words(inner) {
            if let Some(c) = word.strip_prefix('.') {
                classes.push(c.to_string());
            } else if let Some(i) = word.strip_prefix('#') {
                id = Some(i.to_string());
            } else if let Some((k, v)) = word.split_once('=') {
                let v = v.trim_matches(['"', '\'']);
                match k {
                    "width" | "height" => style.push(format!("{k}: {v}")),
                    "style" => style.push(v.to_string()),
                    _ if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                        attrs.push((k.to_string(), v.to_string()))
                    }
                    _ => return None,
                }
            } else {
                return None;
            }
        }
    } else if !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        classes.push(rest.to_string());
    } else {
        return None;
    }
    let mut div = String::from("<div");
    if let Some(id) = id {
        div.push_str(&format!(" id=\"{}\"", escape(&id)));
    }
    if !classes.is_empty() {
        div.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    if !style.is_empty() {
        div.push_str(&format!(" style=\"{}\"", escape(&style.join("; "))));
    }
    for (k, v) in attrs {
        div.push_str(&format!(" {k}=\"{}\"", escape(&v)));
    }
    div.push('>');
    Some(div)
}

/// Words of an attribute list, a quoted value kept whole.
fn words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s0) = start.take() {
                    out.push(&s[s0..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s0) = start {
        out.push(&s[s0..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_divs_and_offsets_go_back() {
        let text = "## A\n\n:::: columns\n::: {.column width=\"40%\"}\nLeft\n:::\n::: column\n- one\n:::\n::::\nafter\n";
        let r = rewrite(text).expect("fences");
        assert_eq!(
            r.text,
            "## A\n\n<div class=\"columns\">\n\n<div class=\"column\" style=\"width: 40%\">\n\nLeft\n\n</div>\n\n<div class=\"column\">\n\n- one\n\n</div>\n\n</div>\n\nafter\n"
        );
        // `after` and `Left` are where the author wrote them.
        let new = r.text.find("after").unwrap();
        assert_eq!(r.original(new), text.find("after").unwrap());
        let new = r.text.find("Left").unwrap();
        assert_eq!(r.original(new), text.find("Left").unwrap());
        // Inside a rewritten line: its fence's start.
        let new = r
            .text
            .find("column\\\"")
            .unwrap_or(r.text.find("\"column\"").unwrap());
        assert_eq!(r.original(new), text.find("::: {.column").unwrap());
    }

    #[test]
    fn colons_in_code_and_lone_closers_stay() {
        assert!(rewrite("## A\n\n```\n::: columns\n```\n")
            .is_none_or(|r| r.text.contains("::: columns")));
        let r = rewrite("a\n:::\n::: nota{b}\n").map(|r| r.text);
        assert!(r.is_none(), "{r:?}");
    }
}
