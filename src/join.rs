//! The join handle: a spawned task's result, its done-callbacks, and the error a panic turns into.
//!
//! Each task has one `JoinCell`, shared (`Rc`) by the task, its [`JoinHandle`] and any done-callbacks
//! waiting in the ready queue. It moves through three stages:
//!
//! ```text
//! Running ──task returns or panics──► Done(result) ──the handle's .await takes it──► Taken
//! ```
//!
//! When the task ends, the executor calls `Completion::notify`: every callback registered so far is
//! queued, one ready-queue entry each, in registration order, and the task awaiting the handle (if any)
//! is woken, behind them. Nothing runs inside the step that finished the task: this is asyncio's
//! `Future.set_result` → `call_soon(callback)` for each callback.
//!
//! A callback receives `&Result<T, JoinError>` while `.await` on the handle moves the result out, so the
//! handle hands the result over only once every callback queued before has run. With callbacks added
//! before anyone awaits (the tutorial's order) that is exactly asyncio's order; see NOTES.md for the one
//! corner where it differs.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::callback::Callback;
use crate::handle::Handle;
use crate::join_error::JoinError;
use crate::join_error::panic_message;
use crate::slab::Key;
use crate::task::{TaskId, Wait};
use crate::waker::TaskWaker;

/// A done-callback as stored: boxed, since each caller passes its own closure type.
type DoneCallback<T> = Box<dyn FnOnce(&Result<T, JoinError>)>;

enum Outcome<T> {
    Running,
    Done(Result<T, JoinError>),
    /// The handle's `.await` moved the result out.
    Taken,
}

/// A task's result cell. See the [module docs](self) for its stages.
pub(crate) struct JoinCell<T> {
    task: TaskId,
    /// Given with `spawn_named`; otherwise the id stands for the name.
    name: Option<Box<str>>,
    /// The task's poll and wake counts, copied here when it ends (the task table forgets it), for
    /// `JoinHandle::stats`.
    polls_at_end: Cell<u32>,
    wakes_at_end: Cell<u32>,
    outcome: RefCell<Outcome<T>>,
    /// Before the task ends: the callbacks registered so far. After: the callbacks queued in the ready
    /// queue and not yet run, oldest first; each queue entry runs the front one.
    callbacks: RefCell<VecDeque<DoneCallback<T>>>,
    /// The task awaiting the handle, if it is waiting.
    waiter: RefCell<Option<Waker>>,
    /// Someone saw the result: the handle took it, or a done-callback ran.
    retrieved: Cell<bool>,
    /// The `JoinHandle` still exists (it may yet retrieve the result).
    handle_alive: Cell<bool>,
}

/// What the executor needs from a result cell without knowing its output type.
pub(crate) trait Completion {
    /// The task's id.
    fn task_id(&self) -> TaskId;
    /// The task's name: the one given at spawn, or its id.
    fn task_name(&self) -> String;
    /// Done-callbacks registered and not run yet.
    fn pending_callbacks(&self) -> usize;
    /// Keeps the task's poll and wake counts once the task (and its waker) are gone.
    fn set_stats(&self, polls: u32, wakes: u32);
    /// Records that the task panicked.
    fn fail(&self, error: JoinError);
    /// The task is over: queue its callbacks, then wake its awaiter.
    fn notify(self: Rc<Self>, handle: &Handle);
    /// Runs the oldest queued callback (one ready-queue entry).
    fn run_next_callback(&self);
    /// The executor is going away: drop the callbacks and the awaiter's waker without running them.
    fn discard(&self);
}

impl<T> JoinCell<T> {
    pub(crate) fn new(task: TaskId, name: Option<Box<str>>) -> JoinCell<T> {
        JoinCell {
            task,
            name,
            polls_at_end: Cell::new(0),
            wakes_at_end: Cell::new(0),
            outcome: RefCell::new(Outcome::Running),
            callbacks: RefCell::default(),
            waiter: RefCell::default(),
            retrieved: Cell::new(false),
            handle_alive: Cell::new(true),
        }
    }

    /// asyncio's "Task exception was never retrieved": a task panicked and nobody can look at it any
    /// more. Said once, on stderr.
    fn report_if_unretrieved(&self) {
        if self.retrieved.get() || !self.callbacks.borrow().is_empty() {
            return;
        }
        if let Outcome::Done(Err(error)) = &*self.outcome.borrow()
            && error.is_panic()
        {
            self.retrieved.set(true);
            eprintln!("minimalist-async: task exception was never retrieved: {error}");
        }
    }

    /// Records the task's output; called by the task's own future as it returns.
    pub(crate) fn store(&self, output: T) {
        *self.outcome.borrow_mut() = Outcome::Done(Ok(output));
    }

    fn wake_waiter(&self) {
        if let Some(waker) = self.waiter.borrow_mut().take() {
            waker.wake();
        }
    }
}

impl<T: 'static> Completion for JoinCell<T> {
    fn task_id(&self) -> TaskId {
        self.task
    }

    fn task_name(&self) -> String {
        match &self.name {
            Some(name) => name.to_string(),
            None => self.task.to_string(),
        }
    }

    fn pending_callbacks(&self) -> usize {
        self.callbacks.borrow().len()
    }

    fn set_stats(&self, polls: u32, wakes: u32) {
        self.polls_at_end.set(polls);
        self.wakes_at_end.set(wakes);
    }

    fn fail(&self, error: JoinError) {
        *self.outcome.borrow_mut() = Outcome::Done(Err(error));
    }

    fn notify(self: Rc<Self>, handle: &Handle) {
        for _ in 0..self.callbacks.borrow().len() {
            handle.queue_callback(Callback::Done(self.clone()));
        }
        self.wake_waiter();
        if !self.handle_alive.get() {
            self.report_if_unretrieved();
        }
    }

    fn discard(&self) {
        let callbacks = std::mem::take(&mut *self.callbacks.borrow_mut());
        drop(callbacks);
        self.waiter.borrow_mut().take();
    }

    fn run_next_callback(&self) {
        let callback = self.callbacks.borrow_mut().pop_front();
        if let Some(callback) = callback {
            self.retrieved.set(true);
            let outcome = self.outcome.borrow();
            let Outcome::Done(result) = &*outcome else {
                unreachable!("callbacks are queued only once the result is in")
            };
            // A panicking callback must not take the loop down, nor skip the callbacks behind it.
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| callback(result))) {
                eprintln!(
                    "minimalist-async: a done-callback of {} panicked: {}",
                    self.task,
                    panic_message(&*panic).unwrap_or("<non-string payload>")
                );
            }
        }
        if self.callbacks.borrow().is_empty() {
            self.wake_waiter();
        }
    }
}

/// An owned permission to await a spawned task's result, returned by [`spawn`](fn@crate::spawn).
///
/// Awaiting it gives `Ok(value)` when the task returned and `Err(JoinError)` when it panicked.
/// Like asyncio's `Task` (and tokio's `JoinHandle`), dropping the handle does **not** stop the task: it
/// keeps running, and only its result is thrown away.
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let answer = executor.block_on(async {
///     let handle = spawn(async { 6 * 7 });
///     assert!(!handle.is_finished(), "spawn never runs the task on the spot");
///     handle.await
/// });
/// assert_eq!(answer.unwrap(), 42);
/// ```
#[must_use = "dropping a JoinHandle does not cancel the task, but its result is lost; await it or add a done-callback"]
pub struct JoinHandle<T> {
    cell: Rc<JoinCell<T>>,
    /// The task's key in the executor's task table, to cancel it.
    key: Key,
    handle: Weak<Handle>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match &*self.cell.outcome.borrow() {
            Outcome::Running => "running",
            Outcome::Done(Ok(_)) => "finished",
            Outcome::Done(Err(_)) => "failed",
            Outcome::Taken => "result taken",
        };
        f.debug_struct("JoinHandle")
            .field("task", &self.cell.task)
            .field("stage", &stage)
            .finish()
    }
}

impl<T: 'static> JoinHandle<T> {
    pub(crate) fn new(cell: Rc<JoinCell<T>>, key: Key, handle: Weak<Handle>) -> JoinHandle<T> {
        JoinHandle { cell, key, handle }
    }

    /// Cancels the task: asyncio's `Task.cancel()`, tokio's `abort()`. Returns whether the task was
    /// still running.
    ///
    /// The task's future is dropped before it would be polled again (never polled at all if it had not
    /// started yet), which drops its sleeps and so disarms their timers. The handle then yields a
    /// cancelled [`JoinError`], and the done-callbacks see the same error on a later turn, never inside
    /// `cancel`. Cancelling a finished task changes nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep, spawn};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let error = executor.block_on(async {
    ///     let task = spawn(async { sleep(Duration::from_secs(60)).await });
    ///     assert!(task.cancel());
    ///     task.await.unwrap_err()
    /// });
    /// assert!(error.is_cancelled());
    /// assert_eq!(executor.now(), Duration::ZERO, "the minute-long sleep was disarmed");
    /// ```
    pub fn cancel(&self) -> bool {
        match self.handle.upgrade() {
            Some(handle) => handle.cancel(self.key),
            None => false,
        }
    }

    /// A handle that cancels this task from any thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        let waker = self.handle.upgrade().and_then(|handle| {
            handle
                .tasks
                .borrow_mut()
                .get_mut(self.key)
                .map(|task| Arc::downgrade(handle.waker_of(task, self.key)))
        });
        CancelHandle {
            waker: waker.unwrap_or_default(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.cell.task
    }

    /// The task's name: the one given to [`spawn_named`](crate::spawn_named), or its id (`Task-2`).
    pub fn name(&self) -> String {
        self.cell.task_name()
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
        let live = self.handle.upgrade().and_then(|handle| {
            handle.tasks.borrow().get(self.key).map(|task| TaskStats {
                polls: task.polls,
                wakes: task.waker.as_ref().map_or(0, |waker| waker.wakes()),
            })
        });
        live.unwrap_or(TaskStats {
            polls: self.cell.polls_at_end.get(),
            wakes: self.cell.wakes_at_end.get(),
        })
    }

    /// Whether the task has returned or panicked.
    pub fn is_finished(&self) -> bool {
        !matches!(*self.cell.outcome.borrow(), Outcome::Running)
    }

    /// Runs `callback` with the task's result once the task is over: asyncio's `add_done_callback`.
    ///
    /// The callback never runs inside the call that queues it. When the task ends, its callbacks are
    /// queued in registration order and run on the next turn, each exactly once. A callback added after
    /// the task ended is queued at that moment, behind whatever is already waiting. A closure that
    /// captures what it needs plays the part of `functools.partial`.
    ///
    /// A callback that panics is reported on stderr; the loop and the other callbacks carry on.
    ///
    /// # Panics
    ///
    /// If the handle's result was already taken by awaiting it (through `&mut handle`): there is no
    /// result left to show the callback.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use minimalist_async::{Executor, spawn, yield_now};
    ///
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let mut executor = Executor::with_virtual_time();
    /// executor.block_on({
    ///     let seen = seen.clone();
    ///     async move {
    ///         let task = spawn(async { 7 });
    ///         let tag = "task1";
    ///         let log = seen.clone();
    ///         task.add_done_callback(move |result| {
    ///             log.borrow_mut().push(format!("{tag}: {}", result.as_ref().unwrap()));
    ///         });
    ///         assert!(seen.borrow().is_empty(), "nothing runs inside add_done_callback");
    ///         yield_now().await; // the task runs in this turn...
    ///         assert!(seen.borrow().is_empty(), "...and its callback only on the next one");
    ///         yield_now().await;
    ///         assert_eq!(*seen.borrow(), ["task1: 7"]);
    ///     }
    /// });
    /// ```
    #[track_caller]
    pub fn add_done_callback<F>(&self, callback: F)
    where
        F: FnOnce(&Result<T, JoinError>) + 'static,
    {
        let stage_done = match &*self.cell.outcome.borrow() {
            Outcome::Running => false,
            Outcome::Done(_) => true,
            Outcome::Taken => panic!(
                "add_done_callback on {} after its result was taken by .await: add callbacks before awaiting",
                self.cell.task
            ),
        };
        self.cell
            .callbacks
            .borrow_mut()
            .push_back(Box::new(callback));
        if stage_done {
            match self.handle.upgrade() {
                Some(handle) => handle.queue_callback(Callback::Done(self.cell.clone())),
                None => eprintln!(
                    "minimalist-async: done-callback added to {} after its executor was dropped; it will never run",
                    self.cell.task
                ),
            }
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.cell.handle_alive.set(false);
        if !matches!(*self.cell.outcome.borrow(), Outcome::Running) {
            self.cell.report_if_unretrieved();
        }
    }
}

/// Per-task counts, from [`JoinHandle::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskStats {
    /// Times the executor polled the task.
    pub polls: u32,
    /// Times the task's waker was called (wakes while already queued included).
    pub wakes: u32,
}

/// Cancels a task from any thread: `Send`, `Sync` and cheap to clone. Made by
/// [`JoinHandle::cancel_handle`].
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, spawn};
///
/// let mut executor = Executor::new();
/// let error = executor.block_on(async {
///     let task = spawn(async { sleep(Duration::from_secs(60)).await });
///     let canceller = task.cancel_handle();
///     std::thread::spawn(move || canceller.cancel()).join().unwrap();
///     task.await.unwrap_err()
/// });
/// assert!(error.is_cancelled());
/// ```
#[derive(Clone, Debug)]
pub struct CancelHandle {
    /// Weak, so that an outstanding cancel handle does not count as "someone can still wake this task".
    waker: std::sync::Weak<TaskWaker>,
}

impl CancelHandle {
    /// Asks the task's executor to drop the task before it polls it again. Does nothing if the task has
    /// finished or its executor is gone. The executor wakes at once if it was idle.
    pub fn cancel(&self) {
        if let Some(waker) = self.waker.upgrade() {
            waker.request_cancel();
        }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let cell = &self.cell;
        let mut outcome = cell.outcome.borrow_mut();
        match &*outcome {
            Outcome::Done(_) if cell.callbacks.borrow().is_empty() => {
                let Outcome::Done(result) = std::mem::replace(&mut *outcome, Outcome::Taken) else {
                    unreachable!("matched Done")
                };
                cell.retrieved.set(true);
                Poll::Ready(result)
            }
            Outcome::Running | Outcome::Done(_) => {
                let mut waiter = cell.waiter.borrow_mut();
                if !waiter.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waiter = Some(cx.waker().clone());
                }
                if let Some(handle) = self.handle.upgrade() {
                    handle.note_wait(Wait::Task(cell.task));
                }
                Poll::Pending
            }
            Outcome::Taken => panic!(
                "{} JoinHandle polled after it returned its result",
                cell.task
            ),
        }
    }
}
