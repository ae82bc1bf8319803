//! How a run ends: `block_on`'s rule for what is left when its future returns (asyncio.run's), and what
//! dropping the executor does with whatever is still in it.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::runtime::events::Outcome;
use crate::runtime::handle::{Handle, Timer, TimerRef, try_enter};
use crate::runtime::join_error::{drop_contained, report_unretrieved, wake_contained};
use crate::runtime::queue::Message;
use crate::runtime::slab::Key;
use crate::runtime::table::Stage;
use crate::runtime::task::TaskId;
use crate::runtime::turn::Turn;
use crate::runtime::wheel::Armed;

/// After the main future returned, as `asyncio.run` does: its loop stops from a callback queued at
/// that moment, so the rest of this turn runs, then one more turn. Then, if any task is still
/// pending, every such task is cancelled and the loop runs until each of those has ended, plus two
/// turns: one for their done-callbacks, one for the stop (asyncio gathers the cancelled tasks and
/// stops when the gather is done). Then four turns more: `asyncio.run` runs two coroutines to their
/// end (`shutdown_asyncgens` and `shutdown_default_executor`), a step and a stop each, and in the
/// middle of the second it waits for `spawn_blocking`'s threads, as asyncio waits for its default
/// executor. A callback that keeps rescheduling itself therefore cannot keep `block_on` from
/// returning. Last, `call_later` callbacks not yet due are dropped, as closing asyncio's loop drops
/// them, with a line on stderr saying so. No time passes for any of it.
pub(crate) fn finish_after_main(handle: &Rc<Handle>, turn: &mut Turn) {
    turn.run_to_end(handle);
    run_turn(handle, turn);
    cancel_pending(handle, turn);
    run_turn(handle, turn);
    run_turn(handle, turn);
    run_turn(handle, turn);
    // asyncio.run waits for its default executor's threads; so does this for `spawn_blocking`'s.
    // Their wakes find cancelled tasks and are skipped.
    while handle.clock_holds.load(Ordering::Acquire) > 0 {
        if !run_turn(handle, turn) {
            handle.queue.wait(Some(Instant::now() + Duration::from_millis(10)));
        }
    }
    run_turn(handle, turn);
    let timers = handle.timers.borrow();
    let calls = timers.others.iter().filter(|(_, (_, record))| matches!(record, Timer::Call(_)));
    let calls: Vec<Armed<TimerRef>> = calls.map(|(_, (timer, _))| *timer).collect();
    drop(timers);
    let dropped: Vec<Timer> = calls.into_iter().filter_map(|t| handle.disarm(t)).collect();
    if !dropped.is_empty() {
        eprintln!(
            "minimalist-async: block_on returned with {} call_later callback(s) not yet due; \
             they were dropped without running",
            dropped.len()
        );
    }
    drop_each(dropped, "a call_later callback that never ran");
}

/// asyncio's `_cancel_all_tasks`, when some task is pending: cancels each, then runs turns until
/// every one of them has ended, plus the two turns of asyncio's gather (their done-callbacks, then
/// the stop).
fn cancel_pending(handle: &Rc<Handle>, turn: &mut Turn) {
    let tasks = handle.tasks.borrow();
    if tasks.pending == 0 {
        return;
    }
    let mut cancelled: Vec<Key> = tasks.entries.iter().map(|(key, _)| key).collect();
    drop(tasks);
    // `cancel` says whether the task was still pending: those are the ones to wait for.
    cancelled.retain(|key| handle.cancel(*key));
    let pending =
        |key| handle.tasks.borrow().entries.get(key).is_some_and(|entry| !entry.is_done());
    while cancelled.iter().any(|&key| pending(key)) && run_turn(handle, turn) {}
    run_turn(handle, turn);
    run_turn(handle, turn);
}

/// Begins a turn and runs it to its end; `false` if there was nothing to do.
fn run_turn(handle: &Rc<Handle>, turn: &mut Turn) -> bool {
    turn.begin(handle).then(|| turn.run_to_end(handle)).is_some()
}

/// Drops each value on its own, with `drop_contained`: a second panicking destructor inside one
/// collection's drop would abort the process.
fn drop_each<T>(values: impl IntoIterator<Item = T>, what: &str) {
    for value in values {
        drop_contained(value, || what.to_owned());
    }
}

/// Drops every pending future, result, queued callback, armed timer and message from another thread
/// exactly once, and says on stderr what was lost: the tasks still pending, a panic nobody looked at,
/// the callbacks that never ran. Nothing disappears unreported.
///
/// A future may hold a `Sleep` that points back at the handle, and a done-callback may hold its own
/// task's handle, so the tables are emptied here rather than left to reference counting. Dropping a
/// future, a callback or another thread's work, or waking a waker, may store more (a destructor that
/// spawns), hence the loop: it ends once a pass finds nothing at all.
pub(crate) fn tear_down(handle: &Rc<Handle>, turn: &mut Turn) {
    // Destructors of futures and callbacks may spawn, sleep or schedule: let them find this executor
    // (unless the thread is running another one), so that they are not told they run outside any
    // executor. What they add is dropped by the next pass of the loop.
    let _entered = try_enter(handle);
    let mut unfinished: Vec<TaskId> = Vec::new();
    let mut never_ran = 0;
    loop {
        // The slabs are drained, not replaced: their generations go on, so that a key someone still
        // holds (a handle, a waker, a call's handle) never names what a destructor stores next.
        let mut tasks = handle.tasks.borrow_mut();
        tasks.pending = 0;
        let (entries, cold) = (tasks.entries.drain(), std::mem::take(&mut tasks.cold));
        // The wakers that await the handles of the entries drained now or before.
        let awaiters = tasks.awaiters.drain();
        drop(tasks);
        // Read before the result tables go: a panic nobody looked at goes with them.
        for (key, entry) in &entries {
            let seen = cold.rare.get(&key.index()).is_some_and(|rare| rare.seen_failure);
            if let (Stage::Done(Outcome::Panicked), Some(spent), false) =
                (entry.stage, &entry.future, seen)
                && let Some(error) =
                    handle.outputs.table(spent.table(&handle.outputs)).error_text(entry.result())
            {
                report_unretrieved(&error);
            }
        }
        let calls = handle.calls.borrow_mut().drain();
        // The wheel stays, with its arming numbers: a timer armed by a destructor from here on must
        // not share one with a `Sleep` dropped later.
        let others = std::mem::take(&mut handle.timers.borrow_mut().others);
        let result_tables = handle.outputs.take_all();
        let messages = handle.queue.close();
        turn.clear_batch();
        let mut found =
            entries.len() + calls.len() + others.len() + awaiters.len() + messages.len();
        let mut rare = cold.rare;
        let alive = entries.iter().filter(|(_, entry)| entry.handle_alive);
        handle.gone.borrow_mut().extend(alive.map(|(key, entry)| (*key, entry.id)));
        for (key, entry) in entries {
            let id = entry.id;
            if !entry.is_done() {
                unfinished.push(id);
            }
            // The future while the task runs, its emptied box once it is done.
            if let Some(future) = entry.future {
                drop_contained(future, || format!("the future of {id}"));
            }
            for (_, callback) in rare.remove(&key.index()).into_iter().flat_map(|r| r.callbacks) {
                never_ran += 1;
                drop_contained(callback, || format!("a done-callback of {id} that never ran"));
            }
        }
        // Rare data (done-callbacks among it) is added only to a live entry (`Tasks::add_callback`),
        // and an entry's removal takes it with it: the walk above found it all.
        debug_assert!(rare.is_empty(), "rare data of no entry, in slots {:?}", rare.keys());
        never_ran += calls.len();
        drop_each(
            calls.into_iter().map(|(_, call)| call),
            "a call_soon callback (or work from another thread) that never ran",
        );
        for (_, record) in others.into_values() {
            match record {
                // A sleep of this executor awaited elsewhere: its task learns, when it next polls
                // the sleep, that this clock is gone (`Sleep`'s `check_alive`), instead of waiting
                // for ever.
                Timer::Waker(waker) => wake_contained(waker),
                Timer::Call(call) => {
                    never_ran += 1;
                    drop_contained(call, || "a call_later callback that never ran".to_owned());
                }
                Timer::Task(_) => {}
            }
        }
        // Whoever awaits a handle from elsewhere (another executor, a combinator's own waker) learns
        // now that the task is gone: its poll finds no executor and yields a cancelled `JoinError`.
        for awaiter in awaiters.into_iter().map(|(_, waker)| waker) {
            wake_contained(awaiter);
        }
        found += result_tables.into_iter().map(|(_, table)| table.drop_all()).sum::<usize>();
        never_ran += messages.iter().filter(|message| matches!(message, Message::Run(_))).count();
        drop_each(messages, "work sent from another thread");
        if found == 0 {
            break;
        }
    }
    // Nothing can be stored any more (the queue is closed, `CURRENT` names no executor): the emptied
    // table's memory goes now, not when the last `JoinHandle` or `Sleep` that outlived it lets go.
    let emptied = std::mem::take(&mut *handle.tasks.borrow_mut());
    drop(emptied);
    if never_ran > 0 {
        eprintln!(
            "minimalist-async: executor dropped with {never_ran} callback(s) that never ran \
             (call_soon, call_later, done-callbacks, other threads' work); they were dropped"
        );
    }
    if !unfinished.is_empty() {
        unfinished.sort();
        eprintln!(
            "minimalist-async: executor dropped with {} unfinished task(s), dropped unfinished: {}",
            unfinished.len(),
            names_of(&unfinished)
        );
    }
}

/// The tasks' names, comma-separated, the first `SHOWN` of them: a million unfinished tasks make one
/// line of a few kilobytes, not of megabytes.
fn names_of(tasks: &[TaskId]) -> String {
    const SHOWN: usize = 20;
    let names: Vec<String> = tasks.iter().take(SHOWN).map(TaskId::to_string).collect();
    match tasks.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{} and {more} more", names.join(", ")),
        _ => names.join(", "),
    }
}
