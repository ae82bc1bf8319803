//! How a run ends: `block_on`'s rule for what is left when its future returns (asyncio.run's), and what
//! dropping the executor does with whatever is still in it.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::callback::Callback;
use crate::executor::Executor;
use crate::handle::{TimerAction, try_enter};
use crate::slab::Key;
use crate::task::TaskId;

impl Executor {
    /// After the main future returned, as `asyncio.run` does: its loop stops from a callback queued at
    /// that moment, so the rest of this turn runs, then one more turn. Then every task still pending is
    /// cancelled, and the loop runs until each of those has ended, plus two turns: one for their
    /// done-callbacks, one for the stop (asyncio gathers the cancelled tasks and stops when the gather
    /// is done). A callback that keeps rescheduling itself therefore cannot keep `block_on` from
    /// returning. Last, `call_later` callbacks not yet due are dropped, as closing asyncio's loop drops
    /// them, with a line on stderr saying so. No time passes for any of it.
    pub(crate) fn finish_after_main(&mut self) {
        self.run_turn_to_end();
        if self.begin_turn() {
            self.run_turn_to_end();
        }
        let cancelled: Vec<Key> = self.handle.tasks.borrow().keys().collect();
        for key in &cancelled {
            self.handle.cancel(*key);
        }
        let any_left = |executor: &Executor| {
            let tasks = executor.handle.tasks.borrow();
            cancelled.iter().any(|key| tasks.get(*key).is_some())
        };
        while any_left(self) && self.begin_turn() {
            self.run_turn_to_end();
        }
        for _ in 0..2 {
            if self.begin_turn() {
                self.run_turn_to_end();
            }
        }
        // asyncio.run waits for its default executor's threads; so does this for `spawn_blocking`'s.
        // Their wakes find cancelled tasks and are skipped.
        while self.handle.blocking_threads.load(Ordering::Acquire) > 0 {
            if self.begin_turn() {
                self.run_turn_to_end();
            } else {
                self.handle
                    .queue
                    .wait(Some(Instant::now() + Duration::from_millis(10)));
            }
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
        // Destructors of futures and callbacks may spawn, sleep or schedule: let them find this
        // executor (unless the thread is running another one), so that they are not told they run
        // outside any executor. What they add is dropped by the loop below.
        let _entered = try_enter(&self.handle);
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
            // A finished task's queued done-callbacks wait in its result cell; one may hold the
            // task's own handle, a cycle that only discarding them breaks.
            for callback in callbacks.into_values() {
                if let Callback::Done(completion) = callback {
                    completion.discard();
                }
            }
        }
        let timers = std::mem::take(&mut *self.handle.timers.borrow_mut());
        drop(timers);
        // Closing the channel tells every `Remote` and waker at once that nobody will run what they
        // send, even while something (a leaked `Sleep`) keeps the rest of the handle alive.
        self.handle.queue.close();
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
