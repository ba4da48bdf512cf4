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
//!
//! [`syntax`] is what a name is; [`input`] the stack of input blocks;
//! [`expander`] the reading loop; [`builtins`] what each builtin does;
//! [`linemap`] where each output byte came from; [`problem`] what can go
//! wrong, and how each problem is told.

mod builtins;
mod chain;
mod expander;
mod input;
pub mod linemap;
mod problem;
mod reading;
mod splice;
pub mod syntax;

use crate::source::{SourceId, Sources};
use expander::Expander;
use input::Block;
use linemap::SourceMap;
pub use problem::{Problem, ProblemKind};
pub use splice::{splice, Change};

/// The talk's files at `root`, read as `reading` says, with include
/// folders, and read ahead by guessing names as the include language
/// writes them.
pub fn sources(
    root: &std::path::Path,
    include_dirs: &[std::path::PathBuf],
    allow_outside_root: bool,
    reading: crate::source::Reading,
) -> Sources {
    Sources::new(
        root,
        include_dirs,
        allow_outside_root,
        reading,
        syntax::literal_includes,
    )
}

/// Calls nested inside the arguments of calls (m4's `-L`; GNU m4 1.4.19
/// has no limit unless given one, and recurses until memory runs out).
pub const NESTING_LIMIT: usize = 1024;

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

/// The expanded text of a talk, with the way back to its sources.
#[derive(Clone, Debug)]
pub struct Expanded {
    pub text: String,
    pub map: SourceMap,
    pub problems: Vec<Problem>,
    /// Every name that was a macro at some time, builtins included.
    pub names: rustc_hash::FxHashSet<Vec<u8>>,
    /// Macro calls made, as the runaway limit counts them.
    pub steps: u64,
    /// How many inclusions there were when a builtin first changed the
    /// macros or the quotes: every file read before reads the same anew.
    pub first_change: Option<u32>,
    /// Some places are told only nearly (a big text of tiny pieces).
    pub approximate: bool,
}

/// The text a definition given before the first line is told from.
pub fn definition(sources: &mut Sources, name: &str, value: &str) -> SourceId {
    sources.add_virtual("<definitions>", &format!("{name}={value}"))
}

/// Expands `entry` and everything it includes.
pub fn expand(sources: &mut Sources, entry: SourceId, options: &Options) -> Expanded {
    let mut x = Expander::new(sources, options);
    for (name, value) in &options.defines {
        let id = definition(x.sources, name, value);
        let inclusion = x.new_inclusion(id, None, None);
        x.define_given(inclusion, name, value);
    }
    let inclusion = x.new_inclusion(entry, None, None);
    let text = x.sources.get(entry).text.clone();
    x.input.push(Block::file(text, inclusion));
    x.run();
    x.sources.stop_reading_ahead();
    let mut out = std::mem::take(&mut x.out);
    let folded = out.folded;
    // m4 drops NUL bytes from its input. (Slides never see one: they read
    // files with NUL made U+FFFD.)
    if memchr::memchr(0, &out.bytes).is_some() {
        out = out.without(0);
    }
    let text = String::from_utf8(out.bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Expanded {
        text,
        map: SourceMap {
            inclusions: x.inclusions,
            spans: out.spans,
        },
        problems: x.problems,
        names: x.names,
        steps: x.steps,
        first_change: x.first_change,
        approximate: folded || out.folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{LoadError, Reading};
    use std::path::Path;

    /// Expands `files` (the first is the entry) in a temporary talk root.
    fn expand_files(files: &[(&str, &str)]) -> Expanded {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut sources = sources(dir.path(), &[], false, Reading::Exact);
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
        let mut sources = sources(dir.path(), &[], false, Reading::Exact);
        let entry = sources.load_entry(&dir.path().join("main.md")).unwrap();
        let x = expand(&mut sources, entry, &Options::default());
        assert_eq!(x.text, "x  y\n");
        assert_eq!(
            kinds(&x),
            [&ProblemKind::Load {
                name: "sock.md".into(),
                error: LoadError::Unreadable {
                    path: "sock.md".into(),
                    reason: "it is a socket, not a regular file".into(),
                }
            }]
        );
    }

    /// Expands one file's text, with no file system.
    fn expand_text(text: &str) -> Expanded {
        let mut sources = sources(Path::new("/nonexistent-root"), &[], false, Reading::Exact);
        let entry = sources.add_virtual("main.md", text);
        expand(&mut sources, entry, &Options::default())
    }

    /// Found by fuzzing: a text of tiny pieces, past the size where its
    /// pieces share spans, mapped lines past the end of their file.
    #[test]
    fn every_line_of_a_crowded_text_maps_into_its_file() {
        let n = 15;
        let text = format!("define(d,$1$1)d({}a\nb{})\n", "d(".repeat(n), ")".repeat(n));
        let x = expand_text(&text);
        assert!(x.text.len() > 1 << 16);
        // Every hundred-and-first line: each lookup counts from its span.
        let mut at = 0;
        while at < x.text.len() {
            let o = x.map.origin_at(&x.text, at).unwrap();
            // The file has three lines, the last one empty.
            assert!(o.line >= 1 && o.line <= 3, "line {} at byte {at}", o.line);
            for _ in 0..101 {
                at += x.text[at..].find('\n').map_or(x.text.len() - at, |i| i + 1);
            }
        }
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
