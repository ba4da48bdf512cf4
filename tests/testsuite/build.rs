//! `slidebook build` and `notes`: slides, notes, the deck and the handout,
//! read back as HTML.

use scraper::{Html, Selector};

use crate::harness::{copy_tree, corpus, Talk};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// An element's text with white space folded, to compare content across
/// differently shaped markup.
fn words(e: scraper::ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What building the `basics` fixture says.
const BASICS_BUILT: &str =
    "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html\n";

/// The `basics` fixture, built.
pub fn built_basics() -> Talk {
    let talk = Talk::fixture("basics");
    talk.args(&["build"]).stderr(BASICS_BUILT).run();
    talk
}

/// The `<section>` children of `.reveal > .slides`.
fn sections(html: &Html) -> Vec<scraper::ElementRef<'_>> {
    html.select(&sel(".reveal > .slides > section")).collect()
}

/// The deck's slide markup, for snapshots: runtime code changes should not
/// churn them.
fn slides_markup(index: &str) -> String {
    let start = index.find("<div class=\"slides\">").expect("a .slides div");
    let end = index[start..]
        .find("\n</div>\n</div>")
        .map_or(index.len(), |e| start + e);
    index[start..end].to_string()
}

#[test]
fn fixture_talk_builds_to_a_deck_and_a_handout() {
    let talk = built_basics();
    let index = talk.read("book/deck/index.html");
    let html = Html::parse_document(&index);
    let slides = sections(&html);
    assert_eq!(slides.len(), 7);
    let kinds: Vec<_> = slides
        .iter()
        .map(|s| s.value().attr("data-kind").unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["title", "section", "content", "content", "content", "content", "content"]
    );
    // Notes before the first heading belong to the title slide.
    let notes: Vec<String> = slides
        .iter()
        .map(|s| {
            s.select(&sel("aside.notes"))
                .map(|a| a.text().collect::<String>())
                .collect()
        })
        .collect();
    assert!(notes[0].contains("these notes come before the first heading"));
    assert!(
        notes[1].is_empty(),
        "a section slide without notes has no aside"
    );
    assert_eq!(html.select(&sel("aside.notes")).count(), 5);
    // A comment inside code is code: it shows on the slide, not in notes.
    let code_slide = slides[2].html();
    assert!(code_slide.contains("this is code, not notes"));
    assert!(!notes[2].contains("this is code"));
    assert!(slides[2].select(&sel("aside.notes li")).count() == 2);
    // Repeated titles make new slides, a rule makes an untitled one.
    assert_eq!(slides[3].value().attr("data-title"), Some("Building up"));
    assert_eq!(slides[4].value().attr("data-title"), Some("Building up"));
    assert_eq!(slides[5].value().attr("data-title"), None);
    // Images of slides and notes are copied at the same relative paths.
    assert!(talk.path().join("book/deck/img/logo.svg").is_file());
    assert!(talk.path().join("book/deck/img/notes.svg").is_file());
    // So are local files that notes link to.
    assert!(talk.path().join("book/deck/cmd/hello.sh").is_file());
    insta::assert_snapshot!("basics_slides", slides_markup(&index));
}

#[test]
fn notes_never_show_on_a_slide() {
    let talk = built_basics();
    let index = talk.read("book/deck/index.html");
    let html = Html::parse_document(&index);
    for slide in sections(&html) {
        let mut visible = String::new();
        for node in slide.descendants() {
            let in_notes = node
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "aside"));
            if let (false, Some(text)) = (in_notes, node.value().as_text()) {
                visible.push_str(text);
            }
        }
        for aside in slide.select(&sel("aside.notes p")) {
            let note: String = aside.text().collect();
            if note.trim().is_empty() {
                continue;
            }
            assert!(
                !visible.contains(note.trim()),
                "note shows on a slide: {note}"
            );
        }
    }
    assert!(!slides_markup(&index).contains("<!--"));
}

#[test]
fn handout_has_contents_every_slide_and_every_note() {
    let talk = built_basics();
    let deck = Html::parse_document(&talk.read("book/deck/index.html"));
    let handout = talk.read("book/deck/handout.html");
    let doc = Html::parse_document(&handout);
    let handout_words = words(doc.root_element());
    for aside in deck.select(&sel("aside.notes")) {
        assert!(
            handout_words.contains(&words(aside)),
            "note missing from handout"
        );
    }
    let toc: Vec<String> = doc
        .select(&sel("nav a, .toc a"))
        .map(|a| a.text().collect::<String>())
        .collect();
    // The two steps of "Building up" are one entry.
    assert_eq!(
        toc,
        [
            "1 Fixture talk",
            "2 Part one",
            "3 Code with a comment",
            "4–5 Building up",
            "6 Slide 6",
            "7 Shared"
        ]
    );
    assert!(handout.contains("img/notes.svg"));
}

#[test]
fn builds_are_byte_for_byte_repeatable() {
    let talk = built_basics();
    let first = talk.read("book/deck/index.html") + &talk.read("book/deck/handout.html");
    talk.args(&["build", "-o", "again"])
        .stderr("built deck: 7 slides, 5 with notes, 3 files copied -> again/index.html\n")
        .run();
    let second = talk.read("again/index.html") + &talk.read("again/handout.html");
    assert_eq!(first, second);
}

#[test]
fn a_markdown_file_builds_without_any_configuration() {
    let talk = Talk::new()
        .file("talk.md", "## Hello\n\nworld\n\n<!-- say hi -->\n")
        .file("other.md", "x\n");
    talk.args(&["build", "talk.md", "-o", "out/"])
        .stderr("built talk: 1 slide, 1 with notes, 0 files copied -> out/index.html\n")
        .run();
    let html = Html::parse_document(&talk.read("out/index.html"));
    assert_eq!(sections(&html).len(), 1);
    assert!(talk.path().join("out/handout.html").is_file());
}

const MISSING_HELP: &str =
    "help: paths are relative to the talk's root; fix the path or add the file\n";

#[test]
fn a_missing_image_is_a_warning_and_a_box_on_the_slide() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"d\"\nsource = \"main.md\"\n",
        )
        .file("main.md", "## One\n\ninclude(part.md)\n")
        .file(
            "part.md",
            "text\n\n![chart](img/chart.png)\n\n<!-- ![n](img/gone.svg) -->\n",
        );
    let problems = |kind: &str| {
        format!(
            "{kind}: image `img/chart.png` not found
 --> part.md:3:1
  |
3 | ![chart](img/chart.png)
  | ^^^^^^^^^^^^^^^^^^^^^^^
  = included from main.md:3:1
{MISSING_HELP}{kind}: image in speaker notes `img/gone.svg` not found
 --> part.md:5:6
  |
5 | <!-- ![n](img/gone.svg) -->
  |      ^^^^^^^^^^^^^^^^^^
  = included from main.md:3:1
{MISSING_HELP}"
        )
    };
    // Strict, nothing is written.
    talk.args(&["build", "--deny-warnings"])
        .status(1)
        .stderr(problems("error") + "\n2 errors\n")
        .run();
    assert!(!talk.path().join("book").exists());
    talk.args(&["build"])
        .stderr(
            problems("warning")
                + "built d: 1 slide, 1 with notes, 0 files copied -> book/d/index.html\n",
        )
        .run();
    let html = Html::parse_document(&talk.read("book/d/index.html"));
    let boxes: Vec<String> = html
        .select(&sel("section .sb-missing"))
        .map(|b| b.text().collect())
        .collect();
    // One on the slide, one in its notes.
    assert_eq!(
        boxes,
        [
            "missing image: img/chart.png",
            "missing image: img/gone.svg"
        ]
    );
    assert_eq!(html.select(&sel("section aside .sb-missing")).count(), 1);
    assert_eq!(html.select(&sel("section img")).count(), 0);
    // `strict = true` in book.toml does what --deny-warnings does.
    let talk = talk.file(
        "book.toml",
        "[build]\nstrict = true\n\n[[deck]]\nname = \"d\"\nsource = \"main.md\"\n",
    );
    talk.args(&["build"])
        .status(1)
        .stderr(problems("error") + "\n2 errors\n")
        .run();
}

#[test]
fn twenty_missing_images_give_twenty_warnings_a_deck_and_a_transcript() {
    let mut text = String::new();
    for n in 0..20 {
        text.push_str(&format!(
            "## Slide {n}\n\n![pic {n}](img/p{n}.png)\n\n<!-- say {n} -->\n\n"
        ));
    }
    let talk = Talk::new().file("talk.md", &text);
    let warnings = |kind: &str| -> String {
        (0..20)
            .map(|n| {
                let line = 3 + n * 6;
                let source = format!("![pic {n}](img/p{n}.png)");
                let pad = " ".repeat(line.to_string().len());
                format!(
                    "{kind}: image `img/p{n}.png` not found\n{pad}--> talk.md:{line}:1\n{pad} |\n{line} | {source}\n{pad} | {}\n{MISSING_HELP}",
                    "^".repeat(source.len())
                )
            })
            .collect()
    };
    talk.args(&["build", "talk.md"])
        .stderr(
            warnings("warning")
                + "built talk: 20 slides, 20 with notes, 0 files copied -> book/talk/index.html\n",
        )
        .run();
    let html = Html::parse_document(&talk.read("book/talk/index.html"));
    assert_eq!(html.select(&sel("section .sb-missing")).count(), 20);
    let transcript: String = (0..20).map(|n| format!("say {n}\n\n")).collect();
    talk.args(&["notes", "talk.md"])
        .stdout(transcript)
        .stderr(warnings("warning"))
        .run();
    talk.args(&["check", "talk.md"])
        .status(1)
        .stderr(warnings("error") + "checked 1 deck: 20 errors\n")
        .run();
}

#[test]
fn an_unterminated_comment_points_at_its_source() {
    let talk = Talk::new()
        .file("main.md", "## One\n\ninclude(notes.md)\n## Two\n")
        .file("notes.md", "text\n\n<!-- forgot to close\n");
    talk.args(&["check", "main.md"])
        .status(1)
        .stderr(
            "error: this comment is never closed: `<!--` without `-->`
 --> notes.md:3:1
  |
3 | <!-- forgot to close
  | ^^^^
  = included from main.md:3:1
help: speaker notes are HTML comments; close it with `-->`
checked 1 deck: 1 error
",
        )
        .run();
}

#[test]
fn notes_prints_the_transcript_in_order() {
    let talk = Talk::fixture("basics");
    talk.args(&["notes", "deck"])
        .stdout_starts_with(
            "Welcome everyone: these notes come before the first heading.\n\nThe fence above shows HTML.",
        )
        .stdout_ends_with("Included from common/, with a [link](cmd/hello.sh).\n\n")
        .run();
}

#[test]
fn a_talk_can_override_a_template() {
    let talk = Talk::fixture("basics").file(
        "templates/deck.html",
        "{% for s in slides %}[{{ s.number }}:{{ s.title }}]{% endfor %}\n",
    );
    talk.args(&["build"]).stderr(BASICS_BUILT).run();
    assert_eq!(
        talk.read("book/deck/index.html"),
        "[1:][2:Part one][3:Code with a comment][4:Building up][5:Building up][6:][7:Shared]\n"
    );
}

#[test]
fn code_fences_with_a_language_are_highlighted() {
    let talk = built_basics();
    let index = talk.read("book/deck/index.html");
    let html = Html::parse_document(&index);
    let pre = html
        .select(&sel("pre.language-sh"))
        .next()
        .expect("a highlighted sh block");
    assert!(pre.html().contains("<span style=\"color:"));
    assert!(pre
        .text()
        .collect::<String>()
        .contains("echo \"hello, world\""));
}

#[test]
fn corpus_talk_builds_with_every_slide_note_and_image() {
    let Some(dir) = corpus() else { return };
    let talk = Talk::new();
    copy_tree(&dir, talk.path());
    talk.args(&["build", "lightning/main.md", "full/main.md"])
        .stderr(
            "built lightning: 25 slides, 24 with notes, 14 files copied -> book/lightning/index.html
built full: 109 slides, 98 with notes, 17 files copied -> book/full/index.html
",
        )
        .run();
    for (deck, slides, with_notes) in [("lightning", 25, 24), ("full", 109, 98)] {
        let index = talk.read(&format!("book/{deck}/index.html"));
        let html = Html::parse_document(&index);
        assert_eq!(sections(&html).len(), slides, "{deck}");
        assert_eq!(
            html.select(&sel("aside.notes")).count(),
            with_notes,
            "{deck}"
        );
        let handout = talk.read(&format!("book/{deck}/handout.html"));
        let handout_words = words(Html::parse_document(&handout).root_element());
        for aside in html.select(&sel("aside.notes")) {
            assert!(
                handout_words.contains(&words(aside)),
                "{deck}: note missing from handout"
            );
        }
        for doc in [&index, &handout] {
            for img in Html::parse_document(doc).select(&sel("img")) {
                let src = img.value().attr("src").unwrap();
                assert!(
                    talk.path().join("book").join(deck).join(src).is_file(),
                    "{deck}: {src} not copied"
                );
            }
        }
    }
}

#[test]
fn a_real_reveal_js_can_replace_the_built_in_runtime() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[build]\nreveal = \"vendor/reveal\"\n\n[[deck]]\nname = \"d\"\nsource = \"main.md\"\n",
        )
        .file("main.md", "## One\n\n<!-- n -->\n\n## Two\n")
        .file("vendor/reveal/dist/reveal.js", "window.Reveal = {};\n")
        .file("vendor/reveal/dist/reveal.css", "/* reveal */\n")
        .file("vendor/reveal/dist/theme/white.css", "/* white */\n")
        .file("vendor/reveal/package.json", "{}\n");
    // The deck gets its own copy of what its page loads, and nothing else.
    talk.args(&["build"])
        .stderr("built d: 2 slides, 1 with notes, 3 files copied -> book/d/index.html\n")
        .run();
    assert_eq!(
        talk.read("book/d/reveal.js/dist/reveal.js"),
        "window.Reveal = {};\n"
    );
    assert!(!talk.path().join("book/d/reveal.js/package.json").exists());
    let index = talk.read("book/d/index.html");
    let html = Html::parse_document(&index);
    let scripts: Vec<_> = html
        .select(&sel("script[src]"))
        .map(|s| s.value().attr("src").unwrap().to_string())
        .collect();
    assert_eq!(scripts, ["reveal.js/dist/reveal.js"]);
    assert!(index.contains("Reveal.initialize"));
    assert!(
        !index.contains("sb-overview"),
        "the built-in runtime is left out"
    );
    assert_eq!(sections(&html).len(), 2);
    assert_eq!(html.select(&sel("aside.notes")).count(), 1);
}

#[test]
fn a_build_never_writes_over_its_own_sources() {
    let talk = Talk::new()
        .file(
            "main.md",
            "## One\n\n![logo](img/logo.svg)\n\ninclude(index.html)\n",
        )
        .file(
            "index.html",
            "<p>a source that happens to be called index.html</p>\n",
        )
        .file(
            "img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        );
    talk.args(&["build", "main.md", "-o", "."])
        .status(1)
        .stderr(
            "error: cannot build into `.`: it holds the whole talk
help: build into a folder of its own, such as the default `book/`
",
        )
        .run();
    assert_eq!(
        talk.read("index.html"),
        "<p>a source that happens to be called index.html</p>\n"
    );
    // A folder holding one of the deck's own files is never replaced.
    talk.args(&["build", "main.md", "-o", "img"])
        .status(1)
        .stderr(
            "error: cannot build into `img`: it holds `img/logo.svg`, which the deck is built from
help: build into a folder of its own, outside the talk's sources
",
        )
        .run();
    assert_eq!(
        talk.read("img/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
    );
}

#[test]
fn a_reveal_js_address_stays_an_address() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[build]\nreveal = \"https://cdn.example.org/reveal.js@5\"\n\n[[deck]]\nname = \"d\"\nsource = \"main.md\"\n",
        )
        .file("main.md", "## One\n");
    // It works, but not offline: said, not refused.
    talk.args(&["build"])
        .stderr("warning: book.toml: [build] reveal loads reveal.js from `https://cdn.example.org/reveal.js@5`: offline, the deck does not run
help: unpack a release of reveal.js into the talk and name its folder; or set `allow-remote = true` under [build]
built d: 1 slide, 0 with notes, 0 files copied -> book/d/index.html\n")
        .run();
    let index = talk.read("book/d/index.html");
    assert!(index.contains("<script src=\"https:&#x2F;&#x2F;cdn.example.org&#x2F;reveal.js@5/dist/reveal.js\"></script>"), "{index}");
    let toml = talk
        .read("book.toml")
        .replace("[build]", "[build]\nallow-remote = true");
    let talk = talk.file("book.toml", toml);
    talk.args(&["build"])
        .stderr("built d: 1 slide, 0 with notes, 0 files copied -> book/d/index.html\n")
        .run();
}

#[test]
fn a_talk_without_book_toml_is_named_after_its_file_and_titled_by_its_text() {
    // Front matter gives the title; `src/` is no name for a deck.
    let talk = Talk::new()
        .file(
            "src/main.md",
            "---\ntitle: \"Monasca in depth\"\n---\n\n# Part one\n\n## A slide\n\n<!-- n -->\n",
        )
        .file("intro.md", "# Intro part\n\n## A slide\n");
    talk.args(&["build", "src/main.md"])
        .stderr("built main: 3 slides, 1 with notes, 0 files copied -> book/main/index.html\n")
        .run();
    for page in ["index", "handout"] {
        let html = talk.read(&format!("book/main/{page}.html"));
        assert!(html.contains("<title>Monasca in depth"), "{page}");
    }
    // Without front matter, the first part's heading does.
    talk.args(&["build", "intro.md"])
        .stderr("built intro: 2 slides, 0 with notes, 0 files copied -> book/intro/index.html\n")
        .run();
    assert!(talk
        .read("book/intro/index.html")
        .contains("<title>Intro part</title>"));
}
