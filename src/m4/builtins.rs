//! What each builtin does when called, and how a user macro's body is
//! filled in with its arguments.

use std::rc::Rc;

use super::expander::{Builtin, Expander, Macro, MAX_CALLS_SHOWN};
use super::input::{Block, Ctx};
use super::linemap::{LocatedText, Origin};
use super::problem::{ProblemKind, SIZE_LIMIT};
use super::syntax::special_bytes;
use crate::source::{LoadError, SourceId};

impl Expander<'_> {
    pub(super) fn call(
        &mut self,
        mac: Macro,
        name: &[u8],
        mut args: Vec<LocatedText>,
        at: Origin,
        ctx: Ctx,
    ) {
        let b = match mac {
            Macro::User(body) => {
                // A macro that doubles its argument is stopped here, at the
                // call that grows too large, before memory runs out.
                let Some(text) = substitute(&body, name, &args, at, &self.lquote, &self.rquote)
                else {
                    let name = String::from_utf8_lossy(name).into_owned();
                    let width = name.chars().count();
                    let kind = ProblemKind::TooLarge { name: Some(name) };
                    self.problem_in(kind, at, width, &ctx.calls);
                    return;
                };
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
                let silent = b == Builtin::Sinclude;
                // A problem points at the name where it is written out at
                // the call, else at the call.
                let place = match args.first().and_then(|a| written_at(a, at)) {
                    Some(o) => (o, path.chars().count()),
                    None => (at, "include".len() + usize::from(silent)),
                };
                self.include(&path, at, place, silent, ctx);
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
                self.changing();
                self.define(&args[0].bytes, body);
            }
            Builtin::Undefine => {
                self.changing();
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
                self.changing();
                self.special = special_bytes(lq.first().copied());
                self.lquote = lq;
                self.rquote = rq;
            }
        }
    }

    /// Includes `name`, called at `at`; a problem is shown at `place`.
    fn include(&mut self, name: &str, at: Origin, place: (Origin, usize), silent: bool, ctx: Ctx) {
        let reader = ctx.reader;
        let kind =
            match self.sources.load_include(name) {
                Ok(id) => match self.cycle(id, reader) {
                    None => {
                        let inclusion = self.new_inclusion(id, Some(at), Some(reader));
                        let text = self.sources.get(id).text.clone();
                        self.push_input(Block::file(text, inclusion));
                        let depth = self.input_base + self.input.len() - 1;
                        self.inclusions[inclusion as usize].depth = depth as u32;
                        return;
                    }
                    Some(files) => ProblemKind::Cycle { files },
                },
                // m4's sinclude is silent about any file it cannot open,
                // a folder included.
                Err(
                    LoadError::NotFound | LoadError::IsDirectory | LoadError::BrokenLink { .. },
                ) if silent => return,
                Err(error) => ProblemKind::Load {
                    name: name.into(),
                    error,
                },
            };
        self.problem_in(kind, place.0, place.1, &ctx.calls);
    }

    /// The files of an include cycle, if including `file` while reading
    /// inclusion `reader` closes one: if `file` is being read already, as
    /// `reader` or one of the inclusions that opened it. (Where the call
    /// was written does not matter: a macro defined in `a.md` may include
    /// `a.md` once `a.md` is done.)
    fn cycle(&mut self, file: SourceId, reader: u32) -> Option<Vec<String>> {
        if !self.chains.reads(reader, file) {
            return None;
        }
        let way = self.chains.way(reader);
        let from = way.iter().position(|&(_, f)| f == file).unwrap_or(0);
        let path = |f: SourceId| self.sources.get(f).path.clone();
        let mut files: Vec<String> = way[from..].iter().map(|&(_, f)| path(f)).collect();
        files.push(path(file));
        Some(files)
    }

    pub(super) fn end_of_input(&mut self) {
        if let Some(frame) = self.frames.last() {
            let name = String::from_utf8_lossy(&frame.name).into_owned();
            let open = frame.open;
            self.problem(ProblemKind::UnclosedCall { name }, open, 1);
        }
    }
}

/// Where `arg` starts, if it is written out on the line of the call at
/// `call` (not made by a macro, nor running on to other lines).
fn written_at(arg: &LocatedText, call: Origin) -> Option<Origin> {
    let first = arg.spans.first()?.origin;
    let same_place = |o: Origin| o.inclusion == call.inclusion && o.line == call.line;
    (arg.spans.len() == 1 && same_place(first) && !arg.bytes.contains(&b'\n')).then_some(first)
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
) -> Option<LocatedText> {
    let mut out = LocatedText::new();
    let bytes = &body.bytes;
    let mut literal = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'$', &bytes[i..]) {
        // Stop as soon as it is too large, not once it is twice that.
        if out.len() > SIZE_LIMIT {
            return None;
        }
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
    (out.len() <= SIZE_LIMIT).then_some(out)
}
