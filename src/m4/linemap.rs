//! Where every byte of expanded text came from.
//!
//! The expander moves text between files, macro arguments, macro bodies and
//! the output. Each piece travels as a [`LocatedText`]: the bytes plus a few
//! spans saying "from here on, this came from inclusion I, line L, column C".
//! Contiguous text from one file needs a single span, so the common case
//! costs one comparison per append.

use crate::error::{Diagnostic, Location, MacroCall};
use crate::source::{SourceId, Sources};

/// Past this many bytes, a text whose spans average under
/// `CROWDED_PIECE` bytes takes no more short ones.
pub(super) const CROWDED_AFTER: usize = 1 << 16;
pub(super) const CROWDED_PIECE: usize = 16;

/// A position in one inclusion of a source file. Lines and columns count
/// from 1; the column is in bytes (diagnostics turn it into characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub inclusion: u32,
    pub line: u32,
    pub col: u32,
}

impl Origin {
    /// The origin of the byte just after `bytes`, if `bytes` started here.
    pub fn advanced(self, bytes: &[u8]) -> Origin {
        match memchr::memrchr(b'\n', bytes) {
            None => Origin {
                col: self.col + bytes.len() as u32,
                ..self
            },
            Some(last) => Origin {
                inclusion: self.inclusion,
                line: self.line + memchr::memchr_iter(b'\n', bytes).count() as u32,
                col: (bytes.len() - last) as u32,
            },
        }
    }
}

/// One reading of a file: the same file included twice is two inclusions,
/// each knowing the call that pulled it in.
#[derive(Clone, Debug)]
pub struct Inclusion {
    pub file: SourceId,
    /// The `include(` call that read this file; `None` for the entry file.
    pub from: Option<Origin>,
    /// The file's lines: no origin in it is told past the last one.
    pub lines: u32,
    /// Read where no call was collecting arguments and quotes were off.
    pub at_top: bool,
    /// The inclusion being read when this one was opened.
    pub parent: Option<u32>,
    /// How many input blocks stood under this file's while it was read.
    pub depth: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub start: usize,
    pub origin: Origin,
}

/// Bytes with their origins.
#[derive(Clone, Debug, Default)]
pub struct LocatedText {
    pub bytes: Vec<u8>,
    pub spans: Vec<Span>,
    /// Origin the next byte would have if it continued the last span.
    tail: Option<Origin>,
    /// Some short piece was told only as nearly as the span before it.
    pub folded: bool,
}

impl LocatedText {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends `bytes` that start at `origin` and end just before `end`
    /// (callers usually know `end` already, so it is not counted twice).
    pub fn append_known(&mut self, bytes: &[u8], origin: Origin, end: Origin) {
        if bytes.is_empty() {
            return;
        }
        // A large text of tiny pieces from a few places (a macro that
        // doubles its argument) would keep a span per piece, many times its
        // own size: there, a short piece goes on the span before it, and
        // its place is told only as nearly as that.
        let crowded = self.bytes.len() > CROWDED_AFTER
            && bytes.len() < CROWDED_PIECE
            && self.spans.len() * CROWDED_PIECE > self.bytes.len();
        if self.tail != Some(origin) {
            if crowded {
                self.folded = true;
            } else {
                self.spans.push(Span {
                    start: self.bytes.len(),
                    origin,
                });
            }
        }
        self.bytes.extend_from_slice(bytes);
        self.tail = Some(end);
    }

    pub fn append(&mut self, bytes: &[u8], origin: Origin) {
        let end = origin.advanced(bytes);
        self.append_known(bytes, origin, end);
    }

    /// Appends bytes `range` of `other`, keeping their origins.
    pub fn append_range(&mut self, other: &LocatedText, range: std::ops::Range<usize>) {
        let mut pos = range.start;
        while pos < range.end {
            let i = other.span_index(pos);
            let seg_end = other
                .spans
                .get(i + 1)
                .map_or(other.bytes.len(), |s| s.start)
                .min(range.end);
            let span = other.spans[i];
            let origin = span.origin.advanced(&other.bytes[span.start..pos]);
            self.append(&other.bytes[pos..seg_end], origin);
            pos = seg_end;
        }
    }

    pub fn append_all(&mut self, other: &LocatedText) {
        self.append_range(other, 0..other.bytes.len());
    }

    /// Keeps the first `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.bytes.truncate(len);
        self.spans.retain(|s| s.start < len);
        self.tail = None;
    }

    /// The text without any `byte`, each piece keeping its origin.
    pub fn without(&self, byte: u8) -> LocatedText {
        let mut out = LocatedText::new();
        for (i, span) in self.spans.iter().enumerate() {
            let end = self.spans.get(i + 1).map_or(self.bytes.len(), |s| s.start);
            let mut origin = span.origin;
            for piece in self.bytes[span.start..end].split(|&b| b == byte) {
                out.append(piece, origin);
                origin = origin.advanced(piece).advanced(&[byte]);
            }
        }
        out
    }

    /// Index of the span holding byte `pos`.
    fn span_index(&self, pos: usize) -> usize {
        self.spans
            .partition_point(|s| s.start <= pos)
            .saturating_sub(1)
    }
}

/// The expanded text's way back to its sources: for any byte offset, the
/// inclusion, line and column it came from, and the include chain above it.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    pub inclusions: Vec<Inclusion>,
    pub spans: Vec<Span>,
}

impl SourceMap {
    /// The origin of byte `offset` of the expanded text.
    pub fn origin_at(&self, text: &str, offset: usize) -> Option<Origin> {
        let i = self.spans.partition_point(|s| s.start <= offset);
        let span = self.spans.get(i.checked_sub(1)?)?;
        let upto = offset.min(text.len());
        // Count from the start of the line (or of the span, if it starts
        // later), so lookups stay cheap in one long span.
        let line_start = memchr::memrchr(b'\n', &text.as_bytes()[span.start..upto])
            .map(|nl| span.start + nl + 1);
        let found = match line_start {
            None => span.origin.advanced(&text.as_bytes()[span.start..upto]),
            Some(ls) => {
                let lines_before =
                    memchr::memchr_iter(b'\n', &text.as_bytes()[span.start..ls]).count();
                Origin {
                    inclusion: span.origin.inclusion,
                    line: span.origin.line + lines_before as u32,
                    col: (upto - ls) as u32 + 1,
                }
            }
        };
        // Where a text of tiny pieces was told only nearly (see
        // `LocatedText::append_known`), a line may run past its file's end.
        let last = self
            .inclusions
            .get(found.inclusion as usize)
            .map(|i| i.lines);
        Some(match last {
            Some(last) if found.line > last => Origin {
                line: last,
                ..found
            },
            _ => found,
        })
    }

    pub fn file_of(&self, origin: Origin) -> SourceId {
        self.inclusions[origin.inclusion as usize].file
    }

    /// The include calls that led to `origin`, innermost first.
    pub fn chain(&self, origin: Origin) -> Vec<Origin> {
        let mut out = Vec::new();
        let mut at = self.inclusions[origin.inclusion as usize].from;
        while let Some(o) = at {
            out.push(o);
            at = self.inclusions[o.inclusion as usize].from;
        }
        out
    }

    /// Where `origin` points, as people count (columns in characters),
    /// with the line's text for the excerpt.
    pub fn location(&self, sources: &Sources, origin: Origin) -> Location {
        let file = self.file_of(origin);
        let text = sources.line(file, origin.line);
        let byte_col = (origin.col as usize).saturating_sub(1).min(text.len());
        let byte_col = (0..=byte_col)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        Location {
            file: sources.get(file).path.clone(),
            line: origin.line,
            col: text[..byte_col].chars().count() as u32 + 1,
            text: text.to_string(),
        }
    }

    /// `d` pointed at `origin`, with the include chain that led there.
    pub fn point(
        &self,
        sources: &Sources,
        d: Diagnostic,
        origin: Origin,
        width: usize,
    ) -> Diagnostic {
        let mut d = d.at(self.location(sources, origin), width);
        d.chain = self
            .chain(origin)
            .into_iter()
            .map(|o| self.location(sources, o))
            .collect();
        d
    }

    /// `d` naming the macro calls (innermost first) whose expansion holds
    /// the problem.
    pub fn in_calls(
        &self,
        sources: &Sources,
        mut d: Diagnostic,
        calls: &[(String, Origin)],
    ) -> Diagnostic {
        let place = |o: Origin| self.location(sources, o);
        d.calls = calls
            .iter()
            .map(|(name, at)| MacroCall {
                name: name.clone(),
                at: place(*at),
                chain: self.chain(*at).into_iter().map(place).collect(),
            })
            .collect();
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(inclusion: u32, line: u32, col: u32) -> Origin {
        Origin {
            inclusion,
            line,
            col,
        }
    }

    #[test]
    fn advancing_counts_lines_and_columns() {
        assert_eq!(o(0, 1, 1).advanced(b"abc"), o(0, 1, 4));
        assert_eq!(o(0, 1, 5).advanced(b"ab\ncd\nef"), o(0, 3, 3));
        assert_eq!(o(0, 2, 1).advanced(b"\n"), o(0, 3, 1));
    }

    #[test]
    fn contiguous_appends_share_one_span() {
        let mut t = LocatedText::new();
        t.append(b"ab\n", o(0, 1, 1));
        t.append(b"cd", o(0, 2, 1));
        t.append(b"x", o(1, 7, 3));
        assert_eq!(t.spans.len(), 2);
        let mut u = LocatedText::new();
        u.append_range(&t, 3..6);
        assert_eq!(u.spans[0].origin, o(0, 2, 1));
        assert_eq!(u.spans[1].origin, o(1, 7, 3));
    }

    #[test]
    fn origin_lookup_finds_line_and_column() {
        let mut t = LocatedText::new();
        t.append(b"one\ntwo\n", o(0, 10, 1));
        t.append(b"three", o(1, 1, 1));
        let text = String::from_utf8(t.bytes.clone()).unwrap();
        let map = SourceMap {
            inclusions: vec![],
            spans: t.spans.clone(),
        };
        assert_eq!(map.origin_at(&text, 0), Some(o(0, 10, 1)));
        assert_eq!(map.origin_at(&text, 5), Some(o(0, 11, 2)));
        assert_eq!(map.origin_at(&text, 10), Some(o(1, 1, 3)));
    }
}
