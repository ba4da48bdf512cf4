//! A headless Chromium: found on the machine, and asked to print a page
//! to PDF.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Diagnostic, Error, Result};

/// Browsers tried, in order, when `SLIDEBOOK_CHROMIUM` names none.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The browser to use: `SLIDEBOOK_CHROMIUM`, else the first on `PATH`.
pub fn find() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SLIDEBOOK_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .flat_map(|d| BROWSERS.iter().map(move |b| d.join(b)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Diagnostic::new("`slidebook pdf` needs Chromium or Chrome, and found neither on PATH")
                .help("install chromium (Debian: apt-get install chromium), or set SLIDEBOOK_CHROMIUM to the browser's path")
                .into()
        })
}

/// Prints `page` to `pdf` with `browser`.
pub fn print_to_pdf(browser: &Path, page: &Path, pdf: &Path) -> Result<()> {
    // A profile of its own, so a running browser of the user's is left alone.
    let profile = std::env::temp_dir().join(format!("slidebook-pdf-{}", std::process::id()));
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .map_err(Error::io(browser))?;
    let _ = std::fs::remove_dir_all(&profile);
    if !output.status.success() || !pdf.is_file() {
        let said = String::from_utf8_lossy(&output.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(Diagnostic::new(format!(
            "{} could not print {}: {}",
            browser.display(),
            page.display(),
            last.trim()
        ))
        .into());
    }
    Ok(())
}

/// The page at `page` as the browser leaves it once its scripts ran, in a
/// window of `width` × `height`.
pub fn dump_dom(browser: &Path, page: &Path, width: u32, height: u32) -> Result<String> {
    let profile = std::env::temp_dir().join(format!("slidebook-dom-{}", std::process::id()));
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .map_err(Error::io(browser))?;
    let _ = std::fs::remove_dir_all(&profile);
    if !output.status.success() {
        return Err(Diagnostic::new(format!(
            "{} could not open {}",
            browser.display(),
            page.display()
        ))
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
