//! Front matter: the `---` block at the top of a talk, read for its title,
//! authors and date.

use super::Meta;

/// Reads `title:`, `author:`/`authors:` and `date:` from front matter;
/// authors may be one name, a `[a, b]` list or `- a` lines.
pub fn parse_front_matter(yaml: &str) -> Meta {
    let mut meta = Meta::default();
    let mut in_authors = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if in_authors {
            if let Some(item) = trimmed.strip_prefix("- ") {
                meta.authors.push(unquote(item));
                continue;
            }
            in_authors = false;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "title" => meta.title = Some(unquote(value)),
            "date" => meta.date = Some(unquote(value)),
            "author" | "authors" => {
                if value.is_empty() {
                    in_authors = true;
                } else if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']'))
                {
                    meta.authors.extend(list.split(',').map(unquote));
                } else {
                    meta.authors.push(unquote(value));
                }
            }
            _ => {}
        }
    }
    meta
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(s)
        .to_string()
}
