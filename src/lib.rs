//! slidebook turns a talk written as Markdown with m4-style includes into a
//! deck and a handout. The stages, in the order a slide meets them:
//!
//! 1. [`config`]: `book.toml` becomes a [`config::Project`];
//! 2. [`sources`]: the talk's files, found and read once (in a big talk,
//!    read ahead on helper threads by [`ahead`]);
//! 3. [`expand`]: the include language, giving expanded text and a
//!    [`linemap::SourceMap`] back to the sources;
//!
//! 4. [`deck`]: the text split into slides with their notes;
//! 5. [`assets`]: the files slides and notes refer to;
//! 6. [`render`]: Tera templates turn the deck into HTML, which [`build`]
//!    writes.
//!
//! [`check`] runs them without writing anything; [`watch`] and [`serve`]
//! run the build again on every change; [`cli`] is the command
//! line, and [`error`] what users are told when something is wrong.

pub mod ahead;
pub mod assets;
pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod deck;
pub mod error;
pub mod expand;
pub mod highlight;
pub mod init;
pub mod linemap;
pub mod markup;
pub mod par;
pub mod pdf;
pub mod render;
pub mod serve;
pub mod sources;
pub mod talk;
pub mod watch;
