//! Slides measured in a real browser, for `check --layout`. Each deck is
//! written to a temporary folder and opened in headless Chromium, where
//! the runtime fits every slide as it would on screen (`templates/deck.js`
//! is the one definition of "fits") and marks what still runs past the
//! bottom; those marks become problems at the slides' headings.

use std::path::PathBuf;

use crate::browser::{Interrupts, Printer};
use crate::config::Project;
use crate::error::{Diagnostic, Error, Result};
use crate::html::Templates;
use crate::output;
use crate::pipeline::{self, Analyzed};

/// The slides of `a` that do not fit, measured with `browser`.
pub fn overflows(
    project: &Project,
    a: &Analyzed,
    templates: &Templates,
    browser: &Printer,
    interrupts: &Interrupts,
) -> Result<Vec<Diagnostic>> {
    let dir = Scratch::new()?;
    output::write_into(project, a, templates, &dir.0)?;
    let size = project.config.build.aspect_ratio.size();
    let page = dir.0.join("index.html");
    let Some(dom) = browser.dom(&page, &a.spec.name, size, interrupts)? else {
        return Ok(Vec::new());
    };
    Ok(marks(&dom)
        .into_iter()
        .filter_map(|m| {
            let slide = a.deck.slides.get(m.number.checked_sub(1)?)?;
            let d = Diagnostic::new(format!(
                "this slide does not fit, even shrunk to 70 %: its {} runs {} px past the bottom",
                m.block, m.px
            ))
            .help("split it into two slides, or shorten what it shows");
            Some(pipeline::slide_diagnostic(&a.loaded, slide, d))
        })
        .collect())
}

/// An overflow the runtime marked on a slide (numbered from 1).
#[derive(Debug, PartialEq, Eq)]
struct Mark {
    number: usize,
    block: String,
    px: u32,
}

/// The overflow marks in the page as the browser left it.
fn marks(dom: &str) -> Vec<Mark> {
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find("<section ") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..tag_end];
        rest = &rest[tag_end..];
        let (Some(number), Some(px), Some(block)) = (
            attr(tag, "data-number").and_then(|n| n.parse().ok()),
            attr(tag, "data-overflow").and_then(|n| n.parse().ok()),
            attr(tag, "data-overflow-block"),
        ) else {
            continue;
        };
        found.push(Mark {
            number,
            block: unescape(block),
            px,
        });
    }
    found
}

fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("slidebook-layout-{}-{n}", std::process::id()));
        std::fs::create_dir(&dir).map_err(Error::io(&dir))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_read_from_the_sections_the_browser_left() {
        let dom = r#"<section id="a" data-number="1" class="present"><section id="b" data-number="2" data-overflow="912" data-overflow-block="list of 45 items"><p>x</p>"#;
        assert_eq!(
            marks(dom),
            [Mark {
                number: 2,
                block: "list of 45 items".into(),
                px: 912
            }]
        );
    }
}
