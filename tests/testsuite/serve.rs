//! `slidebook serve`: the decks on localhost, rebuilt when a source
//! changes; open pages follow (a deck in place), and show what broke.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{slidebook, stderr_lines, Talk};
use crate::webdriver::Browser;

/// A running `slidebook serve`, stopped when dropped.
struct Serving {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
}

impl Serving {
    fn start(talk: &Talk) -> Serving {
        Serving::start_with(talk, |_| {})
    }

    /// Starts it after `setup` has had its say on the command.
    fn start_with(talk: &Talk, setup: impl FnOnce(&mut Command)) -> Serving {
        Serving::start_args(talk, &[], setup)
    }

    /// Starts `serve --port 0 ARGS...`, after `setup` has had its say.
    fn start_args(talk: &Talk, args: &[&str], setup: impl FnOnce(&mut Command)) -> Serving {
        let mut command = slidebook(talk.path());
        setup(&mut command);
        let mut child = command
            .args(["serve", "--port", "0"])
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let lines = stderr_lines(&mut child);
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

    /// `host:port` of the server.
    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Sends `request` as it is and reads the answer to its end.
    fn raw(&self, request: &[u8]) -> String {
        let mut c = TcpStream::connect(self.addr()).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(request).unwrap();
        let mut answer = Vec::new();
        c.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
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
    let talk = Talk::fixture("basics").file(
        "book.toml",
        "[[deck]]\nname = \"deck\"\nsource = \"slides/main.md\"\n\n\
         [[deck]]\nname = \"short\"\nsource = \"common/shared.md\"\n",
    );
    let s = Serving::start(&talk);
    let (code, list) = s.get("/");
    assert_eq!(code, 200);
    assert!(list.contains("<a href=\"deck/\">deck</a>"));
    assert!(list.contains("<a href=\"short/\">short</a>"));
    assert_eq!(s.get("/../book.toml").0, 404);
    assert_eq!(s.get("/deck/img/logo.svg").0, 200);
}

/// The build number a served page's reload script waits past.
fn seen_in(page: &str) -> u64 {
    page.split("var seen=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .and_then(|n| n.parse().ok())
        .expect("the reload script")
}

/// A number from the `NAME:` line of /proc/PID/status (`VmHWM` in kB).
fn proc_status(pid: u32, name: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// Raises this process's limit on open files as far as allowed (the server
/// inherits it), and gives it.
fn raise_open_files() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a valid rlimit to fill, then to pass back.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max.min(1 << 16),
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = raised.rlim_cur;
            }
        }
    }
    limit.rlim_cur
}

/// The status line and `Location` header of an answer.
fn status_and_location(answer: &str) -> (&str, Option<&str>) {
    let status = answer.lines().next().unwrap_or("");
    let location = answer
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Location: "));
    (status, location)
}

#[test]
fn serve_never_reads_a_request_body_and_answers_bad_requests() {
    let talk = Talk::fixture("basics");
    let mut s = Serving::start(&talk);
    // This body once made the server allocate 100 GB and die.
    let answer = s.raw(
        b"GET /deck/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n\r\nabcdef",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("<h2>Shared</h2>"));
    assert!(s.running());
    assert_eq!(s.get("/").0, 200);

    let post = s.raw(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
    assert!(post.contains("\r\nAllow: GET, HEAD\r\n"));
    let garbage = s.raw(b"hello\r\n\r\n");
    assert!(garbage.starts_with("HTTP/1.1 400 "), "{garbage}");
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    let huge = s.raw(huge.as_bytes());
    assert!(huge.starts_with("HTTP/1.1 431 "), "{huge}");
    let head = s.raw(b"HEAD /deck/img/logo.svg HTTP/1.0\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Type: image/svg+xml\r\n"));
    assert!(head.contains("\r\nCache-Control: no-store\r\n"));
    assert!(head.ends_with("\r\n\r\n"), "no body: {head}");
    assert!(s.running());
    assert_eq!(s.get("/deck/").0, 200);
}

#[test]
fn serve_holds_thousands_of_waiting_pages_on_a_few_threads() {
    let limit = raise_open_files();
    // 3,000 when the limit on open files allows it (each side holds one).
    let n = 3000.min(limit.saturating_sub(1000) as usize);
    assert!(n >= 1000, "too few open files allowed: {limit}");
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    let pid = s.pid();
    let seen = seen_in(&s.get("/deck/index.html").1);
    let request = format!("GET /__slidebook/wait?since={seen} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let mut peak = 0;
    let mut waiting = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = TcpStream::connect(s.addr()).unwrap();
        c.write_all(request.as_bytes()).unwrap();
        waiting.push(c);
        if i % 250 == 0 {
            peak = peak.max(proc_status(pid, "Threads"));
        }
    }
    // The server holds them all (one open file each) before it is measured.
    let deadline = Instant::now() + Duration::from_secs(10);
    while open_files(pid) < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let held = open_files(pid);
    assert!(
        held >= n,
        "the server holds {held} files for {n} waiting pages"
    );
    let threads = proc_status(pid, "Threads");
    peak = peak.max(threads);
    eprintln!("{n} waiting pages: {threads} threads (peak {peak}), {held} open files");
    assert!(peak < 64, "{peak} threads for {n} waiting pages");
    // Others are still served while they wait.
    assert_eq!(s.get("/deck/index.html").0, 200);

    let main = talk.path().join("slides/main.md");
    let text = std::fs::read_to_string(&main).unwrap() + "\n## Added while waiting\n";
    std::fs::write(&main, text).unwrap();
    s.next_line(|l| l.starts_with("built deck: 8 slides"));
    let want = format!("\r\n\r\n{}", seen + 1);
    let mut answered = 0;
    for mut c in waiting {
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut answer = String::new();
        if c.read_to_string(&mut answer).is_ok()
            && answer.starts_with("HTTP/1.1 200 OK\r\n")
            && answer.ends_with(&want)
        {
            answered += 1;
        }
    }
    assert_eq!(answered, n, "pages told of the new build");
    assert!(s.get("/deck/index.html").1.contains("Added while waiting"));
}

#[test]
fn serve_streams_big_files_in_little_memory() {
    const SIZE: usize = 50 << 20;
    const CLIENTS: usize = 30;
    const TAIL: usize = 16 << 10;
    let line = "<p>a big handout, streamed and never read whole.</p>\n";
    let mut page = String::with_capacity(SIZE);
    page.push_str("<!DOCTYPE html><html><body>\n");
    while page.len() + line.len() + 15 < SIZE {
        page.push_str(line);
    }
    page.push_str("</body></html>\n");
    let size = page.len() as u64;
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"deck\"\nsource = \"slides/main.md\"\n",
        )
        .file(
            "slides/main.md",
            "## Big\n\n[the handout](files/big.html)\n",
        )
        .file("files/big.html", page);
    let s = Serving::start(&talk);
    let pid = s.pid();
    let before = proc_status(pid, "VmHWM");
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let addr = s.addr().to_string();
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(&addr).unwrap();
                c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                c.write_all(b"GET /deck/files/big.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .unwrap();
                // Counted as it comes, keeping the head and the last bytes
                // (the live script's and a little more).
                let (mut total, mut first, mut last) = (0usize, Vec::new(), Vec::new());
                let mut chunk = vec![0u8; 1 << 16];
                loop {
                    let n = c.read(&mut chunk).unwrap();
                    if n == 0 {
                        break;
                    }
                    if first.len() < 1024 {
                        first.extend_from_slice(&chunk[..n.min(1024)]);
                    }
                    last.extend_from_slice(&chunk[..n]);
                    let keep = last.len().saturating_sub(TAIL);
                    last.drain(..keep);
                    total += n;
                }
                (total, first, last)
            })
        })
        .collect();
    for client in clients {
        let (total, first, last) = client.join().unwrap();
        let head = String::from_utf8_lossy(&first);
        let end = head.find("\r\n\r\n").expect("a head") + 4;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"));
        let len: u64 = head
            .split("Content-Length: ")
            .nth(1)
            .and_then(|r| r.split('\r').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!((total - end) as u64, len, "the whole body");
        let tail = String::from_utf8_lossy(&last);
        assert!(len > size && tail.contains("</body></html>\n\n<script>"));
        assert!(
            tail.trim_end().ends_with("</script>"),
            "the reload script last"
        );
    }
    let after = proc_status(pid, "VmHWM");
    eprintln!(
        "{CLIENTS} GETs of {} MB in {:.1?}: peak RSS {} MB before, {} MB after",
        size >> 20,
        started.elapsed(),
        before >> 10,
        after >> 10
    );
    assert!(after < 200 << 10, "peak RSS {after} kB");
}

#[test]
fn serve_keeps_links_inside_the_build_folder() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("secret.txt"), "top secret").unwrap();
    std::fs::write(secret.path().join("index.html"), "secret page").unwrap();
    let book = talk.path().join("book");
    use std::os::unix::fs::symlink as link;
    link(secret.path().join("secret.txt"), book.join("deck/leak.txt")).unwrap();
    link("/etc/passwd", book.join("deck/passwd.txt")).unwrap();
    link(secret.path(), book.join("outside")).unwrap();
    link("img/logo.svg", book.join("deck/alias.svg")).unwrap();
    for path in [
        "/deck/leak.txt",
        "/deck/passwd.txt",
        "/outside",
        "/outside/",
        "/outside/index.html",
        "/outside/secret.txt",
    ] {
        let (code, body) = s.get(path);
        assert_eq!(code, 404, "{path}: {body}");
        assert!(
            !body.contains("secret") && !body.contains("root:"),
            "{path}"
        );
    }
    // Not a deck either: `/` goes to the one deck there is.
    let answer = s.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(
        status_and_location(&answer),
        ("HTTP/1.1 302 Found", Some("/deck/"))
    );
    // A link that stays inside is followed.
    assert_eq!(s.get("/deck/alias.svg"), s.get("/deck/img/logo.svg"));
}

#[test]
fn serve_escapes_folder_names_in_the_deck_list() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    // book.toml refuses such deck names, but the build folder is anyone's.
    let name = "<img src=x onerror=alert(1)>";
    let odd = talk.path().join("book").join(name);
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(odd.join("index.html"), "<p>odd</p>").unwrap();
    let (code, list) = s.get("/");
    assert_eq!(code, 200);
    assert!(!list.contains("<img"), "{list}");
    assert!(
        list.contains(">&lt;img src=x onerror=alert(1)&gt;</a>"),
        "{list}"
    );
    let href = "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/";
    assert!(list.contains(&format!("<a href=\"{href}\">")), "{list}");
    let (code, page) = s.get(&format!("/{href}"));
    assert_eq!(code, 200);
    assert!(page.starts_with("<p>odd</p>"));
}

#[test]
fn serve_redirects_stay_on_the_site() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    for target in [
        "//evil.example",
        "//evil.example/",
        "//deck",
        "/%2F%2Fevil.example",
        "/%2F%2Fevil.example/",
        "/https:evil.example",
    ] {
        let answer = s.raw(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes());
        let (status, location) = status_and_location(&answer);
        assert_eq!(status, "HTTP/1.1 404 Not Found", "{target}");
        assert_eq!(location, None, "{target}");
    }
    let answer = s.raw(b"GET /deck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(
        status_and_location(&answer),
        ("HTTP/1.1 301 Moved Permanently", Some("/deck/"))
    );
}

#[test]
fn serve_outlives_running_out_of_open_files() {
    let talk = Talk::fixture("basics");
    let s = Serving::start_with(&talk, |command| {
        use std::os::unix::process::CommandExt;
        // SAFETY: only setrlimit, which is async-signal-safe, runs in the
        // child before exec.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 64,
                    rlim_max: 64,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });
    // Silent connections, more than it may open: accepting fails for a while.
    let silent: Vec<_> = (0..200)
        .map(|_| TcpStream::connect(s.addr()).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_files(s.pid()) < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(open_files(s.pid()) >= 60, "the server ran out of files");
    drop(silent);
    // Then it serves again, without a restart.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut code = 0;
    while code != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        code = ureq::get(&format!("{}/deck/", s.base))
            .timeout(Duration::from_secs(2))
            .call()
            .map_or(0, |r| r.status());
    }
    assert_eq!(code, 200);
}

/// Saves a file of the talk, as an editor would.
fn write(talk: &Talk, path: &str, text: &str) {
    let path = talk.path().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A talk of three slides whose second comes from an included file.
fn included_talk() -> Talk {
    Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"deck\"\nsource = \"slides/main.md\"\n",
        )
        .file(
            "slides/main.md",
            "## One\n\nfirst\n\ninclude(common/two.md)\n## Three\n\nthird\n",
        )
        .file("common/two.md", SLIDE_TWO)
}

const SLIDE_TWO: &str = "## Two\n\nThe word is apple.\n\n<!-- Say apple. -->\n";

/// The index of the `present` slide, or -1, and how many are present.
const PRESENT: &str = "
    const s = [...document.querySelectorAll('.reveal > .slides > section')];
    return [s.findIndex(x => x.classList.contains('present')),
            s.filter(x => x.classList.contains('present')).length];";

/// Whether the slide shown holds a word.
fn shown_has(word: &str) -> String {
    format!("return document.querySelector('section.present').textContent.includes('{word}')")
}

/// The overlay of errors' text, or null when there is none.
const OVERLAY: &str = "const e = document.getElementById('sb-live-errors');
    return e && !e.hidden ? e.innerText : null";

/// The speaker view's timer, in seconds.
const TIMER: &str = "const [h, m, s] = document.querySelector('.sb-sp-timer')
    .textContent.split(':').map(Number); return h * 3600 + m * 60 + s";

/// Waits (up to five seconds) for `script` to return a string holding
/// `part`, and gives the last value seen.
fn wait_for_text(b: &Browser, script: &str, part: &str) -> String {
    let started = Instant::now();
    loop {
        let got = b.eval(script);
        let text = got.as_str().unwrap_or_default().to_string();
        if text.contains(part) || started.elapsed() > Duration::from_secs(5) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Saves what the browser shows where SLIDEBOOK_SCREENSHOTS says, if it
/// does, for a person to look at.
fn keep_screenshot(b: &Browser, name: &str) {
    if let Some(dir) = std::env::var_os("SLIDEBOOK_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&dir).join(name), b.screenshot()).unwrap();
    }
}

/// The speaker window `s` opened from the deck window `main`.
fn open_speaker(b: &Browser, main: &str) -> String {
    b.press("s");
    let started = Instant::now();
    while b.windows().len() < 2 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    b.windows()
        .into_iter()
        .find(|w| w != main)
        .expect("a speaker window")
}

#[test]
fn serve_patches_an_open_deck_in_place_and_the_speaker_view_too() {
    let Some(b) = Browser::start() else { return };
    let talk = included_talk();
    let s = Serving::start(&talk);
    b.goto(&format!("{}/deck/#/1", s.base));
    assert_eq!(b.wait_for(PRESENT, &json!([1, 1])), json!([1, 1]));
    assert_eq!(b.wait_for(&shown_has("apple"), &json!(true)), json!(true));
    b.eval("window.__marker = 42; document.querySelector('section').dataset.mark = 'kept'");
    let main = b.window();
    let speaker = open_speaker(&b, &main);
    b.switch_to(&speaker);
    let current = "return document.querySelector('.sb-sp-current')?.textContent ?? ''";
    assert!(wait_for_text(&b, current, "apple").contains("apple"));
    b.eval("window.__marker = 7");
    // Its timer runs; a reload would start it again from 0.
    assert_eq!(
        b.wait_for(&format!("{TIMER} >= 2"), &json!(true)),
        json!(true)
    );

    write(
        &talk,
        "common/two.md",
        &SLIDE_TWO.replace("apple", "banana"),
    );
    let line = s.next_line(|l| l.starts_with("rebuilt"));
    assert!(line.ends_with(&format!("{}/", s.base)), "{line}");

    b.switch_to(&main);
    assert_eq!(b.wait_for(&shown_has("banana"), &json!(true)), json!(true));
    assert_eq!(b.eval("return window.__marker"), json!(42), "no page load");
    assert_eq!(b.eval(PRESENT), json!([1, 1]));
    assert_eq!(b.eval("return location.hash"), json!("#/1"));
    // Only the slide that changed was touched.
    assert_eq!(
        b.eval("return document.querySelector('section').dataset.mark"),
        json!("kept")
    );
    assert_eq!(
        b.eval("return document.querySelector('.sb-number').textContent"),
        json!("2 / 3")
    );

    b.switch_to(&speaker);
    assert!(wait_for_text(&b, current, "banana").contains("banana"));
    let notes = "return document.querySelector('.sb-sp-notes-body').textContent.trim()";
    assert_eq!(
        b.wait_for(notes, &json!("Say banana.")),
        json!("Say banana.")
    );
    assert_eq!(b.eval("return window.__marker"), json!(7), "no page load");
    let timer = b.eval(TIMER).as_u64().unwrap();
    assert!(timer >= 2, "the timer went on: {timer} s");

    // A slide more cannot be patched in: the page reloads, on its slide.
    b.switch_to(&main);
    write(
        &talk,
        "common/two.md",
        &format!("{SLIDE_TWO}\n## Two and a half\n"),
    );
    s.next_line(|l| l.starts_with("rebuilt"));
    let count = "return document.querySelector('.sb-number').textContent";
    assert_eq!(b.wait_for(count, &json!("2 / 4")), json!("2 / 4"));
    assert_eq!(b.eval("return window.__marker ?? null"), Value::Null);
    assert_eq!(b.eval(PRESENT), json!([1, 1]));
}

#[test]
fn serve_lays_a_failed_builds_errors_over_open_pages_until_it_builds() {
    let Some(b) = Browser::start() else { return };
    let talk = included_talk();
    let s = Serving::start(&talk);
    b.goto(&format!("{}/deck/#/1", s.base));
    assert_eq!(b.wait_for(&shown_has("apple"), &json!(true)), json!(true));
    b.eval("window.__marker = 42");

    write(
        &talk,
        "common/two.md",
        "## Two\n\nThe word is apple.\ninclude(nosuch.md)\n",
    );
    s.next_line(|l| l.starts_with("build failed"));
    let overlay = wait_for_text(&b, OVERLAY, "common/two.md:4");
    assert!(overlay.contains("common/two.md:4:9"), "{overlay}");
    assert!(
        overlay.contains("cannot open `nosuch.md`: no such file"),
        "{overlay}"
    );
    assert!(overlay.contains("include(nosuch.md)"), "{overlay}");
    assert!(
        overlay.contains("included from slides/main.md:5:1"),
        "{overlay}"
    );
    assert!(overlay.contains("help: "), "{overlay}");
    keep_screenshot(&b, "serve-errors-overlay.png");
    // Under it, the last good deck, as it was.
    assert_eq!(b.eval(&shown_has("apple")), json!(true));
    assert_eq!(b.eval("return window.__marker"), json!(42));
    // A page opened now shows them too.
    let (code, page) = s.get("/deck/");
    assert_eq!(code, 200);
    assert!(page.contains("failed=true;"));

    write(
        &talk,
        "common/two.md",
        &SLIDE_TWO.replace("apple", "cherry"),
    );
    s.next_line(|l| l.starts_with("rebuilt"));
    assert_eq!(b.wait_for(&shown_has("cherry"), &json!(true)), json!(true));
    assert_eq!(b.wait_for(OVERLAY, &Value::Null), Value::Null);
    assert_eq!(b.eval("return window.__marker"), json!(42), "no page load");
}

#[test]
fn serve_shows_why_the_first_build_failed_and_then_the_deck() {
    let talk = Talk::new()
        .file(
            "book.toml",
            "[[deck]]\nname = \"deck\"\nsource = \"slides/main.md\"\n",
        )
        .file("slides/main.md", "## One\n\ninclude(common/<two>.md)\n");
    let s = Serving::start(&talk);
    s.next_line(|l| l.starts_with("build failed: its errors are shown at"));
    for path in ["/", "/deck/", "/deck/index.html", "/deck"] {
        let (code, page) = s.get(path);
        assert_eq!(code, 503, "{path}");
        assert!(page.contains("slides/main.md:3:9"), "{path}: {page}");
        assert!(page.contains("common/&lt;two&gt;.md"), "{path}: {page}");
        assert!(!page.contains("<two>"), "{path}: {page}");
        assert!(page.contains("var seen="), "{path}: the live script");
    }
    assert_eq!(s.get("/deck/img/logo.svg").0, 404);

    let browser = Browser::start();
    if let Some(b) = &browser {
        b.goto(&format!("{}/", s.base));
        let overlay = wait_for_text(b, OVERLAY, "slides/main.md:3");
        assert!(overlay.contains("The talk does not build yet"), "{overlay}");
        assert!(overlay.contains("slides/main.md:3:9"), "{overlay}");
        keep_screenshot(b, "serve-first-build-failed.png");
    }
    write(&talk, "common/<two>.md", "## Two\n\nNow it builds.\n");
    s.next_line(|l| l.starts_with("rebuilt"));
    if let Some(b) = &browser {
        let has = "return document.querySelector('.reveal > .slides')?.textContent ?? ''";
        assert!(wait_for_text(b, has, "Now it builds.").contains("Now it builds."));
        assert_eq!(b.eval("return location.pathname"), json!("/deck/"));
        assert_eq!(b.eval(OVERLAY), Value::Null);
    }
    let answer = s.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(
        status_and_location(&answer),
        ("HTTP/1.1 302 Found", Some("/deck/"))
    );
}

#[test]
fn serve_sends_slash_to_the_only_deck() {
    let talk = Talk::fixture("basics");
    let s = Serving::start(&talk);
    for request in [
        &b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"[..],
        b"HEAD / HTTP/1.0\r\n\r\n",
    ] {
        let answer = s.raw(request);
        assert_eq!(
            status_and_location(&answer),
            ("HTTP/1.1 302 Found", Some("/deck/"))
        );
    }
    let (code, page) = s.get("/");
    assert_eq!(code, 200, "followed");
    assert!(page.contains("<h2>Shared</h2>"));
}

#[test]
fn serve_tells_pages_of_each_build_and_its_errors() {
    let talk = included_talk();
    let s = Serving::start(&talk);
    let status =
        |s: &Serving| -> Value { serde_json::from_str(&s.get("/__slidebook/status").1).unwrap() };
    assert_eq!(status(&s), json!({"build": 1, "good": 1, "errors": null}));
    write(&talk, "common/two.md", "## Two\n\ninclude(nosuch.md)\n");
    s.next_line(|l| l.starts_with("build failed"));
    let failed = status(&s);
    assert_eq!((&failed["build"], &failed["good"]), (&json!(2), &json!(1)));
    let errors = failed["errors"].as_str().unwrap();
    assert!(errors.contains("common/two.md:3:9"), "{errors}");
    assert_eq!(s.get("/__slidebook/wait?since=1").1, "2");
    write(&talk, "common/two.md", SLIDE_TWO);
    s.next_line(|l| l.starts_with("rebuilt"));
    assert_eq!(status(&s), json!({"build": 3, "good": 3, "errors": null}));
}

#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let talk = Talk::fixture("basics");
    let mut s = Serving::start(&talk);
    // SAFETY: a signal to the child this test started.
    assert_eq!(
        unsafe { libc::kill(s.pid() as libc::pid_t, libc::SIGINT) },
        0
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130), "{status:?}");
    let mut rest = Vec::new();
    while let Ok(line) = s.lines.recv_timeout(Duration::from_secs(5)) {
        rest.push(line);
    }
    // What came after the `serving` line: watching, then the stop.
    rest.retain(|l| !l.starts_with("watching "));
    assert_eq!(rest, ["stopped serving"]);
}

#[test]
fn serve_binds_the_address_asked_for() {
    let talk = Talk::fixture("basics");
    let s = Serving::start_args(&talk, &["--bind", "0.0.0.0"], |_| {});
    assert!(s.base.starts_with("http://127.0.0.1:"), "{}", s.base);
    let line = s.next_line(|l| l.starts_with("on the network"));
    assert!(
        line.ends_with(": anyone who can reach it may read book"),
        "{line}"
    );
    assert_eq!(s.get("/deck/").0, 200);
    talk.args(&["serve", "--bind", "nowhere"])
        .status(2)
        .stderr_any()
        .run();
}
