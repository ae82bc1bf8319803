//! The sink: the one door through which the core tells tools what it decided.
//!
//! The core knows nothing of the tools built on it (the trace, the blocking detector, snapshots of
//! ended tasks). It writes [`Event`]s into a [`Sink`], if one is installed, and that is all. With no
//! sink, every recording site is one branch on an empty `OnceCell`, and the closure that would build
//! the event never runs: the benchmark's instruction counts show no difference.
//!
//! Every event is recorded on the executor's own thread: a wake from another thread travels through
//! the channel and is recorded when the executor takes it in, marked `other_thread`. So a sink needs no
//! lock.

use std::any::Any;
use std::time::Duration;

use crate::runtime::task::TaskId;

/// One scheduling decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The turn it happened in (0 before the first turn).
    pub turn: u64,
    /// The loop's time when that turn began.
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// What a traced event was.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A task was created (and queued).
    Spawned {
        /// The new task.
        task: TaskId,
        /// Its name.
        name: String,
        /// The task whose poll spawned it, if any.
        parent: Option<TaskId>,
    },
    /// A task's waker was called (or its timer fired, or the task it awaited ended).
    Woken {
        /// The task woken.
        task: TaskId,
        /// Whether the wake came from a thread other than the executor's.
        other_thread: bool,
        /// Whether the task was already in the ready queue, so that this wake cost nothing.
        already_queued: bool,
    },
    /// The executor started polling a task.
    PollStarted {
        /// The task polled.
        task: TaskId,
    },
    /// A poll returned.
    PollEnded {
        /// The task polled.
        task: TaskId,
        /// Real time the poll took.
        duration: Duration,
        /// Whether the task finished (returned or panicked).
        ready: bool,
    },
    /// A sleep (or `call_later`) armed a timer.
    TimerArmed {
        /// The task that armed it; `None` for a `call_later` from outside any task.
        task: Option<TaskId>,
        /// When it is due.
        deadline: Duration,
    },
    /// A due timer fired: it woke its task or ran its `call_later` callback.
    TimerFired {
        /// The task it woke, if it was a sleep.
        task: Option<TaskId>,
        /// When it was due.
        deadline: Duration,
    },
    /// A callback was put in the ready queue.
    CallbackQueued {
        /// For a done-callback, the task that ended; `None` for `call_soon`.
        task: Option<TaskId>,
    },
    /// A callback ran.
    CallbackRan {
        /// For a done-callback, the task that ended; `None` for `call_soon`.
        task: Option<TaskId>,
    },
    /// A task is over.
    TaskFinished {
        /// The task.
        task: TaskId,
        /// How it ended.
        outcome: Outcome,
    },
    /// Nothing was ready, so the clock moved.
    ClockAdvanced {
        /// The time afterwards.
        to: Duration,
    },
}

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its future returned a value.
    Returned,
    /// Its future panicked.
    Panicked,
    /// It was cancelled.
    Cancelled,
}

/// Where the core's events go. Installed once per executor; the tools keep their state behind it, and
/// find it again by downcasting (a `Sink` is `Any`).
pub(crate) trait Sink: Any {
    /// Takes one event.
    fn record(&self, event: Event);
}
