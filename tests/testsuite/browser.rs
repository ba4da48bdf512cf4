//! The built deck in a real, headless Chromium: what a presenter does with
//! it, from `file://`, with the keyboard.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::build::built_basics;
use crate::harness::Talk;
use crate::webdriver::{pdf_pages, Browser};

const RIGHT: &str = "\u{E014}";
const LEFT: &str = "\u{E012}";
const HOME: &str = "\u{E011}";
const END: &str = "\u{E010}";

/// The index of the `present` slide, or -1, and how many are present.
const PRESENT: &str = "
    const s = [...document.querySelectorAll('.reveal > .slides > section')];
    return [s.findIndex(x => x.classList.contains('present')),
            s.filter(x => x.classList.contains('present')).length];";

fn deck_url(talk: &Talk, rest: &str) -> String {
    format!(
        "file://{}/book/deck/index.html{rest}",
        talk.path().display()
    )
}

#[test]
fn the_hash_selects_a_slide_and_keys_move_through_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    assert_eq!(b.wait_for(PRESENT, &json!([2, 1])), json!([2, 1]));
    assert_eq!(
        b.eval("return document.querySelector('section.present h2').textContent"),
        json!("Code with a comment")
    );
    b.press(RIGHT);
    assert_eq!(b.wait_for(PRESENT, &json!([3, 1])), json!([3, 1]));
    assert_eq!(
        b.wait_for("return location.hash", &json!("#/3")),
        json!("#/3")
    );
    b.press(" ");
    assert_eq!(b.wait_for(PRESENT, &json!([4, 1])), json!([4, 1]));
    b.press(LEFT);
    assert_eq!(b.wait_for(PRESENT, &json!([3, 1])), json!([3, 1]));
    b.press(END);
    assert_eq!(b.wait_for(PRESENT, &json!([6, 1])), json!([6, 1]));
    b.press(HOME);
    assert_eq!(b.wait_for(PRESENT, &json!([0, 1])), json!([0, 1]));
    // Reloading stays on the slide the address names.
    b.goto(&deck_url(&talk, "#/5"));
    assert_eq!(b.wait_for(PRESENT, &json!([5, 1])), json!([5, 1]));
    assert_eq!(
        b.eval("return document.querySelector('.sb-number').textContent"),
        json!("6 / 7")
    );
}

#[test]
fn notes_are_never_visible_on_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    b.wait_for(PRESENT, &json!([2, 1]));
    let shown = b.eval(
        "return [...document.querySelectorAll('aside.notes')]
            .filter(a => getComputedStyle(a).display !== 'none' || a.offsetHeight > 0).length",
    );
    assert_eq!(shown, json!(0));
    assert_eq!(
        b.eval("return document.querySelectorAll('aside.notes').length"),
        json!(5)
    );
}

#[test]
fn the_slide_scales_to_the_window_at_its_aspect_ratio() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    let size = "const r = document.querySelector('section.present').getBoundingClientRect();
                return [Math.round(r.width), Math.round(r.height)];";
    b.goto(&deck_url(&talk, "#/3"));
    b.wait_for(PRESENT, &json!([3, 1]));
    b.set_size(800, 900);
    let inner = b.eval("return [innerWidth, innerHeight]");
    let width = inner[0].as_f64().unwrap();
    let got = b.wait_for(size, &Value::Null);
    let (w, h) = (got[0].as_f64().unwrap(), got[1].as_f64().unwrap());
    assert!((w / h - 16.0 / 9.0).abs() < 0.02, "{w}x{h} is not 16:9");
    assert!(
        (w - width).abs() <= 2.0,
        "slide {w} wide in a window {width} wide"
    );
}

#[test]
fn overview_and_blackout_toggle_from_the_keyboard() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/1"));
    b.wait_for(PRESENT, &json!([1, 1]));
    let open = "return document.body.classList.contains('sb-overview-open')";
    b.press("o");
    assert_eq!(b.wait_for(open, &json!(true)), json!(true));
    assert_eq!(
        b.eval("return document.querySelectorAll('.sb-overview-item').length"),
        json!(7)
    );
    b.press("\u{E00C}");
    assert_eq!(b.wait_for(open, &json!(false)), json!(false));
    let black = "return document.body.classList.contains('sb-black')";
    b.press("b");
    assert_eq!(b.wait_for(black, &json!(true)), json!(true));
    b.press("b");
    assert_eq!(b.wait_for(black, &json!(false)), json!(false));
}

#[test]
fn the_speaker_view_shows_notes_and_follows_the_deck() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/2"));
    b.wait_for(PRESENT, &json!([2, 1]));
    let main = b.window();
    b.press("s");
    let started = std::time::Instant::now();
    while b.windows().len() < 2 && started.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let speaker = b
        .windows()
        .into_iter()
        .find(|w| *w != main)
        .expect("a speaker window");
    b.switch_to(&speaker);
    let notes = "const n = document.querySelector('.sb-sp-notes-body');
                 return n ? n.textContent.trim() : null";
    let got = b.wait_for(notes, &json!("x"));
    assert!(
        got.as_str()
            .unwrap_or("")
            .starts_with("The fence above shows HTML."),
        "speaker notes: {got}"
    );
    assert!(b
        .eval("return document.querySelector('.sb-sp-clock').textContent")
        .as_str()
        .unwrap()
        .contains(':'));
    // Moving in the deck moves the speaker view.
    b.switch_to(&main);
    b.press(RIGHT);
    b.press(RIGHT);
    b.wait_for(PRESENT, &json!([4, 1]));
    b.switch_to(&speaker);
    let want = json!("Same title, a new slide.");
    assert_eq!(b.wait_for(notes, &want), want);
    // And moving in the speaker view moves the deck.
    b.press(RIGHT);
    b.switch_to(&main);
    assert_eq!(b.wait_for(PRESENT, &json!([5, 1])), json!([5, 1]));
}

#[test]
fn printing_gives_one_page_per_slide() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&deck_url(&talk, "#/0"));
    b.wait_for(PRESENT, &json!([0, 1]));
    assert_eq!(pdf_pages(&b.print()), 7);
}

#[test]
fn the_handout_prints() {
    let Some(b) = Browser::start() else { return };
    let talk = built_basics();
    b.goto(&format!(
        "file://{}/book/deck/handout.html",
        talk.path().display()
    ));
    let pages = pdf_pages(&b.print());
    assert!((1..=7).contains(&pages), "{pages} pages");
    assert!(b.screenshot().starts_with(b"\x89PNG"));
}

#[test]
fn pdf_prints_the_deck_one_slide_a_page_and_the_handout() {
    if Browser::start().is_none() {
        return;
    }
    let talk = Talk::fixture("basics");
    talk.args(&["pdf"])
        .stderr(
            "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html
printing deck slides (1 of 2) ...
printed deck slides -> book/deck/deck.pdf (7 pages)
printing deck handout (2 of 2) ...
printed deck handout -> book/deck/deck-handout.pdf (3 pages)
",
        )
        .run();
    let deck = std::fs::read(talk.path().join("book/deck/deck.pdf")).unwrap();
    assert!(deck.starts_with(b"%PDF"));
    assert_eq!(pdf_pages(&deck), 7);
    // The title and contents, then six entries three to a page.
    let handout = std::fs::read(talk.path().join("book/deck/deck-handout.pdf")).unwrap();
    assert_eq!(pdf_pages(&handout), 3);
}

#[test]
fn pdf_without_a_browser_says_what_to_install() {
    let talk = Talk::fixture("basics");
    // SLIDEBOOK_CHROMIUM is unset for every run.
    talk.args(&["pdf"])
        .env("PATH", "/nonexistent")
        .status(1)
        .stderr(
            "error: `slidebook pdf` needs Chromium or Chrome, and found neither on PATH
help: install chromium (Debian: apt-get install chromium), or set SLIDEBOOK_CHROMIUM to the browser's path
",
        )
        .run();
    assert!(
        !talk.path().join("book").exists(),
        "nothing is built without a browser"
    );
}

/// A stand-in for Chromium that never finishes: it fills its profile
/// folder, starts a child, notes both process ids, and both sleep. Its
/// temporary folder (`TMPDIR` for the run) is beside it.
struct HangingBrowser {
    dir: tempfile::TempDir,
}

impl HangingBrowser {
    fn new() -> HangingBrowser {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        let script = bin.join("chromium");
        std::fs::write(
            &script,
            format!(
                r#"#!/bin/sh
for a in "$@"; do
  case "$a" in
    --user-data-dir=*) mkdir -p "${{a#--user-data-dir=}}" && echo x > "${{a#--user-data-dir=}}/Local State" ;;
  esac
done
sleep 1000 &
echo $! > '{dir}/child.pid.new' && mv '{dir}/child.pid.new' '{dir}/child.pid'
echo $$ > '{dir}/browser.pid.new' && mv '{dir}/browser.pid.new' '{dir}/browser.pid'
sleep 1000
"#,
                dir = dir.path().display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        HangingBrowser { dir }
    }

    fn path(&self) -> String {
        self.dir.path().join("bin/chromium").display().to_string()
    }

    fn tmp(&self) -> String {
        self.dir.path().join("tmp").display().to_string()
    }

    /// The browser's and its child's ids, once both are running.
    fn pids(&self) -> Option<[i32; 2]> {
        let read = |name: &str| {
            std::fs::read_to_string(self.dir.path().join(name))
                .ok()?
                .trim()
                .parse()
                .ok()
        };
        Some([read("browser.pid")?, read("child.pid")?])
    }

    /// Checks that the browser and its child were stopped and the
    /// temporary folder is empty: no profile left behind.
    fn assert_cleaned_up(&self) {
        let pids = self.pids().expect("the fake browser ran");
        // SIGKILL is delivered at once, but a process takes a moment to go.
        let started = Instant::now();
        while pids.iter().any(|&p| alive(p)) && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        for pid in pids {
            assert!(
                !alive(pid),
                "process {pid} of the fake browser is still running"
            );
        }
        let left: Vec<_> = std::fs::read_dir(self.tmp())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "left in the temporary folder: {left:?}");
    }
}

/// Whether a process runs (a zombie, dead but not yet reaped, does not).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => false,
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with(['Z', 'X'])
        }
    }
}

const BUILT_BASICS: &str =
    "built deck: 7 slides, 5 with notes, 3 files copied -> book/deck/index.html\n";
const PRINTING: &str = "printing deck slides (1 of 2) ...\n";

#[test]
fn pdf_stops_a_browser_that_hangs_after_the_timeout_and_leaves_nothing() {
    let talk = Talk::fixture("basics");
    let fake = HangingBrowser::new();
    let started = Instant::now();
    talk.args(&["pdf"])
        .env("SLIDEBOOK_CHROMIUM", &fake.path())
        .env("SLIDEBOOK_PDF_TIMEOUT", "1")
        .env("TMPDIR", &fake.tmp())
        .status(1)
        .stderr(format!(
            "{BUILT_BASICS}{PRINTING}error: chromium did not finish printing `book/deck/index.html` within 1 s
help: a big deck on a slow machine may need longer: set SLIDEBOOK_PDF_TIMEOUT to more seconds; \
if it never finishes, try `{} --headless --print-to-pdf=out.pdf {}/book/deck/index.html` by hand
",
            fake.path(),
            talk.path().display()
        ))
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    fake.assert_cleaned_up();
    assert!(!talk.path().join("book/deck/deck.pdf").exists());
}

/// `slidebook pdf` started with the fake browser, SIGINT set to
/// `sigint` (`SIG_DFL` or `SIG_IGN`), once the browser runs.
fn pdf_with_browser_running(
    talk: &Talk,
    fake: &HangingBrowser,
    sigint: libc::sighandler_t,
) -> std::process::Child {
    let mut command = crate::harness::slidebook(talk.path());
    command
        .arg("pdf")
        .env("SLIDEBOOK_CHROMIUM", fake.path())
        .env("SLIDEBOOK_PDF_TIMEOUT", "30")
        .env("TMPDIR", fake.tmp())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // Stated, not inherited: a shell that runs the tests in the background
    // has SIGINT ignored, and `slidebook` keeps an ignored SIGINT ignored.
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, move || {
            libc::signal(libc::SIGINT, sigint);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while fake.pids().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the fake browser never started");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Sends `signal` to `child`, and returns its exit code and stderr once it
/// has ended, which must be within 5 s.
fn stop_with(mut child: std::process::Child, signal: libc::c_int) -> (Option<i32>, String) {
    let sent = Instant::now();
    // SAFETY: kill has no memory effects.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("`slidebook pdf` still runs 5 s after signal {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

const INTERRUPTED: &str = "interrupted: stopped chromium while it printed `book/deck/index.html`\n";

#[test]
fn ctrl_c_during_pdf_stops_the_browser_and_removes_its_profile() {
    let talk = Talk::fixture("basics");
    let fake = HangingBrowser::new();
    let child = pdf_with_browser_running(&talk, &fake, libc::SIG_DFL);
    let (code, stderr) = stop_with(child, libc::SIGINT);
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert_eq!(stderr, format!("{BUILT_BASICS}{PRINTING}{INTERRUPTED}"));
    fake.assert_cleaned_up();
}

#[test]
fn sigterm_during_pdf_cleans_up_too_and_an_ignored_sigint_stays_ignored() {
    let talk = Talk::fixture("basics");
    let fake = HangingBrowser::new();
    let mut child = pdf_with_browser_running(&talk, &fake, libc::SIG_IGN);
    // SAFETY: kill has no memory effects.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGINT was ignored when `slidebook pdf` started, and must stay ignored"
    );
    let (code, stderr) = stop_with(child, libc::SIGTERM);
    assert_eq!(code, Some(128 + libc::SIGTERM), "stderr: {stderr}");
    assert_eq!(stderr, format!("{BUILT_BASICS}{PRINTING}{INTERRUPTED}"));
    fake.assert_cleaned_up();
}

#[test]
fn a_pdf_timeout_that_is_not_a_number_of_seconds_is_a_usage_error() {
    let talk = Talk::fixture("basics");
    for bad in ["soon", "0", "-5", "1.5"] {
        talk.args(&["pdf"])
            .env("SLIDEBOOK_CHROMIUM", "/nonexistent/chromium")
            .env("SLIDEBOOK_PDF_TIMEOUT", bad)
            .status(2)
            .stderr(format!(
                "error: SLIDEBOOK_PDF_TIMEOUT must be a whole number of seconds above 0, not `{bad}`\n"
            ))
            .run();
    }
    assert!(!talk.path().join("book").exists(), "nothing is built");
}

/// Chromium on PATH, or `None` (said on stderr) unless CI requires it.
pub fn chromium() -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&paths)
        .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("SLIDEBOOK_REQUIRE_BROWSER").is_some() {
            panic!("SLIDEBOOK_REQUIRE_BROWSER is set but chromium is missing");
        }
        crate::harness::skip("chromium is not installed");
    }
    found
}

#[test]
fn pdf_stops_a_real_chromium_on_a_page_that_never_loads_and_leaves_nothing() {
    let Some(chromium) = chromium() else { return };
    let talk = Talk::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Busy\"\n\n[[deck]]\nname = \"deck\"\nsource = \"main.md\"\n",
        )
        .file("main.md", "## Busy\n\n<script>while (true) {}</script>\n");
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = tmp.path().display().to_string();
    talk.args(&["pdf"])
        .env("SLIDEBOOK_PDF_TIMEOUT", "2")
        .env("TMPDIR", &tmp_path)
        .status(1)
        .stderr_ends_with(&format!(
            "error: {} did not finish printing `book/deck/index.html` within 2 s
help: a big deck on a slow machine may need longer: set SLIDEBOOK_PDF_TIMEOUT to more seconds; \
if it never finishes, try `{} --headless --print-to-pdf=out.pdf {}/book/deck/index.html` by hand
",
            chromium.file_name().unwrap().to_string_lossy(),
            chromium.display(),
            talk.path().display()
        ))
        .run();
    // Every process of that browser named its profile, in the folder.
    let running = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| {
                let e = e.ok()?;
                let pid: i32 = e.file_name().to_str()?.parse().ok()?;
                let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                (alive(pid) && cmdline.contains(&tmp_path)).then_some(cmdline)
            })
            .collect()
    };
    let started = Instant::now();
    while !running().is_empty() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(running(), Vec::<String>::new(), "still running");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in the temporary folder: {left:?}");
}
