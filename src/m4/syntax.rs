//! What the include language reads as a name, and the names a file's text
//! includes as plain text (for reading ahead).

/// Bytes that continue a name.
pub(super) static WORD_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

pub(super) fn special_bytes(quote: Option<u8>) -> [bool; 256] {
    let mut t = [false; 256];
    for b in 0..=255u8 {
        t[b as usize] = is_word_start(b) || matches!(b, b'#' | b'(' | b')' | b',' | 0);
    }
    if let Some(q) = quote {
        t[q as usize] = true;
    }
    t
}

pub(super) fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

pub(super) fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The names given to `include(…)` and `sinclude(…)` as plain text, in
/// order, without repeats: the ones worth guessing. Names built by macros,
/// absolute names and names that climb out with `..` are left alone.
pub fn literal_includes(bytes: &[u8]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(b"include("));
    for at in finder.find_iter(bytes) {
        let word_start = if at > 0 && bytes[at - 1] == b's' {
            at - 1
        } else {
            at
        };
        if word_start > 0 && is_word_char(bytes[word_start - 1]) {
            continue;
        }
        let rest = &bytes[at + "include(".len()..];
        // m4 skips white space before an argument.
        let skip = rest
            .iter()
            .position(|b| !b" \t\r\n".contains(b))
            .unwrap_or(rest.len());
        let rest = &rest[skip..];
        let Some(end) = rest.iter().position(|b| b"()`',#\n".contains(b) || *b == 0) else {
            continue;
        };
        if rest[end] != b')' || end == 0 || end > 1024 {
            continue;
        }
        let Ok(name) = std::str::from_utf8(&rest[..end]) else {
            continue;
        };
        if name.starts_with('/') || name.split('/').any(|c| c == "..") {
            continue;
        }
        if !names.iter().rev().take(8).any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_names_are_guessed_and_others_left_alone() {
        let text = b"include(a.md)sinclude( b.md)xinclude(c.md)\n\
            include(`quoted')include(d/LONG/e.md)include(/etc/f)\n\
            include(../g)include(h\n.md)include(a.md)include(i, j)include(k.md";
        assert_eq!(
            literal_includes(text),
            ["a.md", "b.md", "d/LONG/e.md"].map(String::from)
        );
    }
}
