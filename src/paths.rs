//! Paths folded and made absolute without asking the file system.

use std::path::{Component, Path, PathBuf};

/// `p` from the current folder, `.` and `..` folded.
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(p))
    }
}

/// Removes `.` and folds `..` without touching the file system. A
/// relative path keeps the `..` that climb above its start; `/..` is `/`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_what_climbs_above_the_start() {
        let n = |p: &str| normalize(Path::new(p)).to_string_lossy().into_owned();
        assert_eq!(n("a/./b/../c"), "a/c");
        assert_eq!(n("../../x"), "../../x");
        assert_eq!(n("a/../../x"), "../x");
        assert_eq!(n("/a/../../x"), "/x");
        assert_eq!(n("img//a.png"), "img/a.png");
        assert_eq!(n("a/.."), "");
    }
}
