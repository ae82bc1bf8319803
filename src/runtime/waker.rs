//! The waker: how a pending future asks to be polled again, and why a stale one is harmless.
//!
//! # What a waker holds
//!
//! A `TaskWaker` holds three things: the *target*, the task's key in the task table (the `block_on`
//! future has an entry there too), in an atomic word, an [`Inbox`] into the ready queue, and the hook
//! `Handle` gives it ([`WakeHere`]). `Arc<TaskWaker>` becomes a [`std::task::Waker`] through
//! [`std::task::Wake`]: no hand-written vtable. Waking reads the target and hands it to the executor:
//! straight into its local queue when the hook finds the executor running on this thread, through the
//! channel otherwise. The executor then looks the key up in its task table: a task already queued is
//! not queued again, a task that has ended is not queued at all.
//!
//! # Lent, not owned
//!
//! Most tasks never keep their waker: they sleep and join, and the executor's own `Sleep` and
//! `JoinHandle` recognise the executor's waker (`Handle::own_task`) and note the task's key instead of
//! cloning it. So a task does not own a waker: for each poll the executor *lends* it its one spare
//! waker, pointed at the task's key, and takes it back after the poll. When something did clone it (a
//! channel, a hand-written future), the task keeps that waker and is polled with it, for as long as
//! the clone lives; the next lend makes a new spare. A task that only sleeps and joins therefore costs
//! no waker allocation at all. One whose waker is kept costs two, once: the `Arc` and the `Lent` box
//! that holds it beside its `Waker` (a ring of a thousand tasks, each keeping its waker in an
//! `Option<Waker>`: 3.0 allocations per task, tokio's 1.0, whose waker is a raw pointer into the
//! task's own cell, which this crate forbids); the waker is then reused for every later poll and
//! wake of the task.
//!
//! # Why a stale clone can never wake the wrong task
//!
//! A waker is pointed at another task only while the executor holds the only references to it (its
//! `Arc` and its `Waker`, strong count 2): references are made only from references, so nobody else can
//! have one, or get one later. A clone that someone kept points at its task's key for ever, and a key
//! carries its slot's generation: once the task is gone, the key matches nothing, even after the slot
//! is reused. The worst a stale wake can do is make the executor look up a key and find nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Wake, Waker};

use crate::runtime::queue::{Inbox, Message};
use crate::runtime::slab::Key;

/// How a waker wakes the task under a key: `Handle`'s hook, which this file cannot name. It queues the
/// task itself when the waker's executor runs on this thread, and calls `TaskWaker::send` otherwise.
/// Speed: a field of the waker, where it was a thread-local of this file's beside the handle's, so a
/// wake reads one thread-local, not two (ping_pong 484 -> 478 instructions per hit).
pub(crate) type WakeHere = fn(&TaskWaker, Key);

/// The state behind one of the executor's [`std::task::Waker`]s.
pub(crate) struct TaskWaker {
    /// `Key::to_bits`. Atomic because a lent waker is re-pointed through a shared reference; the
    /// stores are relaxed, see `Lent::point_at`.
    target: AtomicU64,
    /// Works from any thread; fails only once the executor is gone, and then there is nothing to wake.
    pub(crate) inbox: Inbox,
    wake_here: WakeHere,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        (self.wake_here)(self, Key::from_bits(self.target.load(Ordering::Relaxed)));
    }
}

impl TaskWaker {
    /// A wake from outside the executor: through the channel. Speed: out of line, so that a wake on
    /// the executor's thread saves no registers for it (ping_pong 503 → 493 instructions per hit).
    #[inline(never)]
    pub(crate) fn send(&self, key: Key) {
        // A closed channel means the executor was dropped: nobody is left to poll the task.
        let _ = self.inbox.send(Message::Wake { key, other_thread: self.inbox.on_other_thread() });
    }
}

/// A waker together with its `Arc`, both held by the executor: the `Arc` to re-point it and to count
/// who else holds it, the `Waker` to lend without touching the reference count.
pub(crate) struct Lent {
    state: Arc<TaskWaker>,
    waker: Waker,
}

impl Lent {
    pub(crate) fn new(target: Key, inbox: &Inbox, wake_here: WakeHere) -> Lent {
        let target = target.to_bits().into();
        let state = Arc::new(TaskWaker { target, inbox: inbox.clone(), wake_here });
        Lent { waker: Waker::from(Arc::clone(&state)), state }
    }

    /// Points a waker nobody else holds at `target`. Relaxed suffices: no other thread holds a
    /// reference, and whatever hands one to another thread later (a channel, a lock) orders this store
    /// before that thread's reads.
    pub(crate) fn point_at(&self, target: Key) {
        debug_assert!(
            !self.is_kept(),
            "re-pointing to {target:?} a waker of {:?} that {} others hold",
            Key::from_bits(self.state.target.load(Ordering::Relaxed)),
            Arc::strong_count(&self.state) - 2
        );
        self.state.target.store(target.to_bits(), Ordering::Relaxed);
    }

    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Whether anyone besides the executor holds this waker (a clone someone kept). Only strong
    /// references count: a `Waker` offers no way to make a weak one.
    #[inline]
    pub(crate) fn is_kept(&self) -> bool {
        let kept = Arc::strong_count(&self.state) > 2;
        if !kept {
            // The count was read relaxed; this orders the last wake by another thread's clone (before
            // it dropped that clone) ahead of a later re-pointing, as `Arc::get_mut` does.
            std::sync::atomic::fence(Ordering::Acquire);
        }
        kept
    }
}
