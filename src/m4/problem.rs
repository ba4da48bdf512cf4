//! What can go wrong while expanding, and how each problem is told to
//! the person who wrote the talk.

use crate::error::Diagnostic;
use crate::source::{LoadError, Sources};

use super::linemap::{Origin, SourceMap};

/// Something wrong with the talk found while expanding, at the origin of
/// the call (or comment) concerned.
/// Expanded text (or one argument) larger than this is a runaway.
pub(super) const SIZE_LIMIT: usize = 64 << 20;

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
    /// The expanded text, or the expansion of macro `name`, grows past
    /// the limit.
    TooLarge {
        name: Option<String>,
    },
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
                | ProblemKind::TooLarge { .. }
        )
    }
}

impl Problem {
    /// The problem as people read it, at its place in the talk.
    pub fn diagnostic(&self, sources: &Sources, map: &SourceMap) -> Diagnostic {
        let d = match &self.kind {
            ProblemKind::Load { name, error } => {
                let d = error.diagnostic(name, sources.has_include_dirs());
                match (error, crate::suggest::near_file(sources.root(), name)) {
                    (LoadError::NotFound, Some(near)) => d.help(format!("did you mean `{near}`?")),
                    _ => d,
                }
            }
            ProblemKind::Cycle { files } => Diagnostic::new(format!(
                "include cycle: {}",
                files.join(" -> ")
            ))
            .help("a file includes itself through this chain, which never ends; remove one of these includes"),
            ProblemKind::UnclosedCall { name } => Diagnostic::new(format!(
                "`{name}(` is never closed: the input ends inside its arguments"
            ))
            .help("add the missing `)`; with quoting off, every `(` inside the arguments needs its own `)` too"),
            ProblemKind::UnclosedQuote => Diagnostic::new("the input ends inside a quoted string")
                .help("close the quote, or switch quoting off again with `changequote(,)`"),
            ProblemKind::UnterminatedComment { .. } => Diagnostic::new(
                "the input ends inside a `#` comment: the last line has no newline",
            )
            .help("m4 stops with an error here and drops that line; end the file with a newline"),
            ProblemKind::NestingLimit { name, limit } => Diagnostic::new(format!(
                "macro calls nest deeper than {limit} levels (at `{name}`)"
            ))
            .help("a macro whose arguments call it again never ends; check recursive defines"),
            ProblemKind::Runaway { name } => Diagnostic::new(format!(
                "`{name}` keeps expanding without end"
            ))
            .help("a macro that expands to a call of itself (or an include that includes itself through a macro) never stops; m4 would loop until it runs out of memory"),
            ProblemKind::TooLarge { name } => Diagnostic::new(match name {
                Some(name) => format!("`{name}` expands to more than {} MiB of text", SIZE_LIMIT >> 20),
                None => format!("the expanded text grows beyond {} MiB", SIZE_LIMIT >> 20),
            })
            .help("a macro or include is multiplying the text; check recursive defines"),
        };
        let d = map.point(sources, d, self.at, self.width);
        map.in_calls(sources, d, &self.calls)
    }
}
