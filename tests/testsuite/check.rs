//! What `slidebook check FILE` and `slidebook expand FILE` tell people
//! about a talk the expander cannot read: the exact message, place, source
//! line, caret, include chain and help, and the exit code. Then inputs
//! built to break things (cycles, deep chains, binary files, huge lines,
//! runaway macros): each must end with a result or an error, never a
//! hang, a stack overflow or a panic.

use crate::harness::{Run, Talk, Test};

const MISSING_HELP: &str = "help: include paths are relative to the talk's root, not to the \
     including file; check the spelling or create the file";
const OUTSIDE_HELP: &str = "help: keep included files inside the talk, add their folder to \
     `include-path`, or set `allow-outside-root = true` under [build] in book.toml";
const UTF8_HELP: &str = "help: slidebook reads talks as UTF-8; convert the file (for example \
     with iconv), or include only text files";
const CYCLE_HELP: &str =
    "help: a file includes itself through this chain, which never ends; remove one of these includes";
const UNCLOSED_HELP: &str = "help: add the missing `)`; with quoting off, every `(` inside the \
     arguments needs its own `)` too";
const NESTING_HELP: &str =
    "help: a macro whose arguments call it again never ends; check recursive defines";
const RUNAWAY_HELP: &str = "help: a macro that expands to a call of itself (or an include that \
     includes itself through a macro) never stops; m4 would loop until it runs out of memory";

/// `check` and `expand` both fail with exactly `diagnostic`; `expand`
/// prints `expanded` first.
#[track_caller]
fn assert_one_error(talk: &Talk, diagnostic: &str, expanded: &str) {
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(format!("{diagnostic}checked 1 deck: 1 error\n"))
        .run();
    talk.args(&["expand", "main.md"])
        .status(1)
        .stdout(expanded)
        .stderr(diagnostic)
        .run();
}

/// Robustness, where stderr is not stated whole: whatever happened, it was
/// an answer, not a crash.
#[track_caller]
fn assert_no_crash(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
}

// ---- the command itself ----

#[test]
fn a_clean_talk_checks_clean() {
    Talk::new()
        .file("main.md", "# Talk\n\ninclude(sub/a.md)\n")
        .file("sub/a.md", "## A slide\n")
        .args(&["check", "main.md"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

#[test]
fn naming_nothing_is_a_usage_error() {
    Talk::new()
        .file("main.md", "x\n")
        .args(&["check", "nosuch"])
        .status(2)
        .stderr("error: no deck or file named `nosuch`\n")
        .run();
}

// ---- missing includes ----

#[test]
fn a_missing_include_names_the_file_the_place_and_what_to_do() {
    let talk = Talk::new().file("main.md", "# Talk\n\nSome text include(nosuch.md) more.\n");
    let expected = format!(
        "error: cannot open `nosuch.md`: no such file
 --> main.md:3:19
  |
3 | Some text include(nosuch.md) more.
  |                   ^^^^^^^^^
{MISSING_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn a_missing_include_deep_down_shows_the_chain_of_includes() {
    let talk = Talk::new()
        .file("main.md", "# Talk\n\ninclude(sub/a.md)\n")
        .file("sub/a.md", "a\n   include(sub/deep/b.md)\n")
        .file("sub/deep/b.md", "b\n\tsinclude(gone.md) include(gone.md)\n");
    // The tab shows as a space in the excerpt, and the caret follows it.
    let expected = format!(
        "error: cannot open `gone.md`: no such file
 --> sub/deep/b.md:2:28
  |
2 |  sinclude(gone.md) include(gone.md)
  |                            ^^^^^^^
  = included from sub/a.md:2:4
  = included from main.md:3:1
{MISSING_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn every_place_that_names_a_missing_file_is_reported() {
    let talk = Talk::new()
        .file(
            "main.md",
            "include(nosuch.md)\ninclude(a.md) include(nosuch.md)\n",
        )
        .file("a.md", "\n  include(nosuch.md)\n");
    let expected = format!(
        "error: cannot open `nosuch.md`: no such file
 --> main.md:1:9
  |
1 | include(nosuch.md)
  |         ^^^^^^^^^
{MISSING_HELP}
error: cannot open `nosuch.md`: no such file
 --> a.md:2:11
  |
2 |   include(nosuch.md)
  |           ^^^^^^^^^
  = included from main.md:2:1
{MISSING_HELP}
error: cannot open `nosuch.md`: no such file
 --> main.md:2:23
  |
2 | include(a.md) include(nosuch.md)
  |                       ^^^^^^^^^
{MISSING_HELP}
checked 1 deck: 3 errors
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn expand_prints_what_m4_prints_and_reports_a_missing_include() {
    let talk = Talk::new()
        .file("main.md", "before include(nosuch.md) after\ninclude(a.md)")
        .file("a.md", "A\n");
    let expected = format!(
        "error: cannot open `nosuch.md`: no such file
 --> main.md:1:16
  |
1 | before include(nosuch.md) after
  |                ^^^^^^^^^
{MISSING_HELP}
"
    );
    talk.args(&["expand", "main.md"])
        .status(1)
        .stdout("before  after\nA\n")
        .stderr(expected)
        .run();
}

#[test]
fn trailing_whitespace_in_an_include_names_another_file_as_in_m4() {
    let talk = Talk::new()
        .file("main.md", "include(\n  a.md)include(a.md )\n")
        .file("a.md", "A\n");
    let expected = "error: cannot open `a.md `: no such file
 --> main.md:2:16
  |
2 |   a.md)include(a.md )
  |                ^^^^^
help: did you mean `a.md`?
";
    talk.args(&["expand", "main.md"])
        .status(1)
        .stdout("A\n\n")
        .stderr(expected)
        .run();
}

#[test]
fn missing_includes_as_json_one_object_a_line() {
    let talk = Talk::new()
        .file("main.md", "x include(nosuch.md)\ninclude(sub/a.md)\n")
        .file("sub/a.md", "a\n  include(gone.md)\n");
    let run = talk
        .args(&["check", "--format", "json", "main.md"])
        .status(1)
        .stdout_any()
        .run();
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let help = MISSING_HELP.strip_prefix("help: ").unwrap();
    assert_eq!(
        lines,
        [
            serde_json::json!({
                "severity": "error",
                "message": "cannot open `nosuch.md`: no such file",
                "file": "main.md",
                "line": 1,
                "column": 11,
                "source": "x include(nosuch.md)",
                "help": help,
                "included_from": [],
            }),
            serde_json::json!({
                "severity": "error",
                "message": "cannot open `gone.md`: no such file",
                "file": "sub/a.md",
                "line": 2,
                "column": 11,
                "source": "  include(gone.md)",
                "help": help,
                "included_from": [{ "file": "main.md", "line": 2, "column": 1 }],
            }),
        ]
    );
}

#[test]
fn a_clean_talk_as_json_prints_nothing() {
    Talk::new()
        .file("main.md", "# Talk\n")
        .args(&["check", "--format", "json", "main.md"])
        .run();
}

// ---- include cycles ----

#[test]
fn an_include_cycle_names_the_chain() {
    let talk = Talk::new()
        .file("main.md", "start\ninclude(a.md)\n")
        .file("a.md", "intro\ninclude(b.md)\n")
        .file("b.md", "b\n  include(a.md)\n");
    let diagnostic = format!(
        "error: include cycle: a.md -> b.md -> a.md
 --> b.md:2:11
  |
2 |   include(a.md)
  |           ^^^^
  = included from a.md:2:1
  = included from main.md:2:1
{CYCLE_HELP}
"
    );
    // expand goes on after the cycle, as after a missing file.
    assert_one_error(&talk, &diagnostic, "start\nintro\nb\n  \n\n\n");
}

#[test]
fn a_file_that_includes_itself_is_a_cycle() {
    let talk = Talk::new().file("main.md", "x include(main.md)\n");
    let expected = format!(
        "error: include cycle: main.md -> main.md
 --> main.md:1:11
  |
1 | x include(main.md)
  |           ^^^^^^^
{CYCLE_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

// ---- paths that leave the root ----

/// A talk in `talk/`, with `secret.md` beside it, outside its root.
fn talk_beside_a_secret(main: &str) -> (Talk, String) {
    let talk = Talk::new()
        .file("secret.md", "deploy key\n")
        .file("talk/main.md", main);
    let secret = talk
        .path()
        .join("secret.md")
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    (talk, secret)
}

fn check_in_talk(talk: &Talk) -> Test<'_> {
    Test::in_dir(talk.path().join("talk"), &["check", "main.md"])
}

#[test]
fn a_relative_path_out_of_the_root_is_refused() {
    let (talk, secret) = talk_beside_a_secret("a include(../secret.md) b\n");
    let expected = format!(
        "error: `../secret.md` leaves the talk's root (it resolves to {secret})
 --> main.md:1:11
  |
1 | a include(../secret.md) b
  |           ^^^^^^^^^^^^
{OUTSIDE_HELP}
checked 1 deck: 1 error
"
    );
    check_in_talk(&talk).status(1).stderr(expected).run();
}

#[test]
fn an_absolute_path_out_of_the_root_is_refused() {
    let (talk, secret) = talk_beside_a_secret("");
    let main = format!("sinclude({secret})\n");
    let talk = talk.file("talk/main.md", &main);
    let expected = format!(
        "error: `{secret}` leaves the talk's root (it resolves to {secret})
 --> main.md:1:10
  |
1 | {}
  |          {}
{OUTSIDE_HELP}
checked 1 deck: 1 error
",
        main.trim_end(),
        "^".repeat(secret.chars().count())
    );
    check_in_talk(&talk).status(1).stderr(expected).run();
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_root_is_refused() {
    let (talk, secret) = talk_beside_a_secret("x include(link.md)\n");
    std::os::unix::fs::symlink(&secret, talk.path().join("talk/link.md")).unwrap();
    let expected = format!(
        "error: `link.md` leaves the talk's root (it resolves to {secret})
 --> main.md:1:11
  |
1 | x include(link.md)
  |           ^^^^^^^
{OUTSIDE_HELP}
checked 1 deck: 1 error
"
    );
    check_in_talk(&talk).status(1).stderr(expected).run();
    // A link that stays inside is fine.
    let talk = talk.file("talk/inside.md", "in\n");
    std::fs::remove_file(talk.path().join("talk/link.md")).unwrap();
    std::os::unix::fs::symlink("inside.md", talk.path().join("talk/link.md")).unwrap();
    check_in_talk(&talk)
        .stderr("checked 1 deck: no problems\n")
        .run();
}

// ---- files that cannot be read as text ----

#[test]
fn an_included_file_that_is_not_utf8_names_the_byte() {
    let talk = Talk::new()
        .file("main.md", "before\ninclude(latin1.md)\n")
        .file("latin1.md", b"caf\xe9 ok\n");
    let diagnostic = format!(
        "error: `latin1.md` is not UTF-8 text: invalid byte at offset 3 (line 1, column 4)
 --> main.md:2:9
  |
2 | include(latin1.md)
  |         ^^^^^^^^^
{UTF8_HELP}
"
    );
    assert_one_error(&talk, &diagnostic, "before\n\n");
}

#[test]
fn an_entry_file_that_is_not_utf8_names_the_byte() {
    let talk = Talk::new().file("main.md", b"ok\n\xff\xfe\n");
    let diagnostic =
        format!("error: `main.md` is not UTF-8 text: invalid byte at offset 3 (line 2, column 1)\n{UTF8_HELP}\n");
    assert_one_error(&talk, &diagnostic, "");
}

/// The first bytes of a PNG: its signature, then an IHDR chunk.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x00\x00\x00\x00\x3a\x98\xa0\xbd\x00\x00\x00\x00IEND\xaeB`\x82";

#[test]
fn an_included_image_is_not_text() {
    let talk = Talk::new()
        .file("main.md", "# Diagram\n\ninclude(img/arch.png)\n")
        .file("img/arch.png", PNG);
    let expected = format!(
        "error: `img/arch.png` is not UTF-8 text: invalid byte at offset 0 (line 1, column 1)
 --> main.md:3:9
  |
3 | include(img/arch.png)
  |         ^^^^^^^^^^^^
{UTF8_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn a_folder_is_not_a_file_to_include() {
    let talk = Talk::new()
        .file("main.md", "x include(sub) y sinclude(sub)\n")
        .file("sub/a.md", "a\n");
    let diagnostic = "error: `sub` is a folder, not a file
 --> main.md:1:11
  |
1 | x include(sub) y sinclude(sub)
  |           ^^^
help: include a file inside it instead
";
    // m4 fails on the include and says nothing about the sinclude.
    assert_one_error(&talk, diagnostic, "x  y \n");
}

#[cfg(unix)]
#[test]
fn a_pipe_is_refused_rather_than_read_forever() {
    let talk = Talk::new().file("main.md", "x include(pipe.md)\n");
    let made = std::process::Command::new("mkfifo")
        .arg(talk.path().join("pipe.md"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        crate::harness::skip("mkfifo did not work here");
        return;
    }
    let expected = "error: cannot read `pipe.md`: it is a named pipe (FIFO), not a regular file
 --> main.md:1:11
  |
1 | x include(pipe.md)
  |           ^^^^^^^
checked 1 deck: 1 error
";
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
    // Named as the entry file, too.
    talk.args(&["check", "pipe.md"])
        .status(1)
        .stderr("error: cannot read `pipe.md`: it is a named pipe (FIFO), not a regular file\nchecked 1 deck: 1 error\n")
        .run();
}

#[test]
fn expanding_a_file_that_is_not_there_or_a_folder() {
    let talk = Talk::new().file("sub/a.md", "a\n");
    talk.args(&["expand", "nosuch.md"])
        .status(1)
        .stderr(
            "error: cannot read `nosuch.md`: no such file\n\
             help: check the deck's `source` in book.toml, or the path on the command line\n",
        )
        .run();
    talk.args(&["expand", "sub"])
        .status(1)
        .stderr("error: cannot read `sub`: it is a folder\n")
        .run();
}

// ---- the end of the input in the wrong place ----

#[test]
fn an_unclosed_call_points_at_its_parenthesis() {
    let talk = Talk::new().file("main.md", "define(greet,hi)text\n  greet(a, (b)\nmore\n");
    let diagnostic = format!(
        "error: `greet(` is never closed: the input ends inside its arguments
 --> main.md:2:8
  |
2 |   greet(a, (b)
  |        ^
{UNCLOSED_HELP}
"
    );
    // As m4: what came before the call, then an error.
    assert_one_error(&talk, &diagnostic, "text\n  ");
}

#[test]
fn an_unclosed_include_in_an_included_file_points_there() {
    let talk = Talk::new()
        .file("main.md", "a\ninclude(part.md)\n")
        .file("part.md", "p include(x.md\n");
    let expected = format!(
        "error: `include(` is never closed: the input ends inside its arguments
 --> part.md:1:10
  |
1 | p include(x.md
  |          ^
  = included from main.md:2:1
{UNCLOSED_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn an_unclosed_quote_points_at_the_quote() {
    let talk = Talk::new().file("main.md", "a\nchangequote([,])b [never closed\nmore\n");
    let diagnostic = "error: the input ends inside a quoted string
 --> main.md:2:19
  |
2 | changequote([,])b [never closed
  |                   ^
help: close the quote, or switch quoting off again with `changequote(,)`
";
    assert_one_error(&talk, diagnostic, "a\nb ");
}

#[test]
fn a_last_line_comment_without_newline_fails_expand_only() {
    let talk = Talk::new().file("main.md", "a\n## last heading");
    // m4 stops with "end of file in comment" and drops the comment.
    talk.args(&["expand", "main.md"])
        .status(1)
        .stdout("a\n")
        .stderr(
            "error: the input ends inside a `#` comment: the last line has no newline
 --> main.md:2:1
  |
2 | ## last heading
  | ^
help: m4 stops with an error here and drops that line; end the file with a newline
",
        )
        .run();
    // For a deck it is just the last heading.
    talk.args(&["check", "main.md"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

// ---- robustness ----

#[test]
fn a_3000_deep_chain_of_includes_expands() {
    let mut talk = Talk::new().file("main.md", "include(d/f0.md)\n");
    for i in 0..3000 {
        talk = talk.file(
            &format!("d/f{i}.md"),
            format!("f{i}\ninclude(d/f{}.md)\n", i + 1),
        );
    }
    let talk = talk.file("d/f3000.md", "end\n");
    let mut expected: String = (0..3000).map(|i| format!("f{i}\n")).collect();
    expected.push_str("end\n");
    expected.push_str(&"\n".repeat(3001));
    talk.args(&["expand", "main.md"]).stdout(expected).run();
    talk.args(&["check", "main.md"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

#[test]
fn a_cycle_at_the_bottom_of_a_deep_chain_is_found() {
    let mut talk = Talk::new().file("main.md", "include(d/f0.md)\n");
    for i in 0..500 {
        talk = talk.file(&format!("d/f{i}.md"), format!("include(d/f{}.md)\n", i + 1));
    }
    let talk = talk.file("d/f500.md", "include(d/f0.md)\n");
    let chain: Vec<String> = (0..=500).chain([0]).map(|i| format!("d/f{i}.md")).collect();
    let first = format!("error: include cycle: {}\n", chain.join(" -> "));
    let run = talk
        .args(&["check", "main.md"])
        .status(1)
        .stderr_starts_with(&first)
        .stderr_ends_with("checked 1 deck: 1 error\n")
        .run();
    assert_no_crash(&run);
}

#[test]
fn a_10_mb_line_is_cut_around_the_error() {
    let line = "word, ".repeat(10 * 1024 * 1024 / 6) + "include(nosuch.md) end";
    let talk = Talk::new().file("main.md", format!("{line}\n"));
    let col = line.len() - "nosuch.md) end".len() + 1;
    // The excerpt is the 120 characters around the column (here the last
    // 120), after an ellipsis; the caret is under `nosuch.md`.
    let excerpt = format!("…{}", &line[line.len() - 120..]);
    let expected = format!(
        "error: cannot open `nosuch.md`: no such file
 --> main.md:1:{col}
  |
1 | {excerpt}
  | {}^^^^^^^^^
{MISSING_HELP}
checked 1 deck: 1 error
",
        " ".repeat(107)
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(&expected)
        .run();
    let diagnostic = expected.strip_suffix("checked 1 deck: 1 error\n").unwrap();
    let run = talk
        .args(&["expand", "main.md"])
        .status(1)
        .stdout_any()
        .stderr(diagnostic)
        .run();
    assert_eq!(
        run.stdout.len(),
        line.len() - "include(nosuch.md)".len() + 1
    );
}

#[test]
fn a_macro_defined_as_itself_stops_with_an_error() {
    let talk = Talk::new().file("main.md", "define(x,x)x\n");
    let expected = format!(
        "error: `x` keeps expanding without end
 --> main.md:1:10
  |
1 | define(x,x)x
  |          ^
{RUNAWAY_HELP}
"
    );
    talk.args(&["expand", "main.md"])
        .status(1)
        .stderr(&expected)
        .run();
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(format!("{expected}checked 1 deck: 1 error\n"))
        .run();
}

#[test]
fn a_macro_whose_body_only_starts_with_its_name_is_no_loop() {
    // `ax` is one word, and no macro: m4 prints it and stops.
    Talk::new()
        .file("main.md", "define(x,ax)x\n")
        .args(&["expand", "main.md"])
        .stdout("ax\n")
        .run();
}

#[test]
fn a_macro_that_grows_without_end_stops_with_an_error() {
    let talk = Talk::new().file("main.md", "define(x,a x)x\n");
    let expected = format!(
        "error: `x` keeps expanding without end
 --> main.md:1:12
  |
1 | define(x,a x)x
  |            ^
{RUNAWAY_HELP}
checked 1 deck: 1 error
"
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn calls_nested_2000_deep_hit_the_nesting_limit() {
    let line = format!("define(m,<$1>){}x{}", "m(".repeat(2000), ")".repeat(2000));
    let talk = Talk::new().file("main.md", format!("{line}\n"));
    // The 1025th `m(` is one too many.
    let col = "define(m,<$1>)".len() + 1024 * 2 + 1;
    let start = col - 60;
    let excerpt = format!("…{}…", &line[start..start + 120]);
    let expected = format!(
        "error: macro calls nest deeper than 1024 levels (at `m`)
 --> main.md:1:{col}
  |
1 | {excerpt}
  | {}^
{NESTING_HELP}
checked 1 deck: 1 error
",
        " ".repeat(60)
    );
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(expected)
        .run();
}

#[test]
fn the_nesting_limit_is_not_hit_below_it() {
    let line = format!("define(m,<$1>){}x{}", "m(".repeat(1000), ")".repeat(1000));
    Talk::new()
        .file("main.md", format!("{line}\n"))
        .args(&["expand", "main.md"])
        .stdout(format!("{}x{}\n", "<".repeat(1000), ">".repeat(1000)))
        .run();
}

/// The binary runs as a process of its own, with its own main-thread
/// stack: deep inputs must not need a deep stack there either.
#[test]
fn deep_inputs_do_not_overflow_the_binary_stack() {
    let parens = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let cases = [
        // Parentheses nested in one argument.
        (format!("define(m,$1)m({parens})\n"), format!("{parens}\n")),
        // Calls nested in arguments, just under the limit.
        (
            format!("{}x{}\n", "ifelse(".repeat(1000), ",a,b)".repeat(1000)),
            "\n".to_string(),
        ),
        // Expansions stacked on expansions: each `n` leaves text behind.
        (
            "define(n1,a)define(n2,n1 n1)define(n3,n2 n2)define(n4,n3 n3)n4 n4\n".to_string(),
            "a a a a a a a a a a a a a a a a\n".to_string(),
        ),
    ];
    for (text, expected) in cases {
        Talk::new()
            .file("main.md", &text)
            .args(&["expand", "main.md"])
            .stdout(expected)
            .run();
    }
}

// ---- problems inside macro bodies ----

/// A talk whose macros include files: `DEMO` calls `SHOW`, which includes
/// `cmd/NAME.sh`; only `cmd/one.sh` exists.
fn talk_with_macros() -> Talk {
    Talk::new()
        .file(
            "main.md",
            "changequote(`,')dnl\ninclude(macros.md)dnl\ninclude(parts/p.md)\n",
        )
        .file(
            "macros.md",
            "define(`SHOW', `include(cmd/$1.sh)')dnl\ndefine(`DEMO', `## Demo\n\nSHOW($1)')dnl\n",
        )
        .file("parts/p.md", "# Part\n\nDEMO(one)\n\nDEMO(two)\n")
        .file("cmd/one.sh", "echo one\n")
}

#[test]
fn a_file_missing_in_a_macro_body_names_the_calls_that_led_there() {
    let talk = talk_with_macros();
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(
            "error: cannot open `cmd/two.sh`: no such file
 --> macros.md:1:17
  |
1 | define(`SHOW', `include(cmd/$1.sh)')dnl
  |                 ^^^^^^^
  = included from main.md:2:1
  = in the expansion of `SHOW` at macros.md:4:1
  = included from main.md:2:1
  = in the expansion of `DEMO` at parts/p.md:5:1
  = included from main.md:3:1
help: include paths are relative to the talk's root, not to the including file; check the spelling or create the file
checked 1 deck: 1 error
",
        )
        .run();
    let run = talk
        .args(&["check", "--format", "json", "main.md"])
        .status(1)
        .stdout_any()
        .run();
    let d: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        d["expanded_from"],
        serde_json::json!([
            {"macro": "SHOW", "file": "macros.md", "line": 4, "column": 1,
             "included_from": [{"file": "main.md", "line": 2, "column": 1}]},
            {"macro": "DEMO", "file": "parts/p.md", "line": 5, "column": 1,
             "included_from": [{"file": "main.md", "line": 3, "column": 1}]},
        ])
    );
}

#[test]
fn check_unused_lists_the_files_no_deck_reads_as_notes() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"d\"\nsource = \"slides/main.md\"\n",
        )
        .file(
            "slides/main.md",
            "include(common/a.md)\n\n## Run\n\n```\ninclude(cmd/run.sh)```\n\n```\ninclude(output/run)```\n\n![used](img/used.svg)\n",
        )
        .file("common/a.md", "## A\n")
        .file("common/old.md", "## Old\n")
        .file("cmd/run.sh", "echo hi\n")
        .file("output/run", "hi\n")
        .file("img/used.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file("img/old/old.png", "png");
    talk.args(&["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();
    talk.args(&["check", "--unused"])
        .stderr(
            "note: `common/old.md` is read by no deck
note: `img/old/old.png` is read by no deck
checked 1 deck: no problems; 2 files no deck reads
",
        )
        .run();
    let run = talk
        .args(&["check", "--unused", "--format", "json"])
        .stdout_any()
        .run();
    let notes: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["severity"], "note");
    assert_eq!(notes[0]["message"], "`common/old.md` is read by no deck");
}

#[test]
fn check_advises_on_what_makes_a_deck_hard_to_follow_without_failing() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[build]\ncss = [\"style/talk.css\"]\n\n[[deck]]\nname = \"d\"\nsource = \"talk.md\"\n",
        )
        .file(
            "talk.md",
            "## Pictures\n\n![](img/a.svg)\n\n<img src=\"img/a.svg\">\n\n![A square](img/a.svg)\n\n---\n\nNo title here.\n\n## Levels\n\n#### Too deep\n",
        )
        .file("img/a.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file(
            "style/talk.css",
            ".quiet {\n  color: #999;\n  background-color: #fff;\n}\n.loud { color: #000; background: #fff; }\n",
        );
    let no_text = "help: say in a few words what it shows, `![what it shows](path)`: screen readers read it, and it shows when the picture does not\n";
    talk.args(&["check"])
        .stderr(format!(
            "warning: the picture `img/a.svg` has no text
 --> talk.md:3:1
  |
3 | ![](img/a.svg)
  | ^
{no_text}warning: the picture `img/a.svg` has no text
 --> talk.md:5:1
  |
5 | <img src=\"img/a.svg\">
  | ^
{no_text}warning: this slide has no title
  --> talk.md:11:1
   |
11 | No title here.
   | ^^^^^^^^^^^^^^
help: give it a heading: screen readers, the contents of the handout and the outline of the PDF go by titles
warning: a heading of level 4 follows one of level 2 on this slide
  --> talk.md:13:1
   |
13 | ## Levels
   | ^^^^^^^^^
help: use a level-3 heading, or one level below the heading before
warning: text and its background differ too little: contrast 2.84:1, where 4.5:1 is the least for text (WCAG AA)
 --> style/talk.css:2:3
  |
2 |   color: #999;
  |   ^^^^^^^^^^^
help: darken the text or lighten the background (or the other way round)
checked 1 deck: no problems
"
        ))
        .run();
}
