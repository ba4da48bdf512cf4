//! `slidebook export --odp` and `--pptx`: valid packages (an ODP's
//! `mimetype` first and stored; every entry listed once; every part well
//! formed; the same bytes every time), read back by independent readers
//! (odfpy, python-pptx) and converted by LibreOffice, on slidebook's own
//! template or one the talk brings, with masters and layouts chosen by
//! name.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::harness::{corpus, skip, slidebook, Talk};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.presentation";

/// A talk with a title, a section, and a content slide of every kind of
/// block, with notes.
fn talk() -> Talk {
    Talk::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Export test\"\nauthors = [\"Ann Example\"]\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
        )
        .file(
            "main.md",
            "# Part one\n\n## Lists and code\n\n* first point\n* second point\n    * nested point\n\n```sh\n$ echo   spaced    out\n```\n\n<!-- Say the *first* thing.\n\n* a listed note -->\n\n## A table and a picture\n\n| name | value |\n|------|-------|\n| alpha | 1 |\n\n![A wide picture](img/wide.svg)\n\n<!-- The table's notes. -->\n",
        )
        .file(
            "img/wide.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"100\"><rect width=\"400\" height=\"100\" fill=\"#2563c9\"/></svg>\n",
        )
}

fn export(dir: &Path, args: &[&str]) -> std::process::Output {
    slidebook(dir).arg("export").args(args).output().unwrap()
}

/// The package's entries, by name, in order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

/// Every element's attribute `name`, in document order.
fn attribute_values(xml: &str, element: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well formed") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == element =>
            {
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == name {
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::default())
                            .unwrap();
                        out.push(v.into_owned());
                    }
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn the_package_is_valid_and_the_same_every_time() {
    let talk = talk();
    let out = export(talk.path(), &["--odp"]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with("exported deck: 4 slides -> book/deck.odp (") && said.ends_with(" KiB)\n"),
        "{said}"
    );
    let bytes = std::fs::read(talk.path().join("book/deck.odp")).unwrap();
    // The first entry is `mimetype`, stored, with no extra field, so that
    // its name is at byte 30 and its text right after.
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
    assert_eq!(
        u16::from_le_bytes([bytes[28], bytes[29]]),
        0,
        "no extra field"
    );
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());

    let files = entries(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    // Every XML part parses to its end.
    for (name, data) in &files {
        if name.ends_with(".xml") {
            let text = std::str::from_utf8(data).unwrap();
            let mut reader = quick_xml::Reader::from_str(text);
            while !matches!(
                reader
                    .read_event()
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
                quick_xml::events::Event::Eof
            ) {}
        }
    }
    // The manifest lists every other entry, once.
    let manifest = files
        .iter()
        .find(|(n, _)| n == "META-INF/manifest.xml")
        .unwrap();
    let mut listed = attribute_values(
        std::str::from_utf8(&manifest.1).unwrap(),
        "manifest:file-entry",
        "manifest:full-path",
    );
    listed.sort_unstable();
    let mut expected: Vec<String> = names
        .iter()
        .filter(|n| !matches!(**n, "mimetype" | "META-INF/manifest.xml"))
        .map(|n| n.to_string())
        .chain(["/".to_string()])
        .collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    // The pages: the title slide and the section on the break master, the
    // others on the content master; the picture at 4:1.
    let content =
        std::str::from_utf8(&files.iter().find(|(n, _)| n == "content.xml").unwrap().1).unwrap();
    assert_eq!(
        attribute_values(content, "draw:page", "draw:master-page-name"),
        ["Break", "Break", "Content", "Content"]
    );
    assert!(
        content.contains("<text:p>Export test</text:p>"),
        "the title slide"
    );
    assert!(content.contains("<text:p>Ann Example</text:p>"));
    assert!(
        content.contains("echo <text:s text:c=\"2\"/>spaced <text:s text:c=\"3\"/>out"),
        "code keeps its spaces"
    );
    assert!(content.contains("<table:table>") && content.contains(">alpha<"));
    assert!(content
        .contains("<text:list><text:list-item><text:p>first point</text:p></text:list-item>"));
    let widths = attribute_values(content, "draw:frame", "svg:width");
    let heights = attribute_values(content, "draw:frame", "svg:height");
    let image = content.find("<draw:image").unwrap();
    let frames_before = content[..image].matches("<draw:frame").count() - 1;
    let cm = |v: &str| v.trim_end_matches("cm").parse::<f64>().unwrap();
    let ratio = cm(&widths[frames_before]) / cm(&heights[frames_before]);
    assert!(
        (ratio - 4.0).abs() < 0.01,
        "the picture keeps its proportions: {ratio}"
    );
    assert!(
        content.contains("Say the <text:span"),
        "notes keep their emphasis"
    );
    assert!(names.contains(&"Pictures/slidebook-0001.svg"));

    // The same talk gives the same bytes.
    let again = tempfile::tempdir().unwrap();
    let out = export(
        talk.path(),
        &[
            "--odp",
            "-o",
            &again.path().join("again.odp").to_string_lossy(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read(again.path().join("again.odp")).unwrap() == bytes,
        "byte-identical"
    );
}

#[test]
fn an_export_stays_inside_the_talk_unless_book_toml_allows_otherwise() {
    let talk = talk().file(
        "book.toml",
        "[book]\ntitle = \"Export test\"\n\n[build]\nbuild-dir = \"../outside\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
    );
    talk.args(&["export", "--odp"])
        .status(1)
        .stderr("error: cannot write into `../outside`: `build-dir` in book.toml leads outside the talk's root\nhelp: keep build-dir inside the talk, build elsewhere with -o DIR, or set `allow-build-dir-outside-root = true` under [build]\n")
        .run();
    assert!(!talk.path().join("../outside").exists());
    // Nor over a file the talk is made of.
    talk.args(&["export", "--pptx", "-o", "main.md"])
        .status(2)
        .stderr(
            "error: -o names the presentation to write, a file ending in .pptx, not `main.md`\n",
        )
        .run();
}

#[test]
fn what_a_presentation_cannot_carry_is_named_with_its_slide() {
    let talk = Talk::new().file(
        "talk.md",
        "## Steps {.incremental}\n\n* one\n* two\n\n## Words\n\nThe fragments/ folder, $x^2$ and <b>bold</b>.\n",
    );
    talk.args(&["export", "--odp", "talk.md", "-o", "talk.odp"])
        .stderr("warning: slide 1 (\u{201c}Steps\u{201d}): its fragments cannot be carried, and are shown as they end\n --> talk.md:1:1\n  |\n1 | ## Steps {.incremental}\n  | ^\nhelp: a presentation file shows each slide in its final state\nwarning: slide 2 (\u{201c}Words\u{201d}): its formulas, raw HTML cannot be carried, and are shown as they end\n --> talk.md:6:1\n  |\n6 | ## Words\n  | ^\nhelp: a presentation file shows each slide in its final state\nexported talk: 2 slides -> talk.odp (3.5 KiB)\n")
        .run();
}

#[test]
fn an_export_never_writes_over_the_talk_or_its_template() {
    let talk = talk()
        .file("files/handout.odp", "the talk links this file")
        .file("main.md", "## Slide\n\n[the handout](files/handout.odp)\n");
    std::os::unix::fs::symlink("files", talk.path().join("alias")).unwrap();
    for target in ["files/handout.odp", "alias/handout.odp"] {
        talk.args(&["export", "--odp", "-o", target])
            .status(2)
            .stderr(format!(
                "error: `{target}` is a file the talk is made of: export to another file\n"
            ))
            .run();
    }
    assert_eq!(talk.read("files/handout.odp"), "the talk links this file");
    // Nor over the template it is made with.
    assert!(export(talk.path(), &["--odp", "-o", "t.odp"])
        .status
        .success());
    let template = std::fs::read(talk.path().join("t.odp")).unwrap();
    talk.args(&["export", "--odp", "--template", "t.odp", "-o", "t.odp"])
        .status(2)
        .stderr("error: `t.odp` is a file the talk is made of: export to another file\n")
        .run();
    assert!(std::fs::read(talk.path().join("t.odp")).unwrap() == template);
    // book.toml names only the talk's own template.
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(talk.path().join("t.odp"), outside.path().join("theirs.odp")).unwrap();
    let book = format!(
        "[book]\ntitle = \"Export test\"\n\n[export]\ntemplate = \"{}\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
        outside.path().join("theirs.odp").display()
    );
    let talk = talk.file("book.toml", book);
    let out = export(talk.path(), &["--odp"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.ends_with("theirs.odp`: it is outside the talk, and book.toml may name only the talk's own files (unless `allow-outside-root = true` under [build])\n"),
        "{said}"
    );
}

/// An ODP template of the test's own: masters named by display names with
/// spaces (stored as `Corporate_20_Content`), placeholders where this
/// company puts them.
fn corporate_template(path: &Path) -> String {
    let frame = |class: &str, y: f64| {
        format!(
            "<draw:frame presentation:style-name=\"corp-{class}\" svg:width=\"20cm\" svg:height=\"3cm\" svg:x=\"2cm\" svg:y=\"{y}cm\" presentation:class=\"{class}\" presentation:placeholder=\"true\"><draw:text-box/></draw:frame>"
        )
    };
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-styles xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" office:version=\"1.2\"><office:automatic-styles><style:page-layout style:name=\"PMc\"><style:page-layout-properties fo:page-width=\"254mm\" fo:page-height=\"190.5mm\"/></style:page-layout></office:automatic-styles><office:master-styles><style:master-page style:name=\"Corporate_20_Content\" style:display-name=\"Corporate Content\" style:page-layout-name=\"PMc\">{}{}</style:master-page><style:master-page style:name=\"Corporate_20_Break\" style:display-name=\"Corporate Break\" style:page-layout-name=\"PMc\">{}</style:master-page></office:master-styles></office:document-styles>\n",
        frame("title", 1.0),
        frame("outline", 5.0),
        frame("title", 8.0),
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(MIMETYPE.as_bytes()).unwrap();
    zip.start_file("styles.xml", stored).unwrap();
    zip.write_all(styles.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>").unwrap();
    zip.finish().unwrap();
    styles
}

#[test]
fn the_talks_template_is_used_with_its_masters_named_as_people_see_them() {
    let talk = talk();
    let styles = corporate_template(&talk.path().join("corp.odp"));
    let out = export(
        talk.path(),
        &[
            "--odp",
            "--template",
            "corp.odp",
            "--content-master",
            "Corporate Content",
            "--break-master",
            "Corporate Break",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let files = entries(&std::fs::read(talk.path().join("book/deck.odp")).unwrap());
    let part = |name: &str| {
        String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    assert_eq!(
        part("styles.xml"),
        styles,
        "the template's styles, as they are"
    );
    let content = part("content.xml");
    assert_eq!(
        attribute_values(&content, "draw:page", "draw:master-page-name"),
        [
            "Corporate_20_Break",
            "Corporate_20_Break",
            "Corporate_20_Content",
            "Corporate_20_Content"
        ]
    );
    // The body sits where the master's outline placeholder is.
    assert!(content.contains("svg:width=\"20.000cm\" svg:height=\"3.000cm\" svg:x=\"2.000cm\" svg:y=\"5.000cm\" presentation:class=\"outline\""));

    // A master the template does not have.
    let out = export(
        talk.path(),
        &[
            "--odp",
            "--template",
            "corp.odp",
            "--content-master",
            "Corporate",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the template has no master page `Corporate` for content slides; it has `Corporate_20_Content` (Corporate Content), `Corporate_20_Break` (Corporate Break)\n"
    );
    // `check` says the same of book.toml, and writes nothing.
    let template = std::fs::read(talk.path().join("corp.odp")).unwrap();
    let talk = talk
        .file("corp.odp", template)
        .file(
            "book.toml",
            "[book]\ntitle = \"Export test\"\n\n[export]\ntemplate = \"corp.odp\"\nbreak-master = \"Section\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
        );
    let _ = std::fs::remove_dir_all(talk.path().join("book"));
    talk.args(&["check"])
        .status(1)
        .stderr("error: the template has no master page `Section` for section slides; it has `Corporate_20_Content` (Corporate Content), `Corporate_20_Break` (Corporate Break)\nhelp: `[export]` in book.toml chooses it\nchecked 1 deck: 1 error\n")
        .run();
    assert!(!talk.path().join("book").exists());
    talk.args(&["export", "--odp", "--template", "missing.odp"])
        .status(2)
        .stderr("error: cannot read the template `missing.odp`: no such file\n")
        .run();
}

/// The corpus lightning talk exported twice (the same bytes both times),
/// then read back by `script` (Python, given the file, printing a JSON list
/// of each page's master or layout, title and notes).
fn read_back(corpus: &Path, format: &str, script: &str) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let flag = format!("--{format}");
    let files: Vec<PathBuf> = ["a", "b"]
        .iter()
        .map(|n| {
            let file = dir.path().join(format!("{n}.{format}"));
            let out = export(
                corpus,
                &[&flag, "lightning/main.md", "-o", &file.to_string_lossy()],
            );
            assert!(out.status.success(), "{out:?}");
            file
        })
        .collect();
    let bytes = |f: &PathBuf| std::fs::read(f).unwrap();
    assert!(
        bytes(&files[0]) == bytes(&files[1]),
        "{format}: two exports differ"
    );
    let read = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    serde_json::from_slice(&read.stdout).unwrap()
}

/// A Python that can import `module` (from PyPI's `package`), when
/// installed (CI requires them: SLIDEBOOK_REQUIRE_ODFPY).
fn python_with(module: &str, package: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("SLIDEBOOK_REQUIRE_ODFPY").is_some() {
            panic!("SLIDEBOOK_REQUIRE_ODFPY is set but python3 cannot import {module}");
        }
        skip(&format!(
            "{package} is not installed (pip install {package})"
        ));
    }
    ok
}

fn odfpy() -> bool {
    python_with("odf.opendocument", "odfpy")
}

/// LibreOffice, when installed (CI requires it: SLIDEBOOK_REQUIRE_LIBREOFFICE).
fn soffice() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("soffice"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("SLIDEBOOK_REQUIRE_LIBREOFFICE").is_some() {
            panic!("SLIDEBOOK_REQUIRE_LIBREOFFICE is set but soffice is not on PATH");
        }
        skip("LibreOffice is not installed (Debian: libreoffice-impress-nogui)");
    }
    found
}

/// The corpus lightning talk's slides as its source has them: each title,
/// and the first line of each of its notes.
fn lightning_slides(corpus: &Path) -> Vec<(String, Vec<String>)> {
    let expanded = slidebook(corpus)
        .args(["expand", "lightning/main.md"])
        .output()
        .unwrap();
    assert!(expanded.status.success(), "{expanded:?}");
    let m4 = String::from_utf8(expanded.stdout).unwrap();
    let mut slides: Vec<(String, Vec<String>)> = Vec::new();
    let mut rest = m4.as_str();
    loop {
        let next_note = rest.find("<!--");
        let next_heading = if rest.starts_with("## ") {
            Some(0)
        } else {
            rest.find("\n## ")
        };
        match (next_heading, next_note) {
            (Some(h), n) if n.is_none_or(|n| h < n) => {
                let line_start = if rest[h..].starts_with('\n') {
                    h + 1
                } else {
                    h
                };
                let line = rest[line_start..].lines().next().unwrap();
                // The title as text: code marks and emphasis dropped.
                let title = line.trim_start_matches('#').trim().replace(['`', '*'], "");
                slides.push((title, Vec::new()));
                rest = &rest[line_start + line.len()..];
            }
            (_, Some(n)) => {
                let end = rest[n..].find("-->").map_or(rest.len(), |e| n + e);
                let note = &rest[n + 4..end];
                let first = note
                    .lines()
                    .map(|l| l.trim().trim_start_matches('#').trim())
                    .find(|l| !l.is_empty())
                    .unwrap_or("")
                    .replace(['`', '*'], "");
                if let Some(s) = slides.last_mut() {
                    s.1.push(first);
                }
                rest = &rest[(end + 3).min(rest.len())..];
            }
            _ => break,
        }
    }
    slides
}

#[test]
fn odfpy_reads_back_the_corpus_lightning_talk() {
    let (Some(corpus), true) = (corpus(), odfpy()) else {
        return;
    };
    let script = r#"
import json, sys
from odf.opendocument import load
from odf import draw, presentation, text
from odf.namespaces import DRAWNS, PRESENTATIONNS
def words(el):
    return ' '.join(str(p) for p in el.getElementsByType(text.P))
pages = []
for p in load(sys.argv[1]).getElementsByType(draw.Page):
    title = ''
    for f in p.getElementsByType(draw.Frame):
        if f.getAttrNS(PRESENTATIONNS, 'class') == 'title':
            title = words(f)
    notes = ' '.join(words(n) for n in p.getElementsByType(presentation.Notes))
    pages.append([p.getAttrNS(DRAWNS, 'master-page-name'), title, notes])
print(json.dumps(pages))
"#;
    let pages = read_back(&corpus, "odp", script);
    assert_lightning(&pages, &corpus, "Content");
}

#[test]
fn libreoffice_converts_both_exports_to_a_pdf_with_every_title_and_the_code() {
    let (Some(corpus), Some(soffice)) = (corpus(), soffice()) else {
        return;
    };
    let Some(pdftotext) = crate::handout::poppler("pdftotext") else {
        return;
    };
    let Some(pdfinfo) = crate::handout::poppler("pdfinfo") else {
        return;
    };
    for format in ["odp", "pptx"] {
        converted(&corpus, &soffice, &pdfinfo, &pdftotext, format);
    }
}

fn converted(corpus: &Path, soffice: &Path, pdfinfo: &Path, pdftotext: &Path, format: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("lightning.{format}"));
    let flag = format!("--{format}");
    let out = export(
        corpus,
        &[&flag, "lightning/main.md", "-o", &file.to_string_lossy()],
    );
    assert!(out.status.success(), "{out:?}");
    // A profile of its own: LibreOffice runs once per profile.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let converted = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(converted.status.success(), "{converted:?}");
    let pdf = dir.path().join("lightning.pdf");
    let info = crate::handout::run_tool(pdfinfo, &[&pdf.to_string_lossy()]);
    assert!(
        info.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Pages:", "25"]),
        "{format}: {info}"
    );
    let words = crate::handout::run_tool(pdftotext, &[&pdf.to_string_lossy(), "-"]);
    let flat = words.split_whitespace().collect::<Vec<_>>().join(" ");
    for (title, _) in lightning_slides(corpus) {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&title),
            "{format}: {title:?} is not in the PDF"
        );
    }
    assert!(
        flat.contains("openstack coe cluster show k8s_cluster"),
        "{format}: a code line"
    );
}

/// The layout each slide of a PPTX package is on, by name.
fn layouts(files: &[(String, Vec<u8>)]) -> Vec<String> {
    let part = |name: &str| -> String {
        let f = files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"));
        String::from_utf8(f.1.clone()).unwrap()
    };
    let count = files
        .iter()
        .filter(|(n, _)| n.starts_with("ppt/slides/slide"))
        .count();
    (1..=count)
        .map(|n| {
            let rels = part(&format!("ppt/slides/_rels/slide{n}.xml.rels"));
            let at = rels.find("slideLayouts/").unwrap();
            let file = &rels[at..rels[at..].find('"').unwrap() + at];
            let layout = part(&format!("ppt/{file}"));
            attribute_values(&layout, "p:cSld", "name").remove(0)
        })
        .collect()
}

#[test]
fn the_pptx_package_lists_every_part_once_and_is_the_same_every_time() {
    let talk = talk();
    let out = export(talk.path(), &["--pptx"]);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(talk.path().join("book/deck.pptx")).unwrap();
    let files = entries(&bytes);
    assert_eq!(files[0].0, "[Content_Types].xml");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for (name, data) in &files {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = std::str::from_utf8(data).unwrap();
            let mut reader = quick_xml::Reader::from_str(text);
            while !matches!(
                reader
                    .read_event()
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
                quick_xml::events::Event::Eof
            ) {}
        }
    }
    // Every part has its content type once: its own, or its extension's.
    let types = std::str::from_utf8(&files[0].1).unwrap();
    let overrides = attribute_values(types, "Override", "PartName");
    let defaults = attribute_values(types, "Default", "Extension");
    for name in &names[1..] {
        let own = overrides
            .iter()
            .filter(|o| o.trim_start_matches('/') == *name)
            .count();
        let ext = name.rsplit('.').next().unwrap();
        assert!(
            own == 1 || (own == 0 && defaults.iter().any(|d| d == ext)),
            "{name}: {own}"
        );
    }
    for o in &overrides {
        assert!(
            names.contains(&o.trim_start_matches('/')),
            "{o} is listed but not there"
        );
    }
    assert_eq!(
        layouts(&files),
        [
            "Title Slide",
            "Section Header",
            "Title and Content",
            "Title and Content"
        ]
    );
    let notes = &files
        .iter()
        .find(|(n, _)| n == "ppt/notesSlides/notesSlide3.xml")
        .unwrap()
        .1;
    let notes = std::str::from_utf8(notes).unwrap();
    assert!(
        notes.contains("<a:t>Say the </a:t>") && notes.contains("<a:t>first</a:t>"),
        "{notes}"
    );
    let again = tempfile::tempdir().unwrap();
    let copy = again.path().join("again.pptx");
    let out = export(talk.path(), &["--pptx", "-o", &copy.to_string_lossy()]);
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read(copy).unwrap() == bytes, "byte-identical");
}

#[test]
fn a_reference_document_without_a_layout_falls_back_with_a_warning() {
    let talk = talk();
    assert!(export(talk.path(), &["--pptx", "-o", "ref.pptx"])
        .status
        .success());
    // The test's own reference: slidebook's, its section layout renamed.
    let files = entries(&std::fs::read(talk.path().join("ref.pptx")).unwrap());
    let mut zip = zip::ZipWriter::new(std::fs::File::create(talk.path().join("ref.pptx")).unwrap());
    for (name, data) in files {
        let data = match name.as_str() {
            "ppt/slideLayouts/slideLayout3.xml" => String::from_utf8(data)
                .unwrap()
                .replace("name=\"Section Header\"", "name=\"Part Opener\"")
                .into_bytes(),
            _ => data,
        };
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();
    let out = export(talk.path(), &["--pptx", "--reference-doc", "ref.pptx"]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with("warning: the reference document has no layout `Section Header`: those slides use `Title Slide`\nhelp: give the reference document a layout of that name\nexported deck: 4 slides -> book/deck.pptx ("),
        "{said}"
    );
    let files = entries(&std::fs::read(talk.path().join("book/deck.pptx")).unwrap());
    assert_eq!(
        layouts(&files),
        [
            "Title Slide",
            "Title Slide",
            "Title and Content",
            "Title and Content"
        ]
    );
    // The reference's own slides are not carried over: only the deck's.
    let slides = files
        .iter()
        .filter(|(n, _)| n.starts_with("ppt/slides/slide"))
        .count();
    assert_eq!(slides, 4);
    // `check` reads the reference document book.toml names.
    let talk = talk.file(
        "book.toml",
        "[book]\ntitle = \"Export test\"\n\n[export]\nreference-doc = \"corporate.pptx\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
    );
    talk.args(&["check"])
        .status(1)
        .stderr("error: cannot read the reference document `corporate.pptx`: no such file\nhelp: `[export]` in book.toml chooses it\nchecked 1 deck: 1 error\n")
        .run();
}

#[test]
fn python_pptx_reads_back_the_corpus_lightning_talk() {
    let (Some(corpus), true) = (corpus(), python_with("pptx", "python-pptx")) else {
        return;
    };
    let script = r#"
import json, sys
from pptx import Presentation
pages = []
for s in Presentation(sys.argv[1]).slides:
    notes = s.notes_slide.notes_text_frame.text if s.has_notes_slide else ''
    pages.append([s.slide_layout.name, s.shapes.title.text, notes])
print(json.dumps(pages))
"#;
    let pages = read_back(&corpus, "pptx", script);
    assert_lightning(&pages, &corpus, "Title and Content");
}

/// What a reader found in the corpus lightning talk's export (each page's
/// master or layout, title and notes) against its source: 25 slides, all
/// on `place`, every title, the first line of every note, 24 with notes.
fn assert_lightning(pages: &[(String, String, String)], corpus: &Path, place: &str) {
    let slides = lightning_slides(corpus);
    assert_eq!(pages.len(), 25);
    assert_eq!(slides.len(), 25);
    let mut noted = 0;
    for (i, ((on, title, notes), (want_title, want_notes))) in pages.iter().zip(&slides).enumerate()
    {
        assert_eq!(on, place, "slide {}", i + 1);
        assert_eq!(title, want_title, "slide {}", i + 1);
        for first in want_notes {
            assert!(
                notes.contains(first.as_str()),
                "slide {}: notes lack {first:?}: {notes}",
                i + 1
            );
        }
        noted += usize::from(!notes.trim().is_empty());
    }
    assert_eq!(noted, 24, "the noted slides");
}
