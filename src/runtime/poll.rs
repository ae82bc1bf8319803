//! One poll: take a task's future out of its entry, poll it with a lent waker, put it back or end the
//! task.
//!
//! This is the executor's busiest function and the one place where a task's life changes:
//!
//! ```text
//! Task(key) popped ──cancel asked──► drop the future ──────────────┐
//!        │                                                         ▼
//!        └─► poll ──Pending──► future back in the entry      end: result stored, callbacks queued,
//!              │                                                  awaiter woken, entry released
//!              └─Ready / panic─────────────────────────────────────┘   once nobody can claim it
//! ```

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::runtime::events::Outcome;
use crate::runtime::handle::Handle;
use crate::runtime::join_error::{JoinError, contain};
use crate::runtime::results::TaskBox;
use crate::runtime::rules::Rule;
use crate::runtime::slab::Key;
use crate::runtime::step::Step;
use crate::runtime::table::Stage;
use crate::runtime::task::TaskId;
use crate::runtime::waker::Lent;

/// Polls the task under `key` once, catching a panic so that the other tasks keep running; or drops it,
/// if it was cancelled. `None` for a stale queue entry (the task has ended).
#[inline]
pub(crate) fn poll_task(handle: &Rc<Handle>, key: Key) -> Option<Step> {
    let (id, mut future, kept) = {
        let mut tasks = handle.tasks.borrow_mut();
        let entry = tasks.entries.get_mut(key)?;
        match entry.stage {
            Stage::Running => {}
            Stage::Main => {
                // The `block_on` future's turn: `block_on` polls it, in its own frame.
                entry.queued = false;
                return Some(Step::MainWoken);
            }
            // A task that ended while queued (cancelled in the poll where it returned) leaves its
            // queue entry behind: skip it.
            _ => return None,
        }
        let future = entry.future.take().expect("a running task has its future");
        entry.stage = Stage::Polling;
        entry.queued = false;
        if entry.cancel {
            // Cancelled before this poll: the future is dropped unpolled (which disarms its sleeps).
            let id = entry.id;
            drop(tasks);
            end_task(handle, key, id, future, Err(JoinError::cancelled(id)));
            return Some(Step::Cancelled { task: id });
        }
        (entry.id, future, entry.waker.take())
    };
    let (polled, kept) = poll_with_waker(handle, key, id, kept, |cx| {
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll_task(cx, &handle.outputs))) {
            // Pending, or returned: the output is in its type's table already, under this key.
            Ok(polled) => polled.map(Ok),
            // Panicked: caught, so that the other tasks go on; the panic is this task's result.
            Err(panic) => Poll::Ready(Err(JoinError::panicked(id, panic))),
        }
    });
    let Poll::Ready(mut ended) = polled else {
        // Not done: the future goes back into its entry, to be polled when something wakes it.
        settle_pending(handle, key, kept, Some(future));
        return Some(Step::Polled { task: id, finished: false });
    };
    // Cancelled during the very poll in which it returned: as in asyncio (a task whose
    // `_must_cancel` is set ends cancelled), `cancel()` said it was still running, so the cancel wins
    // and the output is dropped.
    let cancelled = handle.tasks.borrow().entries.get(key).is_some_and(|e| e.cancel);
    if cancelled && let Ok(output) = ended {
        handle.outputs.table(future.table(&handle.outputs)).discard(output, id);
        ended = Err(JoinError::cancelled(id));
    }
    // The task is over: a kept waker stays with whoever kept it, its wakes finding an ended task.
    drop(kept);
    end_task(handle, key, id, future, ended);
    Some(Step::Polled { task: id, finished: true })
}

/// Polls the `block_on` future under `key`, whose turn came (`Step::MainWoken`): as a task is polled,
/// with the waker of its entry, but in `block_on`'s frame, and a panic goes on to `block_on`'s caller,
/// as asyncio.run raises what its main coroutine raised.
pub(crate) fn poll_main<F: Future>(
    handle: &Handle,
    key: Key,
    future: Pin<&mut F>,
) -> Poll<F::Output> {
    let (id, kept) = {
        let mut tasks = handle.tasks.borrow_mut();
        let entry = tasks.entries.get_mut(key).expect("block_on's entry lives as long as its call");
        (entry.id, entry.waker.take())
    };
    let (polled, kept) = poll_with_waker(handle, key, id, kept, |cx| future.poll(cx));
    if polled.is_pending() {
        settle_pending(handle, key, kept, None);
    }
    polled
}

/// Polls an entry's future with the entry's waker: the one it kept, when someone still holds a clone
/// of it; otherwise the spare, lent for this poll. The poll is noted for `own_task` and the sink.
/// Returns what `poll` returned and the waker the entry keeps, if someone cloned it.
#[inline]
fn poll_with_waker<R>(
    handle: &Handle,
    key: Key,
    id: TaskId,
    kept: Option<Box<Lent>>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> (Poll<R>, Option<Box<Lent>>) {
    let waker = kept.unwrap_or_else(|| handle.lend_waker(key));
    handle.set_polling(key, id, waker.waker());
    handle.record(|sink, at| sink.poll_started(at, id));
    let started = handle.sink.get().map(|_| Instant::now());
    let polled = poll(&mut Context::from_waker(waker.waker()));
    handle.polling.set(None);
    if let Some(started) = started {
        let (duration, ready) = (started.elapsed(), polled.is_ready());
        handle.record(|sink, at| sink.poll_ended(at, id, duration, ready));
    }
    (polled, handle.take_back(waker))
}

/// After a `Pending` poll: the entry gets its future back (a task's) and keeps the waker someone
/// cloned; an entry that nothing can wake is reported, once.
#[inline]
fn settle_pending(handle: &Handle, key: Key, kept: Option<Box<Lent>>, future: Option<TaskBox>) {
    let yielded = handle.yielded.get();
    if yielded {
        // Before the table is borrowed: what other threads sent before is queued before.
        handle.take_in_if_sent();
    }
    let mut tasks = handle.tasks.borrow_mut();
    let entry = tasks.entries.get_mut(key).expect("only a poll's end removes a polled entry");
    if future.is_some() {
        entry.leave_polling(Stage::Running, future);
    }
    // Speed: taken out as the poll began and `None` since, so forgotten rather than dropped, which
    // skips the drop's check (ping_pong 489 -> 484 instructions per hit, yield_many 314 -> 307).
    debug_assert!(entry.waker.is_none(), "{} got a waker during its poll", entry.id);
    std::mem::forget(std::mem::replace(&mut entry.waker, kept));
    if yielded {
        // `yield_now` asked to run after the others: queued now that its poll is over.
        let (task, already_queued) = handle.queue_woken(key, entry);
        drop(tasks);
        handle.record(|sink, at| sink.woken(at, task, false, already_queued));
        return;
    }
    // Nothing can ever wake a task that is not queued, kept no waker and noted itself nowhere.
    let lost = !entry.queued && entry.waker.is_none() && !handle.noted.get() && !entry.cancel;
    drop(tasks);
    if lost {
        report_if_lost(handle, key);
    }
}

/// Reports the task under `key`, which nothing seems able to wake, unless a wake for it from another
/// thread is already in the channel: a clone handed to a thread that woke it and dropped it during
/// the poll leaves no waker behind, only its message. Taken in, the message queues the task. Out of
/// line: the usual poll never gets here.
#[inline(never)]
fn report_if_lost(handle: &Handle, key: Key) {
    handle.take_in_if_sent();
    let mut tasks = handle.tasks.borrow_mut();
    let Some(entry) = tasks.entries.get(key).filter(|entry| !entry.queued) else { return };
    // The `block_on` future's entry has no name of its own: its id, said to be that future's.
    let main = if entry.stage == Stage::Main { " (the block_on future)" } else { "" };
    // Said once per task; the note is cold data, cleared with the entry.
    let rare = tasks.cold.rare.entry(key.index()).or_default();
    if std::mem::replace(&mut rare.reported_lost, true) {
        return;
    }
    let name = tasks.name(key).expect("the entry is there");
    drop(tasks);
    eprintln!(
        "minimalist-async: {name}{main} returned Pending but no waker for it is left anywhere: nothing \
         can wake it, so it will never run again (a future must keep cx.waker() somewhere before \
         returning Pending)"
    );
}

/// The task is over, with its output (already in its table, under this key) or an error: the result is
/// stored first, so that whatever the future's drop does, the task has ended as it did; then the future
/// is dropped, the callbacks queued (they run on the next turn), whoever awaits the handle woken, and
/// the entry released if nobody can claim the result.
fn end_task(
    handle: &Rc<Handle>,
    key: Key,
    id: TaskId,
    mut future: TaskBox,
    ended: Result<Key, JoinError>,
) {
    let outcome = match &ended {
        Ok(_) => Outcome::Returned,
        Err(error) if error.is_cancelled() => Outcome::Cancelled,
        Err(_) => Outcome::Panicked,
    };
    let result = ended.unwrap_or_else(|error| future.fail(&handle.outputs, error));
    // Dropped in place, with nothing borrowed: the future's locals may call back into the executor.
    // The task has ended, as in asyncio no user code runs between a return and `set_result`: a
    // `cancel` from this drop is too late (`Handle::ending`; nested, for an eager spawn in it).
    let outer = handle.ending.replace(Some(key));
    contain(
        || future.as_mut().clear(),
        || match outcome {
            Outcome::Cancelled => format!("the cancelled future of {id}"),
            _ => format!("the future of {id}"),
        },
    );
    handle.ending.set(outer);
    // One look at the entry for everything the end needs to know.
    let (callbacks, kept, awaiter, unclaimed) = {
        let mut tasks = handle.tasks.borrow_mut();
        let entry = tasks.end(key, result, outcome, future);
        let unclaimed = !entry.handle_alive && entry.callbacks == 0;
        let (callbacks, kept, awaited) =
            (entry.callbacks, entry.waker.take(), entry.waiter.is_some());
        // Most tasks end with nobody awaiting them yet: no second look at the entry then (taking the
        // waiter in `Tasks::end` itself cost 27 instructions per task on spawn_join).
        let awaiter = awaited.then(|| tasks.take_waiter(key)).flatten();
        (callbacks, kept, awaiter, unclaimed)
    };
    drop(kept.and_then(|kept| handle.take_back(kept)));
    handle.record(|sink, at| sink.task_finished(at, id, outcome));
    let inline = handle.rules.get().is_broken(Rule::InlineCallbacks);
    for _ in 0..callbacks {
        if inline {
            // A broken rule (`Rule::InlineCallbacks`): run them inside this step.
            handle.run_done_callback(key);
        } else {
            handle.queue_done_callback(key, id);
        }
    }
    if let Some(awaiter) = awaiter {
        handle.wake_awaiter(awaiter);
    }
    if unclaimed {
        handle.release_if_unclaimed(key);
    }
}
