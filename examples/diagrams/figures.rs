//! The talk's diagrams, drawn as SVG text with nothing but the standard
//! library. Shared with `#[path]` by `examples/diagrams/main.rs`, which
//! writes them, and the test suite, which checks that `img/` holds exactly
//! what is drawn here.
//!
//! Colours follow the deck's theme (`templates/deck.css`), so the pictures
//! sit on a slide as if they were part of it.

use std::fmt::Write as _;

const FG: &str = "#1d2330";
const MUTED: &str = "#5b6475";
const ACCENT: &str = "#2563c9";
const ACCENT_DARK: &str = "#173f7d";
const PALE: &str = "#eef3fb";
const RULE: &str = "#c9d2df";
const CODE_BG: &str = "#f4f6f9";
const CHECK: &str = "#b45309";
const OUT: &str = "#15803d";
const OUT_PALE: &str = "#ecf8f0";

const SANS: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif";
const MONO: &str =
    "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

/// Every diagram: its file name in `img/` and its SVG text.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("pipeline.svg", pipeline()),
        ("two-decks.svg", two_decks()),
        ("handout.svg", handout()),
    ]
}

/// A picture being drawn: SVG elements appended to a string.
struct Svg {
    width: u32,
    height: u32,
    body: String,
}

/// How a text line is set.
#[derive(Clone, Copy)]
struct Font {
    size: u32,
    bold: bool,
    mono: bool,
    color: &'static str,
    anchor: &'static str,
}

const fn font(size: u32, color: &'static str) -> Font {
    Font {
        size,
        bold: false,
        mono: false,
        color,
        anchor: "middle",
    }
}

impl Font {
    const fn bold(mut self) -> Font {
        self.bold = true;
        self
    }

    const fn mono(mut self) -> Font {
        self.mono = true;
        self
    }

    const fn left(mut self) -> Font {
        self.anchor = "start";
        self
    }
}

impl Svg {
    fn new(width: u32, height: u32) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// A rounded box; `dash` draws its border dashed.
    #[allow(clippy::too_many_arguments)]
    fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, fill: &str, stroke: &str, dash: bool) {
        let dash = if dash {
            " stroke-dasharray=\"7 5\""
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"10\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>"
        );
    }

    fn text(&mut self, x: i32, y: i32, f: Font, s: &str) {
        let family = if f.mono { MONO } else { SANS };
        let weight = if f.bold { " font-weight=\"700\"" } else { "" };
        let _ = writeln!(
            self.body,
            "<text x=\"{x}\" y=\"{y}\" font-family=\"{family}\" font-size=\"{}\"{weight} fill=\"{}\" text-anchor=\"{}\">{}</text>",
            f.size,
            f.color,
            f.anchor,
            escape(s)
        );
    }

    /// Lines of text centred on `cx`, the first baseline at `y`.
    fn lines(&mut self, cx: i32, y: i32, f: Font, lines: &[&str]) {
        let step = (f.size as i32 * 13) / 10;
        for (i, l) in lines.iter().enumerate() {
            self.text(cx, y + step * i as i32, f, l);
        }
    }

    /// A straight arrow from one point to another, head at the end.
    fn arrow(&mut self, from: (i32, i32), to: (i32, i32), color: &str) {
        let marker = marker_id(color);
        let _ = writeln!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"3\" marker-end=\"url(#{marker})\"/>",
            from.0, from.1, to.0, to.1
        );
    }

    /// A path (SVG path data) with an arrow head at its end.
    fn curve(&mut self, d: &str, color: &str, dash: bool) {
        let marker = marker_id(color);
        let dash = if dash {
            " stroke-dasharray=\"8 6\""
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"3\"{dash} marker-end=\"url(#{marker})\"/>"
        );
    }

    /// A bracket spanning `x1..x2` at height `y`, its ends turned up
    /// (`up`) or down, with a label beside it.
    fn bracket(&mut self, x1: i32, x2: i32, y: i32, up: bool, color: &'static str, label: &str) {
        let tick = if up { -12 } else { 12 };
        let _ = writeln!(
            self.body,
            "<path d=\"M{x1} {} V{y} H{x2} V{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
            y + tick,
            y + tick
        );
        let ty = if up { y + 30 } else { y - 14 };
        self.text((x1 + x2) / 2, ty, font(19, color).bold(), label);
    }

    fn finish(self, title: &str) -> String {
        let mut defs = String::new();
        for color in [FG, ACCENT, CHECK, OUT, MUTED] {
            let _ = write!(
                defs,
                "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"{color}\"/></marker>",
                marker_id(color)
            );
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">\n\
             <title>{}</title>\n\
             <!-- Drawn by examples/diagrams/figures.rs: regenerate it, do not edit it. -->\n\
             <defs>{defs}</defs>\n{}</svg>\n",
            escape(title),
            self.body,
            w = self.width,
            h = self.height,
        )
    }
}

fn marker_id(color: &str) -> String {
    format!("head-{}", color.trim_start_matches('#'))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A file chip: a small box with a monospace name in it.
fn chip(svg: &mut Svg, x: i32, y: i32, w: i32, name: &str) {
    svg.rect(x, y, w, 42, CODE_BG, RULE, false);
    svg.text(x + w / 2, y + 28, font(19, FG).mono(), name);
}

/// From the talk's files to a deck and a handout, and where `check` stops.
fn pipeline() -> String {
    let mut svg = Svg::new(1280, 470);
    // The talk's files.
    svg.text(115, 42, font(20, MUTED).bold(), "the talk");
    let inputs = [
        "book.toml",
        "slides/*.md",
        "common/*.md",
        "cmd/ output/",
        "img/*.svg",
    ];
    for (i, name) in inputs.iter().enumerate() {
        chip(&mut svg, 20, 60 + 56 * i as i32, 190, name);
    }
    // The stages, one module each.
    let stages: [(&str, &str, [&str; 2]); 4] = [
        (
            "expand",
            "expand.rs",
            ["include(), ifelse()", "m4-exact, line map"],
        ),
        ("split", "deck.rs", ["## title: a slide", "<!-- -->: notes"]),
        (
            "resolve",
            "assets.rs",
            ["every image and", "link must exist"],
        ),
        (
            "render",
            "render.rs",
            ["Tera templates,", "runtime inlined"],
        ),
    ];
    let (top, height, width, gap) = (120, 150, 170, 34);
    for (i, (name, module, about)) in stages.iter().enumerate() {
        let x = 252 + (width + gap) * i as i32;
        svg.rect(x, top, width, height, PALE, ACCENT, false);
        svg.text(x + width / 2, top + 38, font(26, ACCENT_DARK).bold(), name);
        svg.text(x + width / 2, top + 64, font(15, MUTED).mono(), module);
        svg.lines(x + width / 2, top + 100, font(16, FG), about);
        if i > 0 {
            svg.arrow(
                (x - gap + 2, top + height / 2),
                (x - 4, top + height / 2),
                FG,
            );
        }
    }
    for i in 0..inputs.len() as i32 {
        let y = 81 + 56 * i;
        svg.curve(&format!("M212 {y} C232 {y} 226 195 246 195"), MUTED, false);
    }
    // What is written.
    let out_x = 1064;
    svg.text(out_x + 98, 42, font(20, MUTED).bold(), "book/<deck>/");
    let outputs = [
        ("index.html", "the deck"),
        ("handout.html", "slides + notes"),
        ("img/…", "copied files"),
    ];
    for (i, (name, what)) in outputs.iter().enumerate() {
        let y = 62 + 90 * i as i32;
        svg.rect(out_x, y, 196, 66, OUT_PALE, OUT, false);
        svg.text(out_x + 98, y + 29, font(19, FG).mono().bold(), name);
        svg.text(out_x + 98, y + 53, font(16, MUTED), what);
        let from_x = 252 + (width + gap) * 3 + width + 2;
        svg.curve(
            &format!(
                "M{from_x} 195 C{} 195 {} {} {} {}",
                from_x + 20,
                out_x - 20,
                y + 33,
                out_x - 4,
                y + 33
            ),
            OUT,
            false,
        );
    }
    // Which command runs how much of it.
    let resolve_end = 252 + (width + gap) * 3 - gap;
    svg.bracket(
        252,
        resolve_end,
        300,
        true,
        CHECK,
        "slidebook check stops here: every problem, as file:line:col",
    );
    svg.bracket(
        252,
        1260,
        370,
        true,
        ACCENT_DARK,
        "slidebook build: every deck written, or none",
    );
    svg.text(
        640,
        448,
        font(17, MUTED),
        "config.rs → sources.rs → expand.rs → deck.rs → assets.rs → render.rs → build.rs",
    );
    svg.finish("The slidebook pipeline: the talk's files are expanded, split into slides and notes, checked and rendered")
}

/// One source tree, two decks: each `[[deck]]` names an entry file and its
/// defines; both entry files pull the shared slides from `common/`.
fn two_decks() -> String {
    let mut svg = Svg::new(1280, 540);
    let decks = [
        (
            "talk",
            "slides/talk.md",
            "LENGTH = \"long\"",
            "MINUTES = \"30\"",
            30,
        ),
        (
            "lightning",
            "slides/lightning.md",
            "LENGTH = \"short\"",
            "MINUTES = \"10\"",
            390,
        ),
    ];
    for (name, entry, define1, define2, y) in decks {
        // The [[deck]] table.
        svg.rect(20, y, 290, 120, PALE, ACCENT, false);
        svg.text(
            40,
            y + 34,
            font(20, ACCENT_DARK).mono().bold().left(),
            "[[deck]]",
        );
        svg.text(
            40,
            y + 62,
            font(18, FG).mono().left(),
            &format!("name = \"{name}\""),
        );
        svg.text(40, y + 86, font(17, MUTED).mono().left(), define1);
        svg.text(40, y + 108, font(17, MUTED).mono().left(), define2);
        // Its entry file.
        chip(&mut svg, 390, y + 39, 260, entry);
        svg.arrow((312, y + 60), (384, y + 60), FG);
        // What it becomes.
        svg.rect(990, y + 10, 270, 100, OUT_PALE, OUT, false);
        svg.text(
            1125,
            y + 46,
            font(20, FG).mono().bold(),
            &format!("book/{name}/"),
        );
        svg.text(1125, y + 78, font(17, MUTED), "index.html + handout.html");
        svg.arrow((652, y + 60), (984, y + 60), OUT);
    }
    // The shared slides both entry files include.
    svg.rect(370, 180, 600, 180, "#ffffff", ACCENT, true);
    svg.text(
        670,
        214,
        font(21, ACCENT_DARK).bold(),
        "common/: the slides both decks share",
    );
    let shared = [
        "why.md",
        "language.md",
        "deck.md",
        "checks.md",
        "decks.md",
        "end.md",
    ];
    for (i, name) in shared.iter().enumerate() {
        let (col, row) = (i as i32 % 3, i as i32 / 3);
        chip(&mut svg, 392 + col * 192, 234 + row * 54, 172, name);
    }
    svg.text(
        670,
        350,
        font(16, MUTED).mono(),
        "include(common/LENGTH/…) picks a file per deck",
    );
    svg.curve("M520 113 C520 150 560 160 580 176", ACCENT, true);
    svg.curve("M520 427 C520 390 560 380 580 364", ACCENT, true);
    let label = font(16, ACCENT).mono();
    svg.text(
        508,
        155,
        Font {
            anchor: "end",
            ..label
        },
        "include(common/…)",
    );
    svg.text(
        508,
        398,
        Font {
            anchor: "end",
            ..label
        },
        "include(common/…)",
    );
    svg.finish("Two decks from one source: each deck in book.toml has its own entry file and defines, and both include the shared slides in common/")
}

/// The handout: a contents list, then each slide beside its notes.
fn handout() -> String {
    let mut svg = Svg::new(1280, 600);
    // The page.
    svg.rect(150, 10, 980, 580, "#ffffff", RULE, false);
    svg.text(
        190,
        56,
        font(26, FG).bold().left(),
        "Slides that compile (handout)",
    );
    let _ = writeln!(
        svg.body,
        "<line x1=\"190\" y1=\"72\" x2=\"1090\" y2=\"72\" stroke=\"{ACCENT}\" stroke-width=\"3\"/>"
    );
    svg.text(
        190,
        104,
        font(17, MUTED).left(),
        "Contents: every slide by number and title, linked",
    );
    let rows = [
        (2, "A build", ["slidebook build", "built talk: …"], 4),
        (3, "Notes are comments", ["## A slide", "<!-- notes -->"], 3),
    ];
    for (i, (n, title, body, notes)) in rows.iter().enumerate() {
        let y = 134 + 222 * i as i32;
        svg.text(
            190,
            y + 18,
            font(18, ACCENT).bold().left(),
            &format!("{n}  {title}"),
        );
        // The slide, small, at the deck's aspect ratio.
        svg.rect(190, y + 34, 320, 180, "#ffffff", FG, false);
        svg.text(210, y + 72, font(20, FG).bold().left(), title);
        let _ = writeln!(
            svg.body,
            "<rect x=\"210\" y=\"{}\" width=\"280\" height=\"74\" rx=\"4\" fill=\"{CODE_BG}\"/>",
            y + 92
        );
        for (k, line) in body.iter().enumerate() {
            svg.text(
                222,
                y + 120 + 28 * k as i32,
                font(15, FG).mono().left(),
                line,
            );
        }
        // Its notes, as text lines.
        for k in 0..*notes {
            let w = [520, 560, 470, 300][k];
            let _ = writeln!(
                svg.body,
                "<rect x=\"550\" y=\"{}\" width=\"{w}\" height=\"12\" rx=\"6\" fill=\"#d5dce6\"/>",
                y + 50 + 30 * k as i32
            );
        }
        if i == 0 {
            svg.text(
                550,
                y + 190,
                font(16, MUTED).left(),
                "← its speaker notes, rendered as Markdown",
            );
        }
    }
    svg.curve("M70 250 C110 250 120 230 186 226", CHECK, false);
    svg.lines(
        70,
        150,
        font(18, CHECK).bold(),
        &["print:", "slide and", "notes stay", "together"],
    );
    svg.finish(
        "The handout: a table of contents, then every slide beside its rendered speaker notes",
    )
}
