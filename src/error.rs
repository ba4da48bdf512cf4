//! What users get wrong, and how it is shown to them.
//!
//! Every problem in a talk becomes a [`Diagnostic`]: a message, the place
//! (file, line, column, the line itself and a caret), the chain of includes
//! that led there, and what to do about it.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

/// A place in a source file, as people count: lines and columns from 1,
/// columns in characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// The source line, for the excerpt under the message.
    pub text: String,
}

impl Location {
    /// The place of byte `at` of `text`, the text of file `file`: its line
    /// and column, with the line as the excerpt.
    pub fn at_offset(file: impl Into<String>, text: &str, at: usize) -> Location {
        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let line = text[..at].matches('\n').count() + 1;
        let col = text[start..at].chars().count() + 1;
        let excerpt = text[start..].lines().next().unwrap_or("");
        Location::in_file(file, line as u32, col as u32, excerpt)
    }

    /// A location with no excerpt (a file as a whole, a line of a config).
    pub fn in_file(file: impl Into<String>, line: u32, col: u32, text: &str) -> Location {
        Location {
            file: file.into(),
            line,
            col,
            text: text.to_string(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Whether a problem stops a build. `check` counts every problem as an
/// error; a build writes its decks despite warnings (unless told to be
/// strict), because what they lose is shown on the slide instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Severity {
    #[default]
    Error,
    Warning,
    /// Worth knowing, never a failure.
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub at: Option<Location>,
    /// Characters under the caret.
    pub width: usize,
    /// Include calls that led to `at`, innermost first.
    pub chain: Vec<Location>,
    /// When `at` is in a macro's body: the calls of it being expanded,
    /// innermost first.
    pub calls: Vec<MacroCall>,
    pub help: Option<String>,
}

/// A call of a user macro, as a diagnostic shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroCall {
    pub name: String,
    pub at: Location,
    /// Include calls that led to `at`, innermost first.
    pub chain: Vec<Location>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            at: None,
            width: 1,
            chain: Vec::new(),
            calls: Vec::new(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::new(message)
        }
    }

    pub fn note(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::new(message)
        }
    }

    /// The same problem, counted as an error.
    pub fn as_error(self) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            ..self
        }
    }

    pub fn at(mut self, at: Location, width: usize) -> Diagnostic {
        self.at = Some(at);
        self.width = width.max(1);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The human form: message, place, excerpt with a caret, chain, help.
    pub fn render(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut s = format!("{kind}: {}\n", self.message);
        if let Some(at) = &self.at {
            let gutter = at.line.to_string().len();
            let pad = " ".repeat(gutter);
            let (excerpt, caret_col) = excerpt(&at.text, at.col as usize);
            // Escaped characters take more columns than they are.
            let shown_width = |c: char| {
                if c == '\t' {
                    1
                } else {
                    shown_char(c).chars().count()
                }
            };
            let under: usize = at
                .text
                .chars()
                .skip((at.col as usize).saturating_sub(1))
                .take(self.width)
                .map(shown_width)
                .sum();
            let _ = writeln!(s, "{pad}--> {at}");
            let _ = writeln!(s, "{pad} |");
            let _ = writeln!(s, "{} | {}", at.line, excerpt);
            let width = under
                .max(self.width.min(1))
                .min(excerpt.chars().count().saturating_sub(caret_col - 1).max(1));
            let _ = writeln!(
                s,
                "{pad} | {}{}",
                " ".repeat(caret_col - 1),
                "^".repeat(width)
            );
            for from in &self.chain {
                let _ = writeln!(s, "{pad} = included from {from}");
            }
            for call in &self.calls {
                let _ = writeln!(
                    s,
                    "{pad} = in the expansion of `{}` at {}",
                    call.name, call.at
                );
                for from in &call.chain {
                    let _ = writeln!(s, "{pad} = included from {from}");
                }
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(s, "help: {help}");
        }
        // A talk's text never reaches the terminal raw: an escape code in a
        // file name or a line must not clear the screen.
        s.split_inclusive('\n')
            .map(|l| visible(l.trim_end_matches('\n')) + "\n")
            .collect()
    }

    /// One JSON object, for `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let place =
            |l: &Location| serde_json::json!({ "file": l.file, "line": l.line, "column": l.col });
        let mut v = serde_json::json!({
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            },
            "message": self.message,
            "help": self.help,
            "included_from": self.chain.iter().map(place).collect::<Vec<_>>(),
        });
        // Only for problems inside a macro's body, so other objects keep
        // their shape.
        if !self.calls.is_empty() {
            let call = |c: &MacroCall| {
                let mut v = place(&c.at);
                v["macro"] = c.name.clone().into();
                v["included_from"] = c.chain.iter().map(place).collect::<Vec<_>>().into();
                v
            };
            v["expanded_from"] = self.calls.iter().map(call).collect::<Vec<_>>().into();
        }
        if let Some(at) = &self.at {
            v["file"] = at.file.clone().into();
            v["line"] = at.line.into();
            v["column"] = at.col.into();
            v["source"] = at.text.clone().into();
        }
        v
    }
}

/// The part of a long line around `col` (characters from 1), with the
/// caret's column within it, so a 10 MB line prints as a short excerpt.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    const WIDTH: usize = 120;
    // Tabs as one space and control characters escaped, with the column
    // moved to match.
    let before: usize = line
        .chars()
        .take(col.saturating_sub(1))
        .map(|c| {
            if c == '\t' {
                1
            } else {
                shown_char(c).chars().count()
            }
        })
        .sum();
    let col = before + 1;
    let expanded = visible(&line.replace('\t', " ")).into_owned();
    let count = expanded.chars().count();
    if count <= WIDTH {
        return (expanded, col.max(1));
    }
    let start = col
        .saturating_sub(WIDTH / 2)
        .min(count.saturating_sub(WIDTH));
    let piece: String = expanded.chars().skip(start).take(WIDTH).collect();
    let mut shown = String::new();
    let mut caret = col - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.push_str(&piece);
    if start + WIDTH < count {
        shown.push('…');
    }
    (shown, caret.max(1))
}

/// `s` as it may be shown on a terminal: control characters (and the
/// ones that reorder text) escaped, as `\x1b` or `\u{202e}`.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return s.into();
    }
    s.chars().map(shown_char).collect::<String>().into()
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn shown_char(c: char) -> std::borrow::Cow<'static, str> {
    match c {
        c if !needs_escape(c) => String::from(c).into(),
        c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32).into(),
        c => format!("\\u{{{:x}}}", c as u32).into(),
    }
}

/// Everything a command can fail with.
#[derive(Debug)]
pub enum Error {
    /// The command line itself is wrong (exit 2).
    Usage(String),
    /// Problems in the talk (exit 1).
    Talk(Vec<Diagnostic>),
    /// The file system said no (exit 1).
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Talk(_) | Error::Io { .. } => 1,
        }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::Talk(vec![d])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(msg) => write!(f, "error: {}", visible(msg)),
            Error::Talk(ds) => {
                for (i, d) in ds.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{}", d.render().trim_end())?;
                }
                let errors = ds.iter().filter(|d| d.severity == Severity::Error).count();
                if ds.len() > 1 {
                    write!(f, "\n\n{}", count(errors, "error"))?;
                }
                Ok(())
            }
            Error::Io { path, source } => {
                let path = path.display().to_string();
                write!(f, "error: {}: {}", visible(&path), source)
            }
        }
    }
}

impl std::error::Error for Error {}

/// "1 slide", "2 slides": counts in messages and summaries.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_place_excerpt_caret_chain_and_help() {
        let mut d = Diagnostic::new("cannot open `x.md`: no such file")
            .at(Location::in_file("main.md", 12, 3, "a include(x.md)"), 7)
            .help("create it");
        d.chain = vec![Location::in_file("top.md", 1, 1, "")];
        assert_eq!(
            d.render(),
            "error: cannot open `x.md`: no such file
  --> main.md:12:3
   |
12 | a include(x.md)
   |   ^^^^^^^
   = included from top.md:1:1
help: create it
"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped_and_the_caret_follows() {
        let d = Diagnostic::new("image `\u{1b}[2J.png` not found")
            .at(
                Location::in_file("a\u{1b}.md", 1, 6, "\u{1b}[2J ![x](\u{202e}y.png)"),
                3,
            )
            .help("fix \u{7}it");
        assert_eq!(
            d.render(),
            "error: image `\\x1b[2J.png` not found
 --> a\\x1b.md:1:6
  |
1 | \\x1b[2J ![x](\\u{202e}y.png)
  |         ^^^
help: fix \\x07it
"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = "x".repeat(10_000) + "include(a)" + &"y".repeat(10_000);
        let (shown, caret) = excerpt(&line, 10_001);
        assert!(shown.chars().count() <= 122);
        assert_eq!(shown.chars().nth(caret - 1), Some('i'));
    }
}
