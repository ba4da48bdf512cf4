//! One file per command, each a short function over the pipeline and the
//! output; no command uses another.

pub mod build;
pub mod check;
pub mod expand;
pub mod init;
pub mod notes;
pub mod pdf;
pub mod serve;
pub mod watch;
