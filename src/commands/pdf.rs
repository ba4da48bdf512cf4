//! `slidebook pdf`: build, then have a headless Chromium print the deck
//! (one slide per page) and the handout to PDF, beside the HTML.

use crate::browser;
use crate::config::Project;
use crate::error::Result;
use crate::output;

pub fn run(project: &Project, targets: &[String]) -> Result<i32> {
    let browser = browser::find()?;
    let built = output::build(project, targets, None)?;
    for b in &built {
        eprint!("{}", b.report(project));
    }
    for b in &built {
        for (page, pdf) in [
            ("index.html", format!("{}.pdf", b.name)),
            ("handout.html", format!("{}-handout.pdf", b.name)),
        ] {
            let out = b.dir.join(&pdf);
            browser::print_to_pdf(&browser, &b.dir.join(page), &out)?;
            let shown = out
                .strip_prefix(&project.root)
                .unwrap_or(&out)
                .display()
                .to_string();
            eprintln!("printed {} -> {shown}", b.name);
        }
    }
    Ok(0)
}
