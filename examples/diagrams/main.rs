//! Draws the diagrams of the repository's own talk into `img/`.
//!
//! ```text
//! cargo run --example diagrams            # rewrites img/*.svg
//! cargo run --example diagrams -- DIR     # writes them into DIR instead
//! ```
//!
//! The drawing is in `figures.rs`, shared with the test suite, which fails
//! when a committed SVG is not what this program draws.

mod figures;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("img"));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("diagrams: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, svg) in figures::all() {
        let path = dir.join(name);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == svg);
        if unchanged {
            eprintln!("unchanged {}", path.display());
            continue;
        }
        if let Err(e) = std::fs::write(&path, svg) {
            eprintln!("diagrams: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
