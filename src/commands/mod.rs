//! One file per command, each a short function over the pipeline and the
//! output; no command uses another.

pub mod build;
pub mod check;
pub mod expand;
pub mod export;
pub mod init;
pub mod notes;
pub mod pdf;
pub mod serve;
pub mod verify;
pub mod watch;

/// How a command that reports (`check`, `verify`) prints what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
