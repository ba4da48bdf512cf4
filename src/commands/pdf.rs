//! `slidebook pdf`: build, then have a headless Chromium print the deck
//! (one slide per page) and the handout to PDF, beside the HTML. The
//! browser gets a timeout per page (`SLIDEBOOK_PDF_TIMEOUT`), and Ctrl-C
//! stops it and removes its profile before `slidebook` exits.

use crate::browser::{self, Interrupts, Printed, Printer};
use crate::config::Project;
use crate::error::Result;
use crate::output;

pub fn run(project: &Project, targets: &[String]) -> Result<i32> {
    let timeout = browser::timeout()?;
    let printer = Printer {
        browser: browser::find()?,
        timeout,
    };
    let built = output::build(project, targets, None)?;
    for b in &built {
        eprint!("{}", b.report(project));
    }
    let shown = |path: &std::path::Path| {
        path.strip_prefix(&project.root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let interrupts = Interrupts::catch();
    for b in &built {
        for (page, pdf) in [
            ("index.html", format!("{}.pdf", b.name)),
            ("handout.html", format!("{}-handout.pdf", b.name)),
        ] {
            let page = b.dir.join(page);
            let out = b.dir.join(&pdf);
            match printer.print(&page, &shown(&page), &out, &interrupts)? {
                Printed::Done => eprintln!("printed {} -> {}", b.name, shown(&out)),
                Printed::Interrupted(signal) => {
                    eprintln!(
                        "interrupted: stopped {} while it printed `{}`",
                        printer.name(),
                        shown(&page)
                    );
                    return Ok(128 + signal);
                }
            }
        }
    }
    Ok(0)
}
