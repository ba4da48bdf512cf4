//! Input that used to be read wrongly: a byte-order mark, lone CR line
//! ends, NUL bytes, files the kernel makes up, and names that carry
//! terminal escape codes. Slides read text as people mean it; `expand`
//! stays byte for byte what m4 prints.

use scraper::{Html, Selector};

use crate::harness::{m4, m4_expand, Talk, Test};

fn titles(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse("section").unwrap())
        .filter_map(|s| s.value().attr("data-title").map(String::from))
        .collect()
}

#[test]
fn a_byte_order_mark_starts_no_text_on_the_slide() {
    let talk = Talk::new()
        .file("talk.md", "include(part.md)\n## After\n")
        .file("part.md", "\u{feff}## Marked\n\ntext\n");
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 2 slides, 0 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    let index = talk.read("book/talk/index.html");
    assert_eq!(titles(&index), ["Marked", "After"]);
    assert!(!index.contains('\u{feff}'));
    // `expand` keeps the mark, as m4 does.
    talk.args(&["expand", "talk.md"])
        .stdout("\u{feff}## Marked\n\ntext\n\n## After\n")
        .run();
}

#[test]
fn lone_carriage_returns_end_lines() {
    let talk = Talk::new()
        .file("talk.md", "include(old.md)")
        .file("old.md", "## One\r\rtext\r\r## Two\r\r![x](img/none.png)\r");
    // The missing image is found on its own line, the seventh.
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(
            "error: image `img/none.png` not found
 --> old.md:7:1
  |
7 | ![x](img/none.png)
  | ^^^^^^^^^^^^^^^^^^
  = included from talk.md:1:1
help: paths are relative to the talk's root; fix the path or add the file
checked 1 deck: 1 error
",
        )
        .run();
    // A heading is an m4 comment to the end of its line: with no line
    // end it ran to the end of the file, and the include in it was text.
    let talk = talk
        .file("old.md", "## One\r\rinclude(part.md)\r")
        .file("part.md", "## Two\r\rmore\r");
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 2 slides, 0 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    assert_eq!(titles(&talk.read("book/talk/index.html")), ["One", "Two"]);
}

#[test]
fn nul_bytes_become_replacement_characters_on_slides_and_vanish_in_expand() {
    let talk = Talk::new().file("talk.md", "## A\0B\n\nx\0y\n");
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 1 slide, 0 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    let index = talk.read("book/talk/index.html");
    assert!(!index.contains('\0'));
    assert!(index.contains("<h2>A\u{fffd}B</h2>"), "{index}");
    assert!(index.contains("x\u{fffd}y"));
    // To m4 the heading is a comment, which a NUL cuts short.
    talk.args(&["expand", "talk.md"]).stdout("## A\nxy\n").run();
    if let Some(m4) = m4() {
        let (expected, code) = m4_expand(&m4, talk.path(), "talk.md", &[]);
        assert_eq!((code, expected), (0, b"## A\nxy\n".to_vec()));
    }
}

#[test]
fn files_the_kernel_makes_up_are_read_whole() {
    let status = std::fs::read_to_string("/proc/self/status");
    if status.is_err() {
        crate::harness::skip("/proc is not here");
        return;
    }
    let talk = Talk::new();
    let run = Test::in_dir(talk.path(), &["expand", "/proc/self/status"])
        .stdout_starts_with("Name:\tslidebook\n")
        .run();
    assert!(run.stdout.contains("\nPid:\t"));
}

#[test]
fn escape_codes_in_a_talk_reach_the_terminal_escaped() {
    let talk = Talk::new().file("talk.md", "## Clear\n\ninclude(\u{1b}[2J.md)\n");
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(
            "error: cannot open `\\x1b[2J.md`: no such file
 --> talk.md:3:9
  |
3 | include(\\x1b[2J.md)
  |         ^^^^^^^^^^
help: include paths are relative to the talk's root, not to the including file; check the spelling or create the file
checked 1 deck: 1 error
",
        )
        .run();
    talk.args(&["check", "\u{1b}]0;title\u{7}.md"])
        .status(2)
        .stderr("error: no deck or file named `\\x1b]0;title\\x07.md`\n")
        .run();
}

#[test]
fn broken_links_say_what_is_wrong_with_them() {
    let talk = Talk::new().file("talk.md", "include(loop.md)\ninclude(gone.md)\n");
    std::os::unix::fs::symlink("again.md", talk.path().join("loop.md")).unwrap();
    std::os::unix::fs::symlink("loop.md", talk.path().join("again.md")).unwrap();
    std::os::unix::fs::symlink("nowhere.md", talk.path().join("gone.md")).unwrap();
    let help = "help: point the link at a file, or replace it with the file\n";
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(format!(
            "error: cannot open `loop.md`: it is a symbolic link that leads back to itself (through `again.md`)
 --> talk.md:1:9
  |
1 | include(loop.md)
  |         ^^^^^^^
{help}error: cannot open `gone.md`: it is a symbolic link to `nowhere.md`, which does not exist
 --> talk.md:2:9
  |
2 | include(gone.md)
  |         ^^^^^^^
{help}checked 1 deck: 2 errors
"
        ))
        .run();
    // m4's sinclude is silent about them, as about a missing file.
    let talk = talk.file("quiet.md", "a sinclude(loop.md)sinclude(gone.md)b\n");
    talk.args(&["expand", "quiet.md"]).stdout("a b\n").run();
}
