//! The expander on any text: the input is the entry file of a talk whose
//! root also holds a few fixed files (includes that define and call
//! macros, a file that is not UTF-8, a folder) and `self.md`, the input
//! again, so that including it reads the same text a second time.
//!
//! Beyond "does not panic", it checks what every expansion must give:
//! each line of the output maps to a line that exists in its source file,
//! and every problem can be told as a diagnostic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slidebook::m4::{self, Options};
use slidebook::source::Sources;

/// The fixed files of the talk, written once.
const FILES: &[(&str, &[u8])] = &[
    ("a.md", b"A from a.md\ninclude(b.md)\n"),
    ("b.md", b"define(B, b body)dnl\nB and B\n"),
    (
        "sub/c.md",
        b"changequote([,])define([C],[$1-$2 $# $@])changequote(,)C(x,y)\n# a comment\n",
    ),
    ("cycle.md", b"include(cycle.md)\n"),
    ("latin1.md", b"caf\xe9\n"),
    ("dir/inside.md", b"inside\n"),
];

/// The talk's root, written once per process: `slidebook-fuzz-expand-PID`
/// in the temporary folder. libFuzzer ends a process without running
/// destructors, so the folders of processes that have ended (fork mode
/// starts many) are removed here instead.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        const PREFIX: &str = "slidebook-fuzz-expand-";
        let tmp = std::env::temp_dir();
        for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
                continue;
            };
            if !std::path::Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("{PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in FILES {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = root();
    std::fs::write(root.join("self.md"), text).unwrap();
    let mut sources = m4::sources(root, &[], false, slidebook::source::Reading::Exact);
    let entry = sources.add_virtual("main.md", text);
    let x = m4::expand(&mut sources, entry, &Options::default());
    for start in std::iter::once(0).chain(x.text.match_indices('\n').map(|(i, _)| i + 1)) {
        if start >= x.text.len() {
            break;
        }
        let origin = x
            .map
            .origin_at(&x.text, start)
            .unwrap_or_else(|| panic!("no origin for the line at byte {start}"));
        let file = sources.get(x.map.file_of(origin));
        let lines = file.text.split('\n').count() as u32;
        assert!(
            origin.line >= 1 && origin.line <= lines,
            "the line at byte {start} maps to line {} of {} ({lines} lines)",
            origin.line,
            file.path
        );
    }
    for p in &x.problems {
        let _ = p.diagnostic(&sources, &x.map).render();
    }
});
