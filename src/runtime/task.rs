//! `TaskId`: a task's name in creation order, the one thing every other file agrees on.
//!
//! A task is stored in the task table (`table.rs`) and found there by a key (`slab.rs`); the id is
//! what people see: `Task-1` is the future given to `block_on`, `Task-2` the first spawned task, as
//! asyncio numbers its tasks.

use std::fmt;

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
