//! A deck becomes HTML: the Tera templates in `templates/`, built into the
//! binary, with a talk's own `templates/` taking precedence by name.
//!
//! The templates are the pages. Where they print `slides_html`,
//! `toc_html` and `handout_html`, Tera only writes a marker; [`Page`]
//! writes the slides from [`super::slides`] in its place as the file is
//! written. A talk with templates of its own also gets `slides`, every
//! slide as data, to lay out as it likes.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::Path;

use super::views::{BookView, DeckView, HandoutView, SlideView};
use super::{handout, shell, slides};
use crate::config::Config;
use crate::deck::{Cover, Deck};
use crate::error::{Diagnostic, Error, Result};

/// Built-in templates and the runtime they inline, by file name.
/// The built-in templates and runtime, by the name a talk's `templates/`
/// folder overrides them with.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("deck.html", include_str!("../../templates/deck.html")),
    ("handout.html", include_str!("../../templates/handout.html")),
    ("deck.css", include_str!("../../templates/deck.css")),
    ("deck.js", include_str!("../../templates/deck.js")),
    ("handout.css", include_str!("../../templates/handout.css")),
    ("layout.css", include_str!("../../templates/layout.css")),
];

/// The templates for one talk.
pub struct Templates {
    /// The talk's own page templates, parsed; the built-in pages are
    /// written in Rust ([`super::shell`]).
    tera: Option<tera::Tera>,
    /// The talk has its own page templates, which may loop over `slides`.
    custom: bool,
    runtime_css: Cow<'static, str>,
    runtime_js: Cow<'static, str>,
    handout_css: Cow<'static, str>,
    layout_css: Cow<'static, str>,
    markers: [String; 3],
}

impl Templates {
    /// The built-in set, each file replaced by `root/templates/NAME` if the
    /// talk has one.
    pub fn load(root: &Path) -> Result<Templates> {
        // The built-in texts are used where they stand, not copied.
        let mut files: std::collections::HashMap<&str, Cow<'static, str>> = Default::default();
        for (name, text) in BUILT_IN {
            let own = root.join("templates").join(name);
            let text = if own.is_file() {
                Cow::Owned(std::fs::read_to_string(&own).map_err(Error::io(&own))?)
            } else {
                Cow::Borrowed(*text)
            };
            files.insert(*name, text);
        }
        let custom = ["deck.html", "handout.html"].iter().any(|n| {
            BUILT_IN
                .iter()
                .any(|(b, text)| b == n && files[n] != **text)
        });
        let tera = if custom {
            let mut tera = tera::Tera::default();
            for name in ["deck.html", "handout.html"] {
                tera.add_raw_template(name, &files[name])
                    .map_err(|e| template_error(name, &e))?;
            }
            Some(tera)
        } else {
            None
        };
        Ok(Templates {
            tera,
            custom,
            runtime_css: files["deck.css"].clone(),
            runtime_js: files["deck.js"].clone(),
            handout_css: files["handout.css"].clone(),
            layout_css: files["layout.css"].clone(),
            markers: markers(),
        })
    }

    /// `index.html` and `handout.html` for the deck called `name`.
    /// `reveal` is where the page loads reveal.js from, when it does.
    pub fn render<'a>(
        &'a self,
        config: &Config,
        name: &str,
        cover: &Cover,
        deck: &'a Deck,
        reveal: Option<&str>,
    ) -> Result<(Page<'a>, Page<'a>)> {
        let book = &config.book;
        let (width, height) = config.build.aspect_ratio.size();
        let book_view = BookView {
            title: book.title.clone().unwrap_or_else(|| cover.title.clone()),
            authors: cover.authors.clone(),
            description: book.description.clone().unwrap_or_default(),
            language: book.language.clone(),
        };
        let deck_view = DeckView {
            name: name.to_string(),
            title: cover.title.clone(),
            aspect: config.build.aspect_ratio.as_str(),
            width,
            height,
            date: cover.date.clone(),
            theme: config.build.theme.as_str(),
            pinned: !cover.footer.is_empty() || cover.logo.is_some(),
            css: config
                .build
                .css
                .iter()
                .map(|p| crate::paths::normalize(p).to_string_lossy().into_owned())
                .collect(),
        };
        let paper = &config.handout;
        let handout_view = HandoutView {
            paper: paper.paper.as_str(),
            notes: match paper.notes {
                crate::config::NotesPlace::Beside => "beside",
                crate::config::NotesPlace::Below => "below",
            },
            per_page: paper.per_page(),
            css: handout::Geometry::new(paper, (width, height)).css(),
        };
        let cover = std::sync::Arc::new(cover.clone());
        let reveal = reveal.unwrap_or_default().to_string();
        let (deck_shell, handout_shell) = match &self.tera {
            Some(tera) => {
                let mut ctx = self.context(deck, &book_view, &deck_view, &reveal);
                ctx.insert("handout", &handout_view);
                let render = |name: &str| {
                    tera.render(name, &ctx)
                        .map(|page| self.pieces(page))
                        .map_err(|e| template_error(name, &e))
                };
                (render("deck.html")?, render("handout.html")?)
            }
            None => (
                shell::deck(
                    &book_view,
                    &deck_view,
                    &reveal,
                    [&self.runtime_css, &self.layout_css],
                    &self.runtime_js,
                ),
                shell::handout(
                    &book_view,
                    &deck_view,
                    &handout_view,
                    [&self.runtime_css, &self.layout_css, &self.handout_css],
                ),
            ),
        };
        Ok((
            Page {
                pieces: deck_shell,
                deck,
                cover: cover.clone(),
                entries: Vec::new(),
            },
            Page {
                pieces: handout_shell,
                deck,
                cover,
                entries: handout::entries(deck, paper.steps),
            },
        ))
    }
    /// A page from the talk's own templates, cut at the markers.
    fn pieces(&self, page: String) -> Vec<Piece<'static>> {
        let mut pieces = Vec::new();
        let mut rest = page.as_str();
        loop {
            let next = PARTS
                .iter()
                .zip(&self.markers)
                .filter_map(|(&part, marker)| {
                    let at = memchr::memmem::find(rest.as_bytes(), marker.as_bytes());
                    at.map(|at| (at, marker, part))
                })
                .min_by_key(|(at, _, _)| *at);
            let Some((at, marker, part)) = next else {
                pieces.push(Piece::Text(Cow::Owned(rest.to_string())));
                return pieces;
            };
            pieces.push(Piece::Text(Cow::Owned(rest[..at].to_string())));
            pieces.push(Piece::Part(part));
            rest = &rest[at + marker.len()..];
        }
    }

    /// What the talk's own templates are given. The big parts go in as
    /// markers and are written in their place when the page is written,
    /// so Tera never copies them.
    fn context(
        &self,
        deck: &Deck,
        book_view: &BookView,
        deck_view: &DeckView,
        reveal: &str,
    ) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("slides_html", &self.markers[0]);
        ctx.insert("toc_html", &self.markers[1]);
        ctx.insert("handout_html", &self.markers[2]);
        if self.custom {
            let slides: Vec<SlideView> = deck
                .slides
                .iter()
                .enumerate()
                .map(|(index, s)| SlideView {
                    index,
                    number: index + 1,
                    id: &s.id,
                    kind: s.kind,
                    title: &s.title,
                    body_html: &s.body_html,
                    notes_html: &s.notes_html,
                    has_notes: s.has_notes(),
                })
                .collect();
            ctx.insert("slides", &slides);
        }
        ctx.insert("book", book_view);
        ctx.insert("deck", deck_view);
        ctx.insert("runtime_css", &self.runtime_css);
        ctx.insert("runtime_js", &self.runtime_js);
        ctx.insert("handout_css", &self.handout_css);
        ctx.insert("layout_css", &self.layout_css);
        ctx.insert("reveal", reveal);
        ctx
    }
}

/// The generated parts, each standing in the page as a marker until the
/// page is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Part {
    Slides,
    Toc,
    Entries,
}
const PARTS: [Part; 3] = [Part::Slides, Part::Toc, Part::Entries];

/// The markers of one build: private-use characters around a number drawn
/// afresh each time, so no text of the talk (a title, say) can stand for
/// one and have the slides written again in its place.
fn markers() -> [String; 3] {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let nonce = h.finish();
    ["slides", "toc", "entries"].map(|p| format!("\u{E000}slidebook:{p}:{nonce:016x}\u{E000}"))
}

/// One stretch of a page as it is written: a text (the runtime, most of a
/// small deck's page, borrowed where it stands), or a generated part.
#[derive(Debug, PartialEq)]
pub(super) enum Piece<'a> {
    Text(Cow<'a, str>),
    Part(Part),
}

/// A rendered page: the template's output, with the slide markup written
/// in place of its markers.
pub struct Page<'a> {
    pieces: Vec<Piece<'a>>,
    deck: &'a Deck,
    cover: std::sync::Arc<Cover>,
    /// The handout's entries, as runs of slides.
    entries: Vec<std::ops::Range<usize>>,
}

/// A text at least this long goes to the file without passing through the
/// buffer: the runtime is not copied once more.
const DIRECT: usize = 8 << 10;

impl Page<'_> {
    pub fn write_to<W: std::io::Write>(
        &self,
        w: &mut std::io::BufWriter<W>,
    ) -> std::io::Result<()> {
        let (deck, cover) = (self.deck, &*self.cover);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) if text.len() >= DIRECT => {
                    w.flush()?;
                    w.get_mut().write_all(text.as_bytes())?;
                }
                Piece::Text(text) => w.write_all(text.as_bytes())?,
                Piece::Part(Part::Slides) => slides::deck_sections(w, deck, cover)?,
                Piece::Part(Part::Toc) => handout::toc(w, deck, cover, &self.entries)?,
                Piece::Part(Part::Entries) => handout::write(w, deck, cover, &self.entries)?,
            }
        }
        Ok(())
    }
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut msg = format!("template `{name}`: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    Diagnostic::new(msg)
        .help("check the talk's own templates/ folder; delete a file there to use the built-in one")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages written in Rust are, byte for byte, what Tera makes of the
    /// built-in templates, whatever the book and deck say.
    #[test]
    fn the_built_in_pages_are_what_the_templates_make() {
        let mut tera = tera::Tera::default();
        for (name, text) in &BUILT_IN[..2] {
            tera.add_raw_template(name, text).unwrap();
        }
        let names = [
            ("", ""),
            ("Book & <co>", ""),
            ("", "Deck \"one\" / two"),
            ("Same", "Same"),
            ("A", "B"),
        ];
        let cases = names.iter().flat_map(|&t| [(t, false), (t, true)]);
        for (n, ((book_title, deck_title), extra)) in cases.enumerate() {
            let book = BookView {
                title: book_title.to_string(),
                authors: if extra {
                    vec!["Ann".into(), "B'ob".into()]
                } else {
                    vec![]
                },
                description: if extra {
                    "What <breaks>".into()
                } else {
                    String::new()
                },
                language: "en".into(),
            };
            let deck = DeckView {
                name: "d/x".into(),
                title: deck_title.to_string(),
                aspect: "16:9",
                width: 1280,
                height: 720,
                date: if n % 3 == 0 {
                    "2026-11-30".into()
                } else {
                    String::new()
                },
                theme: ["light", "dark", "high-contrast"][n % 3],
                pinned: n % 5 == 1,
                css: if n % 2 == 0 {
                    vec![]
                } else {
                    vec!["style/talk.css".into(), "a&b.css".into()]
                },
            };
            let reveal = if n % 4 == 1 { "../reveal.js" } else { "" };
            let mut ctx = tera::Context::new();
            ctx.insert("book", &book);
            ctx.insert("deck", &deck);
            ctx.insert("runtime_css", "css{}");
            ctx.insert("runtime_js", "js();");
            ctx.insert("handout_css", "h{}");
            ctx.insert("layout_css", "lay{}");
            ctx.insert("reveal", reveal);
            ctx.insert("slides_html", "SLIDES");
            let handout = HandoutView {
                paper: ["A4", "letter"][n % 2],
                notes: ["beside", "below"][n % 2],
                per_page: 3,
                css: ":root { --h-x: 1px; }".into(),
            };
            ctx.insert("handout", &handout);
            ctx.insert("toc_html", "TOC");
            ctx.insert("handout_html", "ENTRIES");
            let flat = |pieces: Vec<Piece>| -> String {
                pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(t) => t,
                        Piece::Part(Part::Slides) => "SLIDES",
                        Piece::Part(Part::Toc) => "TOC",
                        Piece::Part(Part::Entries) => "ENTRIES",
                    })
                    .collect()
            };
            assert_eq!(
                flat(shell::deck(
                    &book,
                    &deck,
                    reveal,
                    ["css{}", "lay{}"],
                    "js();"
                )),
                tera.render("deck.html", &ctx).unwrap(),
                "deck.html, case {n}"
            );
            assert_eq!(
                flat(shell::handout(
                    &book,
                    &deck,
                    &handout,
                    ["css{}", "lay{}", "h{}"]
                )),
                tera.render("handout.html", &ctx).unwrap(),
                "handout.html, case {n}"
            );
        }
    }
}
