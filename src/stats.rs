//! What a `JoinHandle` can tell about its task without taking anything: its id, whether it is over,
//! its name, its counts, its stage, a look at its result. Read from the task table without changing
//! it; the counts come from the core's events (`runtime/events.rs`), counted by the tools' sink once
//! `Executor::enable_stats` asks for them.

use std::fmt;

use crate::runtime::events::Outcome;
use crate::runtime::executor::Executor;
use crate::runtime::join::JoinHandle;
use crate::runtime::join_error::JoinError;
use crate::runtime::results::typed;
use crate::runtime::table::Stage;
use crate::runtime::task::TaskId;
use crate::trace::{install, tools};

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
        self.task_id()
    }

    /// Whether the task has returned, panicked or been cancelled.
    ///
    /// A task whose executor was dropped is finished too (cancelled): awaiting its handle gives a
    /// cancelled [`JoinError`].
    pub fn is_finished(&self) -> bool {
        self.with_entry(|handle, key| {
            handle.tasks.borrow().entries.get(key).is_none_or(|e| e.is_done())
        })
        .unwrap_or(true)
    }

    /// The task's name: the one given to [`spawn_named`](fn@crate::spawn_named), or its id (`Task-2`).
    pub fn name(&self) -> String {
        self.with_entry(|handle, key| handle.tasks.borrow().name(key))
            .flatten()
            .unwrap_or_else(|| self.task_id().to_string())
    }

    /// How many times the task was polled and woken since [`Executor::enable_stats`] switched the
    /// counts on: the test kit's per-task counts. `None` while the counts are off, or once the
    /// executor is gone.
    ///
    /// ```
    /// use minimalist_async::{Executor, TaskStats, yield_now};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// executor.enable_stats();
    /// let task = executor.spawn(async { yield_now().await });
    /// executor.run_until_stalled();
    /// assert_eq!(task.stats(), Some(TaskStats { polls: 2, wakes: 1 }));
    /// ```
    pub fn stats(&self) -> Option<TaskStats> {
        self.with_entry(|handle, _| {
            let counts = tools(handle)?.counts.borrow();
            let (polls, wakes) = counts.as_ref()?.get(&self.task_id()).copied().unwrap_or_default();
            Some(TaskStats { polls, wakes })
        })
        .flatten()
    }
}

impl Executor {
    /// Switches per-task counts on: from now on every poll and every wake of every task is counted,
    /// for [`JoinHandle::stats`]. Off by default, like the trace (`src/trace.rs`), which it shares a
    /// sink with: the core keeps no counts of its own, so its task entries stay small. The counts
    /// are kept, one pair per task, for as long as the executor.
    pub fn enable_stats(&mut self) {
        let counts = &install(self).counts;
        counts.borrow_mut().get_or_insert_default();
    }
}

impl<T: 'static> JoinHandle<T> {
    /// Looks at the task's result and leaves it in place, as asyncio's `task.result()` does; `None`
    /// while the task runs, once `.await` has taken the result, and inside one of the task's own
    /// done-callbacks, which holds the result while it runs (it is the callback's argument).
    ///
    /// A panic shown to `look` counts as retrieved, as in asyncio: the task's end no longer reports
    /// "task exception was never retrieved".
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
            let (result, table, outcome) = {
                let tasks = handle.tasks.borrow();
                let entry = tasks.entries.get(key)?;
                let Stage::Done(outcome) = entry.stage else {
                    return None;
                };
                (entry.result(), handle.outputs.table_of::<T>(), outcome)
            };
            let results = handle.outputs.table(table);
            let mut seen = None;
            typed::<T>(&*results).lend(result, |result| seen = Some(look(result)));
            // A panic shown here counts as retrieved, as asyncio's `task.exception()` marks it: the
            // task's end then says nothing ("never retrieved"), as after a done-callback saw it.
            if seen.is_some() && outcome == Outcome::Panicked {
                let mut tasks = handle.tasks.borrow_mut();
                if tasks.entries.get(key).is_some() {
                    tasks.cold.rare.entry(key.index()).or_default().seen_failure = true;
                }
            }
            seen
        })
        .flatten()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = self.with_entry(|handle, key| {
            let tasks = handle.tasks.borrow();
            match tasks.entries.get(key).map(|entry| &entry.stage) {
                Some(Stage::Running | Stage::Polling | Stage::Main) => "running",
                Some(Stage::Done(Outcome::Returned)) => "finished",
                Some(Stage::Done(_)) => "failed",
                Some(Stage::Taken) | None => "result taken",
            }
        });
        f.debug_struct("JoinHandle")
            .field("task", &self.task_id())
            .field("stage", &stage.unwrap_or("executor dropped"))
            .finish()
    }
}
