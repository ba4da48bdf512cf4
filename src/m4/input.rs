//! The expander's input: a stack of blocks (files, and expansions pushed
//! back to be read again), read as one seamless stream.

use std::rc::Rc;
use std::sync::Arc;

use super::linemap::{LocatedText, Origin, Span};

pub(super) fn origin(inclusion: u32, line: u32, col: u32) -> Origin {
    Origin {
        inclusion,
        line,
        col,
    }
}

pub(super) enum BlockText {
    File(Arc<str>),
    Owned(Vec<u8>),
}

/// Why input is read now: the inclusion it belongs to (see
/// [`Block::reader`]), and the macro calls whose expansion it is.
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) reader: u32,
    pub(super) calls: Calls,
}

/// The calls of user macros being expanded, innermost first, as names
/// and where they were called: kept with their expansion so that a
/// problem inside a macro's body can say which call it came from. Only
/// the innermost few, so a macro that calls itself a million times does
/// not keep a million.
pub(super) type Calls = Option<Rc<Vec<(Rc<str>, Origin)>>>;

/// One source of input: a file, or an expansion pushed back to be read
/// again.
pub(super) struct Block {
    pub(super) text: BlockText,
    pub(super) spans: Vec<Span>,
    pub(super) pos: usize,
    /// Index of the next span to start, and where the current one ends.
    pub(super) next_span: usize,
    pub(super) seg_end: usize,
    /// Origin of the byte at `pos`.
    pub(super) cur: Origin,
    pub(super) is_file: bool,
    /// The inclusion being read when this block was pushed: the file's own
    /// for a file, the one the call was read in for an expansion. Unlike
    /// origins (where text was written) this says why it is read now,
    /// which is what an include cycle is made of.
    pub(super) reader: u32,
    /// The macro calls this block is the expansion of.
    pub(super) calls: Calls,
}

impl Block {
    pub(super) fn file(text: Arc<str>, inclusion: u32) -> Block {
        Block {
            text: BlockText::File(text),
            spans: vec![Span {
                start: 0,
                origin: origin(inclusion, 1, 1),
            }],
            pos: 0,
            next_span: 0,
            seg_end: 0,
            cur: origin(inclusion, 1, 1),
            is_file: true,
            reader: inclusion,
            calls: None,
        }
    }

    pub(super) fn string(t: LocatedText, ctx: Ctx) -> Block {
        let cur = t.spans.first().map_or(origin(0, 1, 1), |s| s.origin);
        Block {
            text: BlockText::Owned(t.bytes),
            spans: t.spans,
            pos: 0,
            next_span: 0,
            seg_end: 0,
            cur,
            is_file: false,
            reader: ctx.reader,
            calls: ctx.calls,
        }
    }

    pub(super) fn bytes(&self) -> &[u8] {
        match &self.text {
            BlockText::File(s) => s.as_bytes(),
            BlockText::Owned(v) => v,
        }
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.bytes().len()
    }

    /// Enters the next span when `pos` reached the end of the current one.
    pub(super) fn sync(&mut self) {
        while self.pos == self.seg_end && self.next_span < self.spans.len() {
            self.cur = self.spans[self.next_span].origin;
            self.next_span += 1;
            self.seg_end = self
                .spans
                .get(self.next_span)
                .map_or(self.bytes().len(), |s| s.start);
        }
    }

    /// Moves past `n` bytes of the current span.
    pub(super) fn advance(&mut self, n: usize) {
        let end = self.pos + n;
        self.cur = match &self.text {
            BlockText::File(s) => self.cur.advanced(&s.as_bytes()[self.pos..end]),
            BlockText::Owned(v) => self.cur.advanced(&v[self.pos..end]),
        };
        self.pos = end;
    }
}
