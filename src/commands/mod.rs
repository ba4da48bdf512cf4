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

/// The file `-o` names, made absolute: a name ending in `.EXT` (so that a
/// slip such as `-o talk.md` cannot write over a source), in a folder that
/// exists. `what` is what is written, as the message says it.
pub(crate) fn out_file(
    out: &std::path::Path,
    ext: &str,
    what: &str,
) -> crate::error::Result<std::path::PathBuf> {
    use crate::error::Error;
    let fits = out.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
    if !fits || out.is_dir() {
        return Err(Error::Usage(format!(
            "-o names {what} to write, a file ending in .{ext}, not `{}`",
            out.display()
        )));
    }
    let cwd = std::env::current_dir().map_err(Error::io("."))?;
    let file = crate::paths::normalize(&cwd.join(out));
    let folder = file.parent().unwrap_or(std::path::Path::new("/"));
    if !folder.is_dir() {
        return Err(Error::Usage(format!(
            "-o {}: the folder `{}` does not exist",
            out.display(),
            folder.display()
        )));
    }
    Ok(file)
}

/// How a command that reports (`check`, `verify`) prints what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
