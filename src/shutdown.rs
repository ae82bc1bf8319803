//! How a run ends: `block_on`'s rule for what is left when its future returns (asyncio.run's), and what
//! dropping the executor does with whatever is still in it.

use crate::executor::Executor;
use crate::handle::TimerAction;
use crate::slab::Key;
use crate::task::TaskId;

impl Executor {
    /// After the main future returned, as `asyncio.run` does: its loop stops from a callback queued at
    /// that moment, so the rest of this turn runs, then one more turn. Then every task still pending is
    /// cancelled, and the loop runs until the cancellations and their done-callbacks are through. Last,
    /// `call_later` callbacks not yet due are dropped, as closing asyncio's loop drops them, with a line
    /// on stderr saying so. No time passes for any of it.
    pub(crate) fn finish_after_main(&mut self) {
        self.run_turn_to_end();
        if self.begin_turn() {
            self.run_turn_to_end();
        }
        let pending: Vec<Key> = self.handle.tasks.borrow().keys().collect();
        for key in pending {
            self.handle.cancel(key);
        }
        while self.begin_turn() {
            self.run_turn_to_end();
        }
        let dropped = self
            .handle
            .timers
            .borrow_mut()
            .remove_unless(|action| matches!(action, TimerAction::Wake { .. }));
        if !dropped.is_empty() {
            eprintln!(
                "minimalist-async: block_on returned with {} call_later callback(s) not yet due; \
                 they were dropped without running",
                dropped.len()
            );
        }
    }

    fn run_turn_to_end(&mut self) {
        while self.next_in_turn(None).is_some() {}
    }
}

impl Drop for Executor {
    /// Drops every pending future, queued callback, armed timer and message from another thread exactly
    /// once, and says on stderr which tasks were still pending: nothing disappears unreported.
    ///
    /// A future may hold a `Sleep` that points back at the handle, and a done-callback may hold its own
    /// task's handle, so the tables are emptied here rather than left to reference counting. Dropping a
    /// future may queue more work, hence the loop.
    fn drop(&mut self) {
        let mut unfinished = Vec::new();
        loop {
            let tasks = std::mem::take(&mut *self.handle.tasks.borrow_mut());
            let callbacks = std::mem::take(&mut *self.handle.callbacks.borrow_mut());
            if tasks.len() == 0 && callbacks.len() == 0 {
                break;
            }
            for task in tasks.into_values() {
                unfinished.push(task.id);
                drop(task.future);
                task.completion.discard();
            }
            drop(callbacks);
        }
        let timers = std::mem::take(&mut *self.handle.timers.borrow_mut());
        drop(timers);
        self.handle.queue.clear();
        if !unfinished.is_empty() {
            unfinished.sort();
            let names: Vec<String> = unfinished.iter().map(TaskId::to_string).collect();
            eprintln!(
                "minimalist-async: executor dropped with {} unfinished task(s), dropped unfinished: {}",
                names.len(),
                names.join(", ")
            );
        }
    }
}
