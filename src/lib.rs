//! slidebook turns a talk written as Markdown with m4-style includes into a
//! deck and a handout. A slide meets these stages, in this order:
//!
//! 1. [`config`]: `book.toml` becomes a [`config::Project`];
//! 2. [`source`]: the talk's files, found as m4 finds them, kept inside
//!    the talk and read once (ahead, on helper threads, in a big talk);
//! 3. [`m4`]: the include language, giving the expanded text and a
//!    [`m4::linemap::SourceMap`] back to the sources;
//! 4. [`deck`]: the text split into slides with their notes, images and
//!    links, as plain data;
//! 5. [`html`]: everything that writes HTML: slide and note Markdown
//!    (handed to the deck stage as a [`deck::Render`]), highlighting,
//!    the `<section>`s and the pages around them;
//! 6. [`output`]: the deck's files written, the only place that writes.
//!
//! [`pipeline`] runs stages 1 to 5 for a deck, giving a
//! [`pipeline::Analyzed`]; every command shares it. [`commands`] has one
//! file per command, [`cli`] parses the command line, [`live`] rebuilds
//! and serves as the talk changes, [`browser`] drives a headless Chromium,
//! and [`error`] is what users are told when something is wrong.
//!
//! Imports run one way, down this list: `error` and `par` at the bottom,
//! used by all; `source` under `m4`; `deck` under `html`; `pipeline` over
//! the stages; `output` over `pipeline`; `live` and `browser` beside
//! `output`; `commands` over everything; `cli` over `commands`. No stage
//! imports a command, and no command imports another.

pub mod browser;
pub mod cli;
pub mod colour;
pub mod commands;
pub mod config;
pub mod deck;
pub mod error;
pub mod escape;
pub mod export;
pub mod html;
pub mod layout;
pub mod live;
pub mod m4;
pub mod output;
pub mod par;
pub mod paths;
pub mod pdf;
pub mod pipeline;
pub mod source;
pub mod suggest;
pub mod zip;
