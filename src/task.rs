//! A task: a spawned future, boxed and pinned, plus what the executor needs to run it and report its end.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

use crate::join::Completion;
use crate::waker::TaskWaker;

/// Names a task, by its number in creation order: `Task-1`, `Task-2`, … as asyncio names them.
///
/// The future given to [`Executor::block_on`](crate::Executor::block_on) counts too, so in a program
/// shaped like the tutorial the main future is `Task-1` and the first spawned task `Task-2`, exactly as
/// in asyncio.
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let id = executor.block_on(async { spawn(async {}).id() });
/// assert_eq!(id.to_string(), "Task-2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Task-{}", self.0)
    }
}

/// What the executor stores per spawned task, in its task table.
pub(crate) struct Task {
    pub(crate) id: TaskId,
    /// The user's future wrapped so that its output lands in `completion`. `None` while the executor
    /// polls it: the future is taken out so that the poll can spawn (and so grow the task table)
    /// without the table being borrowed.
    pub(crate) future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    /// The task's result cell, seen without its output type: the executor records a panic there and
    /// tells it when the task is over.
    pub(crate) completion: Rc<dyn Completion>,
    /// Made when first needed (the first poll, or a cancel before it), then kept: every poll reuses it,
    /// so a wake costs no allocation. `None` before that: a task that has not run yet sits in the ready
    /// queue, so nothing needs to wake it. See `Handle::waker_of`.
    pub(crate) waker: Option<Arc<TaskWaker>>,
    /// The same waker as a `std::task::Waker`. `None` before the waker is made and while the executor
    /// polls the task: it is moved out for the poll and back, which costs nothing, where a clone would
    /// touch the reference count twice per poll.
    pub(crate) std_waker: Option<Waker>,
    /// The task whose poll spawned this one (`None` when spawned from outside any task).
    pub(crate) spawned_by: Option<TaskId>,
    /// What the task said it waits on, as its last poll returned `Pending`.
    pub(crate) wait: Wait,
    /// Polls so far; copied into the result cell when the task ends, for `JoinHandle::stats`.
    pub(crate) polls: u32,
    /// The lost-waker warning is said once per task.
    pub(crate) reported_lost: bool,
}

/// What a pending task waits on, as noted by the leaf future that returned `Pending` (`Sleep`,
/// `JoinHandle`) during its last poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Nothing was noted: a channel, a hand-written future, `yield_now`.
    Other,
    /// A timer due at this time (µs).
    Timer(u64),
    /// Another task's handle.
    Task(TaskId),
}
