//! Reading ahead. In a talk of thousands of files, expansion spends most
//! of its time waiting for the kernel to open and read them, one after the
//! other. Once a talk proves big, helper threads guess which files come
//! next (the literal names in the `include(…)` calls of every file read)
//! and read them while the expander works; the expander takes what is
//! ready and reads the rest itself.
//!
//! A guess can be wasted but never wrong: what is read is kept under the
//! exact name that was looked up, and found the same way the expander
//! would find it, so the expander only ever uses an answer to the question
//! it asks.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rustc_hash::FxHashMap as HashMap;

use crate::expand::is_word_char;
use crate::sources::{LoadError, RealDirs, Resolver, SourceFile};

/// What the expander is given for a name.
pub type Opened = Result<SourceFile, LoadError>;

/// Files read on the main thread before helpers start: a small talk is
/// done before a thread would be.
const START_AFTER: usize = 64;
/// Helper threads: two keep the kernel busy on two cores while the
/// expander, which needs little, takes its share.
const HELPERS: usize = 2;
/// Names a helper takes at a time: taking the lock for each would have
/// the threads queue for it.
const BATCH: usize = 16;

pub struct ReadAhead {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
    /// Files the main thread read itself, until helpers start.
    read_here: usize,
}

struct Shared {
    resolver: Arc<Resolver>,
    state: Mutex<State>,
    /// A name was queued, or reading ahead stopped.
    work: Condvar,
    /// A file was read.
    ready: Condvar,
}

#[derive(Default)]
struct State {
    /// Names to read, the next first: the includes of the file read last
    /// go to the front, as the expander will meet them before the rest.
    queue: VecDeque<String>,
    slots: HashMap<String, Slot>,
    /// Whether the expander waits on `ready`, and how many helpers on
    /// `work`: waking nobody costs a system call, so it is done only when
    /// someone waits.
    expander_waits: bool,
    idle_helpers: usize,
    stopped: bool,
}

enum Slot {
    Queued,
    Reading,
    Ready(Opened),
    /// The expander has it, or chose to read it itself.
    Taken,
}

impl ReadAhead {
    pub fn new(resolver: Arc<Resolver>) -> ReadAhead {
        ReadAhead {
            shared: Arc::new(Shared {
                resolver,
                state: Mutex::default(),
                work: Condvar::new(),
                ready: Condvar::new(),
            }),
            helpers: Vec::new(),
            read_here: 0,
        }
    }

    /// What was found for `name`, if a helper has it or is reading it;
    /// `None` when the caller should look it up itself.
    pub fn take(&self, name: &str) -> Option<Opened> {
        let mut state = self.shared.lock();
        loop {
            let stopped = state.stopped;
            match state.slots.get_mut(name) {
                Some(Slot::Reading) if !stopped => {
                    state.expander_waits = true;
                    state = self
                        .shared
                        .ready
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                    state.expander_waits = false;
                }
                Some(slot) => {
                    return match std::mem::replace(slot, Slot::Taken) {
                        Slot::Ready(opened) => Some(opened),
                        _ => None,
                    };
                }
                None => {
                    state.slots.insert(name.to_string(), Slot::Taken);
                    return None;
                }
            }
        }
    }

    /// The expander read a file itself: what it includes is worth reading
    /// ahead. Starts the helpers once the talk proves big.
    pub fn read_here(&mut self, bytes: &[u8]) {
        let names = literal_includes(bytes);
        let mut state = self.shared.lock();
        state.queue_front(names);
        if state.idle_helpers > 0 && !state.queue.is_empty() {
            self.shared.work.notify_all();
        }
        drop(state);
        self.read_here += 1;
        if self.read_here == START_AFTER {
            for _ in 0..HELPERS {
                let shared = Arc::clone(&self.shared);
                match std::thread::Builder::new()
                    .name("read-ahead".into())
                    .spawn(move || shared.help())
                {
                    Ok(handle) => self.helpers.push(handle),
                    // Without helpers the expander reads everything itself.
                    Err(_) => break,
                }
            }
        }
    }

    /// Stops the helpers, once expansion is over.
    pub fn stop(&mut self) {
        self.shared.lock().stopped = true;
        self.shared.work.notify_all();
        for helper in self.helpers.drain(..) {
            let _ = helper.join();
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A helper holds no invariant across a panic: its state is plain data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A helper's life: take the next name, find and read its file, queue
    /// what that file includes.
    fn help(&self) {
        // Should a helper ever panic, the expander must not wait for the
        // files it was reading: it reads them itself.
        struct Stop<'a>(&'a Shared);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.lock().stopped = true;
                    self.0.ready.notify_all();
                }
            }
        }
        let _stop = Stop(self);
        let mut batch = Vec::with_capacity(BATCH);
        let mut real_dirs = RealDirs::default();
        let mut state = self.lock();
        loop {
            if state.stopped {
                return;
            }
            while batch.len() < BATCH {
                let Some(name) = state.queue.pop_front() else {
                    break;
                };
                if let Some(slot @ Slot::Queued) = state.slots.get_mut(&name) {
                    *slot = Slot::Reading;
                    batch.push(name);
                }
            }
            if batch.is_empty() {
                state.idle_helpers += 1;
                state = self.work.wait(state).unwrap_or_else(|e| e.into_inner());
                state.idle_helpers -= 1;
                continue;
            }
            drop(state);
            let read: Vec<(String, Opened, Vec<String>)> = batch
                .drain(..)
                .map(|name| {
                    let opened = self.resolver.open_include(&name, &mut real_dirs);
                    let names = match &opened {
                        Ok(file) => literal_includes(file.text.as_bytes()),
                        Err(_) => Vec::new(),
                    };
                    (name, opened, names)
                })
                .collect();
            state = self.lock();
            // The first file's includes end up first in the queue.
            for (name, opened, names) in read.into_iter().rev() {
                state.slots.insert(name, Slot::Ready(opened));
                state.queue_front(names);
            }
            if state.expander_waits {
                self.ready.notify_all();
            }
        }
    }
}

impl State {
    fn queue_front(&mut self, names: Vec<String>) {
        for name in names.into_iter().rev() {
            if !self.slots.contains_key(&name) {
                self.slots.insert(name.clone(), Slot::Queued);
                self.queue.push_front(name);
            }
        }
    }
}

/// The names given to `include(…)` and `sinclude(…)` as plain text, in
/// order, without repeats: the ones worth guessing. Names built by macros,
/// absolute names and names that climb out with `..` are left alone.
pub fn literal_includes(bytes: &[u8]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(b"include("));
    for at in finder.find_iter(bytes) {
        let word_start = if at > 0 && bytes[at - 1] == b's' {
            at - 1
        } else {
            at
        };
        if word_start > 0 && is_word_char(bytes[word_start - 1]) {
            continue;
        }
        let rest = &bytes[at + "include(".len()..];
        // m4 skips white space before an argument.
        let skip = rest
            .iter()
            .position(|b| !b" \t\r\n".contains(b))
            .unwrap_or(rest.len());
        let rest = &rest[skip..];
        let Some(end) = rest.iter().position(|b| b"()`',#\n".contains(b) || *b == 0) else {
            continue;
        };
        if rest[end] != b')' || end == 0 || end > 1024 {
            continue;
        }
        let Ok(name) = std::str::from_utf8(&rest[..end]) else {
            continue;
        };
        if name.starts_with('/') || name.split('/').any(|c| c == "..") {
            continue;
        }
        if !names.iter().rev().take(8).any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_names_are_guessed_and_others_left_alone() {
        let text = b"include(a.md)sinclude( b.md)xinclude(c.md)\n\
            include(`quoted')include(d/LONG/e.md)include(/etc/f)\n\
            include(../g)include(h\n.md)include(a.md)include(i, j)include(k.md";
        assert_eq!(
            literal_includes(text),
            ["a.md", "b.md", "d/LONG/e.md"].map(String::from)
        );
    }
}
