//! `Step`: what one unit of the executor's work was, as `Executor::step` reports it.

use std::time::Duration;

use crate::runtime::task::TaskId;

/// What one call to [`Executor::step`](crate::Executor::step) did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Dropped a cancelled task's future instead of polling it.
    Cancelled {
        /// The task cancelled.
        task: TaskId,
    },
    /// Ran work sent from another thread through a [`Remote`](crate::Remote).
    RanRemote,
    /// Polled a spawned task once; `finished` when it returned or panicked.
    Polled {
        /// The task polled.
        task: TaskId,
        /// Whether the task is over.
        finished: bool,
    },
    /// Ran one done-callback of `task`.
    RanCallback {
        /// Whose callback it was.
        task: TaskId,
    },
    /// Ran one `call_soon` callback.
    RanCallSoon,
    /// The future given to `block_on` was woken; `block_on` polls it next. Never returned by
    /// [`Executor::step`](crate::Executor::step) itself, which has no main future.
    MainWoken,
    /// Fired the timers that were due when the turn began: their tasks run on the next turn, their
    /// `call_later` callbacks ran right here.
    FiredTimers {
        /// How many timers fired.
        count: usize,
    },
    /// Nothing was ready, so the clock moved to the next deadline (virtual time jumps there; real time
    /// sleeps until it or until another thread wakes a task).
    AdvancedClock {
        /// The clock's reading afterwards.
        now: Duration,
    },
    /// Nothing is ready and no timer is armed (or, on virtual time, a `spawn_blocking` thread is still
    /// running, so the clock must not jump): only a wake from another thread can make progress. On
    /// virtual time also when such a wake arrived just as the clock was about to jump: the next step
    /// takes it in first.
    Idle,
}
