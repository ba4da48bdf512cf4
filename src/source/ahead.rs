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

use super::resolve::{RealDirs, Resolver};
use super::{LoadError, SourceFile};

/// The names a file's text will include, as far as its text alone tells:
/// the include language knows, and hands this to [`super::Sources::new`].
pub type Guess = fn(&[u8]) -> Vec<String>;

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
    guess: Guess,
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
    pub fn new(resolver: Arc<Resolver>, guess: Guess) -> ReadAhead {
        ReadAhead {
            shared: Arc::new(Shared {
                resolver,
                guess,
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
        let names = (self.shared.guess)(bytes);
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
                        Ok(file) => (self.guess)(file.text.as_bytes()),
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
