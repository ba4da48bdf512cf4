//! `slidebook verify`: the commands a talk shows (`cmd/NAME.sh`) are run,
//! and what each prints is compared with what the talk says it prints
//! (`output/NAME`). Only when asked: `check` and `build` never run them.
//!
//! Each runs with `sh`, in the talk's root, its output and errors in one
//! stream as a terminal shows them, in a process group of its own that is
//! killed at the timeout (or on Ctrl-C).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::Format;
use crate::browser::Interrupts;
use crate::config::Project;
use crate::error::{count, visible, Diagnostic, Error, Result};

/// What became of one command.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Outcome {
    Same,
    /// Printed something else: the unified diff.
    Differs {
        diff: String,
    },
    Blessed,
    TimedOut {
        seconds: u64,
    },
    /// Could not be started.
    Failed {
        why: String,
    },
    Skipped,
}

#[derive(Debug, Serialize)]
struct Verified {
    name: String,
    command: String,
    output: String,
    #[serde(flatten)]
    outcome: Outcome,
}

pub fn run(
    project: &Project,
    names: &[String],
    bless: bool,
    timeout: Option<u64>,
    format: Format,
) -> Result<i32> {
    let config = &project.config.verify;
    let timeout = Duration::from_secs(timeout.unwrap_or(config.timeout).max(1));
    let normalize: Vec<(regex::Regex, &str)> = config
        .normalize
        .iter()
        .filter_map(|n| {
            Some((
                regex::Regex::new(n.pattern.get_ref()).ok()?,
                n.replace.as_str(),
            ))
        })
        .collect();
    let root = &project.root;
    let (commands, orphans) = pairs(root)?;
    for name in names {
        if !commands.iter().any(|c| c == name) {
            return Err(Error::Usage(format!(
                "no command `{name}` to verify: it needs cmd/{name}.sh and output/{name}"
            )));
        }
    }
    let chosen: Vec<&String> = commands
        .iter()
        .filter(|c| names.is_empty() || names.contains(c))
        .collect();
    let interrupts = Interrupts::catch();
    let mut results = Vec::new();
    for name in chosen {
        let script = format!("cmd/{name}.sh");
        let output = format!("output/{name}");
        let outcome = if config.skip.iter().any(|p| matches(p, name)) && names.is_empty() {
            Outcome::Skipped
        } else {
            let kept_path = root.join(&output);
            let kept = std::fs::read(&kept_path).map_err(Error::io(&kept_path))?;
            match run_one(root, &script, timeout, &interrupts)? {
                Ran::Interrupted(signal) => {
                    eprintln!("interrupted: stopped `{script}`");
                    return Ok(128 + signal);
                }
                Ran::TimedOut => Outcome::TimedOut {
                    seconds: timeout.as_secs(),
                },
                Ran::Failed(why) => Outcome::Failed { why },
                // Byte for byte alike needs no more look.
                Ran::Printed(printed) if printed == kept => Outcome::Same,
                Ran::Printed(printed) => {
                    let (kept_text, printed_text) = (
                        String::from_utf8_lossy(&kept),
                        String::from_utf8_lossy(&printed),
                    );
                    let alike = |t: &str| {
                        normalize.iter().fold(t.to_string(), |t, (re, to)| {
                            re.replace_all(&t, *to).into_owned()
                        })
                    };
                    let (a, b) = (alike(&kept_text), alike(&printed_text));
                    // Alike only once made alike: what is not text stays
                    // different.
                    let text =
                        std::str::from_utf8(&kept).is_ok() && std::str::from_utf8(&printed).is_ok();
                    if text && a == b {
                        Outcome::Same
                    } else if bless {
                        std::fs::write(&kept_path, &printed).map_err(Error::io(&kept_path))?;
                        Outcome::Blessed
                    } else {
                        let diff = similar::TextDiff::from_lines(&a, &b)
                            .unified_diff()
                            .context_radius(3)
                            .header(&output, &format!("{script}, run now"))
                            .to_string();
                        let diff = match diff.is_empty() {
                            true => format!(
                                "--- {output}\n+++ {script}, run now\n(they differ in bytes that are no text)\n"
                            ),
                            false => diff,
                        };
                        Outcome::Differs { diff }
                    }
                }
            }
        };
        results.push(Verified {
            name: name.clone(),
            command: script,
            output,
            outcome,
        });
    }
    let failed = results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Differs { .. } | Outcome::TimedOut { .. } | Outcome::Failed { .. }
            )
        })
        .count();
    match format {
        Format::Json => {
            let report = serde_json::json!({
                "commands": results,
                "orphans": orphans.iter().map(|o| format!("output/{o}")).collect::<Vec<_>>(),
                "failed": failed,
            });
            println!("{report:#}");
        }
        Format::Human => report(&results, &orphans, bless),
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn report(results: &[Verified], orphans: &[String], bless: bool) {
    for r in results {
        let d = match &r.outcome {
            Outcome::Same | Outcome::Skipped => continue,
            Outcome::Blessed => {
                eprintln!("rewrote {} with what {} prints now", r.output, r.command);
                continue;
            }
            Outcome::Differs { diff } => {
                // The diff between the message and the help; what a
                // command printed never reaches the terminal raw.
                let message = Diagnostic::new(format!(
                    "{} is not what {} prints now",
                    r.output, r.command
                ));
                let mut shown = message.render();
                for line in diff.lines() {
                    shown.push_str(&visible(line));
                    shown.push('\n');
                }
                shown.push_str(&format!(
                    "help: if the change is meant, `slidebook verify --bless {}` rewrites {}\n",
                    r.name, r.output
                ));
                eprint!("{shown}");
                continue;
            }
            Outcome::TimedOut { seconds } => Diagnostic::new(format!(
                "{} did not finish within {seconds} s, and was stopped",
                r.command
            ))
            .help("a command that needs longer: --timeout SECONDS, or `timeout` under [verify]; one that needs the network: `skip` under [verify]"),
            Outcome::Failed { why } => {
                Diagnostic::new(format!("{} could not be run: {why}", r.command))
            }
        };
        eprint!("{}", d.render());
    }
    for o in orphans {
        eprint!(
            "{}",
            Diagnostic::warning(format!(
                "output/{o} belongs to no command: there is no cmd/{o}.sh"
            ))
            .render()
        );
    }
    let n = |pred: fn(&Outcome) -> bool| results.iter().filter(|r| pred(&r.outcome)).count();
    let mut parts = vec![format!("{} the same", n(|o| matches!(o, Outcome::Same)))];
    let differ = n(|o| matches!(o, Outcome::Differs { .. }));
    if differ > 0 {
        parts.push(format!(
            "{differ} {}",
            if differ == 1 { "differs" } else { "differ" }
        ));
    }
    let blessed = n(|o| matches!(o, Outcome::Blessed));
    if bless {
        parts.push(format!("{blessed} rewritten"));
    }
    let stopped = n(|o| matches!(o, Outcome::TimedOut { .. }));
    if stopped > 0 {
        parts.push(format!("{stopped} timed out"));
    }
    let failed = n(|o| matches!(o, Outcome::Failed { .. }));
    if failed > 0 {
        parts.push(format!("{failed} could not run"));
    }
    let skipped = n(|o| matches!(o, Outcome::Skipped));
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    eprintln!(
        "verified {}: {}",
        count(results.len(), "command"),
        parts.join(", ")
    );
}

/// The commands with an output to compare (`cmd/NAME.sh` and
/// `output/NAME`), and the outputs that no command makes.
fn pairs(root: &Path) -> Result<(Vec<String>, Vec<String>)> {
    let names = |dir: &Path| -> Result<Vec<String>> {
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(Error::io(dir))? {
            let entry = entry.map_err(Error::io(dir))?;
            if entry.file_type().map_err(Error::io(dir))?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    };
    let scripts: Vec<String> = names(&root.join("cmd"))?
        .into_iter()
        .filter_map(|n| n.strip_suffix(".sh").map(str::to_string))
        .collect();
    let outputs = names(&root.join("output"))?;
    let commands = scripts
        .iter()
        .filter(|s| outputs.contains(s))
        .cloned()
        .collect();
    let orphans = outputs
        .into_iter()
        .filter(|o| !scripts.contains(o))
        .collect();
    Ok((commands, orphans))
}

/// `name` matches `pattern`, where `*` stands for any text.
fn matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The most a command may print.
const OUTPUT_LIMIT: u64 = 16 << 20;

enum Ran {
    Printed(Vec<u8>),
    TimedOut,
    Failed(String),
    Interrupted(i32),
}

/// Runs `sh SCRIPT` in `root` with its output and errors in one pipe.
fn run_one(root: &Path, script: &str, timeout: Duration, interrupts: &Interrupts) -> Result<Ran> {
    let (mut reader, writer) = match std::io::pipe() {
        Ok(pair) => pair,
        Err(e) => return Err(Error::io(PathBuf::from(script))(e)),
    };
    let errors = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return Err(Error::io(PathBuf::from(script))(e)),
    };
    let child = Command::new("sh")
        .arg(script)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(errors)
        .process_group(0)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Ok(Ran::Failed(format!("sh: {e}"))),
    };
    // What it prints is read as it comes, so a full pipe never stops it.
    let (sent, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // At most this much is kept; a command that prints more is
        // stopped (its output is no slide's).
        let mut out = Vec::new();
        let _ = (&mut reader).take(OUTPUT_LIMIT + 1).read_to_end(&mut out);
        let _ = sent.send(out);
    });
    let group = child.id() as libc::pid_t;
    let kill = || {
        // SAFETY: kill has no memory effects; the group is the child's own.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    };
    let started = Instant::now();
    loop {
        if let Some(signal) = interrupts.caught() {
            kill();
            let _ = child.wait();
            return Ok(Ran::Interrupted(signal));
        }
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) => {}
            Err(e) => return Ok(Ran::Failed(e.to_string())),
        }
        if started.elapsed() >= timeout {
            kill();
            let _ = child.wait();
            return Ok(Ran::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // Whatever it left running in its group goes too, which closes the
    // pipe; a process that left the group and keeps the pipe open is not
    // waited for long.
    kill();
    match printed.recv_timeout(Duration::from_secs(2)) {
        Ok(out) if out.len() as u64 > OUTPUT_LIMIT => Ok(Ran::Failed(format!(
            "it printed more than {} MiB",
            OUTPUT_LIMIT >> 20
        ))),
        Ok(out) => Ok(Ran::Printed(out)),
        Err(_) => Ok(Ran::Failed(
            "it left a process running that keeps its output open".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_patterns_match_names() {
        assert!(matches("cloud-*", "cloud-create"));
        assert!(matches("*-aws", "deploy-aws"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
        assert!(!matches("cloud-*", "local"));
        assert!(!matches("a*a", "a"));
    }
}
