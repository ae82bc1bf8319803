//! How a run ends: `block_on`'s rule for what is left when its future returns (asyncio.run's), and what
//! dropping the executor does with whatever is still in it.

use std::any::Any;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::runtime::handle::{Handle, Timer, try_enter};
use crate::runtime::join_error::drop_contained;
use crate::runtime::slab::Key;
use crate::runtime::table::{Stage, Tasks, Waiter};
use crate::runtime::task::TaskId;
use crate::runtime::turn::Turn;

/// After the main future returned, as `asyncio.run` does: its loop stops from a callback queued at
/// that moment, so the rest of this turn runs, then one more turn. Then every task still pending is
/// cancelled, and the loop runs until each of those has ended, plus two turns: one for their
/// done-callbacks, one for the stop (asyncio gathers the cancelled tasks and stops when the gather is
/// done). A callback that keeps rescheduling itself therefore cannot keep `block_on` from returning.
/// Last, `call_later` callbacks not yet due are dropped, as closing asyncio's loop drops them, with a
/// line on stderr saying so. No time passes for any of it.
pub(crate) fn finish_after_main(handle: &Rc<Handle>, turn: &mut Turn) {
    turn.run_to_end(handle);
    if turn.begin(handle) {
        turn.run_to_end(handle);
    }
    let cancelled: Vec<Key> = {
        let tasks = handle.tasks.borrow();
        tasks
            .entries
            .iter()
            .filter(|(_, entry)| !entry.is_done())
            .map(|(key, _)| key)
            .collect()
    };
    for key in &cancelled {
        handle.cancel(*key);
    }
    let any_left = || {
        let tasks = handle.tasks.borrow();
        cancelled
            .iter()
            .any(|key| tasks.get(*key).is_some_and(|entry| !entry.is_done()))
    };
    while any_left() && turn.begin(handle) {
        turn.run_to_end(handle);
    }
    for _ in 0..2 {
        if turn.begin(handle) {
            turn.run_to_end(handle);
        }
    }
    // asyncio.run waits for its default executor's threads; so does this for `spawn_blocking`'s.
    // Their wakes find cancelled tasks and are skipped.
    while handle.clock_holds.load(Ordering::Acquire) > 0 {
        if turn.begin(handle) {
            turn.run_to_end(handle);
        } else {
            handle
                .queue
                .wait(Some(Instant::now() + Duration::from_millis(10)));
        }
    }
    let dropped = handle
        .timers
        .borrow_mut()
        .remove_unless(|timer| !matches!(timer, Timer::Call(_)));
    if !dropped.is_empty() {
        eprintln!(
            "minimalist-async: block_on returned with {} call_later callback(s) not yet due; \
             they were dropped without running",
            dropped.len()
        );
    }
    for callback in dropped {
        drop_contained(callback, || {
            "a call_later callback that never ran".to_owned()
        });
    }
}

/// Drops every pending future, result, queued callback, armed timer and message from another thread
/// exactly once, and says on stderr which tasks were still pending: nothing disappears unreported.
///
/// A future may hold a `Sleep` that points back at the handle, and a done-callback may hold its own
/// task's handle, so the tables are emptied here rather than left to reference counting. Dropping a
/// future may queue more work, hence the loop.
pub(crate) fn tear_down(handle: &Rc<Handle>, turn: &mut Turn) {
    // Destructors of futures and callbacks may spawn, sleep or schedule: let them find this executor
    // (unless the thread is running another one), so that they are not told they run outside any
    // executor. What they add is dropped by the next pass of the loop.
    let _entered = try_enter(handle);
    let mut unfinished: Vec<TaskId> = Vec::new();
    let mut awaiters: Vec<Waker> = Vec::new();
    loop {
        let tasks = std::mem::take(&mut *handle.tasks.borrow_mut());
        let calls = std::mem::take(&mut *handle.calls.borrow_mut());
        let timers = std::mem::take(&mut *handle.timers.borrow_mut()).remove_unless(|_| false);
        let results: Vec<Box<dyn Any>> = handle
            .outputs
            .take_all()
            .into_iter()
            .flat_map(|(_, table)| table.take_all())
            .collect();
        let (local, messages) = handle.queue.close();
        let batch = std::mem::take(&mut turn.batch);
        let Tasks { entries, cold, .. } = tasks;
        if entries.len() == 0 && calls.len() == 0 && timers.is_empty() && results.is_empty() {
            // Messages and queue entries hold no user code beyond work sent by other threads.
            for work in local.into_iter().chain(batch) {
                drop_contained(work, || "work sent from another thread".to_owned());
            }
            for message in messages {
                drop_contained(message, || "work sent from another thread".to_owned());
            }
            break;
        }
        // Each value is dropped on its own: a second panicking destructor inside one collection's
        // drop would abort the process.
        let mut ids = std::collections::HashMap::new();
        for (key, entry) in entries.iter() {
            ids.insert(key.index, entry.id);
        }
        for entry in entries.into_values() {
            let id = entry.id;
            if !entry.is_done() {
                unfinished.push(id);
            }
            if let Waiter::Waker(awaiter) = entry.waiter {
                awaiters.push(*awaiter);
            }
            if let Stage::Running(future) = entry.stage {
                drop_contained(future, || format!("the future of {id}"));
            }
        }
        for (index, callbacks) in cold.callbacks {
            for (_, callback) in callbacks {
                drop_contained(callback, || match ids.get(&index) {
                    Some(id) => format!("a done-callback of {id} that never ran"),
                    None => "a done-callback that never ran".to_owned(),
                });
            }
        }
        for call in calls.into_values() {
            drop_contained(call, || "a call_soon callback that never ran".to_owned());
        }
        for timer in timers {
            drop_contained(timer, || "a timer's callback or waker".to_owned());
        }
        for result in results {
            drop_contained(result, || "a task's output".to_owned());
        }
        for work in local.into_iter().chain(batch) {
            drop_contained(work, || "work sent from another thread".to_owned());
        }
        for message in messages {
            drop_contained(message, || "work sent from another thread".to_owned());
        }
    }
    // Whoever awaits a handle from elsewhere (another executor, a combinator's own waker) learns now
    // that the task is gone: its poll finds no executor and yields a cancelled `JoinError`.
    for awaiter in awaiters {
        awaiter.wake();
    }
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
