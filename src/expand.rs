//! The include language: `include`, `define` and friends, expanded exactly
//! as GNU m4 expands them after `changequote(,)dnl`.
//!
//! The expander is m4's reading model, written as a loop instead of m4's
//! recursion: a stack of input blocks (files and pushed-back expansions,
//! read as one seamless stream, so a token may run from an included file
//! into the file that included it), and a stack of calls whose arguments
//! are being collected. Plain text is copied in runs; only names of macros,
//! comments that cross a block, quotes and argument punctuation take the
//! slow path, which reads one token at a time as m4 does.

use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::linemap::{Inclusion, LocatedText, Origin, SourceMap, Span};
use crate::sources::{LoadError, SourceId, Sources};

/// Calls nested inside the arguments of calls (m4's `-L`; GNU m4 1.4.19
/// has no limit unless given one, and recurses until memory runs out).
pub const NESTING_LIMIT: usize = 1024;
/// Calls in a row that read no byte of any file: a macro that keeps
/// expanding to itself, which m4 would follow forever.
const STEP_LIMIT: u64 = 1_000_000;
/// Pending input blocks: includes and expansions nested this deep are a
/// loop, not a talk.
const INPUT_DEPTH_LIMIT: usize = 100_000;
/// Expanded text (or one argument) larger than this is a runaway.
const SIZE_LIMIT: usize = 1 << 30;
/// Macro calls named with a problem inside a macro's body: enough to find
/// the call, not a wall of text for a deep recursion.
const MAX_CALLS_SHOWN: usize = 8;

#[derive(Clone, Debug)]
pub struct Options {
    /// Macros defined before the first line (m4's `-D NAME=VALUE`).
    pub defines: Vec<(String, String)>,
    pub nesting_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            defines: Vec::new(),
            nesting_limit: NESTING_LIMIT,
        }
    }
}

/// Something wrong with the talk found while expanding, at the origin of
/// the call (or comment) concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub at: Origin,
    /// How many characters the caret under `at` should cover.
    pub width: usize,
    /// When `at` is in the body of a macro: the calls whose expansion was
    /// being read, innermost first, as the macro's name and where it was
    /// called.
    pub calls: Vec<(String, Origin)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// An included file that could not be read: `name` as the call gave it.
    Load {
        name: String,
        error: LoadError,
    },
    /// Files from the one that is included again down to the call.
    Cycle {
        files: Vec<String>,
    },
    /// The end of the input inside `name(`…; `at` is the `(`.
    UnclosedCall {
        name: String,
    },
    /// The end of the input inside a quoted string.
    UnclosedQuote,
    /// The input ends inside a `#` comment. m4 stops with an error there
    /// and drops the comment; `output_offset` is where it began.
    UnterminatedComment {
        output_offset: usize,
    },
    NestingLimit {
        name: String,
        limit: usize,
    },
    Runaway {
        name: String,
    },
    TooLarge,
}

impl ProblemKind {
    /// Problems after which nothing more is read.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ProblemKind::UnclosedCall { .. }
                | ProblemKind::UnclosedQuote
                | ProblemKind::NestingLimit { .. }
                | ProblemKind::Runaway { .. }
                | ProblemKind::TooLarge
        )
    }
}

/// The expanded text of a talk, with the way back to its sources.
#[derive(Debug)]
pub struct Expanded {
    pub text: String,
    pub map: SourceMap,
    pub problems: Vec<Problem>,
}

/// Expands `entry` and everything it includes.
pub fn expand(sources: &mut Sources, entry: SourceId, options: &Options) -> Expanded {
    let mut x = Expander::new(sources, options);
    for (name, value) in &options.defines {
        let id = x
            .sources
            .add_virtual("<definitions>", &format!("{name}={value}"));
        let inclusion = x.new_inclusion(id, None, None);
        let mut body = LocatedText::new();
        let col = name.len() as u32 + 2;
        body.append(value.as_bytes(), origin(inclusion, 1, col));
        x.define(name.as_bytes(), body);
    }
    let inclusion = x.new_inclusion(entry, None, None);
    let text = x.sources.get(entry).text.clone();
    x.input.push(Block::file(text, inclusion));
    x.run();
    x.sources.stop_reading_ahead();
    let out = std::mem::take(&mut x.out);
    let text = String::from_utf8(out.bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Expanded {
        text,
        map: SourceMap {
            inclusions: x.inclusions,
            spans: out.spans,
        },
        problems: x.problems,
    }
}

fn origin(inclusion: u32, line: u32, col: u32) -> Origin {
    Origin {
        inclusion,
        line,
        col,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Builtin {
    Include,
    Sinclude,
    Define,
    Undefine,
    Ifdef,
    Ifelse,
    Dnl,
    Changequote,
}

impl Builtin {
    /// Most builtins are words like any other unless `(` follows at once.
    fn needs_parens(self) -> bool {
        !matches!(self, Builtin::Dnl | Builtin::Changequote)
    }
}

#[derive(Clone)]
enum Macro {
    Builtin(Builtin),
    User(Rc<LocatedText>),
}

enum BlockText {
    File(Arc<str>),
    Owned(Vec<u8>),
}

/// Why input is read now: the inclusion it belongs to (see
/// [`Block::reader`]), and the macro calls whose expansion it is.
#[derive(Clone)]
struct Ctx {
    reader: u32,
    calls: Calls,
}

/// The calls of user macros being expanded, innermost first, as names
/// and where they were called: kept with their expansion so that a
/// problem inside a macro's body can say which call it came from. Only
/// the innermost few, so a macro that calls itself a million times does
/// not keep a million.
type Calls = Option<Rc<Vec<(Rc<str>, Origin)>>>;

/// One source of input: a file, or an expansion pushed back to be read
/// again.
struct Block {
    text: BlockText,
    spans: Vec<Span>,
    pos: usize,
    /// Index of the next span to start, and where the current one ends.
    next_span: usize,
    seg_end: usize,
    /// Origin of the byte at `pos`.
    cur: Origin,
    is_file: bool,
    /// The inclusion being read when this block was pushed: the file's own
    /// for a file, the one the call was read in for an expansion. Unlike
    /// origins (where text was written) this says why it is read now,
    /// which is what an include cycle is made of.
    reader: u32,
    /// The macro calls this block is the expansion of.
    calls: Calls,
}

impl Block {
    fn file(text: Arc<str>, inclusion: u32) -> Block {
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

    fn string(t: LocatedText, ctx: Ctx) -> Block {
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

    fn bytes(&self) -> &[u8] {
        match &self.text {
            BlockText::File(s) => s.as_bytes(),
            BlockText::Owned(v) => v,
        }
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes().len()
    }

    /// Enters the next span when `pos` reached the end of the current one.
    fn sync(&mut self) {
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
    fn advance(&mut self, n: usize) {
        let end = self.pos + n;
        self.cur = match &self.text {
            BlockText::File(s) => self.cur.advanced(&s.as_bytes()[self.pos..end]),
            BlockText::Owned(v) => self.cur.advanced(&v[self.pos..end]),
        };
        self.pos = end;
    }
}

/// A call whose arguments are being collected.
struct Frame {
    name: Vec<u8>,
    mac: Macro,
    at: Origin,
    open: Origin,
    args: Vec<LocatedText>,
    cur: LocatedText,
    depth: usize,
    /// At the start of an argument, where whitespace is dropped.
    skipping: bool,
    /// Why the name was read (see [`Ctx`]).
    ctx: Ctx,
}

struct Expander<'s> {
    sources: &'s mut Sources,
    nesting_limit: usize,
    input: Vec<Block>,
    frames: Vec<Frame>,
    out: LocatedText,
    macros: FxHashMap<Vec<u8>, Macro>,
    /// For each first byte, the lengths of defined names starting with it
    /// (bit N for length N, bit 63 for 63 and longer): most words are told
    /// apart from macro names without hashing them.
    name_shapes: [u64; 256],
    /// Bytes the plain-text scan must stop and look at: word starts, `#`,
    /// argument punctuation and the first byte of the open quote.
    special: [bool; 256],
    lquote: Vec<u8>,
    rquote: Vec<u8>,
    inclusions: Vec<Inclusion>,
    /// For each inclusion, the one whose reading opened it.
    opened_by: Vec<Option<u32>>,
    problems: Vec<Problem>,
    steps: u64,
    stopped: bool,
}

/// Bytes that continue a name.
static WORD_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

fn special_bytes(quote: Option<u8>) -> [bool; 256] {
    let mut t = [false; 256];
    for b in 0..=255u8 {
        t[b as usize] = is_word_start(b) || matches!(b, b'#' | b'(' | b')' | b',');
    }
    if let Some(q) = quote {
        t[q as usize] = true;
    }
    t
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(crate) fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'s> Expander<'s> {
    fn new(sources: &'s mut Sources, options: &Options) -> Self {
        let mut x = Expander {
            sources,
            nesting_limit: options.nesting_limit,
            input: Vec::new(),
            frames: Vec::new(),
            out: LocatedText::new(),
            macros: FxHashMap::default(),
            name_shapes: [0; 256],
            special: special_bytes(None),
            lquote: Vec::new(),
            rquote: Vec::new(),
            inclusions: Vec::new(),
            opened_by: Vec::new(),
            problems: Vec::new(),
            steps: 0,
            stopped: false,
        };
        for (name, b) in [
            ("include", Builtin::Include),
            ("sinclude", Builtin::Sinclude),
            ("define", Builtin::Define),
            ("undefine", Builtin::Undefine),
            ("ifdef", Builtin::Ifdef),
            ("ifelse", Builtin::Ifelse),
            ("dnl", Builtin::Dnl),
            ("changequote", Builtin::Changequote),
        ] {
            x.insert_macro(name.as_bytes(), Macro::Builtin(b));
        }
        x
    }

    fn insert_macro(&mut self, name: &[u8], m: Macro) {
        if let Some(&b) = name.first() {
            self.name_shapes[b as usize] |= length_bit(name.len());
        }
        self.macros.insert(name.to_vec(), m);
    }

    fn define(&mut self, name: &[u8], body: LocatedText) {
        self.insert_macro(name, Macro::User(Rc::new(body)));
    }

    /// A new reading of `file`, by the include call written at `from` and
    /// read while reading inclusion `opened_by`.
    fn new_inclusion(
        &mut self,
        file: SourceId,
        from: Option<Origin>,
        opened_by: Option<u32>,
    ) -> u32 {
        self.inclusions.push(Inclusion { file, from });
        self.opened_by.push(opened_by);
        (self.inclusions.len() - 1) as u32
    }

    fn problem(&mut self, kind: ProblemKind, at: Origin, width: usize) {
        self.problem_in(kind, at, width, &None);
    }

    /// A problem at `at` in the expansion of `calls`, which go with it.
    fn problem_in(&mut self, kind: ProblemKind, at: Origin, width: usize, calls: &Calls) {
        if kind.is_fatal() {
            self.stopped = true;
        }
        let calls = calls.iter().flat_map(|c| c.iter());
        let calls = calls.map(|(name, at)| (name.to_string(), *at)).collect();
        self.problems.push(Problem {
            kind,
            at,
            width,
            calls,
        });
    }

    /// Where text read now goes: the argument being collected, or the output.
    fn dest(&mut self) -> &mut LocatedText {
        match self.frames.last_mut() {
            Some(f) => &mut f.cur,
            None => &mut self.out,
        }
    }

    fn run(&mut self) {
        while !self.stopped {
            let Some(top) = self.input.last_mut() else {
                self.end_of_input();
                return;
            };
            if top.done() {
                self.input.pop();
                continue;
            }
            top.sync();
            if let Some(frame) = self.frames.last_mut() {
                if frame.skipping {
                    let bytes = top.bytes();
                    let mut i = top.pos;
                    while i < top.seg_end && is_space(bytes[i]) {
                        i += 1;
                    }
                    let n = i - top.pos;
                    top.advance(n);
                    if top.pos == top.seg_end {
                        continue;
                    }
                    frame.skipping = false;
                }
            }
            let macro_name = self.copy_plain_run();
            if self.dest_len() > SIZE_LIMIT {
                let at = self.here();
                self.problem(ProblemKind::TooLarge, at, 1);
                return;
            }
            if let Some(name) = macro_name {
                self.macro_word(name);
                continue;
            }
            let top = self.input.last_mut().expect("a block is on the stack");
            if top.pos < top.seg_end {
                self.step();
            }
        }
    }

    fn dest_len(&self) -> usize {
        self.frames.last().map_or(self.out.len(), |f| f.cur.len())
    }

    /// Copies bytes that m4 would pass through one token at a time (plain
    /// characters, words that name no macro, comments within the block,
    /// nested parentheses inside arguments) in one go, and stops at the
    /// first thing that needs the careful path.
    fn copy_plain_run(&mut self) -> Option<std::ops::Range<usize>> {
        let Expander {
            input,
            frames,
            out,
            macros,
            name_shapes,
            special,
            lquote,
            steps,
            ..
        } = self;
        let quote = lquote.first().copied();
        let top = input.last_mut().expect("a block is on the stack");
        let frame = frames.last_mut();
        let in_args = frame.is_some();
        let mut depth = frame.as_ref().map_or(0, |f| f.depth);
        let bytes = top.bytes();
        let (start, end) = (top.pos, top.seg_end);
        let mut i = start;
        let mut stopped_at_macro = None;
        while i < end {
            if !special[bytes[i] as usize] {
                i += 1;
                continue;
            }
            let b = bytes[i];
            if is_word_start(b) {
                let mut j = i + 1;
                while j < end && WORD_CHAR[bytes[j] as usize] {
                    j += 1;
                }
                // A word at the end of the block may go on in the next one.
                if j == end {
                    break;
                }
                if name_shapes[b as usize] & length_bit(j - i) != 0
                    && macros.contains_key(&bytes[i..j])
                {
                    stopped_at_macro = Some(i..j);
                    break;
                }
                i = j;
            } else if b == b'#' {
                match memchr::memchr(b'\n', &bytes[i..end]) {
                    Some(k) => i += k + 1,
                    None => break,
                }
            } else if Some(b) == quote {
                break;
            } else if in_args && (b == b'(' || b == b')' || b == b',') {
                match b {
                    b'(' => depth += 1,
                    b')' if depth > 0 => depth -= 1,
                    _ if depth > 0 => {}
                    _ => break,
                }
                i += 1;
            } else {
                i += 1;
            }
        }
        if i > start {
            let from = top.cur;
            let run_end = from.advanced(&bytes[start..i]);
            match frame {
                Some(f) => {
                    f.cur.append_known(&bytes[start..i], from, run_end);
                    f.depth = depth;
                }
                None => out.append_known(&bytes[start..i], from, run_end),
            }
            if top.is_file {
                *steps = 0;
            }
            top.cur = run_end;
            top.pos = i;
        }
        stopped_at_macro
    }

    /// Takes the name of a macro found whole in the current block by
    /// `copy_plain_run` (as `step` would, without reading it byte by byte).
    fn macro_word(&mut self, range: std::ops::Range<usize>) {
        let top = self.input.last_mut().expect("a block is on the stack");
        let mut word = LocatedText::new();
        let at = top.cur;
        let ctx = Ctx {
            reader: top.reader,
            calls: top.calls.clone(),
        };
        word.append(&top.bytes()[range.clone()], at);
        top.advance(range.len());
        if top.is_file {
            self.steps = 0;
        }
        self.word(word, ctx);
    }

    // ---- reading one byte at a time, across blocks, as m4 does ----

    fn peek_byte(&self) -> Option<u8> {
        self.input
            .iter()
            .rev()
            .find(|b| !b.done())
            .map(|b| b.bytes()[b.pos])
    }

    /// Whether the input ahead starts with `s` (looking across blocks).
    fn input_starts_with(&self, s: &[u8]) -> bool {
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

    fn next_byte(&mut self) -> Option<(u8, Origin)> {
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

    fn skip_bytes(&mut self, n: usize) {
        for _ in 0..n {
            self.next_byte();
        }
    }

    /// The origin of the next byte, or of the end of the input.
    fn here(&mut self) -> Origin {
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
    fn ctx(&self) -> Ctx {
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

    fn next_is_open_paren(&self) -> bool {
        self.peek_byte() == Some(b'(')
            && (self.lquote.is_empty() || !self.input_starts_with(&self.lquote))
    }

    /// Reads one token the careful way and acts on it.
    fn step(&mut self) {
        let Some(b) = self.peek_byte() else { return };
        if is_word_start(b) {
            let ctx = self.ctx();
            let mut word = LocatedText::new();
            let (_, at) = self.next_byte().expect("peeked");
            word.append(&[b], at);
            while let Some(c) = self.peek_byte().filter(|&c| is_word_char(c)) {
                let (_, at) = self.next_byte().expect("peeked");
                word.append(&[c], at);
            }
            self.word(word, ctx);
        } else if b == b'#' {
            let offset = self.out.len();
            let mut comment = LocatedText::new();
            let mut ended = false;
            let start = self.here();
            while let Some((c, at)) = self.next_byte() {
                comment.append(&[c], at);
                if c == b'\n' {
                    ended = true;
                    break;
                }
            }
            self.dest().append_all(&comment);
            if !ended && self.frames.is_empty() {
                self.problem(
                    ProblemKind::UnterminatedComment {
                        output_offset: offset,
                    },
                    start,
                    1,
                );
            }
        } else if !self.lquote.is_empty() && self.input_starts_with(&self.lquote) {
            self.quoted();
        } else {
            let (c, at) = self.next_byte().expect("peeked");
            self.punctuation(c, at);
        }
    }

    fn quoted(&mut self) {
        let start = self.here();
        self.skip_bytes(self.lquote.len());
        let (lq, rq) = (self.lquote.clone(), self.rquote.clone());
        let mut text = LocatedText::new();
        let mut level = 1;
        loop {
            if self.peek_byte().is_none() {
                self.problem(ProblemKind::UnclosedQuote, start, lq.len());
                return;
            }
            let at = self.here();
            if self.input_starts_with(&rq) {
                self.skip_bytes(rq.len());
                level -= 1;
                if level == 0 {
                    break;
                }
                text.append(&rq, at);
            } else if self.input_starts_with(&lq) {
                self.skip_bytes(lq.len());
                level += 1;
                text.append(&lq, at);
            } else {
                let (c, at) = self.next_byte().expect("peeked");
                text.append(&[c], at);
            }
        }
        self.dest().append_all(&text);
    }

    /// A single character: argument punctuation inside a call, else text.
    fn punctuation(&mut self, c: u8, at: Origin) {
        let Some(frame) = self.frames.last_mut() else {
            self.out.append(&[c], at);
            return;
        };
        match c {
            b'(' => {
                frame.depth += 1;
                frame.cur.append(&[c], at);
            }
            b')' if frame.depth > 0 => {
                frame.depth -= 1;
                frame.cur.append(&[c], at);
            }
            b')' => {
                let mut frame = self.frames.pop().expect("a frame");
                frame.args.push(std::mem::take(&mut frame.cur));
                self.call(frame.mac, &frame.name, frame.args, frame.at, frame.ctx);
            }
            b',' if frame.depth == 0 => {
                frame.args.push(std::mem::take(&mut frame.cur));
                frame.skipping = true;
            }
            _ => frame.cur.append(&[c], at),
        }
    }

    fn word(&mut self, word: LocatedText, ctx: Ctx) {
        let mac = self.macros.get(&word.bytes).cloned();
        match mac {
            Some(Macro::Builtin(b)) if b.needs_parens() && !self.next_is_open_paren() => {
                self.dest().append_all(&word)
            }
            Some(mac) => {
                let at = word.spans[0].origin;
                self.start_call(mac, word.bytes, at, ctx);
            }
            None => self.dest().append_all(&word),
        }
    }

    fn start_call(&mut self, mac: Macro, name: Vec<u8>, at: Origin, ctx: Ctx) {
        let name_text = String::from_utf8_lossy(&name).into_owned();
        let width = name_text.chars().count();
        if self.frames.len() + 1 > self.nesting_limit {
            let limit = self.nesting_limit;
            self.problem(
                ProblemKind::NestingLimit {
                    name: name_text,
                    limit,
                },
                at,
                width,
            );
            return;
        }
        self.steps += 1;
        if self.steps > STEP_LIMIT || self.input.len() > INPUT_DEPTH_LIMIT {
            self.problem(ProblemKind::Runaway { name: name_text }, at, width);
            return;
        }
        if self.next_is_open_paren() {
            let (_, open) = self.next_byte().expect("peeked");
            self.frames.push(Frame {
                name,
                mac,
                at,
                open,
                args: Vec::new(),
                cur: LocatedText::new(),
                depth: 0,
                skipping: true,
                ctx,
            });
        } else {
            self.call(mac, &name, Vec::new(), at, ctx);
        }
    }

    /// Pushes input to be read next. Blocks read to the end are dropped
    /// first: a macro that expands to a call of itself leaves one behind
    /// per call, and every look ahead would walk them all.
    fn push_input(&mut self, block: Block) {
        while self.input.last().is_some_and(Block::done) {
            self.input.pop();
        }
        self.input.push(block);
    }

    fn push_text(&mut self, t: LocatedText, ctx: Ctx) {
        if !t.is_empty() {
            self.push_input(Block::string(t, ctx));
        }
    }

    fn call(&mut self, mac: Macro, name: &[u8], mut args: Vec<LocatedText>, at: Origin, ctx: Ctx) {
        let b = match mac {
            Macro::User(body) => {
                let text = substitute(&body, name, &args, at, &self.lquote, &self.rquote);
                let mut calls = vec![(Rc::from(String::from_utf8_lossy(name)), at)];
                let outer = ctx.calls.iter().flat_map(|c| c.iter());
                calls.extend(outer.take(MAX_CALLS_SHOWN - 1).cloned());
                let ctx = Ctx {
                    reader: ctx.reader,
                    calls: Some(Rc::new(calls)),
                };
                self.push_text(text, ctx);
                return;
            }
            Macro::Builtin(b) => b,
        };
        match b {
            Builtin::Include | Builtin::Sinclude => {
                let path = args
                    .first()
                    .map(|a| String::from_utf8_lossy(&a.bytes).into_owned())
                    .unwrap_or_default();
                self.include(&path, at, b == Builtin::Sinclude, ctx);
            }
            Builtin::Define => {
                if args.is_empty() {
                    return;
                }
                let body = if args.len() > 1 {
                    args.swap_remove(1)
                } else {
                    LocatedText::new()
                };
                self.define(&args[0].bytes, body);
            }
            Builtin::Undefine => {
                for a in &args {
                    self.macros.remove(&a.bytes);
                }
            }
            Builtin::Ifdef => {
                if args.len() < 2 {
                    return;
                }
                let pick = if self.macros.contains_key(&args[0].bytes) {
                    1
                } else {
                    2
                };
                if pick < args.len() {
                    self.push_text(args.swap_remove(pick), ctx);
                }
            }
            Builtin::Ifelse => {
                if let Some(i) = ifelse_choice(&args) {
                    self.push_text(args.swap_remove(i), ctx);
                }
            }
            Builtin::Dnl => {
                while let Some((c, _)) = self.next_byte() {
                    if c == b'\n' {
                        break;
                    }
                }
            }
            Builtin::Changequote => {
                let (lq, rq) = match (args.first(), args.get(1)) {
                    (None, _) => (b"`".to_vec(), b"'".to_vec()),
                    (Some(l), r) => {
                        let r = match r {
                            Some(r) if l.is_empty() || !r.is_empty() => r.bytes.clone(),
                            _ => b"'".to_vec(),
                        };
                        (l.bytes.clone(), r)
                    }
                };
                self.special = special_bytes(lq.first().copied());
                self.lquote = lq;
                self.rquote = rq;
            }
        }
    }

    fn include(&mut self, name: &str, at: Origin, silent: bool, ctx: Ctx) {
        let reader = ctx.reader;
        let width = "include".len() + usize::from(silent);
        let kind = match self.sources.load_include(name) {
            Ok(id) => match self.cycle(id, reader) {
                None => {
                    let inclusion = self.new_inclusion(id, Some(at), Some(reader));
                    let text = self.sources.get(id).text.clone();
                    self.push_input(Block::file(text, inclusion));
                    return;
                }
                Some(files) => ProblemKind::Cycle { files },
            },
            // m4's sinclude is silent about any file it cannot open,
            // a folder included.
            Err(LoadError::NotFound | LoadError::IsDirectory) if silent => return,
            Err(error) => ProblemKind::Load {
                name: name.into(),
                error,
            },
        };
        self.problem_in(kind, at, width, &ctx.calls);
    }

    /// The files of an include cycle, if including `file` while reading
    /// inclusion `reader` closes one: if `file` is being read already, as
    /// `reader` or one of the inclusions that opened it. (Where the call
    /// was written does not matter: a macro defined in `a.md` may include
    /// `a.md` once `a.md` is done.)
    fn cycle(&self, file: SourceId, reader: u32) -> Option<Vec<String>> {
        let mut chain = Vec::new();
        let mut inc = Some(reader);
        while let Some(i) = inc {
            let inclusion = &self.inclusions[i as usize];
            chain.push(self.sources.get(inclusion.file).path.clone());
            if inclusion.file == file {
                chain.reverse();
                chain.push(self.sources.get(file).path.clone());
                return Some(chain);
            }
            inc = self.opened_by[i as usize];
        }
        None
    }

    fn end_of_input(&mut self) {
        if let Some(frame) = self.frames.last() {
            let name = String::from_utf8_lossy(&frame.name).into_owned();
            let open = frame.open;
            self.problem(ProblemKind::UnclosedCall { name }, open, 1);
        }
    }
}

/// Which argument `ifelse` expands to, comparing pair after pair as m4 does.
fn ifelse_choice(args: &[LocatedText]) -> Option<usize> {
    if args.len() < 3 {
        return None;
    }
    let mut i = 0;
    let mut left = args.len();
    loop {
        if args[i].bytes == args[i + 1].bytes {
            return Some(i + 2);
        }
        match left {
            3 => return None,
            4 | 5 => return Some(i + 3),
            _ => {
                i += 3;
                left -= 3;
            }
        }
    }
}

/// A user macro's body with `$0`…`$N`, `$#`, `$*` and `$@` filled in.
fn substitute(
    body: &LocatedText,
    name: &[u8],
    args: &[LocatedText],
    at: Origin,
    lquote: &[u8],
    rquote: &[u8],
) -> LocatedText {
    let mut out = LocatedText::new();
    let bytes = &body.bytes;
    let mut literal = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'$', &bytes[i..]) {
        let dollar = i + k;
        let Some(&next) = bytes.get(dollar + 1) else {
            break;
        };
        let resume = if next.is_ascii_digit() {
            let mut j = dollar + 1;
            let mut n: usize = 0;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                n = n
                    .saturating_mul(10)
                    .saturating_add((bytes[j] - b'0') as usize);
                j += 1;
            }
            out.append_range(body, literal..dollar);
            if n == 0 {
                out.append(name, at);
            } else if let Some(a) = args.get(n - 1) {
                out.append_all(a);
            }
            j
        } else if next == b'#' {
            out.append_range(body, literal..dollar);
            out.append(args.len().to_string().as_bytes(), at);
            dollar + 2
        } else if next == b'*' || next == b'@' {
            out.append_range(body, literal..dollar);
            for (n, a) in args.iter().enumerate() {
                if n > 0 {
                    out.append(b",", at);
                }
                if next == b'@' {
                    out.append(lquote, at);
                }
                out.append_all(a);
                if next == b'@' {
                    out.append(rquote, at);
                }
            }
            dollar + 2
        } else {
            i = dollar + 1;
            continue;
        };
        literal = resume;
        i = resume;
    }
    out.append_range(body, literal..bytes.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Expands `files` (the first is the entry) in a temporary talk root.
    fn expand_files(files: &[(&str, &str)]) -> Expanded {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut sources = Sources::new(dir.path(), &[], false);
        let entry = sources.load_entry(&dir.path().join(files[0].0)).unwrap();
        expand(&mut sources, entry, &Options::default())
    }

    fn kinds(x: &Expanded) -> Vec<&ProblemKind> {
        x.problems.iter().map(|p| &p.kind).collect()
    }

    #[test]
    fn sinclude_of_a_folder_is_silent_as_in_m4() {
        let x = expand_files(&[("main.md", "a sinclude(sub) b\n"), ("sub/f.md", "f\n")]);
        assert_eq!(x.text, "a  b\n");
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        let x = expand_files(&[("main.md", "a include(sub) b\n"), ("sub/f.md", "f\n")]);
        assert_eq!(x.text, "a  b\n");
        assert_eq!(
            kinds(&x),
            [&ProblemKind::Load {
                name: "sub".into(),
                error: LoadError::IsDirectory
            }]
        );
    }

    #[test]
    fn a_macro_may_include_the_file_it_was_defined_in_once_that_is_read() {
        // The include is written in a2.md but read from main.md, after
        // a2.md has ended: m4 reads a2.md again, and so must we.
        let x = expand_files(&[
            ("main.md", "include(a2.md)M\n"),
            (
                "a2.md",
                "changequote([,])define([M],[include(a2.md)])changequote(,)A\n",
            ),
        ]);
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert_eq!(x.text, "A\nA\n\n");
    }

    #[test]
    fn include_cycles_are_found_through_macros_and_at_the_ends_of_files() {
        // ta.md's block is used up when it includes tb.md.
        let x = expand_files(&[
            ("main.md", "include(ta.md)\n"),
            ("ta.md", "A include(tb.md)"),
            ("tb.md", "B include(ta.md)"),
        ]);
        let files = ["ta.md", "tb.md", "ta.md"].map(String::from).to_vec();
        assert_eq!(kinds(&x), [&ProblemKind::Cycle { files }]);
        // The include is written in main.md but read in ma.md.
        let x = expand_files(&[
            (
                "main.md",
                "changequote([,])define([M],[include(ma.md)])changequote(,)include(ma.md)\n",
            ),
            ("ma.md", "x M\n"),
        ]);
        let files = ["ma.md", "ma.md"].map(String::from).to_vec();
        assert_eq!(kinds(&x), [&ProblemKind::Cycle { files }]);
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        // A pipe would block the read for ever; a socket stands in for it.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.md"), "x include(sock.md) y\n").unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("sock.md")).unwrap();
        let mut sources = Sources::new(dir.path(), &[], false);
        let entry = sources.load_entry(&dir.path().join("main.md")).unwrap();
        let x = expand(&mut sources, entry, &Options::default());
        assert_eq!(x.text, "x  y\n");
        assert_eq!(
            kinds(&x),
            [&ProblemKind::Load {
                name: "sock.md".into(),
                error: LoadError::Unreadable {
                    path: "sock.md".into(),
                    reason: "not a regular file (a pipe, a socket or a device)".into(),
                }
            }]
        );
    }

    /// Expands one file's text, with no file system.
    fn expand_text(text: &str) -> Expanded {
        let mut sources = Sources::new(Path::new("/nonexistent-root"), &[], false);
        let entry = sources.add_virtual("main.md", text);
        expand(&mut sources, entry, &Options::default())
    }

    #[test]
    fn a_macro_expanding_to_itself_stops_as_a_runaway() {
        // Each call leaves the block it was read from exhausted under the
        // next expansion; those must not pile up (they made every step
        // walk the whole stack, so this ran for minutes).
        for text in [
            "define(y,y)y\n",
            "define(y,y)(y)\n",
            "define(y,y)ifelse(a,y)\n",
        ] {
            let x = expand_text(text);
            assert_eq!(
                kinds(&x),
                [&ProblemKind::Runaway { name: "y".into() }],
                "{text}"
            );
        }
    }
}
