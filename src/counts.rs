//! What an executor can tell about itself between steps: how many tasks are pending, how many timers
//! are armed, how many turns it ran, and its `Debug`. Read-only looks at the core's tables, kept out
//! of the core, which only keeps the counts it needs anyway.

use std::fmt;

use crate::runtime::executor::Executor;

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("clock", &self.handle.clock.get())
            .field("turn", &self.handle.turn.get())
            .field("tasks", &self.pending_tasks())
            .field("timers", &self.armed_timers())
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// How many spawned tasks have not finished yet.
    pub fn pending_tasks(&self) -> usize {
        self.handle.tasks.borrow().pending
    }

    /// How many timers are armed or due: every pending `sleep` that was polled once and every pending
    /// `call_later`, nothing else (a dropped `Sleep` leaves no entry behind).
    pub fn armed_timers(&self) -> usize {
        let timers = self.handle.timers.borrow();
        let due = timers.due.iter().filter(|t| self.handle.is_armed(t));
        timers.wheel.len() + due.count()
    }

    /// How many turns had work to do: a turn that found nothing queued and nothing due is not counted.
    pub fn turns(&self) -> u64 {
        self.handle.turn.get()
    }
}
