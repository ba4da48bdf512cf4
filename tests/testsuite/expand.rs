//! `slidebook expand` against GNU m4 on the real corpus talk.

use crate::harness::{corpus, m4, m4_expand, run_in};

#[test]
fn corpus_expands_exactly_as_m4_does() {
    let (Some(dir), Some(m4)) = (corpus(), m4()) else {
        return;
    };
    for file in ["lightning/main.md", "full/main.md"] {
        let (expected, code) = m4_expand(&m4, &dir, file, &[]);
        assert_eq!(code, 0, "m4 failed on {file}");
        let run = run_in(&dir, &["expand", file]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.as_bytes() == expected.as_slice(),
            "{file}: slidebook's expansion differs from m4's"
        );
    }
}
