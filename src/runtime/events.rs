//! The sink: the one door through which the core tells tools what it decided.
//!
//! The core knows nothing of the tools built on it (the trace, the blocking detector, snapshots of
//! ended tasks, per-task counts). At each decision it calls one method of a [`Sink`], if one is
//! installed, and that is all: what a tool keeps, and in what form (the trace's `Event` log, in
//! `src/trace.rs`), is the tool's business. With no sink, every recording site is one branch on an
//! empty `OnceCell`, and the closure that would call the sink never runs: the benchmark's
//! instruction counts show no difference.
//!
//! Every decision is told on the executor's own thread: a wake from another thread travels through
//! the channel and is told when the executor takes it in, marked `other_thread`. So a sink needs no
//! lock.

use std::any::Any;
use std::time::Duration;

use crate::runtime::task::TaskId;

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

/// When a decision was made: the turn it happened in (0 before the first turn), and the loop's time
/// when that turn began.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    pub(crate) turn: u64,
    pub(crate) at: Duration,
}

/// Where the core's decisions go, one method per kind of decision, each told when it was made.
/// Installed once per executor; the tools keep their state behind it, and find it again by
/// downcasting (a `Sink` is `Any`).
pub(crate) trait Sink: Any {
    /// A task was created (and queued): its name, if it was given one, and the task whose poll
    /// spawned it, if any.
    fn spawned(&self, at: Stamp, task: TaskId, name: Option<&str>, parent: Option<TaskId>);
    /// A task's waker was called (or its timer fired, or the task it awaited ended): from another
    /// thread or not, and whether the task was queued already, so that the wake cost nothing.
    fn woken(&self, at: Stamp, task: TaskId, other_thread: bool, already_queued: bool);
    /// The executor started polling a task.
    fn poll_started(&self, at: Stamp, task: TaskId);
    /// A poll returned, after `duration` of real time; `ready` when the task finished.
    fn poll_ended(&self, at: Stamp, task: TaskId, duration: Duration, ready: bool);
    /// A sleep (or `call_later`) armed a timer due at `deadline`: from the polled task, if any.
    fn timer_armed(&self, at: Stamp, task: Option<TaskId>, deadline: Duration);
    /// A due timer fired: it woke its task (`task`, for a sleep) or ran its `call_later` callback.
    fn timer_fired(&self, at: Stamp, task: Option<TaskId>, deadline: Duration);
    /// A callback was put in the ready queue: a done-callback of `task`, or a `call_soon` (`None`).
    fn callback_queued(&self, at: Stamp, task: Option<TaskId>);
    /// A callback ran: a done-callback of `task`, or a `call_soon` (`None`).
    fn callback_ran(&self, at: Stamp, task: Option<TaskId>);
    /// A task is over, with `outcome`.
    fn task_finished(&self, at: Stamp, task: TaskId, outcome: Outcome);
    /// Nothing was ready, so the clock moved, `to` this time.
    fn clock_advanced(&self, at: Stamp, to: Duration);
}
