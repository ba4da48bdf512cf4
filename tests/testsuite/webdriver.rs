//! A real Chromium, driven through chromedriver's WebDriver protocol, for
//! tests of the deck's runtime as a presenter uses it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

pub struct Browser {
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--allow-file-access-from-files",
    "--window-size=1280,720",
];

fn find(names: &[&str]) -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

impl Browser {
    /// A fresh headless Chromium, or `None` (said on stderr) when it is
    /// not installed. CI sets SLIDEBOOK_REQUIRE_BROWSER=1 to make that a
    /// failure.
    pub fn start() -> Option<Browser> {
        Browser::start_with(&[])
    }

    /// A browser with no network: every name resolves to nothing, and no
    /// proxy answers.
    pub fn start_offline() -> Option<Browser> {
        Browser::start_with(&[
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
        ])
    }

    fn start_with(extra: &[&str]) -> Option<Browser> {
        let chromium = find(&["chromium", "chromium-browser", "google-chrome"]);
        let driver = find(&["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            if std::env::var_os("SLIDEBOOK_REQUIRE_BROWSER").is_some() {
                panic!("SLIDEBOOK_REQUIRE_BROWSER is set but chromium or chromedriver is missing");
            }
            crate::harness::skip("chromium and chromedriver are not installed");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut browser = Browser {
            driver: child,
            base: format!("http://127.0.0.1:{port}"),
            _profile: tempfile::tempdir().unwrap(),
        };
        let started = Instant::now();
        while ureq::get(&format!("{}/status", browser.base))
            .call()
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = browser._profile.path().to_path_buf();
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().map(|a| a.to_string()));
        let session = browser.post(
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "goog:chromeOptions": {"binary": chromium, "args": args},
                // What the page asks the network for, read by `requests`.
                "goog:loggingPrefs": {"performance": "ALL"}
            }}}),
        );
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        browser.base = format!("{}/session/{id}", browser.base);
        Some(browser)
    }

    /// Every request the pages made since the last call, with `true` for
    /// those that failed, from the browser's own log.
    pub fn requests(&self) -> Vec<(String, bool)> {
        let log = self.post("/se/log", json!({"type": "performance"}));
        let mut urls: Vec<(String, String)> = Vec::new();
        let mut failed = Vec::new();
        for entry in log.as_array().into_iter().flatten() {
            let Some(text) = entry["message"].as_str() else {
                continue;
            };
            let Ok(m) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let m = &m["message"];
            match m["method"].as_str() {
                Some("Network.requestWillBeSent") => urls.push((
                    m["params"]["requestId"].as_str().unwrap_or("").to_string(),
                    m["params"]["request"]["url"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )),
                Some("Network.loadingFailed") => {
                    failed.push(m["params"]["requestId"].as_str().unwrap_or("").to_string())
                }
                _ => {}
            }
        }
        urls.into_iter()
            .map(|(id, url)| {
                let bad = failed.contains(&id);
                (url, bad)
            })
            .collect()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        match ureq::post(&url).send_json(body) {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => {
                panic!(
                    "WebDriver {path}: {code} {}",
                    r.into_string().unwrap_or_default()
                )
            }
            Err(e) => panic!("WebDriver {path}: {e}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        ureq::get(&url)
            .call()
            .unwrap()
            .into_json::<Value>()
            .unwrap()["value"]
            .clone()
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// Runs JavaScript in the page (a function body; `return` a value).
    pub fn eval(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Waits (up to five seconds) until `script` returns `want`, and gives
    /// the last value seen.
    pub fn wait_for(&self, script: &str, want: &Value) -> Value {
        let started = Instant::now();
        loop {
            let got = self.eval(script);
            if &got == want || started.elapsed() > Duration::from_secs(5) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses and releases a key, as a person at the keyboard would. Keys
    /// are characters, or WebDriver codes such as "\u{E014}" (→).
    pub fn press(&self, key: &str) {
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key},
                {"type": "keyUp", "value": key}
            ]}]}),
        );
    }

    pub fn windows(&self) -> Vec<String> {
        serde_json::from_value(self.get("/window/handles")).unwrap()
    }

    pub fn window(&self) -> String {
        self.get("/window").as_str().unwrap().to_string()
    }

    pub fn switch_to(&self, handle: &str) {
        self.post("/window", json!({ "handle": handle }));
    }

    pub fn set_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }));
    }

    pub fn screenshot(&self) -> Vec<u8> {
        decode(&self.get("/screenshot"))
    }

    /// The page printed to PDF, as the browser's print dialog would.
    pub fn print(&self) -> Vec<u8> {
        decode(&self.post("/print", json!({ "background": true })))
    }
}

fn decode(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("base64 text"))
        .unwrap()
}

/// Pages in a PDF: its `/Type /Page` objects.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let re = regex::Regex::new(r"/Type\s*/Page\b").unwrap();
    re.find_iter(&text).count()
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
