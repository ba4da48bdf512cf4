//! "Did you mean …?": the closest of a few names to one that was not
//! found, when it is close enough to be worth saying.

use std::path::Path;

/// The candidate most like `wanted`, if it is like enough: a typo or two,
/// not a different name.
pub fn closest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    // Comparing costs the product of the lengths: long names are not
    // typed, so they get no suggestion.
    if wanted.len() > LONGEST {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for c in candidates.into_iter().take(MOST) {
        if c == wanted || c.len() > LONGEST {
            continue;
        }
        // One slip in a short name counts as much as a few in a long one.
        let score = if strsim::damerau_levenshtein(wanted, c) == 1 && wanted.len() >= 3 {
            1.0
        } else {
            strsim::normalized_damerau_levenshtein(wanted, c)
        };
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.filter(|&(score, _)| score >= 0.8).map(|(_, c)| c)
}

/// Names longer than this, and candidates past this many, are passed over.
const LONGEST: usize = 120;
const MOST: usize = 300;

/// The file under `root` whose path is most like `rel` (a path relative to
/// it that names no file): among the files of its folder, or of the
/// folder most like its folder when that is missing too. Never a file
/// outside `root`.
pub fn near_file(root: &Path, rel: &str) -> Option<String> {
    let rel = rel.trim_start_matches("./");
    if rel.starts_with('/') || rel.split('/').any(|c| c == "..") {
        return None;
    }
    let (dir, _) = rel.rsplit_once('/').unwrap_or(("", rel));
    let folders: Vec<String> = if dir.is_empty() || root.join(dir).is_dir() {
        vec![dir.to_string()]
    } else {
        // The folder is misspelt too: try the folders beside it.
        let (up, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let names = entries(&root.join(up), true);
        let near = closest(name, names.iter().map(String::as_str))?;
        vec![join(up, near)]
    };
    let files: Vec<String> = folders
        .iter()
        .flat_map(|f| {
            entries(&root.join(f), false)
                .into_iter()
                .map(move |e| join(f, &e))
        })
        .collect();
    closest(rel, files.iter().map(String::as_str)).map(str::to_string)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The names of the folders (or files) in `dir`, a few hundred at most.
fn entries(dir: &Path, folders: bool) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.flatten()
        .take(500)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir() == folders))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_matched_and_strangers_are_not() {
        assert_eq!(
            closest("titel", ["title", "authors", "date"]),
            Some("title")
        );
        assert_eq!(closest("colour", ["title", "authors"]), None);
        assert_eq!(closest("title", ["title"]), None);
    }

    #[test]
    fn a_file_is_found_in_its_folder_or_a_folder_like_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cmd")).unwrap();
        std::fs::write(dir.path().join("cmd/df.sh"), "").unwrap();
        std::fs::write(dir.path().join("cmd/ls.sh"), "").unwrap();
        assert_eq!(
            near_file(dir.path(), "cmd/fd.sh").as_deref(),
            Some("cmd/df.sh")
        );
        assert_eq!(
            near_file(dir.path(), "cdm/df.sh").as_deref(),
            Some("cmd/df.sh")
        );
        assert_eq!(near_file(dir.path(), "cmd/unrelated.md"), None);
    }
}
