//! The layout syntax authors bring from pandoc and reveal.js, on the
//! `layout` fixture: what the built markup says, and what headless
//! Chromium shows.

use serde_json::{json, Value};

use crate::harness::{copy_tree, skip, Talk};
use crate::webdriver::Browser;

const RIGHT: &str = "\u{E014}";
const LEFT: &str = "\u{E012}";

const BUILT: &str = "built deck: 12 slides, 3 with notes, 2 files copied -> book/deck/index.html\n";

fn built(book_toml_extra: &str) -> Talk {
    let talk = Talk::fixture("layout");
    if !book_toml_extra.is_empty() {
        let toml = talk
            .read("book.toml")
            .replace("[build]\n", &format!("[build]\n{book_toml_extra}\n"));
        std::fs::write(talk.path().join("book.toml"), toml).unwrap();
    }
    talk.args(&["build"]).stderr(BUILT).run();
    talk
}

fn url(talk: &Talk, hash: &str) -> String {
    format!(
        "file://{}/book/deck/index.html{hash}",
        talk.path().display()
    )
}

/// The present slide's index, and how many of its fragments show.
const STATE: &str = "
    const s = [...document.querySelectorAll('.reveal > .slides > section')];
    const i = s.findIndex(x => x.classList.contains('present'));
    return [i, s[i].querySelectorAll('.fragment.visible').length];";

#[test]
fn the_markup_carries_what_the_author_set() {
    let talk = built("");
    let html = talk.read("book/deck/index.html");
    // `{.incremental}`: the class on the section, each item a fragment.
    assert!(html.contains("<section id=\"three-points\" data-kind=\"content\" data-number=\"2\" data-timing=\"10\" data-title=\"Three points\" class=\"incremental\">"));
    assert_eq!(html.matches("<li class=\"fragment\">").count(), 3);
    // `. . .` opens a fragment to the slide's end, and is not text.
    assert!(html.contains(
        "<p>Before the pause.</p>\n<div class=\"fragment\">\n<p>After the pause.</p>\n</div>"
    ));
    assert!(!html.contains(". . ."));
    // `{#sized}` is the slide's id; `{width=40%}` sizes the picture.
    assert!(html.contains("<section id=\"sized\""));
    assert!(html.contains("<img src=\"img/diagram.svg\" alt=\"A diagram\" style=\"width: calc(var(--sb-w) * 0.4)\" />"));
    assert!(!html.contains("{width"));
    // Fenced divs are divs.
    assert!(html.contains("<div class=\"columns\">"));
    assert!(html.contains("<div class=\"column\" style=\"width: 40%\">"));
    assert!(!html.contains("<p>:::"));
    // `<!-- .slide: -->` sets attributes and is no note; the next comment is.
    assert!(html.contains("data-background-color=\"#000000\" style=\"background-color: #000000;\""));
    assert!(!html.contains(".slide:"));
    assert!(html.contains("<aside class=\"notes\">\n<p>This one is a note.</p>"));
    // A bare address is a link; the stylesheet is linked and copied.
    assert!(html.contains("<a href=\"https://example.org/docs\">https://example.org/docs</a>"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"style&#x2F;talk.css\">"));
    assert!(talk.path().join("book/deck/style/talk.css").is_file());
    // The footer and the logo on every slide.
    assert_eq!(
        html.matches("<div class=\"sb-footer\">Layout, a fixture talk</div>")
            .count(),
        12
    );
    assert_eq!(
        html.matches("<img class=\"sb-logo\" src=\"img/diagram.svg\" alt=\"\">")
            .count(),
        12
    );
    // Classes the themes know, a floated picture, a div of any class,
    // numbered lines, a picture behind a slide.
    assert!(html.contains("data-title=\"Centred and smaller\" class=\"center smaller\">"));
    assert!(html.contains("<img src=\"img/diagram.svg\" alt=\"A diagram\" class=\"right\" style=\"width: calc(var(--sb-w) * 0.1)\" />"));
    assert!(html.contains("<div class=\"note-box\">\n<p>A div of its own class.</p>\n</div>"));
    assert!(html.contains("<pre class=\"code sb-lines language-python sb-numbered\""));
    assert!(html.contains("data-background-image=\"img/diagram.svg\" style=\"background-image: url(&quot;img/diagram.svg&quot;); background-size: cover; background-position: center;\">"));
    // Formulas are MathML, written at build time: no script shows them.
    assert!(html.contains("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"inline\"><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math>"));
    assert!(html.contains("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">"));
    assert_eq!(html.matches("<script").count(), 1, "the runtime's only");
}

#[test]
fn a_formula_that_cannot_be_read_is_an_error_at_its_place() {
    let talk = Talk::new().file(
        "talk.md",
        "## Maths\n\nIt is $\\begin{foo} x \\end{foo}$ here.\n",
    );
    talk.args(&["build", "talk.md"])
        .status(1)
        .stderr("error: this formula cannot be read: An unknown environment \"foo\" is found\n --> talk.md:3:7\n  |\n3 | It is $\\begin{foo} x \\end{foo}$ here.\n  |       ^\nhelp: write it in LaTeX as MathML can show it (a `$` meant as money is written `\\$`)\n")
        .run();
}

#[test]
fn fragments_step_before_the_slide_changes_and_the_hash_keeps_the_step() {
    let Some(b) = Browser::start() else { return };
    let talk = built("");
    b.goto(&url(&talk, "#/1"));
    assert_eq!(b.wait_for(STATE, &json!([1, 0])), json!([1, 0]));
    for shown in 1..=3 {
        b.press(RIGHT);
        assert_eq!(b.wait_for(STATE, &json!([1, shown])), json!([1, shown]));
    }
    assert_eq!(
        b.wait_for("return location.hash", &json!("#/1/0/2")),
        json!("#/1/0/2")
    );
    // The items are really seen, one after another.
    let opacity = "return [...document.querySelectorAll('section.present li')].map(l => getComputedStyle(l).opacity)";
    assert_eq!(
        b.wait_for(opacity, &json!(["1", "1", "1"])),
        json!(["1", "1", "1"])
    );
    b.press(RIGHT);
    assert_eq!(b.wait_for(STATE, &json!([2, 0])), json!([2, 0]));
    // Back onto the slide: all of it, then one step at a time.
    b.press(LEFT);
    assert_eq!(b.wait_for(STATE, &json!([1, 3])), json!([1, 3]));
    b.press(LEFT);
    assert_eq!(b.wait_for(STATE, &json!([1, 2])), json!([1, 2]));
    // A reload stays on the step.
    b.goto(&url(&talk, "#/1/0/0"));
    assert_eq!(b.wait_for(STATE, &json!([1, 1])), json!([1, 1]));
    let hidden =
        "return getComputedStyle(document.querySelectorAll('section.present li')[2]).visibility";
    assert_eq!(b.eval(hidden), json!("hidden"));
    // Print shows every item: the rule for print makes fragments visible.
    let print_rule = "return [...document.styleSheets].flatMap(s => [...s.cssRules])
        .filter(r => r.media && r.media.mediaText === 'print')
        .flatMap(r => [...r.cssRules]).map(r => r.cssText)
        .filter(t => t.includes('.fragment') && t.includes('opacity: 1')).length";
    assert_eq!(b.eval(print_rule), json!(1));
}

/// The bounding box of the first element matching `css` on the present
/// slide, and the slide's own.
fn boxes(b: &Browser, css: &str) -> (Value, Value) {
    let v = b.eval(&format!(
        "const s = document.querySelector('section.present');
         const r = e => {{ const b = e.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; }};
         return [r(s.querySelector('{css}')), r(s)];"
    ));
    (v[0].clone(), v[1].clone())
}

#[test]
fn pictures_columns_lines_and_backgrounds_look_as_written() {
    let Some(b) = Browser::start() else { return };
    let talk = built("");
    // The picture is 40% of the slide wide.
    b.goto(&url(&talk, "#/3"));
    b.wait_for(
        "return document.querySelector('section.present img').complete",
        &json!(true),
    );
    let (img, slide) = boxes(&b, "img");
    let share = img[2].as_f64().unwrap() / slide[2].as_f64().unwrap();
    assert!(
        (share - 0.40).abs() <= 0.02,
        "the picture is {share} of the slide"
    );
    // Two columns side by side: the second starts right of the first, at
    // the same height.
    b.goto(&url(&talk, "#/4"));
    b.wait_for("return location.hash", &json!("#/4"));
    columns_side_by_side(&b);
    // The marked lines carry their class, and only they.
    b.goto(&url(&talk, "#/5"));
    b.wait_for("return location.hash", &json!("#/5"));
    assert_eq!(
        b.eval("return [...document.querySelectorAll('section.present .line.hl')].map(l => l.dataset.line)"),
        json!(["2", "4"])
    );
    // `{1|2-3|4}` marks the lines of each step in turn, as fragments.
    b.goto(&url(&talk, "#/9"));
    let marked = "return [...document.querySelectorAll('section.present .line.hl')].map(l => l.dataset.line)";
    assert_eq!(b.wait_for(marked, &json!(["1"])), json!(["1"]));
    b.press(RIGHT);
    assert_eq!(b.wait_for(marked, &json!(["2", "3"])), json!(["2", "3"]));
    b.press(RIGHT);
    assert_eq!(b.wait_for(marked, &json!(["4"])), json!(["4"]));
    b.press(LEFT);
    assert_eq!(b.wait_for(marked, &json!(["2", "3"])), json!(["2", "3"]));
    // The talk's css applies (after the theme), and the deck still fits
    // its slides to the window.
    assert_eq!(
        b.eval("return getComputedStyle(document.querySelector('section.present h2')).color"),
        json!("rgb(170, 20, 60)")
    );
    assert!(b
        .eval("return document.querySelector('.reveal > .slides').style.transform")
        .as_str()
        .unwrap()
        .contains("scale("));
    // `{.inverted}` and a dark `data-background-color` make dark slides
    // with light text; the background comment is no note.
    for hash in ["#/6", "#/7"] {
        b.goto(&url(&talk, hash));
        b.wait_for("return location.hash", &json!(hash));
        let (bg, fg) = colours(&b);
        assert!(bg < 0.2 && fg > 0.7, "{hash}: background {bg}, text {fg}");
    }
    assert_eq!(
        b.eval(
            "return getComputedStyle(document.querySelector('section.present')).backgroundColor"
        ),
        json!("rgb(0, 0, 0)")
    );
    assert_eq!(
        b.eval("return document.querySelector('section.present aside.notes').textContent.trim()"),
        json!("This one is a note.")
    );
    // The formula is drawn as MathML, with no script for it: the display
    // one stands on its own line, its fraction taller than the text.
    b.goto(&url(&talk, "#/8"));
    b.wait_for("return location.hash", &json!("#/8"));
    assert_eq!(
        b.eval("const m = document.querySelectorAll('section.present math'); return [m.length, m[0] instanceof MathMLElement, document.scripts.length]"),
        json!([2, true, 1])
    );
    let (frac, _) = boxes(&b, "mfrac");
    let (p, _) = boxes(&b, "p");
    assert!(
        frac[3].as_f64().unwrap() > 1.5 * p[3].as_f64().unwrap() / 1.35,
        "fraction {frac}, line {p}"
    );
}

/// The present slide's two columns stand side by side: the second starts
/// right of the first, at the same height.
fn columns_side_by_side(b: &Browser) {
    let cols = b.eval(
        "return [...document.querySelectorAll('.slides > section.present .column')].map(c => { const b = c.getBoundingClientRect(); return [b.left, b.top, b.right]; })",
    );
    let (left, right) = (&cols[0], &cols[1]);
    assert!(
        right[0].as_f64().unwrap() >= left[2].as_f64().unwrap(),
        "{cols}"
    );
    assert!(
        (right[1].as_f64().unwrap() - left[1].as_f64().unwrap()).abs() < 2.0,
        "{cols}"
    );
}

/// How light the present slide's background and its paragraph's text are.
fn colours(b: &Browser) -> (f64, f64) {
    let v = b.eval(
        "const s = document.querySelector('section.present');
         const l = c => { const [r, g, b] = c.match(/\\d+/g).map(Number); return (0.2126*r + 0.7152*g + 0.0722*b) / 255; };
         return [l(getComputedStyle(s).backgroundColor), l(getComputedStyle(s.querySelector('p')).color)];",
    );
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

#[test]
fn the_dark_and_high_contrast_themes() {
    let Some(b) = Browser::start() else { return };
    let talk = built("theme = \"dark\"");
    assert!(talk
        .read("book/deck/index.html")
        .contains("<html lang=\"en\" data-theme=\"dark\">"));
    b.goto(&url(&talk, "#/2"));
    b.wait_for("return location.hash", &json!("#/2"));
    let (bg, fg) = colours(&b);
    assert!(
        bg < 0.2 && fg > 0.7,
        "dark theme: background {bg}, text {fg}"
    );
    let talk = built("theme = \"high-contrast\"");
    b.goto(&url(&talk, "#/2"));
    b.wait_for("return location.hash", &json!("#/2"));
    let (bg, fg) = colours(&b);
    assert!(
        bg > 0.99 && fg < 0.01,
        "high contrast: background {bg}, text {fg}"
    );
}

#[test]
fn an_unknown_theme_or_a_missing_stylesheet_is_an_error() {
    let talk = Talk::fixture("layout");
    let toml = talk.read("book.toml");
    std::fs::write(
        talk.path().join("book.toml"),
        toml.replace("[build]\n", "[build]\ntheme = \"drak\"\n"),
    )
    .unwrap();
    let run = talk.args(&["build"]).status(1).stderr_any().run();
    assert!(
        run.stderr
            .contains("unknown variant `drak`, expected one of `light`, `dark`, `high-contrast`"),
        "{}",
        run.stderr
    );
    std::fs::write(talk.path().join("book.toml"), &toml).unwrap();
    std::fs::remove_file(talk.path().join("style/talk.css")).unwrap();
    talk.args(&["build"])
        .status(1)
        .stderr("error: book.toml: stylesheet `style/talk.css` (under [build] css) not found\nhelp: name a file inside the talk, from its root (for example `style/talk.css` or `img/logo.svg`)\n")
        .run();
}

/// A release of reveal.js to build with: `SLIDEBOOK_REVEAL` names its
/// folder (CI unpacks one from npm, and sets SLIDEBOOK_REQUIRE_REVEAL).
fn reveal_release() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("SLIDEBOOK_REVEAL").map(std::path::PathBuf::from);
    match dir {
        Some(d) if d.join("dist/reveal.js").is_file() => Some(d),
        _ => {
            if std::env::var_os("SLIDEBOOK_REQUIRE_REVEAL").is_some() {
                panic!("SLIDEBOOK_REQUIRE_REVEAL is set but SLIDEBOOK_REVEAL names no reveal.js release");
            }
            skip("no reveal.js release (set SLIDEBOOK_REVEAL to its folder)");
            None
        }
    }
}

#[test]
fn the_real_reveal_js_steps_the_fragments_and_sets_the_columns_side_by_side() {
    let Some(release) = reveal_release() else {
        return;
    };
    let Some(b) = Browser::start() else { return };
    let talk = Talk::fixture("layout");
    copy_tree(&release, &talk.path().join("vendor/reveal"));
    let toml = talk
        .read("book.toml")
        .replace("[build]\n", "[build]\nreveal = \"vendor/reveal\"\n");
    std::fs::write(talk.path().join("book.toml"), toml).unwrap();
    talk.args(&["build"]).stderr_any().run();
    // The deck has its own copy of what its page loads, so it can move.
    for file in ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css"] {
        assert!(
            talk.path().join("book/deck/reveal.js").join(file).is_file(),
            "{file}"
        );
    }
    let html = talk.read("book/deck/index.html");
    assert!(html.contains("<script src=\"reveal.js/dist/reveal.js\"></script>"));
    b.goto(&url(&talk, "#/1"));
    b.wait_for(
        "return typeof Reveal === 'object' && Reveal.isReady()",
        &json!(true),
    );
    let shown =
        "return document.querySelectorAll('.slides > section.present .fragment.visible').length";
    assert_eq!(b.wait_for(shown, &json!(0)), json!(0));
    b.press(RIGHT);
    assert_eq!(b.wait_for(shown, &json!(1)), json!(1));
    b.press(RIGHT);
    assert_eq!(b.wait_for(shown, &json!(2)), json!(2));
    b.goto(&url(&talk, "#/4"));
    b.wait_for("return Reveal.getIndices().h", &json!(4));
    columns_side_by_side(&b);
    // The book's footer and logo sit at the foot of the slide box, not of
    // the slide's content (reveal.js sizes a centred slide to its content).
    let foot = "const box = document.querySelector('.reveal .slides').getBoundingClientRect();
        const s = document.querySelector('.slides > section.present');
        const f = s.querySelector('.sb-footer').getBoundingClientRect();
        const l = s.querySelector('.sb-logo').getBoundingClientRect();
        return [Math.round((box.bottom - f.bottom) / box.height * 100),
                Math.round((box.bottom - l.bottom) / box.height * 100)];";
    for slide in ["#/1", "#/4"] {
        b.goto(&url(&talk, slide));
        b.wait_for("return Reveal.isReady()", &json!(true));
        let [footer, logo] = serde_json::from_value::<[i64; 2]>(b.eval(foot)).unwrap();
        assert!(
            (0..=6).contains(&footer) && (0..=6).contains(&logo),
            "{slide}: footer {footer} %, logo {logo} % of the slide above its foot"
        );
    }
}

#[test]
fn a_reveal_folder_without_reveal_js_is_an_error() {
    let talk = Talk::fixture("layout");
    std::fs::create_dir_all(talk.path().join("vendor/reveal")).unwrap();
    let toml = talk
        .read("book.toml")
        .replace("[build]\n", "[build]\nreveal = \"vendor/reveal\"\n");
    std::fs::write(talk.path().join("book.toml"), toml).unwrap();
    talk.args(&["build"])
        .status(1)
        .stderr("error: book.toml: reveal = \"vendor/reveal\": `vendor/reveal/dist/reveal.js` is missing: this is no reveal.js folder\nhelp: name the folder of a reveal.js release (the one holding dist/reveal.js), from the talk's root, or its web address\n")
        .run();
}
