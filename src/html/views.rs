//! What the page templates are told about the book, the deck and each
//! slide: plain data, serialized for a talk's own Tera templates and read
//! by the built-in pages written in Rust.

use serde::Serialize;

use crate::deck::SlideKind;

#[derive(Serialize)]
pub(super) struct BookView {
    pub title: String,
    pub authors: Vec<String>,
    pub description: String,
    pub language: String,
}

#[derive(Serialize)]
pub(super) struct DeckView {
    pub name: String,
    pub title: String,
    pub aspect: &'static str,
    pub width: u32,
    pub height: u32,
    pub date: String,
    /// The built-in theme's name.
    pub theme: &'static str,
    /// The talk's own stylesheets, as the page links them.
    pub css: Vec<String>,
    /// A footer or logo sits at the foot of every slide: with reveal.js,
    /// slides then fill the slide box instead of being centred.
    pub pinned: bool,
}

/// How the handout is laid out on paper.
#[derive(Serialize)]
pub(super) struct HandoutView {
    pub paper: &'static str,
    /// `beside` or `below`.
    pub notes: &'static str,
    pub per_page: u8,
    /// The sizes of its parts and its page, as CSS rules.
    pub css: String,
}

#[derive(Serialize)]
pub(super) struct SlideView<'a> {
    pub index: usize,
    pub number: usize,
    pub id: &'a str,
    pub kind: SlideKind,
    pub title: &'a str,
    pub body_html: &'a str,
    pub notes_html: &'a str,
    pub has_notes: bool,
}
