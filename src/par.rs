//! Two jobs on two cores, when they are big enough to be worth a thread.
//! Starting a thread costs more than a small talk's whole job, so below
//! [`WORTH_A_THREAD`] bytes of expanded text everything stays on one.

/// Expanded text at least this large is worked on by two threads.
pub const WORTH_A_THREAD: usize = 1 << 20;

/// Runs `a` and `b`, side by side if `big`.
pub fn both<A: Send, B>(big: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !big {
        let a = a();
        return (a, b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().expect("the other thread does not panic"), b)
    })
}
