//! The trace: an opt-in log of every scheduling decision, for the stepper, the timeline and tests.
//!
//! Off by default. [`Executor::enable_trace`](crate::Executor::enable_trace) switches it on (before the
//! tasks it should follow are spawned); [`Executor::take_trace`](crate::Executor::take_trace) hands the
//! events over. While it is off every recording site is one `Option` check, which the benchmark shows
//! costs nothing measurable.
//!
//! Wakes may come from any thread, so the log is behind a `Mutex` and wakers hold an `Arc` to it; each
//! event carries the turn and loop time that the executor published when it last began a turn.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use crate::task::TaskId;

/// One scheduling decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The turn it happened in (0 before the first turn).
    pub turn: u64,
    /// The loop's time then.
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
    /// A task's waker was called.
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

/// The shared log. The executor publishes the current turn and time; anyone may append.
#[derive(Debug)]
pub(crate) struct TraceLog {
    events: Mutex<Vec<Event>>,
    turn: AtomicU64,
    now_us: AtomicU64,
    executor_thread: ThreadId,
}

impl TraceLog {
    pub(crate) fn new() -> Arc<TraceLog> {
        Arc::new(TraceLog {
            events: Mutex::default(),
            turn: AtomicU64::new(0),
            now_us: AtomicU64::new(0),
            executor_thread: std::thread::current().id(),
        })
    }

    /// Called by the executor as a turn begins, so that events carry the right turn and time.
    pub(crate) fn publish(&self, turn: u64, now_us: u64) {
        self.turn.store(turn, Ordering::Relaxed);
        self.now_us.store(now_us, Ordering::Relaxed);
    }

    pub(crate) fn record(&self, kind: EventKind) {
        let event = Event {
            turn: self.turn.load(Ordering::Relaxed),
            at: Duration::from_micros(self.now_us.load(Ordering::Relaxed)),
            kind,
        };
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }

    /// Whether the calling thread is not the executor's.
    pub(crate) fn on_other_thread(&self) -> bool {
        std::thread::current().id() != self.executor_thread
    }

    pub(crate) fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner))
    }
}
