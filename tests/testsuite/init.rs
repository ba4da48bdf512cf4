//! `slidebook init`: a new talk that builds and checks at once, and never
//! a file overwritten.

use scraper::{Html, Selector};

use crate::harness::{Talk, Test};

const CREATED: &str = "  book.toml
  slides/talk.md
  common/intro.md
  cmd/hello.sh
  output/hello
  img/layout.svg
";

#[test]
fn a_new_talk_builds_and_checks_at_once() {
    let talk = Talk::new();
    talk.args(&["init", "my-talk"])
        .stderr(format!(
            "created a talk in `my-talk`:\n{CREATED}next:
  cd my-talk
  slidebook build   # the deck and its handout, in book/talk/
  slidebook check   # what CI runs: exit 0 when the talk is sound
"
        ))
        .run();
    let dir = talk.path().join("my-talk");
    Test::in_dir(&dir, &["build"])
        .stderr("built talk: 5 slides, 4 with notes, 1 file copied -> book/talk/index.html\n")
        .run();
    Test::in_dir(&dir, &["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();

    // Every content slide has notes; the picture, the command and the
    // shared slide made it into the deck; the handout is there.
    let index = Html::parse_document(&talk.read("my-talk/book/talk/index.html"));
    let sel = |s: &str| Selector::parse(s).unwrap();
    for slide in index.select(&sel("section[data-kind=content]")) {
        assert!(
            slide.select(&sel("aside.notes")).next().is_some(),
            "{}",
            slide.html()
        );
    }
    let text: String = index.root_element().text().collect();
    assert!(text.contains("Hello, world"));
    assert!(text.contains("echo \"Hello, world\""));
    assert!(index.select(&sel("section#hello")).next().is_some());
    assert!(dir.join("book/talk/img/layout.svg").is_file());
    assert!(dir.join("book/talk/handout.html").is_file());
}

#[test]
fn without_a_folder_the_talk_goes_into_the_current_one() {
    let talk = Talk::new();
    talk.args(&["init"])
        .stderr_starts_with(&format!(
            "created a talk in this folder:\n{CREATED}next:\n  slidebook build"
        ))
        .run();
    assert!(talk.path().join("book.toml").is_file());
    talk.args(&["check"])
        .stderr("checked 1 deck: no problems\n")
        .run();
}

#[test]
fn existing_files_are_never_overwritten() {
    let talk = Talk::new()
        .file("book.toml", "[book]\ntitle = \"Mine\"\n")
        .file("slides/talk.md", "## Mine\n");
    talk.args(&["init"])
        .status(1)
        .stderr(
            "error: refusing to overwrite existing files: `book.toml`, `slides/talk.md`
help: nothing was written; run `slidebook init NEW-FOLDER` to start the talk in a folder of its own
",
        )
        .run();
    // Nothing changed, and nothing was added.
    assert_eq!(talk.read("book.toml"), "[book]\ntitle = \"Mine\"\n");
    assert_eq!(talk.read("slides/talk.md"), "## Mine\n");
    for added in ["common", "cmd", "output", "img"] {
        assert!(!talk.path().join(added).exists(), "{added} was created");
    }

    let one = Talk::new().file("my-talk/img/layout.svg", "<svg/>");
    one.args(&["init", "my-talk"])
        .status(1)
        .stderr_starts_with(
            "error: refusing to overwrite an existing file: `my-talk/img/layout.svg`\n",
        )
        .run();
    assert!(!one.path().join("my-talk/book.toml").exists());
}

#[test]
fn a_file_is_not_a_folder_to_start_in() {
    Talk::new()
        .file("notes.txt", "x")
        .args(&["init", "notes.txt"])
        .status(2)
        .stderr("error: `notes.txt` is a file, not a folder\n")
        .run();
}

#[test]
fn init_templates_writes_the_built_in_look_which_builds_the_same_deck() {
    let talk = Talk::new();
    talk.args(&["init", "t"]).stderr_any().run();
    let dir = talk.path().join("t");
    Test::in_dir(&dir, &["build", "-o", "../before"])
        .stderr_any()
        .run();
    Test::in_dir(&dir, &["init", "--templates"])
        .stderr(
            "wrote the built-in templates in this folder:
  templates/deck.html
  templates/handout.html
  templates/deck.css
  templates/deck.js
  templates/handout.css
  templates/layout.css
each replaces the built-in file of its name; delete the ones you do not change.
To add rules rather than replace the stylesheet, list a CSS file under [build] css in book.toml.
",
        )
        .run();
    // Unchanged, they make the very deck the built-in ones make.
    Test::in_dir(&dir, &["build", "-o", "../after"])
        .stderr_any()
        .run();
    for page in ["index.html", "handout.html"] {
        let before = std::fs::read(talk.path().join("before").join(page)).unwrap();
        let after = std::fs::read(talk.path().join("after").join(page)).unwrap();
        assert!(before == after, "{page} differs");
    }
    // A second time writes nothing.
    Test::in_dir(&dir, &["init", "--templates"])
        .status(1)
        .stderr("error: refusing to overwrite existing files: `templates/deck.html`, `templates/handout.html`, `templates/deck.css`, `templates/deck.js`, `templates/handout.css`, `templates/layout.css`\nhelp: nothing was written; delete or move those files first, or keep them: they are yours to edit\n")
        .run();
}
