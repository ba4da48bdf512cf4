//! What a piece of HTML (or CSS) makes a browser load: the addresses in
//! tags that load (`<img src>`, `<script src>`, a stylesheet's `<link
//! href>`, `srcset`, media, frames) and in CSS (`url(…)`, `@import`) inside
//! `<style>` or a `style` attribute. Links to click (`<a href>`) load
//! nothing. Shared by the walk (raw HTML in slides and notes) and the
//! offline check (the talk's own templates and stylesheets).

use std::sync::OnceLock;

use regex::Regex;

/// An address a page loads, at a byte offset of the text it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    pub at: usize,
    pub url: String,
    /// An `<img>` (checked for its text, shown as a box when missing).
    pub picture: bool,
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// The loads of an HTML text.
pub fn loads(html: &str) -> Vec<Load> {
    static TAG: OnceLock<Regex> = OnceLock::new();
    static ATTR: OnceLock<Regex> = OnceLock::new();
    static STYLE: OnceLock<Regex> = OnceLock::new();
    let mut found = Vec::new();
    if !html.contains('<') {
        return found;
    }
    let tag = regex(
        &TAG,
        r"(?i)<(img|script|iframe|link|video|audio|source|embed|object|track|image|input)\b[^>]*>",
    );
    let attr = regex(
        &ATTR,
        r#"(?i)(?:^|\s)(src|href|xlink:href|data|poster|srcset|rel|type)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#,
    );
    for t in tag.captures_iter(html) {
        let whole = t.get(0).expect("a match");
        let name = t[1].to_ascii_lowercase();
        let (mut rel, mut kind) = (String::new(), String::new());
        let mut urls: Vec<(usize, &str)> = Vec::new();
        for a in attr.captures_iter(whole.as_str()) {
            let value = a.get(2).or(a.get(3)).or(a.get(4)).expect("a value");
            let at = whole.start() + value.start();
            match a[1].to_ascii_lowercase().as_str() {
                "rel" => rel = value.as_str().to_ascii_lowercase(),
                "type" => kind = value.as_str().to_ascii_lowercase(),
                // An object's address is `data`; `href` loads on a link or
                // an SVG image only.
                "data" if name != "object" => {}
                "href" | "xlink:href" if name != "link" && name != "image" => {}
                "srcset" => {
                    let mut offset = 0;
                    for candidate in value.as_str().split(',') {
                        let lead = candidate.len() - candidate.trim_start().len();
                        if let Some(url) = candidate.split_whitespace().next() {
                            urls.push((at + offset + lead, url));
                        }
                        offset += candidate.len() + 1;
                    }
                }
                _ => urls.push((at, value.as_str())),
            }
        }
        // A link loads only as one of these; the others point somewhere.
        let loads = match name.as_str() {
            "link" => ["stylesheet", "icon", "preload", "modulepreload", "manifest"]
                .iter()
                .any(|r| rel.split_ascii_whitespace().any(|w| w == *r)),
            "input" => kind == "image",
            _ => true,
        };
        if loads {
            found.extend(urls.into_iter().map(|(at, url)| Load {
                at,
                url: url.to_string(),
                picture: name == "img",
            }));
        }
    }
    // CSS inside `<style>` elements and `style` attributes.
    let style = regex(
        &STYLE,
        r#"(?is)<style\b[^>]*>(.*?)</style>|\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')"#,
    );
    for c in style.captures_iter(html) {
        let css = c.get(1).or(c.get(2)).or(c.get(3)).expect("a group");
        found.extend(css_loads(css.as_str()).into_iter().map(|l| Load {
            at: css.start() + l.at,
            ..l
        }));
    }
    found.sort_by_key(|l| l.at);
    found
}

/// The loads of a stylesheet: `url(…)` and `@import "…"`, outside comments.
pub fn css_loads(css: &str) -> Vec<Load> {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = regex(
        &URL,
        r#"(?i)(?:url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)["'])"#,
    );
    let css = without_comments(css);
    url.captures_iter(&css)
        .map(|c| {
            let m = c.get(1).or(c.get(2)).expect("a group");
            Load {
                at: m.start(),
                url: m.as_str().to_string(),
                picture: false,
            }
        })
        .collect()
}

/// A stylesheet with its comments blanked out: every other byte where it
/// was, so places found in it are places in the stylesheet.
pub fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..]
            .find("*/")
            .map_or(rest.len(), |e| start + e + 4);
        for c in rest[start..end].chars() {
            match c {
                '\n' => out.push('\n'),
                c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(html: &str) -> Vec<String> {
        loads(html).into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn what_loads_and_what_does_not() {
        assert_eq!(urls("<img src=https://x/u.png>"), ["https://x/u.png"]);
        assert_eq!(
            urls("<img srcset=\"a.png 1x, https://x/b.png 2x\" src='c.png'>"),
            ["a.png", "https://x/b.png", "c.png"]
        );
        assert_eq!(
            urls("<svg><image href=\"https://x/i.svg\"/></svg>"),
            ["https://x/i.svg"]
        );
        assert_eq!(
            urls("<input type=\"image\" src=\"https://x/b.png\">"),
            ["https://x/b.png"]
        );
        assert_eq!(
            urls("<input type=\"text\" src=\"https://x/b.png\">"),
            Vec::<String>::new()
        );
        assert_eq!(urls("<a href=\"https://x\">x</a>"), Vec::<String>::new());
        assert_eq!(
            urls("<link rel=\"canonical\" href=\"https://x\">"),
            Vec::<String>::new()
        );
        assert_eq!(
            urls("<link rel=\"stylesheet\" href=\"https://x/s.css\">"),
            ["https://x/s.css"]
        );
        assert_eq!(urls("<a data-src=\"https://x/y\">"), Vec::<String>::new());
        assert_eq!(
            urls("<p>Write url(https://x/t) in CSS</p>"),
            Vec::<String>::new()
        );
        assert_eq!(
            urls("<div style=\"background: url('https://x/bg.png')\"></div>"),
            ["https://x/bg.png"]
        );
        assert_eq!(
            urls("<style>/* url(https://x/old) */ @import \"https://x/f.css\";</style>"),
            ["https://x/f.css"]
        );
        let html = "<p>é</p><img src=\"https://x/p.png\">";
        let l = &loads(html)[0];
        assert_eq!(&html[l.at..l.at + l.url.len()], "https://x/p.png");
    }
}
