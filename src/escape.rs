//! Text and attribute values made safe to put in HTML.

/// `&`, `<`, `>`, `"` and `'` as entities, for text and attribute values.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape("a < b & \"c\" 'd'"),
            "a &lt; b &amp; &quot;c&quot; &#x27;d&#x27;"
        );
        assert!(matches!(escape("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
