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
    /// Made once, at spawn: polls reuse it, so a wake costs no allocation.
    pub(crate) waker: Arc<TaskWaker>,
    pub(crate) std_waker: Waker,
}
