//! Problems in `book.toml`, each at the place the TOML parser found it.

use crate::harness::Talk;

#[track_caller]
fn assert_check(talk: &Talk, stderr: &str) {
    talk.args(&["check"]).status(1).stderr(stderr).run();
}

const DECK_NAME_HELP: &str = "help: each [[deck]] needs a name of its own, without `/` or a \
     leading `.`; it becomes the deck's folder under the build folder\n";

#[test]
fn a_repeated_deck_name_is_shown_where_it_is_repeated() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n\n[[deck]]\nname = \"talk\"\nsource = \"a.md\"\n\n\
             [[deck]]\nname = \"talk\"\nsource = \"b.md\"\n",
        )
        .file("a.md", "# A\n")
        .file("b.md", "# B\n");
    assert_check(
        &talk,
        &format!(
            "error: book.toml: deck name `talk` is used by an earlier [[deck]]
 --> book.toml:9:8
  |
9 | name = \"talk\"
  |        ^^^^^^
{DECK_NAME_HELP}"
        ),
    );
}

#[test]
fn a_deck_name_that_is_not_a_folder_name_is_refused_at_its_value() {
    let talk = Talk::new().file(
        "book.toml",
        "[[deck]]\nsource = \"a.md\"\n  name   =   \"../up\"\n",
    );
    assert_check(
        &talk,
        &format!(
            "error: book.toml: deck name `../up` is not a plain folder name
 --> book.toml:3:14
  |
3 |   name   =   \"../up\"
  |              ^^^^^^^
{DECK_NAME_HELP}"
        ),
    );
}

#[test]
fn a_slide_level_out_of_range_is_shown_at_its_value() {
    let talk = Talk::new().file("book.toml", "[build]\nslide-level = 9\n");
    assert_check(
        &talk,
        "error: book.toml: slide-level must be between 1 and 6, not 9
 --> book.toml:2:15
  |
2 | slide-level = 9
  |               ^
help: see the README for the keys book.toml accepts
",
    );
}

#[test]
fn every_unknown_key_is_named_at_once_with_the_near_one() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[book]\ntitel = \"T\"\n\n[biuld]\nslide-level = 2\n\n[[deck]]\nname = \"d\"\nsorce = \"a.md\"\n",
        )
        .file("a.md", "# A\n");
    talk.args(&["check"])
        .status(1)
        .stderr(
            "error: book.toml: unknown key `titel` in [book]
 --> book.toml:2:1
  |
2 | titel = \"T\"
  | ^^^^^
help: did you mean `title`?
error: book.toml: unknown key `biuld` in book.toml
 --> book.toml:4:2
  |
4 | [biuld]
  |  ^^^^^
help: did you mean `build`?
error: book.toml: unknown key `sorce` in [[deck]]
 --> book.toml:9:1
  |
9 | sorce = \"a.md\"
  | ^^^^^
help: did you mean `source`?

3 errors
",
        )
        .run();
}

#[test]
fn a_toml_syntax_error_says_so() {
    let talk = Talk::new().file("book.toml", "[book]\ntitle = \"never closed\n");
    talk.args(&["check"])
        .status(1)
        .stderr(
            "error: book.toml is not valid TOML: invalid basic string, expected `\"`
 --> book.toml:2:22
  |
2 | title = \"never closed
  |                      ^
help: check the quotes, brackets and `=` on this line
",
        )
        .run();
}

#[test]
fn the_talk_itself_is_no_build_folder() {
    let talk = Talk::new().file("book.toml", "[build]\nbuild-dir = \"\"\n");
    talk.args(&["check"])
        .status(1)
        .stderr(
            "error: book.toml: build-dir `` is the talk's own folder
 --> book.toml:2:1
  |
2 | build-dir = \"\"
  | ^^^^^^^^^
help: name a folder for the decks, such as \"book\"
",
        )
        .run();
}
