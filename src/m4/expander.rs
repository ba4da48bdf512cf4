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

use rustc_hash::{FxHashMap, FxHashSet};

use super::chain::Chains;
use super::input::{Block, Calls, Ctx};
use super::linemap::{Inclusion, LocatedText, Origin};
use super::problem::{Problem, ProblemKind, SIZE_LIMIT};
use super::syntax::{is_space, is_word_start, length_bit, special_bytes, WORD_CHAR};
use super::Options;
use crate::source::{SourceId, Sources};

/// Calls in a row that read no byte of any file: a macro that keeps
/// expanding to itself, which m4 would follow forever. A talk's macros
/// make a few dozen in a row; a hundred thousand is a loop (and fuzzing
/// found loops whose every call costs more than the last).
pub(super) const STEP_LIMIT: u64 = 100_000;
/// Bytes of text pushed back that count as one call towards `STEP_LIMIT`:
/// 64 MiB of it without a byte read from a file is a runaway.
const PUSHED_PER_STEP: u64 = 64;
/// Pending input blocks: includes and expansions nested this deep are a
/// loop, not a talk.
const INPUT_DEPTH_LIMIT: usize = 100_000;
/// Macro calls named with a problem inside a macro's body: enough to find
/// the call, not a wall of text for a deep recursion.
pub(super) const MAX_CALLS_SHOWN: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Builtin {
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
    pub(super) fn needs_parens(self) -> bool {
        !matches!(self, Builtin::Dnl | Builtin::Changequote)
    }
}

#[derive(Clone)]
pub(super) enum Macro {
    Builtin(Builtin),
    User(Rc<LocatedText>),
}

/// A call whose arguments are being collected.
pub(super) struct Frame {
    pub(super) name: Vec<u8>,
    pub(super) mac: Macro,
    pub(super) at: Origin,
    pub(super) open: Origin,
    pub(super) args: Vec<LocatedText>,
    pub(super) cur: LocatedText,
    pub(super) depth: usize,
    /// At the start of an argument, where whitespace is dropped.
    pub(super) skipping: bool,
    /// Why the name was read (see [`Ctx`]).
    pub(super) ctx: Ctx,
}

pub(super) struct Expander<'s> {
    pub(super) sources: &'s mut Sources,
    pub(super) nesting_limit: usize,
    pub(super) input: Vec<Block>,
    pub(super) frames: Vec<Frame>,
    pub(super) out: LocatedText,
    pub(super) macros: FxHashMap<Vec<u8>, Macro>,
    /// For each first byte, the lengths of defined names starting with it
    /// (bit N for length N, bit 63 for 63 and longer): most words are told
    /// apart from macro names without hashing them.
    pub(super) name_shapes: [u64; 256],
    /// Bytes the plain-text scan must stop and look at: word starts, `#`,
    /// argument punctuation and the first byte of the open quote.
    pub(super) special: [bool; 256],
    pub(super) lquote: Vec<u8>,
    pub(super) rquote: Vec<u8>,
    pub(super) inclusions: Vec<Inclusion>,
    /// Every name that was a macro at some time, builtins included.
    pub(super) names: FxHashSet<Vec<u8>>,
    /// How many inclusions there were when a builtin first changed the
    /// macros or the quotes.
    pub(super) first_change: Option<u32>,
    /// Input blocks counted as standing under the stack (a file's
    /// expansion redone alone counts those its reading had under it).
    pub(super) input_base: usize,
    /// Which inclusion opened which, for include cycles.
    pub(super) chains: Chains,
    /// How many lines each file has, counted once.
    pub(super) file_lines: FxHashMap<SourceId, u32>,
    pub(super) problems: Vec<Problem>,
    pub(super) steps: u64,
    pub(super) stopped: bool,
}

impl<'s> Expander<'s> {
    pub(super) fn new(sources: &'s mut Sources, options: &Options) -> Self {
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
            names: FxHashSet::default(),
            first_change: None,
            input_base: 0,
            chains: Chains::default(),
            file_lines: FxHashMap::default(),
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

    pub(super) fn insert_macro(&mut self, name: &[u8], m: Macro) {
        if let Some(&b) = name.first() {
            self.name_shapes[b as usize] |= length_bit(name.len());
        }
        if self.macros.insert(name.to_vec(), m).is_none() {
            self.names.insert(name.to_vec());
        }
    }

    pub(super) fn define(&mut self, name: &[u8], body: LocatedText) {
        self.insert_macro(name, Macro::User(Rc::new(body)));
    }

    /// A definition given before the first line, told from `inclusion`.
    pub(super) fn define_given(&mut self, inclusion: u32, name: &str, value: &str) {
        let mut body = LocatedText::new();
        let col = name.len() as u32 + 2;
        body.append(value.as_bytes(), super::input::origin(inclusion, 1, col));
        self.define(name.as_bytes(), body);
    }

    /// A builtin changes the macros or the quotes: what is read from here
    /// on may expand differently from the same text read before.
    pub(super) fn changing(&mut self) {
        self.first_change
            .get_or_insert(self.inclusions.len() as u32);
    }

    /// A new reading of `file`, by the include call written at `from` and
    /// read while reading inclusion `opened_by`.
    pub(super) fn new_inclusion(
        &mut self,
        file: SourceId,
        from: Option<Origin>,
        opened_by: Option<u32>,
    ) -> u32 {
        let lines = *self.file_lines.entry(file).or_insert_with(|| {
            let text = self.sources.get(file).text.as_bytes();
            memchr::memchr_iter(b'\n', text).count() as u32 + 1
        });
        // Its text goes to the output as written unless it calls macros.
        let at_top = self.frames.is_empty() && self.lquote.is_empty();
        self.inclusions.push(Inclusion {
            file,
            from,
            lines,
            at_top,
            parent: opened_by,
            depth: 0,
        });
        self.chains.add(file, opened_by)
    }

    pub(super) fn problem(&mut self, kind: ProblemKind, at: Origin, width: usize) {
        self.problem_in(kind, at, width, &None);
    }

    /// A problem at `at` in the expansion of `calls`, which go with it.
    pub(super) fn problem_in(
        &mut self,
        kind: ProblemKind,
        at: Origin,
        width: usize,
        calls: &Calls,
    ) {
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
    pub(super) fn dest(&mut self) -> &mut LocatedText {
        match self.frames.last_mut() {
            Some(f) => &mut f.cur,
            None => &mut self.out,
        }
    }

    pub(super) fn run(&mut self) {
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
                let (at, ctx) = (self.here(), self.ctx());
                self.problem_in(ProblemKind::TooLarge { name: None }, at, 1, &ctx.calls);
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

    pub(super) fn dest_len(&self) -> usize {
        self.frames.last().map_or(self.out.len(), |f| f.cur.len())
    }

    /// Copies bytes that m4 would pass through one token at a time (plain
    /// characters, words that name no macro, comments within the block,
    /// nested parentheses inside arguments) in one go, and stops at the
    /// first thing that needs the careful path.
    pub(super) fn copy_plain_run(&mut self) -> Option<std::ops::Range<usize>> {
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
                    // A comment with a NUL in it takes the careful path.
                    Some(k) if memchr::memchr(0, &bytes[i..i + k]).is_none() => i += k + 1,
                    _ => break,
                }
            } else if b == 0 || Some(b) == quote {
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
    pub(super) fn macro_word(&mut self, range: std::ops::Range<usize>) {
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

    /// Reads one token the careful way and acts on it.
    pub(super) fn step(&mut self) {
        let Some(b) = self.peek_byte() else { return };
        if b == 0 {
            // m4 reads no NUL: it parts tokens and is gone.
            self.next_byte();
        } else if is_word_start(b) {
            let ctx = self.ctx();
            let mut word = LocatedText::new();
            while self.take_word_run(&mut word) {}
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
            // m4 keeps a comment as a C string: a NUL ends it there, and
            // the rest of it is lost.
            if let Some(nul) = memchr::memchr(0, &comment.bytes) {
                comment.truncate(nul);
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

    pub(super) fn quoted(&mut self) {
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
        // Like a comment, a quoted string is a C string to m4.
        if let Some(nul) = memchr::memchr(0, &text.bytes) {
            text.truncate(nul);
        }
        self.dest().append_all(&text);
    }

    /// A single character: argument punctuation inside a call, else text.
    pub(super) fn punctuation(&mut self, c: u8, at: Origin) {
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

    pub(super) fn word(&mut self, word: LocatedText, ctx: Ctx) {
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

    pub(super) fn start_call(&mut self, mac: Macro, name: Vec<u8>, at: Origin, ctx: Ctx) {
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
        if self.steps > STEP_LIMIT || self.input_base + self.input.len() > INPUT_DEPTH_LIMIT {
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
    pub(super) fn push_input(&mut self, block: Block) {
        while self.input.last().is_some_and(Block::done) {
            self.input.pop();
        }
        self.input.push(block);
    }

    pub(super) fn push_text(&mut self, t: LocatedText, ctx: Ctx) {
        if !t.is_empty() {
            // Text pushed back counts towards the runaway limit as calls
            // do: a macro whose expansion grows with each call reaches the
            // limit sooner.
            self.steps += t.len() as u64 / PUSHED_PER_STEP;
            self.push_input(Block::string(t, ctx));
        }
    }
}
