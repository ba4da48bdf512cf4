//! Writes a synthetic talk for benchmarking.
//!
//! ```text
//! cargo run --release --example gen_talk -- N DIR [--highlight-every K] [--commands C]
//! ```
//!
//! DIR gets `book.toml` (one deck, `main`), `slides/main.md` and the files it
//! includes; build it with `slidebook --root DIR build`. The sizes of the
//! sources and of the expanded text are printed on stderr.

#[path = "../benches/support/gen.rs"]
mod gen;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut opts = gen::Options::new(0);
    while let Some(a) = args.next() {
        let mut number = |what: &str| -> Option<usize> {
            let v = args.next().and_then(|v| v.parse().ok());
            if v.is_none() {
                eprintln!("gen_talk: {what} needs a number");
            }
            v
        };
        match a.as_str() {
            "--highlight-every" => match number("--highlight-every") {
                Some(k) => opts.highlight_every = k,
                None => return ExitCode::from(2),
            },
            "--commands" => match number("--commands") {
                Some(c) => opts.commands = c,
                None => return ExitCode::from(2),
            },
            "--slides-per-part" => match number("--slides-per-part") {
                Some(k) => opts.slides_per_part = k,
                None => return ExitCode::from(2),
            },
            _ => positional.push(a),
        }
    }
    let (Some(n), Some(dir), None) = (
        positional
            .first()
            .and_then(|n| n.replace('_', "").parse::<usize>().ok()),
        positional.get(1).map(PathBuf::from),
        positional.get(2),
    ) else {
        eprintln!(
            "usage: gen_talk N DIR [--highlight-every K] [--commands C] [--slides-per-part K]"
        );
        return ExitCode::from(2);
    };
    opts.slides = n;
    let sum = match gen::generate(&dir, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gen_talk: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    // Expand it with slidebook itself, to report the expanded size.
    let expanded = slidebook::config::Project::discover(Some(&dir))
        .and_then(|project| {
            let spec = slidebook::pipeline::select(&project, &[])?.remove(0);
            slidebook::pipeline::load(&project, &spec, &[], slidebook::pipeline::Reading::Talk)
        })
        .map(|loaded| loaded.expanded.text.len());
    match expanded {
        Ok(len) => {
            eprintln!("{}: {}", dir.display(), gen::describe(&sum, len));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "gen_talk: wrote {}, but it does not expand: {e}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
