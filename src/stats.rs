//! What a `JoinHandle` can tell about its task without taking anything: its id, whether it is over,
//! its name, its counts, its stage, a look at its result. Read from the task table without changing
//! it; the core counts polls and wakes in the entry it touches anyway, so the counts cost nothing
//! extra.

use std::fmt;

use crate::runtime::events::Outcome;
use crate::runtime::join::JoinHandle;
use crate::runtime::join_error::JoinError;
use crate::runtime::results::typed;
use crate::runtime::table::Stage;
use crate::runtime::task::TaskId;

/// Per-task counts, from [`JoinHandle::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskStats {
    /// Times the executor polled the task.
    pub polls: u32,
    /// Times the task was woken (wakes while already queued included).
    pub wakes: u32,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Whether the task has returned, panicked or been cancelled.
    ///
    /// A task whose executor was dropped is finished too (cancelled): awaiting its handle gives a
    /// cancelled [`JoinError`].
    pub fn is_finished(&self) -> bool {
        self.with_entry(|handle, key| handle.tasks.borrow().get(key).is_none_or(|e| e.is_done()))
            .unwrap_or(true)
    }

    /// The task's name: the one given to [`spawn_named`](fn@crate::spawn_named), or its id (`Task-2`).
    pub fn name(&self) -> String {
        self.with_entry(|handle, key| handle.tasks.borrow().name(key))
            .flatten()
            .unwrap_or_else(|| self.id.to_string())
    }

    /// How many times the task was polled and woken so far: the test kit's per-task counts.
    ///
    /// ```
    /// use minimalist_async::{Executor, TaskStats, yield_now};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let task = executor.spawn(async { yield_now().await });
    /// executor.run_until_stalled();
    /// assert_eq!(task.stats(), TaskStats { polls: 2, wakes: 1 });
    /// ```
    pub fn stats(&self) -> TaskStats {
        self.with_entry(|handle, key| {
            handle.tasks.borrow().get(key).map(|entry| TaskStats {
                polls: entry.polls,
                wakes: entry.wakes,
            })
        })
        .flatten()
        .unwrap_or_default()
    }
}

impl<T: 'static> JoinHandle<T> {
    /// Looks at the task's result and leaves it in place, as asyncio's `task.result()` does; `None`
    /// while the task runs, and once `.await` has taken the result.
    ///
    /// ```
    /// use minimalist_async::Executor;
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let task = executor.spawn(async { 6 * 7 });
    /// assert_eq!(task.with_result(|result| *result.as_ref().unwrap()), None, "not run yet");
    /// executor.run_until_stalled();
    /// assert_eq!(task.with_result(|result| *result.as_ref().unwrap()), Some(42));
    /// assert_eq!(executor.block_on(task).unwrap(), 42, "still there to take");
    /// ```
    pub fn with_result<R>(&self, look: impl FnOnce(&Result<T, JoinError>) -> R) -> Option<R> {
        self.with_entry(|handle, key| {
            let (result, table) = {
                let tasks = handle.tasks.borrow();
                let entry = tasks.get(key)?;
                let Stage::Done { result, .. } = entry.stage else {
                    return None;
                };
                (result, entry.table)
            };
            let results = handle.outputs.table(table);
            let mut seen = None;
            typed::<T>(&*results).lend(result, |result| seen = Some(look(result)));
            seen
        })
        .flatten()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = self.with_entry(|handle, key| {
            let tasks = handle.tasks.borrow();
            match tasks.get(key).map(|entry| &entry.stage) {
                Some(Stage::Running(_) | Stage::Polling | Stage::Main) => "running",
                Some(Stage::Done {
                    outcome: Outcome::Returned,
                    ..
                }) => "finished",
                Some(Stage::Done { .. }) => "failed",
                Some(Stage::Taken) | None => "result taken",
            }
        });
        f.debug_struct("JoinHandle")
            .field("task", &self.id)
            .field("stage", &stage.unwrap_or("executor dropped"))
            .finish()
    }
}
