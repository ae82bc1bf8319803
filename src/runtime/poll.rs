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

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::runtime::events::{EventKind, Outcome};
use crate::runtime::handle::Handle;
use crate::runtime::join_error::{JoinError, drop_contained};
use crate::runtime::slab::Key;
use crate::runtime::step::Step;
use crate::runtime::table::Stage;
use crate::runtime::waker::Target;

/// Polls the task under `key` once, catching a panic so that the other tasks keep running; or drops it,
/// if it was cancelled. `None` for a stale queue entry (the task has ended).
pub(crate) fn poll_task(handle: &Rc<Handle>, key: Key) -> Option<Step> {
    let (id, mut future, table, kept) = {
        let mut tasks = handle.tasks.borrow_mut();
        let entry = tasks.get_mut(key)?;
        // A task that ended while queued (cancelled in the poll where it returned) leaves its queue
        // entry behind: skip it.
        let Stage::Running(_) = entry.stage else {
            return None;
        };
        entry.queued = false;
        if entry.cancel {
            drop(tasks);
            return Some(drop_cancelled(handle, key));
        }
        let Stage::Running(future) = std::mem::replace(&mut entry.stage, Stage::Polling) else {
            unreachable!("matched Running above")
        };
        entry.polls += 1;
        (entry.id, future, entry.table, entry.waker.take())
    };
    // The task's own waker if it keeps one; otherwise one lent for this poll.
    let lent = kept.is_none().then(|| handle.lend_waker(Target::Task(key)));
    let waker = kept.as_deref().or(lent.as_ref()).expect("kept or lent");
    handle.set_polling(Target::Task(key), id, waker.waker());
    handle.record(|| EventKind::PollStarted { task: id });
    let started = handle.sink.get().map(|_| Instant::now());
    let polled = {
        let mut cx = Context::from_waker(waker.waker());
        catch_unwind(AssertUnwindSafe(|| {
            future.as_mut().poll_task(&mut cx, &handle.outputs, table)
        }))
    };
    handle.polling.set(None);
    // A kept waker stays kept while someone still holds it; a lent one becomes kept (boxed, once) if
    // someone cloned it during this poll.
    let kept = match (kept, lent) {
        (Some(kept), _) if kept.is_kept() => Some(kept),
        (Some(kept), _) => handle.take_back(*kept).map(Box::new),
        (None, Some(lent)) => handle.take_back(lent).map(Box::new),
        (None, None) => unreachable!("kept or lent"),
    };
    if let Some(started) = started {
        let duration = started.elapsed();
        let ready = !matches!(polled, Ok(Poll::Pending));
        handle.record(|| EventKind::PollEnded {
            task: id,
            duration,
            ready,
        });
    }
    let (result, outcome) = match polled {
        Ok(Poll::Pending) => {
            let mut tasks = handle.tasks.borrow_mut();
            let entry = tasks
                .get_mut(key)
                .expect("only a poll's end removes a polled task");
            entry.stage = Stage::Running(future);
            // Nothing can ever wake a task that is not queued, kept no waker and noted itself nowhere.
            let lost = !entry.queued
                && kept.is_none()
                && !handle.noted.get()
                && !entry.cancel
                && !entry.reported_lost;
            entry.waker = kept;
            if lost {
                entry.reported_lost = true;
                let name = tasks.name(key).expect("the entry is there");
                drop(tasks);
                report_lost_waker(&name);
            }
            return Some(Step::Polled {
                task: id,
                finished: false,
            });
        }
        Ok(Poll::Ready(result)) => {
            let cancelled = handle.tasks.borrow().get(key).is_some_and(|e| e.cancel);
            if cancelled {
                // Cancelled during the very poll in which it returned: as in asyncio (a task whose
                // `_must_cancel` is set ends cancelled), `cancel()` said it was still running, so the
                // cancel wins and the output is dropped.
                let output = handle.outputs.table(table).discard(result);
                drop_contained(output, || format!("the output of {id}"));
                let error = JoinError::cancelled(id);
                (
                    future.fail(&handle.outputs, table, error),
                    Outcome::Cancelled,
                )
            } else {
                (result, Outcome::Returned)
            }
        }
        Err(panic) => {
            let error = JoinError::panicked(id, panic);
            (
                future.fail(&handle.outputs, table, error),
                Outcome::Panicked,
            )
        }
    };
    // The task is over: a kept waker stays with whoever kept it, its wakes finding an ended task.
    drop(kept);
    // Dropped with nothing borrowed: the future's locals may call back into the executor.
    drop_contained(future, || format!("the future of {id}"));
    end_task(handle, key, result, outcome);
    Some(Step::Polled {
        task: id,
        finished: true,
    })
}

/// The task was cancelled: its future is dropped unpolled (which disarms its sleeps), and its handle
/// and callbacks learn it as a cancelled `JoinError`.
fn drop_cancelled(handle: &Rc<Handle>, key: Key) -> Step {
    let (id, future, table) = {
        let mut tasks = handle.tasks.borrow_mut();
        let entry = tasks.get_mut(key).expect("checked by the caller");
        let Stage::Running(future) = std::mem::replace(&mut entry.stage, Stage::Polling) else {
            unreachable!("checked by the caller")
        };
        (entry.id, future, entry.table)
    };
    // The result first: whatever the drop does, the task ends cancelled.
    let result = future.fail(&handle.outputs, table, JoinError::cancelled(id));
    drop_contained(future, || format!("the cancelled future of {id}"));
    end_task(handle, key, result, Outcome::Cancelled);
    Step::Cancelled { task: id }
}

/// The task is over: its result is stored, its callbacks queued (they run on the next turn), whoever
/// awaits its handle woken, and the entry released if nobody can claim the result.
fn end_task(handle: &Rc<Handle>, key: Key, result: Key, outcome: Outcome) {
    let (id, callbacks, kept) = {
        let mut tasks = handle.tasks.borrow_mut();
        tasks.end(key, result, outcome);
        let entry = tasks.get_mut(key).expect("just ended");
        (
            entry.id,
            entry.callbacks,
            entry.waker.take().map(|kept| *kept),
        )
    };
    if let Some(kept) = kept {
        drop(handle.take_back(kept));
    }
    handle.record(|| EventKind::TaskFinished { task: id, outcome });
    let inline = handle.rules.get().inline_callbacks;
    for _ in 0..callbacks {
        if inline {
            // A broken rule (`Rule::InlineCallbacks`): run them inside this step.
            handle.run_done_callback(key);
        } else {
            handle.queue_done_callback(key, id);
        }
    }
    handle.wake_waiter(key);
    handle.release_if_unclaimed(key);
}

pub(crate) fn report_lost_waker(name: &str) {
    eprintln!(
        "minimalist-async: {name} returned Pending but no waker for it is left anywhere: nothing can \
         wake it, so it will never run again (a future must keep cx.waker() somewhere before returning \
         Pending)"
    );
}
