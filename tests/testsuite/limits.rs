//! Talks built to make slidebook slow or huge: deep includes, one title
//! ten thousand times, a macro that doubles itself, a title that imitates
//! the page's own markers. Each stays linear, or stops early with an
//! error that names the cause.

use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{run_in_within, slidebook, Talk};

/// Runs `slidebook ARGS` in `talk`, failing if it takes longer than
/// `limit`. The bounds are far above what these take now (a tenth of
/// them, unoptimized) and below what the quadratic versions took.
fn within(talk: &Talk, args: &[&str], limit: Duration) -> (i32, String) {
    let start = Instant::now();
    let run = run_in_within(talk.path(), args, limit * 4).unwrap_or_else(|| {
        panic!(
            "`slidebook {}` still ran after {:?}",
            args.join(" "),
            limit * 4
        )
    });
    let took = start.elapsed();
    assert!(took < limit, "`slidebook {}` took {took:?}", args.join(" "));
    (run.code, run.stderr)
}

#[test]
fn ten_thousand_nested_includes_check_in_well_under_a_second() {
    let mut talk = Talk::new();
    for i in 0..10_000 {
        let text = if i < 9_999 {
            format!("## S{i}\n\ninclude(f{}.md)\n", i + 1)
        } else {
            "## Last\n".to_string()
        };
        talk = talk.file(&format!("f{i}.md"), text);
    }
    let talk = talk.file("talk.md", "include(f0.md)\n");
    // The quadratic search for cycles took 2.2 s here, optimized.
    let (code, stderr) = within(&talk, &["check", "talk.md"], Duration::from_secs(2));
    assert_eq!(
        (code, stderr.as_str()),
        (0, "checked 1 deck: no problems\n")
    );
}

#[test]
fn ten_thousand_identical_titles_build_in_well_under_a_second() {
    let talk = Talk::new().file("talk.md", "## S\n\nx\n\n".repeat(10_000));
    // Numbering each repeat from 2 again took 8.8 s here.
    let (code, stderr) = within(&talk, &["build", "talk.md"], Duration::from_secs(2));
    assert_eq!(
        (code, stderr.as_str()),
        (
            0,
            "built talk: 10000 slides, 0 with notes, 0 files copied -> book/talk/index.html\n"
        )
    );
    let index = talk.read("book/talk/index.html");
    assert!(index.contains("id=\"s\"") && index.contains("id=\"s-10000\""));
}

#[test]
fn a_doubling_macro_stops_with_its_name_under_a_gibibyte() {
    let nested = 30;
    let talk = Talk::new().file(
        "talk.md",
        format!(
            "define(twice,$1$1)dnl\n{}ab{}\n",
            "twice(".repeat(nested),
            ")".repeat(nested)
        ),
    );
    // The address space is capped at 1 GiB: past it, an allocation fails
    // and the process aborts instead of reporting.
    let mut command = slidebook(talk.path());
    command.args(["check", "talk.md"]).stdout(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe, and nothing else runs
    // between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().unwrap();
    let line = format!("{}ab{}", "twice(".repeat(nested), ")".repeat(nested));
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (
            Some(1),
            format!(
                // The fifth call from the outside is the 26th from the
                // inside: 2^27 bytes.
                "error: `twice` expands to more than 64 MiB of text
 --> talk.md:2:25
  |
2 | {}…
  |                         ^^^^^
help: a macro or include is multiplying the text; check recursive defines
checked 1 deck: 1 error
",
                &line[..120]
            )
            .as_str()
        )
    );
}

#[test]
fn a_title_cannot_stand_for_the_slides() {
    let marker = "\u{E000}slidebook:slides\u{E000}";
    let talk = Talk::new().file(
        "talk.md",
        format!("---\ntitle: \"{}\"\n---\n\n## Only\n", marker.repeat(50)),
    );
    talk.args(&["build", "talk.md"])
        .stderr("built talk: 2 slides, 0 with notes, 0 files copied -> book/talk/index.html\n")
        .run();
    let index = talk.read("book/talk/index.html");
    assert_eq!(index.matches("<section id=").count(), 2);
    assert!(index.len() < 200_000, "{} bytes", index.len());
}

#[test]
fn many_comments_left_open_neither_crash_nor_blow_up() {
    let talk = Talk::new().file(
        "talk.md",
        format!("# T\n\n## S\n\n{}-->\n", "<!--\n".repeat(20_000)),
    );
    let (code, stderr) = within(&talk, &["check", "talk.md"], Duration::from_secs(10));
    assert_eq!(code, 1);
    assert!(stderr.ends_with(" errors\n"), "{stderr}");
    assert!(!stderr.contains("overflow"));
}
