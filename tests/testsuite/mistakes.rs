//! Slips of the keyboard and links that go nowhere: each named where it
//! is, with the near name that was probably meant.

use crate::harness::Talk;

#[test]
fn a_misspelt_include_image_or_folder_gets_a_near_name() {
    let talk = Talk::new()
        .file(
            "talk.md",
            "## A\n\ninclude(cmd/fd.sh)\n\n![rack](imgs/rack.jpg)\n",
        )
        .file("cmd/df.sh", "df -h\n")
        .file("cmd/ls.sh", "ls\n")
        .file("img/rack.jpg", "not really a jpeg\n");
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(
            "error: cannot open `cmd/fd.sh`: no such file
 --> talk.md:3:9
  |
3 | include(cmd/fd.sh)
  |         ^^^^^^^^^
help: did you mean `cmd/df.sh`?
error: image `imgs/rack.jpg` not found
 --> talk.md:5:1
  |
5 | ![rack](imgs/rack.jpg)
  | ^^^^^^^^^^^^^^^^^^^^^^
help: did you mean `img/rack.jpg`?
checked 1 deck: 2 errors
",
        )
        .run();
    // Nothing near: the usual help.
    let talk = talk.file("talk.md", "## A\n\n![x](pictures/unheard-of.png)\n");
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(
            "error: image `pictures/unheard-of.png` not found
 --> talk.md:3:1
  |
3 | ![x](pictures/unheard-of.png)
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
help: paths are relative to the talk's root; fix the path or add the file
checked 1 deck: 1 error
",
        )
        .run();
}

#[test]
fn links_to_slides_the_deck_does_not_have_are_named() {
    let talk = Talk::new().file(
        "talk.md",
        "## Intro\n\n[next](#/1) [far](#/9) [typo](#intor) [ok](#intro)\n\n## Next\n",
    );
    let problems = |kind: &str| {
        format!(
            "{kind}: link to slide `#/9`, but the deck has 2 slides
 --> talk.md:3:13
  |
3 | [next](#/1) [far](#/9) [typo](#intor) [ok](#intro)
  |             ^^^^^^^^^^
help: slides are counted from 0 in the address: `#/0` to `#/1`
{kind}: link to `#intor`, but no slide has that id
 --> talk.md:3:24
  |
3 | [next](#/1) [far](#/9) [typo](#intor) [ok](#intro)
  |                        ^^^^^^^^^^^^^^
help: did you mean `#intro`?
"
        )
    };
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(problems("error") + "checked 1 deck: 2 errors\n")
        .run();
    talk.args(&["build", "talk.md"])
        .stderr(
            problems("warning")
                + "built talk: 2 slides, 0 with notes, 0 files copied -> book/talk/index.html\n",
        )
        .run();
}

#[test]
fn no_near_name_is_told_from_outside_the_talk() {
    let talk = Talk::new().file("talk.md", "## A\n\n![x](../../../../etc/passwdd)\n");
    let run = talk
        .args(&["check", "talk.md"])
        .status(1)
        .stderr_any()
        .run();
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}
