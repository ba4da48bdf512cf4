//! Properties of the library, on generated input: what the expander must
//! give for any talk (text without macro calls is left alone, the same
//! input gives the same output, every output line leads back to a line of
//! a source file), and that splitting and rendering take any text. Case
//! counts are kept so that the module runs in seconds in a debug build.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;

use slidebook::deck::{self, TextProblem};
use slidebook::html::{Highlighter, Markdown};
use slidebook::m4::{self, Expanded, Options};
use slidebook::source::{SourceId, Sources};

/// Expands `text` as the entry file of a talk rooted at `root`.
fn expand_in(root: &Path, text: &str) -> (Sources, SourceId, Expanded) {
    let mut sources = m4::sources(root, &[], false, slidebook::source::Reading::Exact);
    let entry = sources.add_virtual("main.md", text);
    let expanded = m4::expand(&mut sources, entry, &Options::default());
    (sources, entry, expanded)
}

/// A talk's root with files to include: chains, a macro defined in an
/// included file, no newline at the end, CRLF, a cycle, a folder, a file
/// that is not UTF-8.
fn talk_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &[u8])] = &[
        ("a.md", b"from a\ninclude(b.md)\n"),
        ("b.md", b"define(B, bee $1)dnl\nB and B(x)\n"),
        ("c.md", b"no newline at the end"),
        ("crlf.md", b"one\r\ntwo\r\n"),
        ("cyc.md", b"x include(cyc.md)\n"),
        ("d/e.md", b"in a folder\n\n\n"),
        ("latin1.md", b"caf\xe9\n"),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const FILES: &[&str] = &[
    "a.md",
    "b.md",
    "c.md",
    "crlf.md",
    "cyc.md",
    "d/e.md",
    "latin1.md",
    "missing.md",
    "d",
    "",
];

/// Words that are not builtin names, some of them close to one. Each is
/// followed by a separator, so no two run together into a name.
const NEAR_MISSES: &[&str] = &[
    "Include",
    "INCLUDE",
    "includes",
    "xinclude",
    "sincludex",
    "Define",
    "define_",
    "_define",
    "undefined",
    "ifdefs",
    "ifelse2",
    "dnl_",
    "_dnl",
    "DNL",
    "dn",
    "changequotes",
    "m4",
    "slide",
    "x",
    "_",
    "A1",
    "B",
    "Ifelse",
];

/// A run of characters that cannot continue a name: punctuation the
/// expander looks at, line ends, and any other character.
fn separator() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => Just(" ".to_string()),
        2 => Just("\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\t".to_string()),
        2 => Just("(".to_string()),
        2 => Just(")".to_string()),
        2 => Just(",".to_string()),
        1 => Just("#".to_string()),
        1 => Just("[".to_string()),
        1 => Just("]".to_string()),
        1 => Just("`".to_string()),
        1 => Just("'".to_string()),
        1 => Just("$1".to_string()),
        1 => Just("<!--".to_string()),
        1 => Just("-->".to_string()),
        1 => Just("\0".to_string()),
        1 => Just("\u{feff}".to_string()),
        2 => any::<char>()
            .prop_filter("not a name character", |c| !c.is_ascii_alphanumeric() && *c != '_')
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 1..4).prop_map(|v| v.concat())
}

/// Text with no macro call in it: words that are not builtin names, each
/// followed by a separator. A comment (`#` to the end of the line) is
/// copied as it is, but one left open at the end is dropped, as m4 does,
/// so the text then ends with a line end.
fn text_without_calls() -> impl Strategy<Value = String> {
    (
        prop::option::of(separator()),
        prop::collection::vec((prop::sample::select(NEAR_MISSES), separator()), 0..24),
    )
        .prop_map(|(lead, words)| {
            let mut text = lead.unwrap_or_default();
            for (word, sep) in words {
                text.push_str(word);
                text.push_str(&sep);
            }
            if text.contains('#') && !text.ends_with('\n') {
                text.push('\n');
            }
            // A NUL is dropped (and cuts a comment short), as m4 does: the
            // comparison with m4 in `differential` shows that.
            text.replace('\0', "")
        })
}

/// Words with neither `e` nor `d`: every builtin name has one of them, so
/// no run of these words, however they meet, makes a builtin's name; and
/// no capital `A`, `B` or `C`, the user macros' names. Macro bodies made
/// of them can call no macro, so no expansion runs away.
const SAFE_WORDS: &[&str] = &[
    "talk", "slow", "top", "mix", "a1", "x_y", "hi", "grin", "ok",
];

/// An argument: safe words, spaces, line ends and argument references; no
/// parenthesis, comma, comment or bracket, which would change the call.
fn argument() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(SAFE_WORDS).prop_map(String::from),
        3 => Just(" ".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("é→".to_string()),
        1 => prop::sample::select(&["$1", "$2", "$#", "$@", "$*"][..]).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|v| v.concat())
}

fn macro_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["A", "B", "C"][..])
}

/// A talk's text: plain text, definitions and calls of macros, the other
/// builtins, includes of the files of [`talk_root`], comments, quotes.
fn talk_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => text_without_calls(),
        2 => (macro_name(), argument()).prop_map(|(n, body)| format!("define({n},{body})")),
        3 => (macro_name(), prop::collection::vec(argument(), 0..3)).prop_map(|(n, args)| {
            if args.is_empty() {
                format!("{n} ")
            } else {
                format!("{n}({})", args.join(","))
            }
        }),
        1 => macro_name().prop_map(|n| format!("undefine({n})")),
        1 => (macro_name(), argument(), argument())
            .prop_map(|(n, a, b)| format!("ifdef({n},{a},{b})")),
        1 => (argument(), argument(), argument(), argument())
            .prop_map(|(a, b, c, d)| format!("ifelse({a},{b},{c},{d})")),
        2 => prop::sample::select(FILES).prop_map(|f| format!("include({f})")),
        1 => prop::sample::select(FILES).prop_map(|f| format!("sinclude({f})")),
        1 => argument().prop_map(|t| format!("dnl{t}\n")),
        1 => argument().prop_map(|t| format!("# {} B A\n", t.replace('\n', " "))),
        1 => argument().prop_map(|t| format!("changequote([,])[{t} A(]changequote(,)")),
        1 => separator(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn text_without_macro_calls_expands_to_itself(text in text_without_calls()) {
        let (_, _, x) = expand_in(Path::new("/nonexistent-root"), &text);
        prop_assert!(x.problems.is_empty(), "problems: {:?}", x.problems);
        prop_assert_eq!(x.text, text);
    }

    #[test]
    fn expansion_is_deterministic(text in talk_text()) {
        let root = talk_root();
        let (_, _, first) = expand_in(root.path(), &text);
        let (_, _, second) = expand_in(root.path(), &text);
        prop_assert_eq!(&first.text, &second.text);
        prop_assert_eq!(&first.problems, &second.problems);
        prop_assert_eq!(format!("{:?}", first.map), format!("{:?}", second.map));
    }

    #[test]
    fn every_expanded_line_comes_from_a_line_of_a_source_file(text in talk_text()) {
        let root = talk_root();
        let (sources, _, x) = expand_in(root.path(), &text);
        let starts = std::iter::once(0)
            .chain(x.text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < x.text.len());
        for start in starts {
            let origin = x.map.origin_at(&x.text, start);
            prop_assert!(origin.is_some(), "no origin for the line at byte {}", start);
            let origin = origin.unwrap();
            prop_assert!(
                (origin.inclusion as usize) < x.map.inclusions.len(),
                "the line at byte {} names inclusion {} of {}",
                start, origin.inclusion, x.map.inclusions.len()
            );
            let file = sources.get(x.map.file_of(origin));
            let lines = file.text.split('\n').count() as u32;
            prop_assert!(
                origin.line >= 1 && origin.line <= lines,
                "the line at byte {} ({:?}) maps to line {} of {}, which has {} lines",
                start,
                x.text[start..].lines().next().unwrap_or(""),
                origin.line,
                file.path,
                lines
            );
            prop_assert!(origin.col >= 1, "column {} at byte {}", origin.col, start);
        }
        // And every problem can be told, pointing into a source.
        for p in &x.problems {
            let _ = p.diagnostic(&sources, &x.map).render();
        }
    }
}

fn highlighter() -> &'static Highlighter {
    static HL: OnceLock<Highlighter> = OnceLock::new();
    HL.get_or_init(Highlighter::new)
}

/// Text that is hard on the splitter: comments open and closed anywhere,
/// fences, headings, rules, front matter, tables, images and links, NUL,
/// CR, byte order marks and private-use characters, and any character.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        2 => Just("<!--".to_string()),
        2 => Just("-->".to_string()),
        1 => Just("<!-- note -->".to_string()),
        2 => Just("```".to_string()),
        1 => Just("```rust\nfn main() {}\n".to_string()),
        1 => Just("~~~".to_string()),
        2 => Just("# ".to_string()),
        2 => Just("## ".to_string()),
        1 => Just("### ".to_string()),
        1 => Just("---\n".to_string()),
        1 => Just("---\ntitle: T\nauthor: A\n---\n".to_string()),
        1 => Just("| a | b |\n|---|---|\n".to_string()),
        1 => Just("![p](img/p.png)".to_string()),
        1 => Just("[l](cmd/x)".to_string()),
        1 => Just("[^1]\n\n[^1]: foot".to_string()),
        1 => Just("* ".to_string()),
        1 => Just("    ".to_string()),
        1 => Just("> ".to_string()),
        1 => Just("<div>".to_string()),
        4 => Just("\n".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\0".to_string()),
        1 => Just("\u{feff}".to_string()),
        1 => Just("\u{e000}".to_string()),
        1 => Just("\u{10fffd}".to_string()),
        3 => "[a-z ]{1,8}",
        2 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn splitting_and_rendering_take_any_text(
        text in markdownish(),
        level in 1u8..=6,
        title_known in any::<bool>(),
    ) {
        check_split(&text, level, title_known)?;
    }

    #[test]
    fn splitting_and_rendering_take_any_string(
        text in any::<String>(),
        level in 1u8..=6,
        title_known in any::<bool>(),
    ) {
        check_split(&text, level, title_known)?;
    }
}

fn check_split(text: &str, level: u8, title_known: bool) -> Result<(), TestCaseError> {
    let render = Markdown {
        highlighter: highlighter(),
        missing_images: None,
    };
    let d = deck::split(text, level, title_known, &render);
    let _ = d.transcript(text, true);
    for s in &d.slides {
        prop_assert!(s.at <= text.len(), "slide at {} of {}", s.at, text.len());
        for n in &s.notes {
            prop_assert!(
                text.get(n.clone()).is_some(),
                "note {:?} is not a piece of the text",
                n
            );
        }
    }
    for r in &d.refs {
        prop_assert!(
            r.at <= text.len(),
            "reference at {} of {}",
            r.at,
            text.len()
        );
    }
    for p in &d.text_problems {
        let (at, what) = match *p {
            TextProblem::Unclosed { at } | TextProblem::Reopened { at, .. } => (at, "<!--"),
            TextProblem::StrayClose { at } => (at, "-->"),
            TextProblem::Formula { at, .. } => (at, "$"),
        };
        prop_assert!(
            text.get(at..).is_some_and(|t| t.starts_with(what)),
            "comment problem {:?}",
            p
        );
    }
    Ok(())
}

/// Inputs the `expand` fuzz target found (see "Fuzzing" in README.md):
/// each must end, with its problem, in a few seconds.
const FUZZ_RUNAWAYS: &[&str] = &[
    // fuzz/regressions/expand/runaway-dollar-hash-min.md
    "define(M,($#M(B$@\n))M",
    // fuzz/regressions/expand/runaway-dollar-hash.md, as found.
    "define(M,($#M(,\n s$#include(),B$@  da,  \n),B  d)\ndefine(M, `incersion adds a slide\ndnl on check in  d)define(M, `include\n",
    // fuzz/regressions/expand/runaway-include-400mb.md: each of the million
    // calls includes a file, so 376 MB come out (3 s in a release build)
    // before the runaway is stopped.
    include_str!("../../fuzz/regressions/expand/runaway-include-400mb.md"),
];

/// A macro that calls itself with `$#` in its body and an argument list
/// left open: GNU m4 loops for ever, and slidebook stops it as a runaway.
/// Each call costs more than the last, so a million calls took minutes;
/// the limit is now a hundred thousand calls (or 64 MiB of text pushed
/// back) in a row without a byte read from a file.
#[test]
fn fuzzed_runaway_macros_stop_within_seconds() {
    use std::time::{Duration, Instant};
    for (i, text) in FUZZ_RUNAWAYS.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.md"), text).unwrap();
        let mut child = crate::harness::slidebook(dir.path())
            .args(["expand", "main.md"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("input {i} still expands after 10 s: {text:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(1), "input {i}: {stderr}");
        assert!(
            stderr.contains("error: `M` keeps expanding without end"),
            "input {i}: {stderr}"
        );
    }
}

/// NUL bytes, as GNU m4 1.4.19 reads them after `changequote(,)dnl`: it
/// drops them from text and from arguments, and a NUL inside a quoted
/// string (or a comment) ends what it keeps. The `expand` fuzz target
/// found bodies such as `[\0Q()]` and `g\0$0` that m4 expands at once
/// and an expander keeping NUL would follow as a runaway
/// (fuzz/regressions/expand/nul-*.md).
#[test]
fn nul_bytes_are_read_as_gnu_m4_reads_them() {
    let cases: &[(&str, &str)] = &[
        ("x\0y\n", "xy\n"),
        ("define(P, a\0b)P P\n", "ab ab\n"),
        ("define(P,[a\0b])P\n", "[ab]\n"),
        ("changequote([,])[x\0y]\n", "x\n"),
        ("changequote([,])define([Q],[g\0h])Q Q\n", "g g\n"),
        ("changequote([,])define([Q],[\0Q()])Q()\n", "\n"),
    ];
    for (input, m4) in cases {
        let (_, _, x) = expand_in(Path::new("/nonexistent-root"), input);
        assert!(x.problems.is_empty(), "{input:?}: {:?}", x.problems);
        assert_eq!(x.text, *m4, "{input:?}");
    }
}
