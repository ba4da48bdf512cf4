//! The build folder served on localhost, every page made to reload itself
//! after a rebuild. A small HTTP/1.x server of GET and HEAD on std's
//! `TcpListener`, built so that no request can take it down:
//!
//! - a fixed pool of workers, all started up front; a connection that
//!   finds their queue full is refused with 503;
//! - a request's head is capped in size and time, and its body is never
//!   read (only a bounded amount drained, so the answer is not lost);
//! - files are streamed; pages get the reload script after their last
//!   byte rather than spliced in;
//! - a path must resolve to a real path inside the real build folder, so
//!   no symbolic link leads out of it;
//! - names on the deck list are escaped, and a redirect is a single-slash
//!   path built from the checked one;
//! - a page waiting for the next build (a long poll) holds a socket in a
//!   list, not a thread: one notifier answers them all after a build, or
//!   when their wait is up.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::html::escape;

const WAIT: &str = "/__slidebook/wait";
/// Threads answering requests; waiting pages hold none of them.
const WORKERS: usize = 16;
/// Connections accepted but not yet taken by a worker.
const QUEUE: usize = 256;
/// Connections the system may queue before they are accepted.
#[cfg(unix)]
const BACKLOG: libc::c_int = 1024;
const HEAD_MAX: usize = 16 * 1024;
/// The whole head must arrive within this, however slowly it trickles.
const HEAD_TIME: Duration = Duration::from_secs(10);
/// A client that stops reading for this long is dropped.
const WRITE_TIME: Duration = Duration::from_secs(10);
/// A waiting page is answered after this even without a new build.
const WAIT_LIMIT: Duration = Duration::from_secs(25);
const TICK: Duration = Duration::from_secs(1);
const MAX_WAITERS: usize = 10_000;
/// Open files kept for everything but waiting pages (workers, the queue,
/// builds), or half of them when there are few.
const FILES_KEPT: usize = 256;

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The number of the last good build, and the pages waiting for the next.
#[derive(Default)]
pub struct Builds {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    count: u64,
    waiting: Vec<Waiter>,
    /// How many may wait at once (set when serving starts).
    cap: usize,
}

struct Waiter {
    stream: TcpStream,
    since: u64,
    until: Instant,
    head_only: bool,
}

impl Builds {
    // A panic elsewhere must not poison serving for good.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> u64 {
        self.lock().count
    }

    pub fn bump(&self) {
        self.lock().count += 1;
        self.changed.notify_all();
    }

    /// Answers `stream` once the last build is not `since`: now if it is
    /// not (a page from before a restart counts too), else later from the
    /// notifier.
    fn hold(&self, stream: TcpStream, since: u64, head_only: bool) {
        let mut state = self.lock();
        let count = state.count;
        if count != since {
            drop(state);
            return answer_wait(stream, count, head_only);
        }
        if state.waiting.len() >= state.cap {
            drop(state);
            return refuse(stream);
        }
        state.waiting.push(Waiter {
            stream,
            since,
            until: Instant::now() + WAIT_LIMIT,
            head_only,
        });
    }

    /// The notifier: after each build, and every tick, answers the pages
    /// whose build is done or whose wait is up, and forgets those that
    /// hung up.
    fn notify_forever(&self) {
        let mut answered = 0;
        let mut state = self.lock();
        loop {
            if state.count == answered {
                state = self
                    .changed
                    .wait_timeout(state, TICK)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            answered = state.count;
            let now = Instant::now();
            let (due, rest): (Vec<Waiter>, Vec<Waiter>) = std::mem::take(&mut state.waiting)
                .into_iter()
                .partition(|w| answered != w.since || now >= w.until);
            state.waiting = rest;
            forget_hung_up(&mut state.waiting);
            drop(state);
            for w in due {
                answer_wait(w.stream, answered, w.head_only);
            }
            state = self.lock();
        }
    }
}

/// Drops waiting connections the client closed (or wrote more to), so
/// pages that went away do not fill the list.
#[cfg(unix)]
fn forget_hung_up(waiting: &mut Vec<Waiter>) {
    use std::os::fd::AsRawFd;
    let mut fds: Vec<libc::pollfd> = waiting
        .iter()
        .map(|w| libc::pollfd {
            fd: w.stream.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: `fds` is `fds.len()` initialised pollfds whose descriptors
    // stay open for the call (the list is locked by the caller).
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
    if ready <= 0 {
        return;
    }
    let mut i = 0;
    waiting.retain(|_| {
        let quiet = fds[i].revents == 0;
        i += 1;
        quiet
    });
}

#[cfg(not(unix))]
fn forget_hung_up(_: &mut Vec<Waiter>) {}

/// A listener on `port` of 127.0.0.1 (0 picks a free one), and the port
/// it got.
pub fn listen(port: u16) -> Result<(TcpListener, u16)> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| Error::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    // std listens with a backlog of 128: a burst of connections (every
    // open page at once after a build) overflows it, and the overflow waits
    // a second to retry. Listening again only raises the backlog.
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is the listener's own, open and bound.
        unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) };
    }
    let port = listener.local_addr().map_or(port, |a| a.port());
    Ok((listener, port))
}

/// Serves `dir` on `listener` from threads of its own, all started here:
/// none is started later, so none can fail to start later. Pages reload
/// after each build `builds` counts.
pub fn spawn(listener: TcpListener, dir: PathBuf, builds: Arc<Builds>) -> Result<()> {
    builds.lock().cap = waiter_cap();
    let start_error = |e| Error::Io {
        path: dir.clone(),
        source: e,
    };
    let (queue, taken) = mpsc::sync_channel(QUEUE);
    let taken = Arc::new(Mutex::new(taken));
    let mut workers = 0;
    let mut last_error = None;
    for i in 0..WORKERS {
        let (taken, dir, builds) = (taken.clone(), dir.clone(), builds.clone());
        match std::thread::Builder::new()
            .name(format!("serve-{i}"))
            .spawn(move || work(&taken, &dir, &builds))
        {
            Ok(_) => workers += 1,
            // Fewer workers serve as well, only slower.
            Err(e) => last_error = Some(e),
        }
    }
    if workers == 0 {
        return Err(start_error(last_error.expect("a worker failed")));
    }
    let notifier = builds.clone();
    std::thread::Builder::new()
        .name("serve-notify".into())
        .spawn(move || notifier.notify_forever())
        .map_err(start_error)?;
    std::thread::Builder::new()
        .name("serve-accept".into())
        .spawn(move || accept_forever(&listener, &queue))
        .map_err(start_error)?;
    Ok(())
}

/// How many pages may wait at once. Each holds an open file, so the soft
/// limit on those is first raised to the hard one (as Go programs do).
fn waiter_cap() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid rlimit to fill and then read.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return 0;
        }
        let want = limit.rlim_max.min(1 << 16);
        if want > limit.rlim_cur {
            let raised = libc::rlimit {
                rlim_cur: want,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                limit.rlim_cur = want;
            }
        }
        let files = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
        files
            .saturating_sub(FILES_KEPT)
            .max(files / 2)
            .min(MAX_WAITERS)
    }
    #[cfg(not(unix))]
    {
        1000
    }
}

fn accept_forever(listener: &TcpListener, queue: &SyncSender<TcpStream>) {
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => hand_over(queue, stream),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                ) => {}
            // Out of files or memory for now: wait a little, never stop.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Queues a connection for the workers; when they stay busy for 100 ms,
/// refuses it.
fn hand_over(queue: &SyncSender<TcpStream>, mut stream: TcpStream) {
    for _ in 0..100 {
        match queue.try_send(stream) {
            Ok(()) => return,
            Err(TrySendError::Full(s)) => stream = s,
            Err(TrySendError::Disconnected(s)) => return refuse(s),
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    refuse(stream);
}

/// A 503, written without waiting on the client.
fn refuse(stream: TcpStream) {
    let answer = head(503, TEXT, 5, "Retry-After: 1\r\n") + "busy\n";
    write_now(stream, answer.as_bytes());
}

fn answer_wait(stream: TcpStream, build: u64, head_only: bool) {
    let body = build.to_string();
    let mut answer = head(200, TEXT, body.len() as u64, "");
    if !head_only {
        answer += &body;
    }
    write_now(stream, answer.as_bytes());
}

/// Writes a short answer that fits the socket's empty buffer, and closes.
/// Never blocks: a client that cannot take it simply loses it.
fn write_now(mut stream: TcpStream, bytes: &[u8]) {
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write(bytes);
    }
}

fn work(taken: &Mutex<Receiver<TcpStream>>, dir: &Path, builds: &Builds) {
    loop {
        let next = taken.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(stream) = next else { return };
        // A bug in answering one request costs that request, not a worker.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| answer(stream, dir, builds)));
    }
}

/// A request that passed [`parse`].
#[derive(Debug, PartialEq)]
struct Request<'a> {
    head_only: bool,
    path: &'a str,
    query: &'a str,
    /// It says a body follows (which is never read).
    body: bool,
}

fn answer(mut stream: TcpStream, dir: &Path, builds: &Builds) {
    let _ = stream.set_write_timeout(Some(WRITE_TIME));
    let _ = stream.set_nodelay(true);
    let (bytes, end) = match read_head(&mut stream) {
        Ok(head) => head,
        Err(Some(status)) => {
            let _ = stream.write_all(error_page(status).as_bytes());
            return linger(stream);
        }
        Err(None) => return,
    };
    let text = String::from_utf8_lossy(&bytes[..end]);
    let request = match parse(&text) {
        Ok(r) => r,
        Err(status) => {
            let _ = stream.write_all(error_page(status).as_bytes());
            return linger(stream);
        }
    };
    let unread = request.body || bytes.len() > end;
    if request.path == WAIT && !unread {
        let since = request
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return builds.hold(stream, since, request.head_only);
    }
    let reply = if request.path == WAIT {
        Reply::Small(200, TEXT, builds.current().to_string(), String::new())
    } else {
        route(request.path, dir)
    };
    let _ = send(&mut stream, reply, request.head_only, builds);
    if unread {
        linger(stream);
    }
}

/// Reads a request's head, through its blank line: the bytes read and
/// where the head ends in them. `Err(Some(status))` is an answer to give,
/// `Err(None)` a client that went quiet or away.
fn read_head(stream: &mut TcpStream) -> std::result::Result<(Vec<u8>, usize), Option<u16>> {
    let deadline = Instant::now() + HEAD_TIME;
    let mut bytes = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(None);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(None),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(None),
        };
        let from = bytes.len().saturating_sub(3);
        bytes.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&bytes, from) {
            return if end > HEAD_MAX {
                Err(Some(431))
            } else {
                Ok((bytes, end))
            };
        }
        if bytes.len() > HEAD_MAX {
            return Err(Some(431));
        }
    }
}

/// Where the blank line ending a head ends, looking from `from`: `\r\n\r\n`
/// or, from lax clients, `\n\n`.
fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.starts_with(b"\n\n") {
            Some(i + 2)
        } else if rest.starts_with(b"\n\r\n") {
            Some(i + 3)
        } else {
            None
        }
    })
}

/// The request line and headers; the status to answer with if they are
/// not a GET or HEAD of HTTP/1.x.
fn parse(head: &str) -> std::result::Result<Request<'_>, u16> {
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(400);
    }
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(400);
    }
    match version {
        "HTTP/1.0" | "HTTP/1.1" => {}
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(405),
    };
    let mut body = false;
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(400);
        };
        let name = name.trim();
        body |= name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value.trim() != "0");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        head_only,
        path,
        query,
        body,
    })
}

/// Closes a connection whose request left bytes unread. Closing on unread
/// bytes resets the connection, which can lose the answer on its way, so
/// a bounded amount is read and dropped first.
fn linger(stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut budget = 1usize << 20;
    let mut chunk = [0u8; 8192];
    while budget > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&stream).read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => budget = budget.saturating_sub(n),
        }
    }
}

enum Reply {
    File {
        file: File,
        len: u64,
        kind: &'static str,
    },
    /// The deck list, which gets the reload script like any page.
    List(String),
    /// Status, type, body, extra headers.
    Small(u16, &'static str, String, String),
}

fn not_found() -> Reply {
    Reply::Small(404, TEXT, "not found".into(), String::new())
}

/// What a URL path gets from the build folder `dir`.
fn route(path: &str, dir: &Path) -> Reply {
    let Some(rel) = rel_path(path) else {
        return not_found();
    };
    // Real paths, taken now: a build may have swapped the folder in since.
    let Ok(root) = std::fs::canonicalize(dir) else {
        return not_found();
    };
    let Some(real) = inside(&root, &root.join(&rel)) else {
        return not_found();
    };
    if real.is_dir() {
        if !path.ends_with('/') {
            let to = format!("Location: {}\r\n", location(&rel));
            return Reply::Small(301, TEXT, String::new(), to);
        }
        return match inside(&root, &real.join("index.html")).and_then(|p| open_file(&p)) {
            Some(reply) => reply,
            None => Reply::List(deck_list(&root, &real)),
        };
    }
    open_file(&real).unwrap_or_else(not_found)
}

/// The path under the build folder a URL path names; `None` if it would
/// leave it (`..`, a root) or is not a local path at all (`//host`).
fn rel_path(path: &str) -> Option<PathBuf> {
    if path == "/" {
        return Some(PathBuf::new());
    }
    let rel = PathBuf::from(crate::pipeline::local_path(path)?);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}

/// `path` with every link resolved, if that is still inside `root` (a real
/// path itself).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path)
        .ok()
        .filter(|real| real.starts_with(root))
}

/// A regular file, opened without following a final link (one put there
/// since it was resolved) or waiting on a FIFO.
fn open_file(path: &Path) -> Option<Reply> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then(|| Reply::File {
        file,
        len: meta.len(),
        kind: content_type(path),
    })
}

/// Where a folder asked for without its final slash is: one slash, then
/// the checked path's parts, so never `//host` or another site.
fn location(rel: &Path) -> String {
    let mut to = String::new();
    for part in rel.components() {
        to.push('/');
        to.push_str(&url_encode(part.as_os_str().as_encoded_bytes()));
    }
    to.push('/');
    to
}

/// Every byte but letters, digits and `-._~` as `%XX`.
fn url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn send(stream: &mut TcpStream, reply: Reply, head_only: bool, builds: &Builds) -> io::Result<()> {
    match reply {
        Reply::File { file, len, kind } => {
            let script = if kind == HTML {
                reload_script(builds.current())
            } else {
                String::new()
            };
            stream.write_all(head(200, kind, len + script.len() as u64, "").as_bytes())?;
            if head_only {
                return Ok(());
            }
            // Streamed (by sendfile where there is one), never read whole.
            let sent = io::copy(&mut file.take(len), stream)?;
            if sent < len {
                // The file shrank: the client sees a short answer and a close.
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            stream.write_all(script.as_bytes())
        }
        Reply::List(page) => {
            let page = page + &reload_script(builds.current());
            write_small(stream, 200, HTML, &page, "", head_only)
        }
        Reply::Small(status, kind, body, extra) => {
            write_small(stream, status, kind, &body, &extra, head_only)
        }
    }
}

fn write_small(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &str,
    extra: &str,
    head_only: bool,
) -> io::Result<()> {
    let mut answer = head(status, kind, body.len() as u64, extra);
    if !head_only {
        answer += body;
    }
    stream.write_all(answer.as_bytes())
}

/// An answer for a request that is not served, whole.
fn error_page(status: u16) -> String {
    let body = format!("{}\n", reason(status).to_ascii_lowercase());
    let extra = if status == 405 {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    head(status, TEXT, body.len() as u64, extra) + &body
}

/// A status line and headers; every answer closes its connection.
fn head(status: u16, kind: &str, len: u64, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\
         {extra}\r\n",
        reason(status)
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// A page linking to each deck in the folder `dir` (under the build
/// folder `root`): folders holding an `index.html`, not hidden ones (a
/// build's staging folders) and none whose page is outside `root`.
fn deck_list(root: &Path, dir: &Path) -> String {
    let mut decks: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| !name.as_encoded_bytes().starts_with(b"."))
        .filter(|name| {
            inside(root, &dir.join(name).join("index.html")).is_some_and(|p| p.is_file())
        })
        .collect();
    decks.sort();
    let items: String = decks
        .iter()
        .map(|name| {
            let href = url_encode(name.as_encoded_bytes());
            let shown = escape(&name.to_string_lossy()).into_owned();
            format!(
                "<li><a href=\"{href}/\">{shown}</a> (<a href=\"{href}/handout.html\">handout</a>)</li>"
            )
        })
        .collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>slidebook</title></head><body><h1>Decks</h1><ul>{items}</ul></body></html>")
}

/// A script that waits for the next build and reloads, put after a page's
/// last byte (after `</html>` too, where browsers run it all the same): the
/// page is streamed as it is, never copied to splice it in.
fn reload_script(build: u64) -> String {
    format!(
        "\n<script>/* slidebook serve: reload after each rebuild */(function(){{var seen={build};\
function wait(){{fetch('{WAIT}?since='+seen,{{cache:'no-store'}}).then(function(r){{\
if(!r.ok)throw r;return r.text()}}).then(function(t){{if(+t!=seen){{location.reload()}}\
else{{wait()}}}},function(){{setTimeout(wait,1000)}})}}wait()}})();</script>\n"
    )
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => HTML,
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("txt" | "md" | "sh") => TEXT,
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_stay_inside_the_build_folder() {
        assert_eq!(rel_path("/"), Some(PathBuf::new()));
        assert_eq!(
            rel_path("/talk/index.html"),
            Some(PathBuf::from("talk/index.html"))
        );
        assert_eq!(
            rel_path("/talk/img/a%20b.png"),
            Some(PathBuf::from("talk/img/a b.png"))
        );
        assert_eq!(rel_path("/../etc/passwd"), None);
        assert_eq!(rel_path("/talk/%2e%2e/%2e%2e/x"), None);
        assert_eq!(rel_path("//evil.example"), None);
        assert_eq!(rel_path("/%2F%2Fevil.example"), None);
    }

    #[test]
    fn redirects_are_single_slash_paths() {
        assert_eq!(location(Path::new("talk")), "/talk/");
        assert_eq!(location(Path::new("a b/c")), "/a%20b/c/");
        assert_eq!(location(Path::new("https:x")), "/https%3Ax/");
    }

    #[test]
    fn only_get_and_head_of_http_1_are_served() {
        let get = parse("GET /a?since=3 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(
            get,
            Request {
                head_only: false,
                path: "/a",
                query: "since=3",
                body: false
            }
        );
        assert!(parse("HEAD / HTTP/1.0\n\n").unwrap().head_only);
        let with_body = parse("GET / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(with_body.unwrap().body);
        assert_eq!(parse("POST / HTTP/1.1\r\n\r\n"), Err(405));
        assert_eq!(parse("GET / HTTP/2.0\r\n\r\n"), Err(505));
        assert_eq!(parse("GET /\r\n\r\n"), Err(400));
        assert_eq!(parse("GET http://x/ HTTP/1.1\r\n\r\n"), Err(400));
        assert_eq!(parse("GET / HTTP/1.1\r\nno colon\r\n\r\n"), Err(400));
        assert_eq!(parse("\u{0}\r\n\r\n"), Err(400));
    }

    #[test]
    fn heads_end_at_the_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nbody", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
    }

    #[test]
    fn the_reload_script_goes_after_the_page() {
        let script = reload_script(3);
        assert!(script.contains("var seen=3;"));
        assert!(script.trim_end().ends_with("</script>"));
    }
}
