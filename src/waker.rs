//! The waker: how a pending future asks to be polled again.
//!
//! Each task gets one `TaskWaker` when it is first polled (or first cancelled), shared through an `Arc` (that is what
//! [`std::task::Wake`] turns into a [`std::task::Waker`], no hand-written vtable needed). Waking sets a
//! `QUEUED` flag (counting the wake in the same atomic step) and, only if the flag was clear, pushes the
//! task into the ready queue (see `queue.rs` for its two doors):
//!
//! ```text
//! wake() ──► set QUEUED, count 1 ──was clear──► inbox.send(Runnable::Task(key))
//!                                ╰─was set────► nothing: the task is already in the queue
//! ```
//!
//! The flag is what makes a task woken ten times before it runs get polled once. The executor clears it
//! just before polling, so a wake that arrives *during* the poll queues the task again (that is how
//! `yield_now` works). A wake for a task that already finished still sends its key; the executor finds no
//! task under it and skips it.
//!
//! When a task ends and nobody else holds its waker, the executor keeps the `Arc` and hands it to the
//! next task that runs (`Handle::recycle_waker`), so tasks that run one after another share one
//! allocation. A waker still held anywhere (in a timer, a channel, a `CancelHandle`) is never reused:
//! a late wake through it could otherwise poll a stranger.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Wake;

use crate::queue::{Inbox, Runnable};
use crate::slab::Key;
use crate::task::TaskId;
use crate::trace::{EventKind, TraceLog};

/// What a waker puts back on the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A spawned task, by its key in the task table.
    Task(Key),
    /// The future of the `block_on` call with this number.
    Main(u64),
}

impl Target {
    pub(crate) fn runnable(self) -> Runnable {
        match self {
            Target::Task(key) => Runnable::Task(key),
            Target::Main(generation) => Runnable::Main(generation),
        }
    }
}

/// `TaskWaker::state`'s flag bit: the task is in the ready queue.
const QUEUED: u64 = 1;
/// One call to the waker, in `TaskWaker::state`'s count (the bits above the flag).
const ONE_WAKE: u64 = 2;

/// The state behind a task's [`std::task::Waker`].
#[derive(Debug)]
pub(crate) struct TaskWaker {
    /// `Some(n)` for the waker of `block_on` call number `n`; `None` for a task's waker.
    main: Option<u64>,
    /// A task's waker: the task's key (`Key::to_bits`). This and `id` are atomics because a recycled
    /// waker is pointed at its next task through a shared reference (see `Handle::recycle_waker`).
    task: AtomicU64,
    /// The task's number (`TaskId`), for the trace.
    id: AtomicU64,
    /// The executor's trace, when it was on when the waker was made.
    trace: Option<Arc<TraceLog>>,
    /// Two things in one word: bit 0 (`QUEUED`) is set from the moment the task is put in the ready
    /// queue until the executor starts polling it; the bits above count the calls to the waker, for the
    /// test kit's per-task counts. One word, so that a wake sets the flag and counts itself in one atomic
    /// operation: on a wake's short path, each atomic read-modify-write costs about as much as all the
    /// rest (tokio packs its task state into one word for the same reason).
    state: AtomicU64,
    /// Set by `cancel`, from any thread; the executor drops the task instead of polling it.
    cancel_requested: AtomicBool,
    /// Works from any thread; fails only once the executor is gone, and then there is nothing to wake.
    inbox: Inbox,
}

impl TaskWaker {
    /// A waker for `target` that counts as already queued: the caller pushes it once right away.
    pub(crate) fn new_queued(
        target: Target,
        id: TaskId,
        inbox: Inbox,
        trace: Option<Arc<TraceLog>>,
    ) -> Arc<TaskWaker> {
        let (main, task) = match target {
            Target::Task(key) => (None, key.to_bits()),
            Target::Main(generation) => (Some(generation), 0),
        };
        Arc::new(TaskWaker {
            main,
            task: AtomicU64::new(task),
            id: AtomicU64::new(id.0),
            trace,
            state: AtomicU64::new(QUEUED),
            cancel_requested: AtomicBool::new(false),
            inbox,
        })
    }

    /// Points a spare task waker (one that only the executor holds, see `Handle::recycle_waker`) at
    /// another task, as if new. Relaxed stores suffice: no other thread holds a reference to the waker,
    /// and whatever hands it to one later (a channel, a lock) orders these stores before that thread's
    /// reads.
    pub(crate) fn reuse(&self, key: Key, id: TaskId) {
        debug_assert!(self.main.is_none(), "only task wakers are recycled");
        self.task.store(key.to_bits(), Ordering::Relaxed);
        self.id.store(id.0, Ordering::Relaxed);
        self.state.store(QUEUED, Ordering::Relaxed);
        self.cancel_requested.store(false, Ordering::Relaxed);
    }

    /// Whether the waker records into a trace: a spare made before the trace was switched on cannot
    /// serve a task that should be traced.
    pub(crate) fn is_traced(&self) -> bool {
        self.trace.is_some()
    }

    fn target(&self) -> Target {
        match self.main {
            Some(generation) => Target::Main(generation),
            None => Target::Task(Key::from_bits(self.task.load(Ordering::Relaxed))),
        }
    }

    /// Called by the executor right before a poll: from now on a wake queues the task again.
    ///
    /// A read-modify-write, not a plain store: the poll that follows reads whatever the future waits
    /// on, and a plain store may become visible to other threads only after those reads. A waker
    /// thread could then still see `queued == true` (and send nothing) while the poll still sees the
    /// old state (and returns `Pending`): the wake would be lost. The swap orders the two.
    pub(crate) fn clear_queued(&self) {
        self.state.fetch_and(!QUEUED, Ordering::AcqRel);
    }

    /// Marks the task as queued again without queueing it: for a task the executor is about to drop,
    /// so that stale wakes after this point do not queue it (and cost a turn) for nothing.
    pub(crate) fn mark_queued(&self) {
        self.state.fetch_or(QUEUED, Ordering::Release);
    }

    /// Whether the task is in the ready queue (woken and not yet polled).
    pub(crate) fn is_queued(&self) -> bool {
        self.state.load(Ordering::Acquire) & QUEUED != 0
    }

    /// How many times the task was woken.
    pub(crate) fn wakes(&self) -> u32 {
        // The count wraps; the test kit's counts are far below 2^32.
        (self.state.load(Ordering::Relaxed) / ONE_WAKE) as u32
    }

    /// Asks the executor to drop the task instead of polling it again, and queues the task so that it
    /// gets to it. Works from any thread.
    pub(crate) fn request_cancel(self: &Arc<Self>) {
        self.cancel_requested.store(true, Ordering::Release);
        self.wake_by_ref();
    }

    /// `request_cancel` for the executor's own thread: sets the flag and says whether the caller must
    /// queue the task (it was not queued yet). The executor then queues it itself, in its local queue,
    /// so that the cancel keeps its place among the other pushes of that thread.
    pub(crate) fn request_cancel_here(&self) -> bool {
        self.cancel_requested.store(true, Ordering::Release);
        !self.count_wake_and_queue()
    }

    /// Counts one wake and sets `QUEUED`, in one atomic step; returns whether it was set already.
    fn count_wake_and_queue(&self) -> bool {
        let previous = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |state| {
                Some((state | QUEUED).wrapping_add(ONE_WAKE))
            })
            .expect("the closure always returns Some");
        previous & QUEUED != 0
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.cancel_requested.load(Ordering::Acquire)
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let already_queued = self.count_wake_and_queue();
        if let Some(trace) = &self.trace {
            trace.record(EventKind::Woken {
                task: TaskId(self.id.load(Ordering::Relaxed)),
                other_thread: trace.on_other_thread(),
                already_queued,
            });
        }
        if !already_queued {
            // A closed channel means the executor was dropped: nobody is left to poll the task.
            let _ = self.inbox.send(self.target().runnable());
        }
    }
}
