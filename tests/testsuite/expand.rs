//! `slidebook expand` against GNU m4 on the real corpus talk.

use crate::harness::{corpus, m4, m4_expand, Talk, Test};

#[test]
fn corpus_expands_exactly_as_m4_does() {
    let (Some(dir), Some(m4)) = (corpus(), m4()) else {
        return;
    };
    for file in ["lightning/main.md", "full/main.md"] {
        let (expected, code) = m4_expand(&m4, &dir, file, &[]);
        assert_eq!(code, 0, "m4 failed on {file}");
        let expected = String::from_utf8(expected).expect("m4 prints UTF-8 for the corpus");
        Test::in_dir(&dir, &["expand", file]).stdout(expected).run();
    }
}

/// A talk of a few hundred files, so that files are read ahead on helper
/// threads (past the first 64), with the names those helpers would guess
/// wrongly: a name built by a macro whose literal spelling is also a file,
/// a file included under two names, a folder, a missing file, and an
/// include inside an m4 comment.
fn big_talk() -> Talk {
    let mut talk = Talk::new().file("main.md", {
        let mut main = String::from("define(DIR, real)dnl\n");
        for p in 0..20 {
            main.push_str(&format!("include(parts/p{p:02}.md)\n"));
        }
        main
    });
    for p in 0..20 {
        let mut part = format!("# Part {p}\n\n");
        for s in 0..15 {
            let n = p * 15 + s;
            part.push_str(&format!(
                "## Slide {n}\n\n```\n$ include(cmd/c{n:03}.sh)include(output/c{n:03})```\n\n"
            ));
        }
        part.push_str(
            "include(DIR/shared.md)include(./cmd/c000.sh)sinclude(cmd)sinclude(nowhere.md)\n",
        );
        part.push_str("# not read: include(nowhere.md)\n");
        talk = talk.file(&format!("parts/p{p:02}.md"), part);
    }
    for n in 0..300 {
        talk = talk
            .file(&format!("cmd/c{n:03}.sh"), format!("slidebook run {n}\n"))
            .file(&format!("output/c{n:03}"), format!("output of {n}\n"));
    }
    talk.file("DIR/shared.md", "WRONG: the literal name\n")
        .file("real/shared.md", "the file the macro names\n")
}

#[test]
fn files_read_ahead_expand_exactly_as_m4_does() {
    let talk = big_talk();
    let Some(m4) = m4() else {
        return;
    };
    let (expected, code) = m4_expand(&m4, talk.path(), "main.md", &[]);
    assert_eq!(code, 0, "m4 failed");
    let expected = String::from_utf8(expected).expect("m4 prints UTF-8 here");
    let run = talk.args(&["expand", "main.md"]).stdout(expected).run();
    assert!(run.stdout.contains("the file the macro names"));
    assert!(!run.stdout.contains("WRONG"));
}

#[test]
fn a_bad_file_far_into_a_big_talk_is_reported_where_it_is_included() {
    let talk = big_talk()
        .file("output/c250", b"caf\xe9\n")
        .file("parts/p19.md", "## Last\n\ninclude(gone.md)\n");
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(
            "error: `output/c250` is not UTF-8 text: invalid byte at offset 3 (line 1, column 4)
  --> parts/p16.md:56:31
   |
56 | $ include(cmd/c250.sh)include(output/c250)```
   |                               ^^^^^^^^^^^
   = included from main.md:18:1
help: slidebook reads talks as UTF-8; convert the file (for example with iconv), or include only text files
error: cannot open `gone.md`: no such file
 --> parts/p19.md:3:9
  |
3 | include(gone.md)
  |         ^^^^^^^
  = included from main.md:21:1
help: include paths are relative to the talk's root, not to the including file; check the spelling or create the file
checked 1 deck: 2 errors
",
        )
        .run();
}
