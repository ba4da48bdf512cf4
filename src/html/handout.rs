//! The handout: each slide as it looks in the deck, scaled down, beside or
//! above its notes, laid out for paper. A slide built up a step at a time
//! is one entry (its last step, with the notes of every step), and the
//! contents list it once.

use std::io::{Result, Write};
use std::ops::Range;

use super::escape;
use super::slides::{kind_name, section, Shown};
use crate::config::{HandoutConfig, NotesPlace, Steps};
use crate::deck::{Cover, Deck, Slide, SlideKind};
use crate::pdf::{Mark, Target};

/// The handout's entries, as runs of slides: each run one slide built up
/// over several steps (with `Steps::Every`, each slide on its own).
pub fn entries(deck: &Deck, steps: Steps) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    // The words of the slide before, once they were needed.
    let mut before: Option<Vec<&str>> = None;
    for (i, s) in deck.slides.iter().enumerate() {
        let mut now = None;
        let extends = steps == Steps::Last && i > 0 && builds_on(&deck.slides[i - 1], s) && {
            let before = before.get_or_insert_with(|| below_heading(&deck.slides[i - 1]));
            steps_on(before, now.insert(below_heading(s)))
        };
        match runs.last_mut() {
            Some(run) if extends => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
        before = now;
    }
    runs
}

/// What a slide shows below its heading (which is its title, the same in
/// every step).
fn below_heading(s: &Slide) -> Vec<&str> {
    let mut shown = shown(&s.body_html);
    let heading = s.title.split_ascii_whitespace().count();
    if shown.len() >= heading
        && s.title
            .split_ascii_whitespace()
            .eq(shown[..heading].iter().copied())
    {
        shown.drain(..heading);
    }
    shown
}

/// Whether `next` may be the step after `before`: both content slides
/// with the same title and settings.
fn builds_on(before: &Slide, next: &Slide) -> bool {
    next.kind == SlideKind::Content
        && before.kind == SlideKind::Content
        && !next.title.is_empty()
        && next.title == before.title
        && next.attrs == before.attrs
}

/// Whether a slide showing `next` (words below its heading) takes up one
/// showing `before`: it shows all of it and more, or all but its last few
/// words, rewritten (a placeholder "Various causes..." giving way to the
/// causes), and no less in all.
fn steps_on(before: &[&str], next: &[&str]) -> bool {
    let kept = before.iter().zip(next).take_while(|(b, n)| b == n).count();
    kept == before.len() || (next.len() >= before.len() && kept * 5 >= before.len() * 3)
}

/// What a slide shows, to compare one step with the next: its words, and
/// each picture's address (steps with different pictures are different
/// slides). Every tag separates words; both steps are cut the same way.
fn shown(html: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = html;
    loop {
        let lt = rest.find('<').unwrap_or(rest.len());
        words.extend(rest[..lt].split_ascii_whitespace());
        if lt == rest.len() {
            return words;
        }
        let end = rest[lt..].find('>').map_or(rest.len(), |e| lt + e + 1);
        let tag = &rest[lt..end];
        if tag.starts_with("<img") {
            let src = tag.split("src=\"").nth(1).and_then(|s| s.split('"').next());
            words.push(src.unwrap_or(tag));
        }
        rest = &rest[end..];
    }
}

/// Where the handout's parts go on paper, in CSS pixels (96 to the inch).
pub struct Geometry {
    /// The paper, as `@page` names it.
    pub paper: &'static str,
    /// The width of what a page holds.
    pub page_w: f64,
    /// One entry's share of a page.
    pub slot: f64,
    pub thumb_w: f64,
    pub thumb_h: f64,
    pub scale: f64,
}

/// The page's margin, in millimetres.
pub const MARGIN_MM: f64 = 12.0;
/// What an entry needs besides its slide and notes: its rule, its heading
/// line and the gaps around them (handout.css sets these heights).
const ENTRY_FRAME: f64 = 45.0;

impl Geometry {
    pub fn new(config: &HandoutConfig, (w, h): (u32, u32)) -> Geometry {
        let px = |mm: f64| mm * 96.0 / 25.4;
        let (paper_w, paper_h) = config.paper.size_mm();
        let (content_w, content_h) = (px(paper_w - 2.0 * MARGIN_MM), px(paper_h - 2.0 * MARGIN_MM));
        // A pixel short of an exact share, so that rounding never pushes
        // the last entry of a page onto the next.
        let slot = (content_h / f64::from(config.per_page())).floor() - 1.0;
        let body = slot - ENTRY_FRAME;
        let ratio = f64::from(w) / f64::from(h);
        let thumb_w = match config.notes {
            NotesPlace::Beside => (content_w * 0.5).min(body * ratio),
            NotesPlace::Below => (content_w * 0.8).min(body * 0.62 * ratio),
        }
        .floor();
        let thumb_h = (thumb_w / ratio).floor();
        Geometry {
            paper: config.paper.as_str(),
            page_w: content_w.floor(),
            slot,
            thumb_w,
            thumb_h,
            scale: thumb_w / f64::from(w),
        }
    }

    /// The page's rules for these sizes.
    pub fn css(&self) -> String {
        format!(
            ":root {{ --h-page-w: {}px; --h-margin: {MARGIN_MM}mm; --h-slot: {}px; --h-thumb-w: {}px; --h-thumb-h: {}px; --h-scale: {:.5}; }}\n@page {{ size: {}; margin: {MARGIN_MM}mm; }}",
            self.page_w,
            self.slot,
            self.thumb_w,
            self.thumb_h,
            self.scale,
            self.paper
        )
    }
}

/// What the contents and the outline call a slide: its title, the deck's
/// for a title slide without one, else its number.
fn name_of(s: &Slide, number: usize, t: &Cover) -> String {
    match (s.title.is_empty(), s.kind) {
        (false, _) => s.title.clone(),
        (true, SlideKind::Title) => t.title.clone(),
        (true, _) => format!("Slide {number}"),
    }
}

fn label(s: &Slide, number: usize, t: &Cover) -> String {
    escape(&name_of(s, number, t)).into_owned()
}

/// The slide numbers an entry covers: `7`, or `7–12`.
fn numbers(run: &Range<usize>) -> String {
    match run.len() {
        1 => (run.start + 1).to_string(),
        _ => format!("{}–{}", run.start + 1, run.end),
    }
}

/// The outlines of the printed deck (a mark per slide, on its page) and of
/// the printed handout (a mark per entry, at its id): sections and the
/// title slide at the top, the slides after each inside it.
pub fn outline(deck: &Deck, t: &Cover, steps: Steps) -> (Vec<Mark>, Vec<Mark>) {
    let mark = |s: &Slide, n: usize, target| Mark {
        title: name_of(s, n, t),
        top: s.kind != SlideKind::Content,
        target,
    };
    let slides = deck
        .slides
        .iter()
        .enumerate()
        .map(|(i, s)| mark(s, i + 1, Target::Page(i)))
        .collect();
    let entries = entries(deck, steps)
        .into_iter()
        .map(|run| {
            let first = &deck.slides[run.start];
            mark(first, run.start + 1, Target::Id(first.id.clone()))
        })
        .collect();
    (slides, entries)
}

/// The contents: one line per entry.
pub fn toc(out: &mut impl Write, deck: &Deck, t: &Cover, runs: &[Range<usize>]) -> Result<()> {
    for run in runs {
        let first = &deck.slides[run.start];
        write!(
            out,
            "\n<li class=\"h-toc-kind-{}\"><a href=\"#{}\"><span class=\"h-toc-num\">{}</span> <span class=\"h-toc-title\">{}</span></a></li>",
            kind_name(first.kind),
            escape(&first.id),
            numbers(run),
            label(first, run.start + 1, t),
        )?;
    }
    Ok(())
}

/// The entries: the slide (the last step of a built-up one) as the deck
/// shows it, scaled down, with the notes of every step.
pub fn write(out: &mut impl Write, deck: &Deck, t: &Cover, runs: &[Range<usize>]) -> Result<()> {
    for run in runs {
        let steps = &deck.slides[run.clone()];
        let (first, last) = (&steps[0], &steps[steps.len() - 1]);
        let notes = steps.iter().any(Slide::has_notes);
        let label = label(first, run.start + 1, t);
        write!(
            out,
            "\n<article class=\"h-slide h-kind-{kind}{none}\" id=\"{id}\" aria-label=\"Slide {n}: {label}\">",
            kind = kind_name(first.kind),
            none = if notes { "" } else { " h-no-notes" },
            id = escape(&first.id),
            n = numbers(run),
        )?;
        // The other steps' ids still lead here.
        for s in &steps[1..] {
            write!(out, "<span id=\"{}\"></span>", escape(&s.id))?;
        }
        write!(
            out,
            "\n<div class=\"h-slide-head\"><span class=\"h-num\">{}</span> <span class=\"h-title\">{label}</span>",
            numbers(run)
        )?;
        if steps.len() > 1 {
            write!(out, " <span class=\"h-steps\">{} steps</span>", steps.len())?;
        }
        out.write_all(
            b"</div>\n<div class=\"h-pair\">\n<div class=\"h-thumb\"><div class=\"slides\">",
        )?;
        section(out, last, run.end, t, Shown::Picture)?;
        out.write_all(b"\n</div></div>\n<div class=\"h-notes\">\n")?;
        if notes {
            for s in steps.iter().filter(|s| s.has_notes()) {
                out.write_all(s.notes_html.as_bytes())?;
            }
        } else {
            out.write_all(b"<p class=\"h-none\">No notes.</p>")?;
        }
        out.write_all(b"\n</div>\n</div>\n</article>")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_shows_what_the_one_before_showed_but_its_last_words() {
        let w = |t: &'static str| t.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>();
        assert!(steps_on(&w(""), &w("a")));
        assert!(steps_on(&w("a b"), &w("a b c")));
        assert!(steps_on(&w("a b"), &w("a b")));
        // The last words rewritten, the rest kept.
        assert!(steps_on(&w("a b c d e"), &w("a b c x y z")));
        // Too much rewritten, or less shown: another slide.
        assert!(!steps_on(&w("a b"), &w("a c")));
        assert!(!steps_on(&w("a b c d e"), &w("a b c x")));
        assert!(!steps_on(&w("a b c d e"), &w("x a b c d e")));
    }

    #[test]
    fn what_a_slide_shows_is_its_words_and_pictures() {
        assert_eq!(shown("<ul>\n<li>Overview</li>\n</ul>\n"), ["Overview"]);
        assert_eq!(
            shown("<ul>\n<li>Overview\n<ul>\n<li>Fairly <em>new</em></li>\n</ul>\n</li>\n</ul>\n"),
            ["Overview", "Fairly", "new"]
        );
        assert_eq!(
            shown("<p>a<img src=\"x.png\" alt=\"\">b</p>"),
            ["a", "x.png", "b"]
        );
    }
}
