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

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

mod http;
mod pages;

use crate::error::{Error, Result};
use http::{error_page, head, linger, parse, read_head};
use pages::{route, send, Reply};

pub(super) const WAIT: &str = "/__slidebook/wait";
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

/// The number of the last good build, and the pages waiting for the next.
#[derive(Default)]
pub struct Builds {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
pub(super) struct State {
    count: u64,
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
