//! What a `JoinHandle` can tell about its task besides its result: its name, its counts, its stage.
//! Read from the task table without changing it; the core counts polls and wakes in the entry it
//! touches anyway, so the counts cost nothing extra.

use std::fmt;

use crate::runtime::events::Outcome;
use crate::runtime::join::JoinHandle;
use crate::runtime::table::Stage;

/// Per-task counts, from [`JoinHandle::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskStats {
    /// Times the executor polled the task.
    pub polls: u32,
    /// Times the task was woken (wakes while already queued included).
    pub wakes: u32,
}

impl<T> JoinHandle<T> {
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

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = self.with_entry(|handle, key| {
            let tasks = handle.tasks.borrow();
            match tasks.get(key).map(|entry| &entry.stage) {
                Some(Stage::Running(_) | Stage::Polling) => "running",
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
