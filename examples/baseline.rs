//! The floor a build is measured against: two bare pulldown-cmark renders
//! (one for the deck, one for the handout) of a talk's expanded text, with
//! the options slidebook parses with.
//!
//! ```text
//! slidebook --root DIR expand DIR/slides/main.md > /tmp/expanded.md
//! cargo run --release --example baseline -- /tmp/expanded.md [OUT_DIR]
//! ```
//!
//! With OUT_DIR, the two renders are written there as `index.html` and
//! `handout.html`, so the comparison can include writing too.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(input) = args.first() else {
        eprintln!("usage: baseline EXPANDED.md [OUT_DIR]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("baseline: {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let render = || {
        let mut html = String::new();
        let parser = pulldown_cmark::Parser::new_ext(&text, slidebook::deck::markdown_options());
        pulldown_cmark::html::push_html(&mut html, parser);
        html
    };
    let deck = render();
    let handout = render();
    if let Some(out) = args.get(1).map(PathBuf::from) {
        let written = std::fs::create_dir_all(&out)
            .and_then(|()| std::fs::write(out.join("index.html"), &deck))
            .and_then(|()| std::fs::write(out.join("handout.html"), &handout));
        if let Err(e) = written {
            eprintln!("baseline: {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "rendered {} bytes twice: {} + {} bytes of HTML",
        text.len(),
        deck.len(),
        handout.len()
    );
    ExitCode::SUCCESS
}
