//! `slidebook serve`: the decks on localhost, rebuilt and reloaded when a
//! source changes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{slidebook, Talk};

/// A running `slidebook serve`, stopped when dropped.
struct Serving {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
}

impl Serving {
    fn start(talk: &Talk) -> Serving {
        let mut child = slidebook(talk.path())
            .args(["serve", "--port", "0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut serving = Serving {
            child,
            lines,
            base: String::new(),
        };
        let line = serving.next_line(|l| l.starts_with("serving "));
        let url = line
            .split(" at ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        serving.base = url.trim_end_matches('/').to_string();
        serving
    }

    /// The next line on stderr that `want` accepts (ten seconds at most).
    fn next_line(&self, want: impl Fn(&str) -> bool) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("serve printed the line in time");
            if want(&line) {
                return line;
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        match ureq::get(&format!("{}{path}", self.base)).call() {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
            Err(e) => panic!("{path}: {e}"),
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_rebuilds_on_save_and_pages_learn_of_it() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    let (code, page) = s.get("/deck/index.html");
    assert_eq!(code, 200);
    assert!(page.contains("<h2>Shared</h2>"));
    let seen: u64 = page
        .split("var seen=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .and_then(|n| n.parse().ok())
        .expect("the reload script");
    // A page waits for the next build...
    let base = s.base.clone();
    let waiting = std::thread::spawn(move || {
        ureq::get(&format!("{base}/__slidebook/wait?since={seen}"))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    });
    std::thread::sleep(Duration::from_millis(300));
    // ...which saving a source starts.
    let main = talk.path().join("slides/main.md");
    let text = std::fs::read_to_string(&main).unwrap() + "\n## Added while serving\n";
    std::fs::write(&main, text).unwrap();
    s.next_line(|l| l.starts_with("built deck: 8 slides"));
    assert_eq!(waiting.join().unwrap(), (seen + 1).to_string());
    assert!(s.get("/deck/index.html").1.contains("Added while serving"));
}

#[test]
fn serve_keeps_the_last_good_build_and_says_what_broke() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    std::fs::write(
        talk.path().join("common/shared.md"),
        "## Shared\n\ninclude(nope.md)\n",
    )
    .unwrap();
    let error = s.next_line(|l| l.starts_with("error:"));
    assert_eq!(error, "error: cannot open `nope.md`: no such file");
    assert!(s.get("/deck/index.html").1.contains("<h2>Shared</h2>"));
}

#[test]
fn serve_lists_decks_and_refuses_paths_outside_the_build() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    let (code, list) = s.get("/");
    assert_eq!(code, 200);
    assert!(list.contains("<a href=\"deck/\">deck</a>"));
    assert_eq!(s.get("/../book.toml").0, 404);
    assert_eq!(s.get("/deck/img/logo.svg").0, 200);
}
