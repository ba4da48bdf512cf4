//! Reading the input the careful way: one byte (or one word) at a time,
//! across the blocks of the input stack, as m4 reads it where the fast
//! path of [`super::expander`] cannot.

use super::expander::Expander;
use super::input::{origin, Ctx};
use super::linemap::{LocatedText, Origin};
use super::syntax::WORD_CHAR;

impl Expander<'_> {
    pub(super) fn peek_byte(&self) -> Option<u8> {
        self.input
            .iter()
            .rev()
            .find(|b| !b.done())
            .map(|b| b.bytes()[b.pos])
    }

    /// Whether the input ahead starts with `s` (looking across blocks).
    pub(super) fn input_starts_with(&self, s: &[u8]) -> bool {
        let mut want = s;
        for block in self.input.iter().rev() {
            if want.is_empty() {
                break;
            }
            let rest = &block.bytes()[block.pos.min(block.bytes().len())..];
            let n = rest.len().min(want.len());
            if rest[..n] != want[..n] {
                return false;
            }
            want = &want[n..];
        }
        want.is_empty()
    }

    pub(super) fn next_byte(&mut self) -> Option<(u8, Origin)> {
        loop {
            let top = self.input.last_mut()?;
            if top.done() {
                self.input.pop();
                continue;
            }
            top.sync();
            let b = top.bytes()[top.pos];
            let at = top.cur;
            top.advance(1);
            if top.is_file {
                self.steps = 0;
            }
            return Some((b, at));
        }
    }

    /// Moves the word characters at the front of the input into `word`, a
    /// span's worth at a time (a word built by macros can be megabytes
    /// long); `true` while the word may go on in the next span or block.
    pub(super) fn take_word_run(&mut self, word: &mut LocatedText) -> bool {
        loop {
            let Some(top) = self.input.last_mut() else {
                return false;
            };
            if top.done() {
                self.input.pop();
                continue;
            }
            top.sync();
            let bytes = top.bytes();
            let (start, end) = (top.pos, top.seg_end);
            let mut i = start;
            while i < end && WORD_CHAR[bytes[i] as usize] {
                i += 1;
            }
            if i == start {
                return false;
            }
            let from = top.cur;
            let to = from.advanced(&bytes[start..i]);
            word.append_known(&bytes[start..i], from, to);
            top.cur = to;
            top.pos = i;
            if top.is_file {
                self.steps = 0;
            }
            return i == end;
        }
    }

    pub(super) fn skip_bytes(&mut self, n: usize) {
        for _ in 0..n {
            self.next_byte();
        }
    }

    /// The origin of the next byte, or of the end of the input.
    pub(super) fn here(&mut self) -> Origin {
        for block in self.input.iter_mut().rev() {
            if !block.done() {
                block.sync();
                return block.cur;
            }
        }
        self.input
            .last()
            .map(|b| b.cur)
            .or_else(|| self.out.spans.last().map(|s| s.origin))
            .unwrap_or(origin(0, 1, 1))
    }

    /// Why the block the next byte comes from is read (see [`Ctx`]).
    pub(super) fn ctx(&self) -> Ctx {
        let block = self
            .input
            .iter()
            .rev()
            .find(|b| !b.done())
            .or(self.input.last());
        Ctx {
            reader: block.map_or(0, |b| b.reader),
            calls: block.and_then(|b| b.calls.clone()),
        }
    }

    pub(super) fn next_is_open_paren(&self) -> bool {
        self.peek_byte() == Some(b'(')
            && (self.lquote.is_empty() || !self.input_starts_with(&self.lquote))
    }
}
