//! Everything that writes HTML, as one stage after the deck: escaping,
//! highlighting, Markdown to slide and note HTML ([`Markdown`], which the
//! deck stage is handed), and the pages around the slides.

pub mod handout;
pub mod highlight;
mod markdown;
pub mod page;
mod shell;
mod slides;
pub mod transcript;
mod views;

pub use crate::escape::escape;
pub use highlight::Highlighter;
pub use markdown::Markdown;
pub use page::{Page, Templates};
