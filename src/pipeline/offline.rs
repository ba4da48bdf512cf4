//! The offline guarantee: everything a deck or its handout loads comes
//! with it. What would be fetched from the network (a picture, a script, a
//! stylesheet, a font, a frame) is named where it is written: in the
//! talk's text, its stylesheets, its own templates, or book.toml's
//! `reveal`. Links to click are not loads, and stay as they are.
//! `[build] allow-remote = true` lets a talk load from the network.

use std::path::Path;

use super::Loaded;
use crate::config::Project;
use crate::deck::{Deck, RefKind};
use crate::error::{Diagnostic, Location};

const HELP: &str = "copy it into the talk and refer to it by its path, so the deck works without a network; or set `allow-remote = true` under [build]";

/// Whether `url` is fetched from the network when the page loads it.
pub fn is_remote(url: &str) -> bool {
    let url = url.trim();
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    url.starts_with("//") || matches!(scheme.as_deref(), Some("http" | "https" | "ftp"))
}

/// Every load from the network, as warnings at their places.
pub fn remote_loads(project: &Project, loaded: &Loaded, deck: &Deck) -> Vec<Diagnostic> {
    if project.config.build.allow_remote {
        return Vec::new();
    }
    let (text, map) = (&loaded.expanded.text, &loaded.expanded.map);
    let mut found = Vec::new();
    for r in &deck.refs {
        if r.kind == RefKind::Link || !is_remote(&r.url) {
            continue;
        }
        let d = Diagnostic::warning(format!(
            "`{}` is loaded from the network: offline, the deck goes without it",
            r.url
        ))
        .help(HELP);
        // The caret under the address itself, when it is written as it is.
        let end = text.floor_char_boundary(text.len().min(r.at + 4096));
        let near = &text[r.at..end];
        let (at, width) = match near.find(r.url.as_str()) {
            Some(i) => (r.at + i, r.url.chars().count()),
            None => (r.at, 1),
        };
        found.push(match map.origin_at(text, at) {
            Some(o) => map.point(&loaded.sources, d, o, width),
            None => d,
        });
    }
    // The talk's own stylesheets and templates.
    let mut own: Vec<String> = project
        .config
        .build
        .css
        .iter()
        .map(|p| crate::paths::normalize(p).to_string_lossy().into_owned())
        .collect();
    for name in [
        "deck.html",
        "handout.html",
        "deck.css",
        "handout.css",
        "layout.css",
    ] {
        if project.root.join("templates").join(name).is_file() {
            own.push(format!("templates/{name}"));
        }
    }
    for file in own {
        found.extend(in_file(&project.root, &file));
    }
    if let Some(reveal) = &project.config.build.reveal {
        if is_remote(reveal) {
            found.push(
                Diagnostic::warning(format!(
                    "{}: [build] reveal loads reveal.js from `{reveal}`: offline, the deck does not run",
                    crate::config::CONFIG_FILE
                ))
                .help("unpack a release of reveal.js into the talk and name its folder; or set `allow-remote = true` under [build]"),
            );
        }
    }
    found
}

/// The loads from the network in one of the talk's stylesheets or
/// templates, at their lines.
fn in_file(root: &Path, file: &str) -> Vec<Diagnostic> {
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        // A file that cannot be read is reported where it is copied.
        return Vec::new();
    };
    let loads = if file.ends_with(".css") {
        crate::deck::loads::css_loads(&text)
    } else {
        crate::deck::loads::loads(&text)
    };
    loads
        .into_iter()
        .filter(|l| is_remote(&l.url))
        .map(|l| {
            Diagnostic::warning(format!(
                "`{}` is loaded from the network: offline, the deck goes without it",
                l.url
            ))
            .at(
                Location::at_offset(file, &text, l.at),
                l.url.chars().count(),
            )
            .help(HELP)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_comes_from_the_network() {
        for url in [
            "https://x.org/a.png",
            "http://x",
            "//cdn.x/y.js",
            "FTP://x/y",
            " https://x",
        ] {
            assert!(is_remote(url), "{url}");
        }
        for url in [
            "img/a.png",
            "/img/a.png",
            "data:image/png;base64,AA",
            "#top",
            "mailto:a@b",
            "",
        ] {
            assert!(!is_remote(url), "{url}");
        }
    }
}
