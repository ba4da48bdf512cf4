//! Text made safe for XML parts: escaped, and without the characters XML
//! 1.0 cannot hold (control characters but tab, newline and return), which
//! a talk's text may still carry.

use std::borrow::Cow;

/// `s` for element text or a double-quoted attribute value.
pub fn text(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        matches!(c, '&' | '<' | '>' | '"')
            || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if bad(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A length in centimetres, as ODF writes it.
pub fn cm(v: f64) -> String {
    format!("{:.3}cm", v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            text("a<b & \"c\">\u{1}\u{b}\td"),
            "a&lt;b &amp; &quot;c&quot;&gt;\td"
        );
        assert!(matches!(text("plain é"), Cow::Borrowed(_)));
    }
}
