//! Finishing a PDF that Chromium printed: the deck's title and authors in
//! its document information, and an outline (bookmarks) with an entry per
//! slide or handout entry, sections at the top level.
//!
//! Chromium writes a plain PDF (a cross-reference table, uncompressed
//! dictionaries). The changes are appended as an incremental update, the
//! way PDF editors save: new objects, a table for them and a trailer that
//! points back at the old one. Nothing Chromium wrote is rewritten.

use std::fmt::Write as _;

/// One outline entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub title: String,
    /// A section (or the title slide) starts a group; the slides after it
    /// are its children.
    pub top: bool,
    /// Where it leads: a page (0-based) or an element's id, which Chromium
    /// keeps as a named destination when a link points at it.
    pub target: Target,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Page(usize),
    Id(String),
}

/// What the document information says.
pub struct Info<'a> {
    pub title: &'a str,
    pub author: &'a str,
}

/// `pdf` with `info` and `marks` added, and its number of pages; an error
/// says what of the PDF was not as expected.
pub fn finish(pdf: &[u8], info: &Info, marks: &[Mark]) -> Result<(Vec<u8>, usize), String> {
    let doc = Doc::read(pdf)?;
    let pages = doc.pages()?;
    let dests = doc.dests();
    // Each mark with where it leads, as a destination array or name.
    let mut kept: Vec<(&Mark, String)> = Vec::new();
    for m in marks {
        let dest = match &m.target {
            Target::Page(i) => pages.get(*i).map(|p| format!("[{p} 0 R /Fit]")),
            // Chromium keeps an id as its address would write it:
            // `gamma-日本` as `gamma-%E6%97%A5%E6%9C%AC`.
            Target::Id(id) => {
                let encoded = percent_encoded(id);
                dests
                    .iter()
                    .find(|d| **d == *id || **d == encoded)
                    .map(|d| format!("/{}", name(d)))
            }
        };
        if let Some(dest) = dest {
            kept.push((m, dest));
        }
    }

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut next = doc.size;
    let mut objects: Vec<(u32, usize)> = Vec::new();
    let mut put = |out: &mut Vec<u8>, num: u32, body: &str| {
        objects.push((num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    };

    // The outline: a root, then the items, each group's children after it.
    let outline = (!kept.is_empty()).then(|| {
        let root = next;
        next += 1;
        let first_item = next;
        next += kept.len() as u32;
        (root, first_item)
    });
    if let Some((root, first_item)) = outline {
        let num = |i: usize| first_item + i as u32;
        // Parents: the last top mark before each child.
        let mut parent: Vec<Option<usize>> = Vec::with_capacity(kept.len());
        let mut group = None;
        for (i, (m, _)) in kept.iter().enumerate() {
            if m.top {
                group = Some(i);
                parent.push(None);
            } else {
                parent.push(group);
            }
        }
        let children = |p: Option<usize>| -> Vec<usize> {
            (0..kept.len()).filter(|&i| parent[i] == p).collect()
        };
        let top = children(None);
        put(
            &mut out,
            root,
            &format!(
                "<</Type /Outlines /First {} 0 R /Last {} 0 R /Count {}>>",
                num(top[0]),
                num(top[top.len() - 1]),
                top.len()
            ),
        );
        for (i, (m, dest)) in kept.iter().enumerate() {
            let siblings = children(parent[i]);
            let at = siblings
                .iter()
                .position(|&s| s == i)
                .expect("among its siblings");
            let mut body = format!(
                "<</Title {} /Parent {} 0 R /Dest {dest}",
                text(&m.title),
                parent[i].map_or(root, num)
            );
            if at > 0 {
                let _ = write!(body, " /Prev {} 0 R", num(siblings[at - 1]));
            }
            if let Some(&n) = siblings.get(at + 1) {
                let _ = write!(body, " /Next {} 0 R", num(n));
            }
            let mine = if m.top { children(Some(i)) } else { Vec::new() };
            if let (Some(f), Some(l)) = (mine.first(), mine.last()) {
                // Closed: a long deck's outline opens on its sections.
                let _ = write!(
                    body,
                    " /First {} 0 R /Last {} 0 R /Count -{}",
                    num(*f),
                    num(*l),
                    mine.len()
                );
            }
            body.push_str(">>");
            put(&mut out, num(i), &body);
        }
    }

    let mut catalog = doc.dict_without(doc.root, &["Outlines", "PageMode"])?;
    if let Some((root, _)) = outline {
        let _ = write!(catalog, "\n/Outlines {root} 0 R\n/PageMode /UseOutlines");
    }
    put(&mut out, doc.root, &format!("<<{catalog}>>"));

    let info_num = doc.info.unwrap_or_else(|| {
        next += 1;
        next - 1
    });
    let mut info_dict = match doc.info {
        Some(n) => doc.dict_without(n, &["Title", "Author"])?,
        None => String::new(),
    };
    let _ = write!(info_dict, "\n/Title {}", text(info.title));
    if !info.author.is_empty() {
        let _ = write!(info_dict, "\n/Author {}", text(info.author));
    }
    put(&mut out, info_num, &format!("<<{info_dict}>>"));

    // The table of the new objects, one subsection each, then the trailer.
    objects.sort();
    let xref = out.len();
    let mut table = String::from("xref\n");
    for (num, at) in &objects {
        let _ = write!(table, "{num} 1\n{at:010} 00000 n \n");
    }
    let _ = write!(
        table,
        "trailer\n<</Size {next} /Root {} 0 R /Info {info_num} 0 R /Prev {}>>\nstartxref\n{xref}\n%%EOF\n",
        doc.root, doc.xref
    );
    out.extend_from_slice(table.as_bytes());
    Ok((out, pages.len()))
}

/// A PDF text string: literal when plain ASCII, else UTF-16 with its mark.
fn text(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut out = String::from("(");
        for c in s.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
}

/// A PDF name's text for `s`: anything but plain letters and digits (and a
/// few safe marks) as `#xx`.
fn name(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
    out
}

/// `s` as a URL fragment writes it: UTF-8 bytes other than letters,
/// digits and `-._~` as `%XX`.
fn percent_encoded(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A name as written in the PDF, read back.
fn unname(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parts of a PDF read here: its objects' places, its root and info.
struct Doc<'a> {
    pdf: &'a [u8],
    /// Byte offsets by object number.
    at: Vec<Option<usize>>,
    size: u32,
    root: u32,
    info: Option<u32>,
    xref: usize,
}

impl<'a> Doc<'a> {
    fn read(pdf: &'a [u8]) -> Result<Doc<'a>, String> {
        let tail = &pdf[pdf.len().saturating_sub(64)..];
        let tail = String::from_utf8_lossy(tail);
        let xref: usize = tail
            .rsplit_once("startxref")
            .and_then(|(_, n)| n.split_whitespace().next()?.parse().ok())
            .ok_or("no startxref at its end")?;
        let rest = pdf.get(xref..).ok_or("startxref points past the end")?;
        let rest = String::from_utf8_lossy(&rest[..rest.len().min(1 << 24)]);
        let body = rest
            .strip_prefix("xref")
            .ok_or("its cross-references are not a table (a newer PDF form)")?;
        let (table, trailer) = body.split_once("trailer").ok_or("no trailer")?;
        let mut at = Vec::new();
        let mut lines = table.lines().map(str::trim).filter(|l| !l.is_empty());
        while let Some(head) = lines.next() {
            let mut h = head.split_whitespace();
            let (Some(first), Some(count)) = (h.next(), h.next()) else {
                return Err("a cross-reference section without its numbers".into());
            };
            let first: usize = first.parse().map_err(|_| "a bad cross-reference")?;
            let count: usize = count.parse().map_err(|_| "a bad cross-reference")?;
            for n in first..first + count {
                let line = lines.next().ok_or("a short cross-reference table")?;
                let mut f = line.split_whitespace();
                let offset: usize = f
                    .next()
                    .and_then(|o| o.parse().ok())
                    .ok_or("a bad cross-reference")?;
                if at.len() <= n {
                    at.resize(n + 1, None);
                }
                at[n] = (f.nth(1) == Some("n")).then_some(offset);
            }
        }
        let trailer = trailer.split(">>").next().unwrap_or("");
        let size = value_after(trailer, "/Size")
            .and_then(|v| v.parse().ok())
            .ok_or("no /Size in the trailer")?;
        let root = reference_after(trailer, "/Root").ok_or("no /Root in the trailer")?;
        let info = reference_after(trailer, "/Info");
        Ok(Doc {
            pdf,
            at,
            size,
            root,
            info,
            xref,
        })
    }

    /// The text of object `num`'s dictionary, without its outer `<<` `>>`.
    fn dict(&self, num: u32) -> Result<String, String> {
        let start = self
            .at
            .get(num as usize)
            .copied()
            .flatten()
            .ok_or_else(|| format!("object {num} is not in the table"))?;
        let rest = &self.pdf[start..];
        // `endobj` on a line of its own, as Chromium writes it (a title may
        // hold the word).
        let end = find(rest, b"\nendobj")
            .or_else(|| find(rest, b"endobj"))
            .ok_or_else(|| format!("object {num} has no end"))?;
        let text = String::from_utf8_lossy(&rest[..end]);
        let open = text
            .find("<<")
            .ok_or_else(|| format!("object {num} is no dictionary"))?;
        let close = text
            .rfind(">>")
            .ok_or_else(|| format!("object {num} is no dictionary"))?;
        if text[close..].contains("stream") || close < open {
            return Err(format!("object {num} is no plain dictionary"));
        }
        Ok(text[open + 2..close].to_string())
    }

    /// Object `num`'s dictionary with the entries `keys` left out. Only
    /// entries written one to a line (as Chromium writes them) are taken
    /// out; a dictionary written otherwise is an error.
    fn dict_without(&self, num: u32, keys: &[&str]) -> Result<String, String> {
        let dict = self.dict(num)?;
        let mut out = String::new();
        for line in dict.split('\n') {
            let key = line.trim_start().strip_prefix('/').map(|k| {
                k.split(|c: char| c.is_whitespace() || "/[(<".contains(c))
                    .next()
                    .unwrap_or("")
            });
            if key.is_some_and(|k| keys.contains(&k)) {
                if line.matches("<<").count() != line.matches(">>").count()
                    || line.matches('[').count() != line.matches(']').count()
                {
                    return Err(format!("object {num}'s /{} spans lines", key.unwrap_or("")));
                }
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        Ok(out)
    }

    /// The page objects, in order.
    fn pages(&self) -> Result<Vec<u32>, String> {
        let catalog = self.dict(self.root)?;
        let top = reference_after(&catalog, "/Pages").ok_or("the catalog has no /Pages")?;
        let mut pages = Vec::new();
        let mut stack = vec![top];
        let mut seen = 0;
        while let Some(node) = stack.pop() {
            seen += 1;
            if seen > self.at.len() {
                return Err("the page tree loops".into());
            }
            let dict = self.dict(node)?;
            match dict.split_once("/Kids") {
                Some((_, kids)) => {
                    let list = kids.split_once('[').and_then(|(_, k)| k.split_once(']'));
                    let refs = references(list.ok_or("a page node without its kids")?.0);
                    stack.extend(refs.into_iter().rev());
                }
                None => pages.push(node),
            }
        }
        Ok(pages)
    }

    /// The named destinations Chromium wrote (one per linked-to id).
    fn dests(&self) -> Vec<String> {
        let Ok(catalog) = self.dict(self.root) else {
            return Vec::new();
        };
        let Some(Ok(dests)) = reference_after(&catalog, "/Dests").map(|n| self.dict(n)) else {
            return Vec::new();
        };
        let mut names = Vec::new();
        let mut depth = 0usize;
        for (i, c) in dests.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                '/' if depth == 0 => {
                    let end = dests[i + 1..]
                        .find(|c: char| c.is_whitespace() || "[]/<>()".contains(c))
                        .map_or(dests.len(), |e| i + 1 + e);
                    names.push(unname(&dests[i + 1..end]));
                }
                _ => {}
            }
        }
        names
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The first word after `key` in a dictionary's text.
fn value_after<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let at = text.find(key)? + key.len();
    text[at..].split_whitespace().next()
}

/// The object number of the `N 0 R` after `key`.
fn reference_after(text: &str, key: &str) -> Option<u32> {
    let at = text.find(key)? + key.len();
    let mut words = text[at..].split_whitespace();
    let n = words.next()?.parse().ok()?;
    (words.next()? == "0" && words.next()?.starts_with('R')).then_some(n)
}

/// Every `N G R` in a list.
fn references(text: &str) -> Vec<u32> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[2] == "R")
        .filter_map(|w| w[0].parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_names_are_written_as_pdf_reads_them() {
        assert_eq!(text("A (b) \\ c"), "(A \\(b\\) \\\\ c)");
        assert_eq!(text("Zoë"), "<FEFF005A006F00EB>");
        assert_eq!(name("what-is-it"), "what-is-it");
        assert_eq!(name("a b/ü"), "a#20b#2F#C3#BC");
        assert_eq!(unname(&name("a b/ü")), "a b/ü");
        // As Chromium keeps a linked-to id among its destinations.
        assert_eq!(percent_encoded("gamma-日本"), "gamma-%E6%97%A5%E6%9C%AC");
    }
}
