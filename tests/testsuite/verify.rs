//! `slidebook verify`: the commands a talk shows, run and compared with
//! the output the talk keeps for them; only when asked.

use std::time::{Duration, Instant};

use crate::harness::Talk;

fn talk_with(commands: &[(&str, &str, &str)]) -> Talk {
    let mut talk = Talk::new().file("talk.md", "## A\n");
    for (name, script, output) in commands {
        talk = talk
            .file(&format!("cmd/{name}.sh"), script)
            .file(&format!("output/{name}"), output);
    }
    talk
}

#[test]
fn a_changed_output_is_a_diff_and_bless_rewrites_it() {
    let talk = talk_with(&[
        ("hello", "echo hello\necho world\n", "hello\nthere\n"),
        ("same", "printf 'a\\nb\\n'\n", "a\nb\n"),
    ]);
    talk.args(&["verify"])
        .status(1)
        .stderr(
            "error: output/hello is not what cmd/hello.sh prints now
--- output/hello
+++ cmd/hello.sh, run now
@@ -1,2 +1,2 @@
 hello
-there
+world
help: if the change is meant, `slidebook verify --bless hello` rewrites output/hello
verified 2 commands: 1 the same, 1 differs
",
        )
        .run();
    talk.args(&["verify", "--bless"])
        .stderr(
            "rewrote output/hello with what cmd/hello.sh prints now
verified 2 commands: 1 the same, 1 rewritten
",
        )
        .run();
    assert_eq!(talk.read("output/hello"), "hello\nworld\n");
    talk.args(&["verify"])
        .stderr("verified 2 commands: 2 the same\n")
        .run();
}

#[test]
fn errors_and_output_are_compared_as_a_terminal_shows_them() {
    let talk = talk_with(&[(
        "both",
        "echo out\necho err >&2\necho out again\nexit 3\n",
        "out\nerr\nout again\n",
    )]);
    talk.args(&["verify"])
        .stderr("verified 1 command: 1 the same\n")
        .run();
}

#[test]
fn a_command_that_hangs_is_stopped_at_the_timeout_with_what_it_started() {
    let talk = talk_with(&[(
        "hang",
        "echo $$ > pid\nsleep 30 &\necho $! >> pid\nwait\n",
        "",
    )]);
    let started = Instant::now();
    talk.args(&["verify", "--timeout", "1"])
        .status(1)
        .stderr(
            "error: cmd/hang.sh did not finish within 1 s, and was stopped
help: a command that needs longer: --timeout SECONDS, or `timeout` under [verify]; one that needs the network: `skip` under [verify]
verified 1 command: 0 the same, 1 timed out
",
        )
        .run();
    assert!(started.elapsed() < Duration::from_secs(10));
    // Gone, or dead and waiting to be reaped by whoever adopted it.
    for pid in talk.read("pid").lines() {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
        assert!(
            matches!(state, None | Some('Z' | 'X')),
            "process {pid} still runs: {stat}"
        );
    }
}

#[test]
fn nothing_runs_unless_verify_is_asked() {
    let talk = talk_with(&[("touch", "touch ran\necho done\n", "done\n")]);
    talk.args(&["check", "talk.md"])
        .stderr("checked 1 deck: no problems\n")
        .run();
    talk.args(&["build", "talk.md"]).stderr_any().run();
    assert!(!talk.path().join("ran").exists());
    talk.args(&["verify"])
        .stderr("verified 1 command: 1 the same\n")
        .run();
    assert!(talk.path().join("ran").exists());
}

#[test]
fn book_toml_normalizes_what_varies_and_skips_what_needs_a_cloud() {
    let talk = talk_with(&[
        ("date", "echo \"built at $(date +%s) in $(pwd)\"\n", "built at 1234 in /home/ann/talk\n"),
        ("cloud-up", "exit 1\n", "cluster ready\n"),
    ])
    .file(
        "book.toml",
        "[verify]\nskip = [\"cloud-*\"]\nnormalize = [\n  { pattern = '\\d{4,}', replace = \"TIME\" },\n  { pattern = ' in /\\S+', replace = \" in DIR\" },\n]\n",
    );
    talk.args(&["verify"])
        .stderr("verified 2 commands: 1 the same, 1 skipped\n")
        .run();
    // Named, a skipped command runs.
    talk.args(&["verify", "cloud-up"])
        .status(1)
        .stderr_ends_with("verified 1 command: 0 the same, 1 differs\n")
        .run();
}

#[test]
fn json_for_ci() {
    let talk = talk_with(&[("hello", "echo world\n", "there\n")]).file("output/old", "x\n");
    let run = talk
        .args(&["verify", "--format", "json"])
        .status(1)
        .stdout_any()
        .run();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({
            "commands": [{
                "name": "hello",
                "command": "cmd/hello.sh",
                "output": "output/hello",
                "differs": {
                    "diff": "--- output/hello\n+++ cmd/hello.sh, run now\n@@ -1 +1 @@\n-there\n+world\n"
                }
            }],
            "orphans": ["output/old"],
            "failed": 1
        })
    );
}

#[test]
fn mistakes_in_what_verify_is_told_are_named() {
    let talk = talk_with(&[("a", "echo a\n", "a\n")]);
    talk.args(&["verify", "b"])
        .status(2)
        .stderr("error: no command `b` to verify: it needs cmd/b.sh and output/b\n")
        .run();
    let talk = talk.file("book.toml", "[verify]\nnormalize = [{ pattern = \"(\" }]\n");
    talk.args(&["verify"])
        .status(1)
        .stderr(
            "error: book.toml: normalize pattern \"(\" is not a regular expression: unclosed group
 --> book.toml:2:26
  |
2 | normalize = [{ pattern = \"(\" }]
  |                          ^^^
help: patterns are Rust regular expressions (the regex crate's syntax)
",
        )
        .run();
}

#[test]
fn a_command_that_prints_without_end_is_stopped() {
    let talk = talk_with(&[("yes", "yes\n", "y\n")]);
    talk.args(&["verify", "--timeout", "20"])
        .status(1)
        .stderr(
            "error: cmd/yes.sh could not be run: it printed more than 16 MiB
verified 1 command: 0 the same, 1 could not run
",
        )
        .run();
}
