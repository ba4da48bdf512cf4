//! The build folder served on localhost (or the address asked for), every
//! page made to follow the builds: a deck patches the slides a rebuild
//! changed, other pages reload, and a failed build lays its errors over
//! the page until the next good one (see `live.js`). A small HTTP/1.x
//! server of GET and HEAD on std's `TcpListener`, built so that no request
//! can take it down:
//!
//! - a fixed pool of workers, all started up front; a connection that
//!   finds their queue full is refused with 503;
//! - a request's head is capped in size and time, and its body is never
//!   read (only a bounded amount drained, so the answer is not lost);
//! - files are streamed; pages get the live script after their last
//!   byte rather than spliced in;
//! - a path must resolve to a real path inside the real build folder, so
//!   no symbolic link leads out of it;
//! - names on the deck list and everything in an error shown in a page
//!   are escaped, and a redirect is a single-slash path built from the
//!   checked one;
//! - a page waiting for the next build (a long poll) holds a socket in a
//!   list, not a thread: one notifier answers them all after a build, or
//!   when their wait is up; what a page learns then (the build's errors,
//!   of any size) it asks a worker for.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

mod http;
mod pages;

use crate::error::{Error, Result};
use http::{error_page, head, linger, parse, read_head};
use pages::{errors_page, route, send, wants_page, Reply};

/// Answers the number of the last build once it is not `since`.
pub(super) const WAIT: &str = "/__slidebook/wait";
/// The last build as JSON: its number, the number of the last good one,
/// and its errors as HTML (null when it was good).
pub(super) const STATUS: &str = "/__slidebook/status";
/// Threads answering requests; waiting pages hold none of them.
pub(super) const WORKERS: usize = 16;
/// Connections accepted but not yet taken by a worker.
pub(super) const QUEUE: usize = 256;
/// Connections the system may queue before they are accepted.
#[cfg(unix)]
pub(super) const BACKLOG: libc::c_int = 1024;
pub(super) const HEAD_MAX: usize = 16 * 1024;
/// The whole head must arrive within this, however slowly it trickles.
pub(super) const HEAD_TIME: Duration = Duration::from_secs(10);
/// A client that stops reading for this long is dropped.
pub(super) const WRITE_TIME: Duration = Duration::from_secs(10);
/// A waiting page is answered after this even without a new build.
pub(super) const WAIT_LIMIT: Duration = Duration::from_secs(25);
pub(super) const TICK: Duration = Duration::from_secs(1);
pub(super) const MAX_WAITERS: usize = 10_000;
/// Open files kept for everything but waiting pages (workers, the queue,
/// builds), or half of them when there are few.
pub(super) const FILES_KEPT: usize = 256;

pub(super) const HTML: &str = "text/html; charset=utf-8";
pub(super) const TEXT: &str = "text/plain; charset=utf-8";
pub(super) const JSON: &str = "application/json";

/// What the builds came to, and the pages waiting for the next.
#[derive(Default)]
pub struct Builds {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
pub(super) struct State {
    /// The last build; pages wait for its number to change.
    last: Seen,
    waiting: Vec<Waiter>,
    /// How many may wait at once (set when serving starts).
    cap: usize,
}

pub(super) struct Waiter {
    stream: TcpStream,
    since: u64,
    until: Instant,
    head_only: bool,
}

/// The last build as a page learns of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Seen {
    /// Its number (0 before the first).
    pub(super) build: u64,
    /// The number of the last good build, whose decks are served (0 if
    /// none was good yet).
    pub(super) good: u64,
    /// What went wrong, as HTML to lay over a page; `None` when it was good.
    pub(super) errors: Option<Arc<str>>,
}

impl Seen {
    /// No build was good yet, and the last failed: what would be missing
    /// gets the errors instead.
    pub(super) fn never_built(&self) -> bool {
        self.good == 0 && self.errors.is_some()
    }

    pub(super) fn to_json(&self) -> String {
        serde_json::json!({
            "build": self.build,
            "good": self.good,
            "errors": self.errors.as_deref(),
        })
        .to_string()
    }
}

impl Builds {
    // A panic elsewhere must not poison serving for good.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn seen(&self) -> Seen {
        self.lock().last.clone()
    }

    /// Counts a build: a good one is served and clears the errors shown,
    /// a failed one keeps the last good decks served and shows its errors
    /// over them. Waiting pages are told.
    pub fn record(&self, outcome: std::result::Result<(), &Error>) {
        let mut state = self.lock();
        let build = state.last.build + 1;
        state.last = match outcome {
            Ok(()) => Seen {
                build,
                good: build,
                errors: None,
            },
            Err(e) => {
                let good = state.last.good;
                Seen {
                    build,
                    good,
                    errors: Some(pages::errors_html(e, good == 0).into()),
                }
            }
        };
        drop(state);
        self.changed.notify_all();
    }

    /// Answers `stream` once the last build is not `since`: now if it is
    /// not (a page from before a restart counts too), else later from the
    /// notifier.
    fn hold(&self, stream: TcpStream, since: u64, head_only: bool) {
        let mut state = self.lock();
        let build = state.last.build;
        if build != since {
            drop(state);
            return answer_wait(stream, build, head_only);
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
            if state.last.build == answered {
                state = self
                    .changed
                    .wait_timeout(state, TICK)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            answered = state.last.build;
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

/// A listener on `port` of `ip` (0 picks a free port), and the address it
/// got.
pub fn listen(ip: IpAddr, port: u16) -> Result<(TcpListener, SocketAddr)> {
    let asked = SocketAddr::new(ip, port);
    let listener = TcpListener::bind(asked)
        .map_err(|e| Error::Usage(format!("cannot listen on {asked}: {e}")))?;
    // std listens with a backlog of 128: a burst of connections (every
    // open page at once after a build) overflows it, and the overflow waits
    // a second to retry. Listening again only raises the backlog.
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is the listener's own, open and bound.
        unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) };
    }
    let addr = listener.local_addr().unwrap_or(asked);
    Ok((listener, addr))
}

/// Where people can open what `addr` serves: the address itself, or for
/// an unspecified one (`0.0.0.0`, `::`) loopback first, then this
/// machine's other addresses of the same family.
pub fn urls(addr: SocketAddr) -> Vec<String> {
    let url = |ip: IpAddr| format!("http://{}/", SocketAddr::new(ip, addr.port()));
    let ip = addr.ip();
    if !ip.is_unspecified() {
        return vec![url(ip)];
    }
    let loopback = match ip {
        IpAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(_) => IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
    };
    let mut urls = vec![url(loopback)];
    for other in interface_addresses() {
        // `::` takes IPv4 too where the system maps it (Linux does).
        let fits = ip.is_ipv6() || other.is_ipv4();
        let link_local = matches!(other, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80);
        if fits && !other.is_loopback() && !link_local && !urls.contains(&url(other)) {
            urls.push(url(other));
        }
    }
    urls
}

/// The addresses of this machine's network interfaces.
#[cfg(unix)]
fn interface_addresses() -> Vec<IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list that is walked
    // read-only and freed once, below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut next = list;
    while !next.is_null() {
        // SAFETY: `next` is a node of the list, which stays allocated until
        // freeifaddrs; `ifa_addr` is null or points to a sockaddr of the
        // family it names.
        unsafe {
            let ifa = &*next;
            if !ifa.ifa_addr.is_null() {
                match i32::from((*ifa.ifa_addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                        found.push(IpAddr::from(
                            u32::from_be(sin.sin_addr.s_addr).to_be_bytes(),
                        ));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                        found.push(IpAddr::from(sin6.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            next = ifa.ifa_next;
        }
    }
    // SAFETY: the list getifaddrs gave, freed once, not used after.
    unsafe { libc::freeifaddrs(list) };
    found
}

#[cfg(not(unix))]
fn interface_addresses() -> Vec<IpAddr> {
    Vec::new()
}

/// Serves `dir` on `listener` from threads of its own, all started here:
/// none is started later, so none can fail to start later. Pages follow
/// each build `builds` records.
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

/// Tells a waiting page the number of the last build: a few bytes, so
/// they fit the socket's buffer (the rest it asks a worker for).
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
    // Taken before the file is opened: a page is never told of a build
    // older than it is, so at worst it looks again for nothing.
    let seen = builds.seen();
    if request.path == WAIT && !unread {
        let since = request
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return builds.hold(stream, since, request.head_only);
    }
    let reply = match request.path {
        WAIT => Reply::Small(200, TEXT, seen.build.to_string(), String::new()),
        STATUS => Reply::Small(200, JSON, seen.to_json(), String::new()),
        path => match route(path, dir) {
            // Until a build is good there is nothing to show but why.
            r if seen.never_built() && r.is_missing() && wants_page(path) => {
                Reply::Page(503, errors_page(&seen))
            }
            r => r,
        },
    };
    let _ = send(&mut stream, reply, request.head_only, &seen);
    if unread {
        linger(stream);
    }
}
