//! The trainer's outputs: the handout (built-up slides as one entry, the
//! slide as the deck shows it, laid out for paper), and the PDFs `pdf`
//! prints of the deck and the handout, with title, authors and outline.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::browser::chromium;
use crate::harness::{skip, Talk};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// A talk with a slide built up in three steps (each with a note), the
/// same title once more with a changed text (a new slide, not a step), two
/// slides alike but for their picture, and a step that fills in a
/// placeholder.
fn built_up() -> Talk {
    Talk::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Steps\"\nauthors = [\"Ann\", \"Zoë\"]\n\n[[deck]]\nname = \"deck\"\nsource = \"talk.md\"\n",
        )
        .file(
            "talk.md",
            "## Plan\n\n* one\n\n<!-- First we say one. -->\n\n\
             ## Plan\n\n* one\n* two\n\n<!-- Then two. -->\n\n\
             ## Plan\n\n* one\n* two\n* three\n\n<!-- And three. -->\n\n\
             ## Plan\n\n* one\n* four\n\n<!-- A new plan. -->\n\n\
             ## Picture\n\n![a](img/a.svg)\n\n\
             ## Picture\n\n![b](img/b.svg)\n\n\
             ## Causes\n\n* disk\n* memory\n* others...\n\n\
             ## Causes\n\n* disk\n* memory\n* network\n* time\n",
        )
        .file("img/a.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file("img/b.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
}

#[test]
fn a_slide_built_up_in_steps_is_one_entry_with_the_notes_of_every_step() {
    let talk = built_up();
    talk.args(&["build"])
        .stderr("built deck: 9 slides, 4 with notes, 2 files copied -> book/deck/index.html\n")
        .run();
    let doc = Html::parse_document(&talk.read("book/deck/handout.html"));
    assert_eq!(
        texts(&doc, ".h-toc li"),
        [
            "1 Steps",
            "2–4 Plan",
            "5 Plan",
            "6 Picture",
            "7 Picture",
            "8–9 Causes"
        ]
    );
    let entries: Vec<_> = doc.select(&sel("article.h-slide")).collect();
    assert_eq!(entries.len(), 6);
    let plan = entries[1];
    // The last step, as the deck shows it.
    let thumb = plan.select(&sel(".h-thumb section")).next().unwrap();
    assert_eq!(thumb.value().attr("data-number"), Some("4"));
    assert_eq!(
        texts(&Html::parse_fragment(&thumb.html()), "li"),
        ["one", "two", "three"]
    );
    assert_eq!(
        texts(&Html::parse_fragment(&plan.html()), ".h-notes p"),
        ["First we say one.", "Then two.", "And three."]
    );
    assert_eq!(
        texts(&Html::parse_fragment(&plan.html()), ".h-slide-head"),
        ["2–4 Plan 3 steps"]
    );
    // Every step's id still leads to the entry.
    for id in ["plan", "plan-2", "plan-3"] {
        assert_eq!(
            doc.select(&sel(&format!(
                "article.h-slide #{id}, article.h-slide#{id}"
            )))
            .count(),
            1,
            "#{id}"
        );
    }
}

#[test]
fn every_step_gives_an_entry_per_slide_by_flag_or_book_toml() {
    let talk = built_up();
    let all = [
        "1 Steps",
        "2 Plan",
        "3 Plan",
        "4 Plan",
        "5 Plan",
        "6 Picture",
        "7 Picture",
        "8 Causes",
        "9 Causes",
    ];
    talk.args(&["build", "--every-step"]).stderr_any().run();
    let doc = Html::parse_document(&talk.read("book/deck/handout.html"));
    assert_eq!(texts(&doc, ".h-toc li"), all);

    let talk = built_up();
    let toml = talk.read("book.toml") + "\n[handout]\nsteps = \"every\"\n";
    let talk = talk.file("book.toml", toml);
    talk.args(&["build"]).stderr_any().run();
    let doc = Html::parse_document(&talk.read("book/deck/handout.html"));
    assert_eq!(texts(&doc, ".h-toc li"), all);
}

/// A section's markup, without the attributes (its id, its time) and notes
/// only the deck's own sections carry.
fn plain_section(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let section = doc.select(&sel("section")).next().unwrap();
    let mut attrs: Vec<(String, String)> = section
        .value()
        .attrs()
        .filter(|(k, _)| !matches!(*k, "id" | "data-timing"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    attrs.sort();
    let inner = section.inner_html();
    let inner = match inner.find("<aside class=\"notes\">") {
        Some(at) => inner[..at].trim_end().to_string(),
        None => inner.trim_end().to_string(),
    };
    format!("{attrs:?}{inner}")
}

#[test]
fn the_handout_shows_each_slide_as_the_deck_does_with_its_look() {
    let talk = Talk::fixture("layout");
    talk.args(&["build"]).stderr_any().run();
    let deck = Html::parse_document(&talk.read("book/deck/index.html"));
    let handout_text = talk.read("book/deck/handout.html");
    let handout = Html::parse_document(&handout_text);
    let deck_sections: Vec<String> = deck
        .select(&sel(".reveal > .slides > section"))
        .map(|s| plain_section(&s.html()))
        .collect();
    let thumbs: Vec<String> = handout
        .select(&sel(".h-thumb section"))
        .map(|s| plain_section(&s.html()))
        .collect();
    assert_eq!(thumbs.len(), deck_sections.len(), "no steps in this talk");
    for (n, (deck, thumb)) in deck_sections.iter().zip(&thumbs).enumerate() {
        assert_eq!(thumb, deck, "slide {}", n + 1);
    }
    // The deck's stylesheet, and the talk's own after it.
    assert!(handout_text.contains(".slides > section {"));
    let talk_css: Vec<_> = deck
        .select(&sel("link[rel=stylesheet]"))
        .map(|l| l.value().attr("href").unwrap().to_string())
        .collect();
    let handout_css: Vec<_> = handout
        .select(&sel("link[rel=stylesheet]"))
        .map(|l| l.value().attr("href").unwrap().to_string())
        .collect();
    assert!(!talk_css.is_empty());
    assert_eq!(handout_css, talk_css);
}

#[test]
fn the_theme_of_the_deck_is_the_theme_of_the_handout() {
    let talk = Talk::new()
        .file("book.toml", "[build]\ntheme = \"dark\"\n")
        .file("talk.md", "## A\n\ntext\n");
    talk.args(&["build", "talk.md"]).stderr_any().run();
    for page in ["index.html", "handout.html"] {
        let doc = Html::parse_document(&talk.read(&format!("book/talk/{page}")));
        let html = doc.select(&sel("html")).next().unwrap();
        assert_eq!(html.value().attr("data-theme"), Some("dark"), "{page}");
    }
}

/// The handout's paper settings, as its page states them.
fn paper(talk: &Talk, deck: &str) -> (String, String, String, String) {
    let text = talk.read(&format!("book/{deck}/handout.html"));
    let doc = Html::parse_document(&text);
    let main = doc.select(&sel("main.handout")).next().unwrap();
    let page_rule = text
        .lines()
        .find(|l| l.starts_with("@page"))
        .unwrap_or("")
        .to_string();
    (
        main.value().attr("class").unwrap().to_string(),
        main.value().attr("data-paper").unwrap().to_string(),
        main.value().attr("data-per-page").unwrap().to_string(),
        page_rule,
    )
}

#[test]
fn the_handout_layout_comes_from_book_toml_and_the_flags_win() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[handout]\nslides-per-page = 2\nnotes = \"below\"\npaper = \"letter\"\n",
        )
        .file("talk.md", "## A\n\ntext\n");
    talk.args(&["build", "talk.md"]).stderr_any().run();
    assert_eq!(
        paper(&talk, "talk"),
        (
            "handout h-notes-below".into(),
            "letter".into(),
            "2".into(),
            "@page { size: letter; margin: 12mm; }".into()
        )
    );
    talk.args(&[
        "build",
        "talk.md",
        "--paper",
        "a4",
        "--notes",
        "beside",
        "--slides-per-page",
        "4",
    ])
    .stderr_any()
    .run();
    assert_eq!(
        paper(&talk, "talk"),
        (
            "handout h-notes-beside".into(),
            "A4".into(),
            "4".into(),
            "@page { size: A4; margin: 12mm; }".into()
        )
    );
    // The default: A4, notes beside, three to a page.
    let talk = Talk::new().file("talk.md", "## A\n\ntext\n");
    talk.args(&["build", "talk.md"]).stderr_any().run();
    assert_eq!(paper(&talk, "talk").1, "A4");
    assert_eq!(paper(&talk, "talk").2, "3");
}

#[test]
fn a_handout_setting_out_of_range_is_shown_where_it_is_written() {
    let talk = Talk::new()
        .file("book.toml", "[handout]\nslides-per-page = 9\n")
        .file("talk.md", "## A\n");
    talk.args(&["build", "talk.md"])
        .status(1)
        .stderr(
            "error: book.toml: slides-per-page must be between 1 and 6, not 9
 --> book.toml:2:19
  |
2 | slides-per-page = 9
  |                   ^
help: see the README for the keys book.toml accepts
",
        )
        .run();
    talk.args(&["build", "talk.md", "--slides-per-page", "0"])
        .status(2)
        .stderr_starts_with(
            "error: invalid value '0' for '--slides-per-page <N>': 0 is not in 1..=6\n",
        )
        .run();
}

// ---------- printed: `slidebook pdf` through a real Chromium ----------

/// A poppler tool (`pdfinfo`, `pdftotext`), when installed (CI requires
/// them: SLIDEBOOK_REQUIRE_POPPLER).
pub(crate) fn poppler(tool: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("SLIDEBOOK_REQUIRE_POPPLER").is_some() {
            panic!("SLIDEBOOK_REQUIRE_POPPLER is set but {tool} is missing");
        }
        skip(&format!("{tool} is not installed (Debian: poppler-utils)"));
    }
    found
}

pub(crate) fn run_tool(tool: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        tool.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A talk of `n` slides, each with a short note, and a title slide.
fn numbered(n: usize) -> Talk {
    let mut text = String::new();
    for i in 1..=n {
        text.push_str(&format!(
            "## Slide number {i}\n\n* point {i}\n\n<!-- Say {i} aloud. -->\n\n"
        ));
    }
    Talk::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Numbers (and more)\"\nauthors = [\"Ann\", \"Zoë\"]\n\n[[deck]]\nname = \"n\"\nsource = \"talk.md\"\n",
        )
        .file("talk.md", text)
}

#[test]
fn the_printed_handout_holds_the_set_number_of_entries_on_each_page() {
    if chromium().is_none() {
        return;
    }
    let talk = numbered(12);
    // 13 entries (the title slide and 12): the first page holds the title
    // and contents, then three entries to a page.
    talk.args(&["pdf", "--handout", "-o", "three.pdf"])
        .stderr(
            "built n: 13 slides, 12 with notes, 0 files copied -> book/n/index.html
printing n handout (1 of 1) ...
printed n handout -> three.pdf (6 pages)
",
        )
        .run();
    talk.args(&[
        "pdf",
        "--handout",
        "-o",
        "two.pdf",
        "--notes",
        "below",
        "--slides-per-page",
        "2",
    ])
    .stderr_ends_with("printed n handout -> two.pdf (8 pages)\n")
    .run();
    talk.args(&[
        "pdf",
        "--handout",
        "-o",
        "letter.pdf",
        "--paper",
        "letter",
        "--slides-per-page",
        "4",
    ])
    .stderr_ends_with("printed n handout -> letter.pdf (5 pages)\n")
    .run();
    assert!(!talk.path().join("n.pdf").exists());
    let Some(pdfinfo) = poppler("pdfinfo") else {
        return;
    };
    let info = run_tool(
        &pdfinfo,
        &[talk.path().join("letter.pdf").to_str().unwrap()],
    );
    assert!(
        info.contains("Page size:       612 x 792 pts (letter)"),
        "{info}"
    );
    let info = run_tool(&pdfinfo, &[talk.path().join("three.pdf").to_str().unwrap()]);
    assert!(info.contains("(A4)"), "{info}");
}

#[test]
fn pdf_o_prints_one_deck_with_its_title_authors_and_an_outline() {
    if chromium().is_none() {
        return;
    }
    let talk = numbered(3);
    talk.args(&["pdf", "-o", "out/talk.pdf"])
        .status(2)
        .stderr_starts_with("error: -o out/talk.pdf: the folder `")
        .run();
    talk.args(&["pdf", "-o", "talk.md"])
        .status(2)
        .stderr("error: -o names the PDF to write, a file ending in .pdf, not `talk.md`\n")
        .run();
    assert!(talk.read("talk.md").starts_with("## Slide number 1"));
    talk.args(&["pdf", "-o", "talk.pdf"])
        .stderr(
            "built n: 4 slides, 3 with notes, 0 files copied -> book/n/index.html
printing n slides (1 of 2) ...
printed n slides -> talk.pdf (4 pages)
printing n handout (2 of 2) ...
printed n handout -> talk-handout.pdf (3 pages)
",
        )
        .run();
    talk.args(&["pdf", "--slides", "-o", "only.pdf"])
        .stderr_ends_with("printed n slides -> only.pdf (4 pages)\n")
        .run();
    assert!(!talk.path().join("only-handout.pdf").exists());

    let Some(pdfinfo) = poppler("pdfinfo") else {
        return;
    };
    let info = run_tool(&pdfinfo, &[talk.path().join("talk.pdf").to_str().unwrap()]);
    assert!(
        info.contains("Title:           Numbers (and more)\n"),
        "{info}"
    );
    assert!(info.contains("Author:          Ann, Zoë\n"), "{info}");
    assert!(info.contains("Pages:           4\n"), "{info}");
    let info = run_tool(
        &pdfinfo,
        &[talk.path().join("talk-handout.pdf").to_str().unwrap()],
    );
    assert!(
        info.contains("Title:           Numbers (and more) (handout)\n"),
        "{info}"
    );
    // The outline, as poppler reads it: the title slide, the others in it.
    let Some(pdftohtml) = poppler("pdftohtml") else {
        return;
    };
    for (file, pages) in [
        ("talk.pdf", ["1", "2", "3", "4"]),
        ("talk-handout.pdf", ["2", "2", "2", "3"]),
    ] {
        let xml = run_tool(
            &pdftohtml,
            &[
                "-stdout",
                "-xml",
                "-i",
                "-q",
                talk.path().join(file).to_str().unwrap(),
            ],
        );
        let outline = &xml[xml.find("<outline>").expect("an outline")..];
        let want = format!(
            "<outline>\n<item page=\"{}\">Numbers (and more)</item>\n<outline>\n<item page=\"{}\">Slide number 1</item>\n<item page=\"{}\">Slide number 2</item>\n<item page=\"{}\">Slide number 3</item>\n</outline>\n</outline>",
            pages[0], pages[1], pages[2], pages[3]
        );
        assert!(outline.starts_with(&want), "{file}: {outline}");
    }
}

#[test]
fn pdf_o_with_several_decks_says_to_name_one() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"a\"\nsource = \"a.md\"\n\n[[deck]]\nname = \"b\"\nsource = \"b.md\"\n",
        )
        .file("a.md", "## A\n")
        .file("b.md", "## B\n");
    talk.args(&["pdf", "-o", "x.pdf"])
        .env("SLIDEBOOK_CHROMIUM", "/bin/true")
        .status(2)
        .stderr("error: -o names one PDF, so `pdf -o` prints one deck, and 2 were chosen: name one of a, b\n")
        .run();
}

#[test]
fn every_note_is_in_the_printed_handouts_text() {
    if chromium().is_none() {
        return;
    }
    let Some(pdftotext) = poppler("pdftotext") else {
        return;
    };
    let talk = Talk::fixture("layout");
    talk.args(&["pdf", "--handout", "-o", "h.pdf"])
        .stderr_any()
        .run();
    let text = run_tool(
        &pdftotext,
        &["-raw", talk.path().join("h.pdf").to_str().unwrap(), "-"],
    );
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let printed = words(&text);
    let deck = Html::parse_document(&talk.read("book/deck/index.html"));
    let notes = texts(&deck, "aside.notes");
    assert!(notes.len() >= 3);
    for note in notes {
        // Its words, in order, with nothing but the slide beside it (or a
        // page break) between.
        let want = words(&note);
        let found = (0..printed.len()).any(|start| {
            let mut at = start;
            want.iter()
                .all(|w| match printed[at..].iter().position(|p| p == w) {
                    Some(k) if at + k - start <= want.len() + 200 => {
                        at += k + 1;
                        true
                    }
                    _ => false,
                })
        });
        assert!(found, "not in the printed handout: {note}");
    }
}

// ---------- the archive: the deck folder in one file ----------

/// Every file under `dir` (but the build's marker), by its path inside it.
fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".slidebook")
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The line `build` prints for the archive, without its size (which moves
/// with the runtime).
fn packed_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("packed "))
        .expect("a packed line");
    let (head, size) = line.rsplit_once(", ").unwrap();
    assert!(size.ends_with(" KiB)"), "{line}");
    head.to_string()
}

#[test]
fn build_archive_packs_the_deck_folder_into_a_zip_that_opens_offline() {
    let talk = Talk::fixture("basics");
    let run = talk.args(&["build", "--archive"]).stderr_any().run();
    assert!(run.stderr.starts_with(
        "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html\n"
    ));
    assert_eq!(
        packed_line(&run.stderr),
        "packed deck -> book/deck.zip (7 files"
    );
    let file = std::fs::File::open(talk.path().join("book/deck.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let unpacked = tempfile::tempdir().unwrap();
    zip.extract(unpacked.path()).unwrap();
    // The folder, whole, under the deck's name.
    assert_eq!(
        files_under(&unpacked.path().join("deck")),
        files_under(&talk.path().join("book/deck"))
    );

    let Some(b) = crate::webdriver::Browser::start() else {
        return;
    };
    b.goto(&format!(
        "file://{}/deck/index.html#/1",
        unpacked.path().display()
    ));
    let shown = "const s = document.querySelector('.reveal > .slides > section.present');
        const imgs = [...document.querySelectorAll('img')];
        return [s ? s.dataset.number : null,
                imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)];";
    assert_eq!(
        b.wait_for(shown, &serde_json::json!(["2", true])),
        serde_json::json!(["2", true])
    );
}

#[test]
fn a_tar_gz_archive_from_book_toml_unpacks_to_the_same_folder() {
    let talk = Talk::fixture("basics");
    let toml = talk
        .read("book.toml")
        .replace("[[deck]]", "[build]\narchive = \"tar.gz\"\n\n[[deck]]");
    let talk = talk.file("book.toml", toml);
    let run = talk.args(&["build"]).stderr_any().run();
    assert_eq!(
        packed_line(&run.stderr),
        "packed deck -> book/deck.tar.gz (7 files"
    );
    let unpacked = tempfile::tempdir().unwrap();
    let tar = std::process::Command::new("tar")
        .arg("xzf")
        .arg(talk.path().join("book/deck.tar.gz"))
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(tar.success());
    assert_eq!(
        files_under(&unpacked.path().join("deck")),
        files_under(&talk.path().join("book/deck"))
    );
    // A plain build without the key packs nothing.
    let talk = Talk::fixture("basics");
    talk.args(&["build"])
        .stderr("built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html\n")
        .run();
    assert!(!talk.path().join("book/deck.zip").exists());
    talk.args(&["build", "--archive=rar"])
        .status(2)
        .stderr_starts_with("error: invalid value 'rar' for '--archive[=<FORMAT>]'\n")
        .run();
}

#[test]
fn the_archive_never_replaces_a_file_it_did_not_write_and_tar_keeps_long_names() {
    let long = "日本語".repeat(12);
    let talk = Talk::new()
        .file("talk.md", format!("## A\n\n![x](img/{long}.svg)\n"))
        .file(
            &format!("img/{long}.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file("handouts.zip", "mine\n");
    talk.args(&["build", "talk.md", "--archive=tar.gz"])
        .stderr_any()
        .run();
    // Packed again: its own archive is replaced.
    talk.args(&["build", "talk.md", "--archive=tar.gz"])
        .stderr_any()
        .run();
    let list = std::process::Command::new("tar")
        .arg("tzf")
        .arg(talk.path().join("book/talk.tar.gz"))
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains(&format!("talk/img/{long}.svg\n")), "{list}");
    talk.args(&["build", "talk.md", "-o", "handouts", "--archive"])
        .status(1)
        .stderr_ends_with(&format!(
            "error: `{}/handouts.zip` is there already, and slidebook did not write it: the archive would replace it
help: move that file away, or build the deck into another folder
",
            talk.path().canonicalize().unwrap().display()
        ))
        .run();
    assert_eq!(talk.read("handouts.zip"), "mine\n");
}

#[test]
fn pdf_never_writes_over_a_file_the_talk_is_made_of() {
    let talk = Talk::new()
        .file(
            "talk.md",
            "## A\n\n[old](talk-handout.pdf) and [d](diagram.pdf)\n",
        )
        .file("talk-handout.pdf", "keep\n")
        .file("diagram.pdf", "keep\n");
    for (args, file) in [
        (
            &["pdf", "talk.md", "-o", "talk.pdf"][..],
            "talk-handout.pdf",
        ),
        (
            &["pdf", "talk.md", "--slides", "-o", "diagram.pdf"][..],
            "diagram.pdf",
        ),
    ] {
        talk.args(args)
            .env("SLIDEBOOK_CHROMIUM", "/bin/true")
            .status(1)
            .stderr(format!(
                "built talk: 1 slide, 0 with notes, 2 files copied -> book/talk/index.html
error: `{file}` is one of the files the talk is made of: `pdf` will not write over it
help: name another file with -o
"
            ))
            .run();
        assert_eq!(talk.read(file), "keep\n");
    }
}
