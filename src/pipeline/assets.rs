//! Images and linked files a deck refers to: each must exist inside the
//! talk, and is copied beside the deck at the same relative path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Loaded;
use crate::deck::{Deck, RefKind};
use crate::error::Diagnostic;
use crate::source::LoadError;

const PATH_HELP: &str = "paths are relative to the talk's root; fix the path or add the file";

/// Files to copy: relative path in the deck's folder (folded, never
/// leaving it) → the file in the talk (its real path, links resolved).
pub type Assets = BTreeMap<String, PathBuf>;

/// The local path a URL names, or `None` for a web address, an anchor or
/// another scheme.
pub fn local_path(url: &str) -> Option<String> {
    let url = url.trim();
    let has_scheme = url.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if url.is_empty() || url.starts_with('#') || url.starts_with("//") || has_scheme {
        return None;
    }
    let path = url.split(['#', '?']).next().unwrap_or("");
    let path = percent_decode(path.trim_start_matches('/'));
    (!path.is_empty()).then_some(path)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The pages a build writes in each deck's folder (the deck, the handout,
/// the transcript twice), and the file listing what it wrote there: no
/// copy of the talk's may take their place.
pub const PAGES: [&str; 4] = [
    "index.html",
    "handout.html",
    "transcript.md",
    "transcript.html",
];
pub const MARKER: &str = ".slidebook";

/// Where a copy of `path` goes in the deck's folder: the path folded, or
/// why it cannot go there.
fn copy_path(path: &str) -> Result<String, &'static str> {
    let folded = crate::paths::normalize(std::path::Path::new(path));
    let rel = folded.to_string_lossy();
    if folded.is_absolute() || rel.starts_with("..") {
        return Err("would be copied outside the deck's folder");
    }
    if PAGES
        .iter()
        .chain([&MARKER])
        .any(|g| rel.eq_ignore_ascii_case(g))
    {
        return Err("would take the place of a page the build writes");
    }
    Ok(rel.into_owned())
}

/// Files `book.toml` names for every slide (`what`, under `key`: the
/// talk's stylesheets, its logo), copied like pictures; one that is
/// missing or would land outside the deck is an error.
pub fn book_files(
    loaded: &Loaded,
    paths: &[PathBuf],
    what: &str,
    key: &str,
    assets: &mut Assets,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for path in paths {
        let shown = path.to_string_lossy();
        let why = match loaded.sources.resolve_reference(&shown) {
            Ok(file) if file.is_file() => match copy_path(&shown) {
                Ok(rel) => {
                    assets.insert(rel, file);
                    continue;
                }
                Err(why) => why.to_string(),
            },
            Ok(_) => "is not a file".to_string(),
            Err(LoadError::OutsideRoot(real)) => {
                format!(
                    "is outside the talk's root (it resolves to {})",
                    real.display()
                )
            }
            Err(_) => "not found".to_string(),
        };
        problems.push(
            Diagnostic::new(format!(
                "{}: {what} `{shown}` (under {key}) {why}",
                crate::config::CONFIG_FILE
            ))
            .help("name a file inside the talk, from its root (for example `style/talk.css` or `img/logo.svg`)"),
        );
    }
    problems
}

/// Where a deck built with `[build] reveal` finds reveal.js: a web
/// address as written, or, for a folder of the talk, the copy each deck
/// gets of the files its page loads (so a deck can be moved and handed
/// out). A folder that does not hold reveal.js is an error, added to
/// `problems`.
pub fn reveal(
    loaded: &Loaded,
    reveal: Option<&str>,
    assets: &mut Assets,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    let reveal = reveal.map(str::trim).filter(|r| !r.is_empty())?;
    if local_path(reveal).is_none() || reveal.starts_with("//") {
        return Some(reveal.to_string());
    }
    let folder = reveal.trim_end_matches('/');
    let problem = |why: String| {
        Diagnostic::new(format!(
            "{}: reveal = \"{reveal}\": {why}",
            crate::config::CONFIG_FILE
        ))
        .help("name the folder of a reveal.js release (the one holding dist/reveal.js), from the talk's root, or its web address")
    };
    let mut found = Vec::new();
    for needed in ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css"] {
        let path = format!("{folder}/{needed}");
        match loaded.sources.resolve_reference(&path) {
            Ok(file) if file.is_file() => found.push((format!("{COPIED}/{needed}"), file)),
            Err(LoadError::OutsideRoot(real)) => {
                problems.push(problem(format!(
                    "`{path}` is outside the talk's root (it resolves to {})",
                    real.display()
                )));
                return None;
            }
            _ => {
                problems.push(problem(format!(
                    "`{path}` is missing: this is no reveal.js folder"
                )));
                return None;
            }
        }
    }
    // The theme's fonts, which its stylesheet loads, when the release has them.
    let fonts = format!("{folder}/dist/theme/fonts");
    if let Ok(dir) = loaded.sources.resolve_reference(&fonts) {
        for entry in walk_files(&dir) {
            if let Ok(rel) = entry.strip_prefix(&dir) {
                let rel = rel.to_string_lossy();
                found.push((format!("{COPIED}/dist/theme/fonts/{rel}"), entry.clone()));
            }
        }
    }
    assets.extend(found);
    Some(COPIED.to_string())
}

/// The folder of each deck that holds its copy of reveal.js.
const COPIED: &str = "reveal.js";

/// Every regular file under `dir` (no links followed), at most a few
/// thousand.
fn walk_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                todo.push(e.path());
            } else if kind.is_file() && out.len() < 4096 {
                out.push(e.path());
            }
        }
    }
    out
}

/// Resolves every reference of the deck; what does not resolve becomes a
/// diagnostic at the reference's source.
pub fn resolve(loaded: &Loaded, deck: &Deck) -> Resolved {
    let mut assets = Assets::new();
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut missing_images = std::collections::HashSet::new();
    // Slides show the same pictures many times: ask the file system once.
    let mut known = std::collections::HashMap::new();
    let mut near_cache = std::collections::HashMap::new();
    let text = &loaded.expanded.text;
    for r in &deck.refs {
        let Some(path) = local_path(&r.url) else {
            continue;
        };
        let what = match (r.kind, r.in_notes) {
            (RefKind::Image, false) => "image",
            (RefKind::Image, true) => "image in speaker notes",
            (RefKind::Link, false) => "linked file",
            (RefKind::Link, true) => "linked file in speaker notes",
            (RefKind::Resource, false) => "file",
            (RefKind::Resource, true) => "file in speaker notes",
        };
        let resolved = known
            .entry(path.clone())
            .or_insert_with(|| loaded.sources.resolve_reference(&path))
            .clone();
        let gone = matches!(
            resolved,
            Err(LoadError::NotFound | LoadError::IsDirectory | LoadError::BrokenLink { .. })
        );
        if gone && r.kind == RefKind::Image {
            missing_images.insert(r.url.clone());
        }
        let (message, help) = match resolved.map(|file| (copy_path(&path), file)) {
            Ok((Ok(rel), file)) => {
                if !rel.is_empty() && !assets.contains_key(&rel) && file.is_file() {
                    assets.insert(rel, file);
                }
                continue;
            }
            Ok((Err(why), _)) => (
                format!("{what} `{}` {why}", r.url),
                "the deck's folder keeps the talk's paths: refer to the file from the talk's root, with no `..`, under a name of its own",
            ),
            Err(LoadError::OutsideRoot(real)) => (
                format!(
                    "{what} `{}` is outside the talk's root (it resolves to {})",
                    r.url,
                    real.display()
                ),
                PATH_HELP,
            ),
            Err(_) => (format!("{what} `{}` not found", r.url), PATH_HELP),
        };
        // A missing file loses a picture, not text: the build goes on
        // and shows a placeholder. One that would leave its place is an
        // error.
        let near = if gone {
            near_cache
                .entry(path.clone())
                .or_insert_with(|| crate::suggest::near_file(loaded.sources.root(), &path))
                .as_ref()
                .map(|near| format!("did you mean `{near}`?"))
        } else {
            None
        };
        let help = near.as_deref().unwrap_or(help);
        let (d, into) = if gone {
            (Diagnostic::warning(message), &mut missing)
        } else {
            (Diagnostic::new(message), &mut problems)
        };
        let Some(origin) = loaded.expanded.map.origin_at(text, r.at) else {
            into.push(d);
            continue;
        };
        let width = text[r.at..]
            .find(')')
            .map_or(1, |i| text[r.at..r.at + i + 1].chars().count());
        let map = &loaded.expanded.map;
        into.push(map.point(&loaded.sources, d.help(help), origin, width.min(80)));
    }
    Resolved {
        assets,
        problems,
        missing,
        missing_images,
    }
}

/// What the deck's references come to.
pub struct Resolved {
    pub assets: Assets,
    /// References that may not be copied where they say: errors.
    pub problems: Vec<Diagnostic>,
    /// Files that are not there: warnings.
    pub missing: Vec<Diagnostic>,
    /// The URLs of the missing images, as written, for placeholders.
    pub missing_images: std::collections::HashSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_told_from_web_addresses() {
        assert_eq!(local_path("img/a.png"), Some("img/a.png".into()));
        assert_eq!(
            local_path("img/my%20pic.png#x"),
            Some("img/my pic.png".into())
        );
        assert_eq!(local_path("/img/a.png"), Some("img/a.png".into()));
        assert_eq!(local_path("https://example.org/a.png"), None);
        assert_eq!(local_path("mailto:a@b.c"), None);
        assert_eq!(local_path("#slide-3"), None);
        assert_eq!(local_path("//cdn.example/x.js"), None);
    }
}
