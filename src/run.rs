//! What one entry of the ready queue does: poll a task (or drop it, if cancelled), run a callback, fire
//! the due timers; and the two detectors that watch the polls.
//!
//! These are the executor's hands; `executor.rs` holds the loop that decides what to do next.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::callback::Callback;
use crate::executor::Executor;
use crate::handle::{Handle, TimerAction};
use crate::inspect::{TaskInfo, TaskState};
use crate::join_error::JoinError;
use crate::slab::Key;
use crate::step::Step;
use crate::task::{Task, TaskId, Wait};
use crate::trace::{EventKind, Outcome};
use crate::waker::TaskWaker;

impl Executor {
    /// Polls one task, catching a panic so that the other tasks keep running; or drops it, if it was
    /// cancelled.
    pub(crate) fn poll_task(&mut self, key: Key) -> Option<Step> {
        let (id, mut future, waker) = {
            let mut tasks = self.handle.tasks.borrow_mut();
            let task = tasks.get_mut(key)?;
            let task_waker = self.handle.waker_of(task, key);
            // Clear first, then look for a cancel: a cancel that lands after the check finds the flag
            // clear and queues the task again, so it is never lost.
            task_waker.clear_queued();
            if task_waker.cancel_requested() {
                task_waker.mark_queued();
                drop(tasks);
                return Some(self.drop_cancelled(key));
            }
            let future = task.future.take()?;
            task.polls += 1;
            let waker = task
                .std_waker
                .take()
                .expect("only a poll in progress holds the waker");
            (task.id, future, waker)
        };
        let polled = {
            let mut cx = Context::from_waker(&waker);
            self.poll_as(id, || {
                catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)))
            })
        };
        let finished = !matches!(polled, Ok(Poll::Pending));
        {
            let mut tasks = self.handle.tasks.borrow_mut();
            let task = tasks.get_mut(key).expect("only this function removes it");
            task.std_waker = Some(waker);
            if finished {
                drop(future);
            } else {
                task.future = Some(future);
                task.wait = self.handle.wait.get();
                if !task.reported_lost
                    && lost_waker(task.waker.as_ref().expect("made for the poll"))
                {
                    task.reported_lost = true;
                    report_lost_waker(&task.completion.task_name());
                }
            }
        }
        if self.poll_started.is_some() {
            self.after_poll(id, finished, key);
        }
        if !finished {
            return Some(Step::Polled {
                task: id,
                finished: false,
            });
        }
        let (completion, cancelled) = {
            let tasks = self.handle.tasks.borrow();
            let task = tasks.get(key).expect("only this function removes it");
            let cancelled = task.waker.as_ref().is_some_and(|w| w.cancel_requested());
            (Rc::clone(&task.completion), cancelled)
        };
        // The table's borrow ends before `fail`: failing drops the task's output, and that drop may
        // cancel or spawn other tasks.
        let outcome = match polled {
            Err(panic) => {
                completion.fail(JoinError::panicked(id, panic));
                Outcome::Panicked
            }
            // Cancelled during the very poll in which it returned: as in asyncio (a `_must_cancel`
            // task that returns ends cancelled), `cancel()` said it was still running, so the cancel
            // wins and the output is dropped.
            Ok(_) if cancelled => {
                completion.fail(JoinError::cancelled(id));
                Outcome::Cancelled
            }
            Ok(_) => Outcome::Returned,
        };
        self.finish_task(key, outcome);
        Some(Step::Polled {
            task: id,
            finished: true,
        })
    }

    /// Polls `poll` as task `id`: notes who is polling (the parent of what it spawns, the owner of
    /// what it arms), and, while the blocking detector or the trace is on, times the poll.
    pub(crate) fn poll_as<R>(&mut self, id: TaskId, poll: impl FnOnce() -> R) -> R {
        /// Clears "who is polling" when the poll ends, also when a panic in `block_on`'s own future
        /// unwinds through here (a task's panic is caught inside `poll`).
        struct PollingGuard<'a>(&'a Handle);
        impl Drop for PollingGuard<'_> {
            fn drop(&mut self) {
                self.0.polling.set(None);
            }
        }
        self.handle.polling.set(Some(id));
        self.handle.wait.set(Wait::Other);
        self.handle.record(|| EventKind::PollStarted { task: id });
        let timed = self.slow_poll.is_some() || self.handle.trace.get().is_some();
        let started = timed.then(Instant::now);
        let result = {
            let _polling = PollingGuard(&self.handle);
            poll()
        };
        self.poll_started = started;
        result
    }

    /// After a poll of task `id` (whose key is `key`, or `None` for the `block_on` future): the
    /// blocking detector and the trace.
    pub(crate) fn after_poll(&mut self, id: TaskId, finished: bool, key: impl Into<Option<Key>>) {
        let Some(started) = self.poll_started.take() else {
            return;
        };
        let duration = started.elapsed();
        if let Some(threshold) = self.slow_poll
            && duration >= threshold
        {
            let name = match key.into() {
                Some(key) => self
                    .handle
                    .tasks
                    .borrow()
                    .get(key)
                    .map(|task| task.completion.task_name()),
                None => Some("the block_on future".to_owned()),
            };
            eprintln!(
                "minimalist-async: {id} ({}) blocked the executor for {:.1} ms in one poll \
                 (threshold {} ms): every other task waited. std::thread::sleep and other blocking \
                 calls block the whole executor; use sleep(..).await, or spawn_blocking for blocking work",
                name.unwrap_or_default(),
                duration.as_secs_f64() * 1e3,
                threshold.as_millis()
            );
        }
        self.handle.record(|| EventKind::PollEnded {
            task: id,
            duration,
            ready: finished,
        });
    }

    /// The task was cancelled: its future is dropped unpolled (which disarms its sleeps), and its handle
    /// and callbacks learn it as a cancelled `JoinError`.
    fn drop_cancelled(&mut self, key: Key) -> Step {
        let (id, future) = {
            let mut tasks = self.handle.tasks.borrow_mut();
            let task = tasks.get_mut(key).expect("checked by the caller");
            task.completion.fail(JoinError::cancelled(task.id));
            (task.id, task.future.take())
        };
        drop(future);
        self.finish_task(key, Outcome::Cancelled);
        Step::Cancelled { task: id }
    }

    /// Removes a finished task from the table and tells its result cell, which queues the callbacks.
    fn finish_task(&mut self, key: Key, outcome: Outcome) {
        let task = self
            .handle
            .tasks
            .borrow_mut()
            .remove(key)
            .expect("finished once");
        let Task {
            id,
            completion,
            waker,
            std_waker,
            spawned_by,
            polls,
            ..
        } = task;
        let wakes = waker.as_ref().map_or(0, |waker| waker.wakes());
        if let (Some(waker), Some(std_waker)) = (waker, std_waker) {
            self.handle.recycle_waker(waker, std_waker);
        }
        completion.set_stats(polls, wakes);
        if self.handle.trace.get().is_some() {
            self.handle
                .record(|| EventKind::TaskFinished { task: id, outcome });
            self.handle.ended.borrow_mut().push(TaskInfo {
                id,
                name: completion.task_name(),
                spawned_by,
                callbacks: 0,
                state: match outcome {
                    Outcome::Returned => TaskState::Finished,
                    Outcome::Panicked => TaskState::Panicked,
                    Outcome::Cancelled => TaskState::Cancelled,
                },
            });
        }
        completion.notify(&self.handle);
    }

    pub(crate) fn run_callback(&mut self, key: Key) -> Option<Step> {
        let callback = self.handle.callbacks.borrow_mut().remove(key)?;
        Some(match callback {
            Callback::Done(completion) => {
                let task = completion.task_id();
                self.handle
                    .record(|| EventKind::CallbackRan { task: Some(task) });
                completion.run_next_callback();
                Step::RanCallback { task }
            }
            Callback::Plain(callback) => {
                self.handle.record(|| EventKind::CallbackRan { task: None });
                callback.run();
                Step::RanCallSoon
            }
        })
    }

    /// Fires the timers collected when the turn began, in deadline-then-arming order. A timer whose
    /// `Sleep` was dropped meanwhile is gone from the wheel and fires nothing.
    pub(crate) fn fire_due_timers(&mut self) -> usize {
        let mut fired = 0;
        for key in std::mem::take(&mut self.turn.due) {
            // Take the action out first, so the wheel is not borrowed while a waker or callback runs.
            let (deadline, action) = {
                let mut timers = self.handle.timers.borrow_mut();
                let deadline = timers.get(key).map_or(0, |(deadline, _)| deadline);
                (Duration::from_micros(deadline), timers.remove(key))
            };
            match action {
                Some(TimerAction::Wake { waker, task }) => {
                    self.handle
                        .record(|| EventKind::TimerFired { task, deadline });
                    waker.wake();
                }
                Some(TimerAction::Call(callback)) => {
                    self.handle.record(|| EventKind::TimerFired {
                        task: None,
                        deadline,
                    });
                    callback.run();
                }
                None => continue,
            }
            fired += 1;
        }
        fired
    }
}

/// Whether a task that just returned `Pending` left no waker anywhere: only its own two references
/// (the task table's `Arc` and its `Waker`) remain, and it is not queued.
pub(crate) fn lost_waker(waker: &Arc<TaskWaker>) -> bool {
    Arc::strong_count(waker) <= 2 && !waker.is_queued() && !waker.cancel_requested()
}

pub(crate) fn report_lost_waker(name: &str) {
    eprintln!(
        "minimalist-async: {name} returned Pending but no waker for it is left anywhere: nothing can \
         wake it, so it will never run again (a future must keep cx.waker() somewhere before returning \
         Pending)"
    );
}
