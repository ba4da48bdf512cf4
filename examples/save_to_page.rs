//! From a save to the change in the served page: starts `slidebook serve`
//! on a talk, then, again and again, appends a new word to one of the
//! talk's files and times how long until the deck's page holds it: the
//! server is asked for the next build as an open page asks (it answers
//! once there is one), then the page is fetched. Prints each time and the
//! median.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example save_to_page -- TALK_DIR FILE [DECK] [RUNS]
//! ```
//!
//! FILE is relative to TALK_DIR (an included file, say); DECK is the deck's
//! folder in the build folder (default: the only one); RUNS defaults to 20.
//! The talk is edited in place: run it on a copy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: save_to_page TALK_DIR FILE [DECK] [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let bin = std::env::var("SLIDEBOOK")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/slidebook")
        });
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0"])
        .current_dir(dir)
        .stderr(Stdio::piped())
        .spawn()
        .expect("slidebook serve starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("serve prints").expect("a line");
        if let Some(url) = line.split(" at http://127.0.0.1:").nth(1) {
            break url.split('/').next().unwrap().parse().unwrap();
        }
    };
    // The rest of what serve prints is read and dropped, so it never blocks.
    std::thread::spawn(move || for _ in lines {});
    let page = match args.get(2) {
        Some(deck) => format!("/{deck}/index.html"),
        None => "/".to_string(),
    };
    let path = PathBuf::from(dir).join(file);
    let original = std::fs::read_to_string(&path).expect("FILE is readable");
    let mut times = Vec::new();
    // The number of the last build, as the server counts them.
    let body = |reply: String| reply.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    let build_of = |status: &str| -> u64 {
        let at = status
            .find("\"build\":")
            .expect("the status names its build")
            + 8;
        let digits: String = status[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().expect("a build number")
    };
    for n in 0..runs {
        std::thread::sleep(Duration::from_millis(300));
        let mut seen = build_of(&body(get(port, "/__slidebook/status")));
        let word = format!("savedword{n}x{}", std::process::id());
        std::fs::write(&path, format!("{original}\n{word}\n")).unwrap();
        let start = Instant::now();
        let mut url = page.clone();
        loop {
            // Wait for the next build as an open page does (the server
            // answers once there is one), then fetch the page.
            let next = body(get(port, &format!("/__slidebook/wait?since={seen}")));
            if let Ok(next) = next.trim().parse() {
                seen = next;
            }
            let reply = get(port, &url);
            if let Some(to) = reply.split("\r\nLocation: ").nth(1) {
                url = to.lines().next().unwrap_or("/").to_string() + "index.html";
                continue;
            }
            if reply.contains(&word) {
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                panic!("the change was not served within 10 s");
            }
        }
        let took = start.elapsed();
        println!("save {n}: {:.1} ms", took.as_secs_f64() * 1000.0);
        times.push(took);
    }
    std::fs::write(&path, original).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    println!(
        "median of {runs}: {:.1} ms (min {:.1}, max {:.1})",
        times[runs / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[runs - 1].as_secs_f64() * 1000.0
    );
}
