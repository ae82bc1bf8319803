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

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::handle::Handle;
use crate::task::TaskId;

/// Why a task produced no value.
///
/// Today the only cause is a panic inside the task's future: the executor catches it, the other tasks
/// keep running, and the panic reaches the task's [`JoinHandle`] and its done-callbacks as this error
/// (asyncio hands the exception to the awaiting code and to `future.result()` the same way).
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let result = executor.block_on(async {
///     spawn(async { panic!("boom") }).await
/// });
/// let error = result.unwrap_err();
/// assert!(error.is_panic());
/// assert_eq!(error.panic_message(), Some("boom"));
/// assert_eq!(error.to_string(), "Task-2 panicked: boom");
/// ```
pub struct JoinError {
    task: TaskId,
    panic: Box<dyn Any + Send + 'static>,
}

impl JoinError {
    pub(crate) fn panicked(task: TaskId, panic: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError { task, panic }
    }

    /// The task that failed.
    pub fn task_id(&self) -> TaskId {
        self.task
    }

    /// Whether the task panicked (today always true; cancellation will be the other cause).
    pub fn is_panic(&self) -> bool {
        true
    }

    /// The panic's message, when it was a string (as `panic!("...")` makes).
    pub fn panic_message(&self) -> Option<&str> {
        panic_message(&*self.panic)
    }

    /// The panic payload, to re-raise it with [`std::panic::resume_unwind`].
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.panic
    }
}

/// The text of a panic payload, for the two payload types `panic!` produces.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.panic_message() {
            Some(message) => write!(f, "{} panicked: {message}", self.task),
            None => write!(f, "{} panicked", self.task),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinError")
            .field("task", &self.task)
            .field(
                "panic",
                &self.panic_message().unwrap_or("<non-string payload>"),
            )
            .finish()
    }
}

impl std::error::Error for JoinError {}

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
    outcome: RefCell<Outcome<T>>,
    /// Before the task ends: the callbacks registered so far. After: the callbacks queued in the ready
    /// queue and not yet run, oldest first; each queue entry runs the front one.
    callbacks: RefCell<VecDeque<DoneCallback<T>>>,
    /// The task awaiting the handle, if it is waiting.
    waiter: RefCell<Option<Waker>>,
}

/// What the executor needs from a result cell without knowing its output type.
pub(crate) trait Completion {
    /// The task's id.
    fn task_id(&self) -> TaskId;
    /// Records that the task panicked.
    fn fail(&self, error: JoinError);
    /// The task is over: queue its callbacks, then wake its awaiter.
    fn notify(self: Rc<Self>, handle: &Handle);
    /// Runs the oldest queued callback (one ready-queue entry).
    fn run_next_callback(&self);
}

impl<T> JoinCell<T> {
    pub(crate) fn new(task: TaskId) -> JoinCell<T> {
        JoinCell {
            task,
            outcome: RefCell::new(Outcome::Running),
            callbacks: RefCell::default(),
            waiter: RefCell::default(),
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

    fn fail(&self, error: JoinError) {
        *self.outcome.borrow_mut() = Outcome::Done(Err(error));
    }

    fn notify(self: Rc<Self>, handle: &Handle) {
        for _ in 0..self.callbacks.borrow().len() {
            handle.queue_callback(self.clone());
        }
        self.wake_waiter();
    }

    fn run_next_callback(&self) {
        let callback = self.callbacks.borrow_mut().pop_front();
        if let Some(callback) = callback {
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

/// An owned permission to await a spawned task's result, returned by [`spawn`](crate::spawn).
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
    pub(crate) fn new(cell: Rc<JoinCell<T>>, handle: Weak<Handle>) -> JoinHandle<T> {
        JoinHandle { cell, handle }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.cell.task
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
                Some(handle) => handle.queue_callback(self.cell.clone()),
                None => eprintln!(
                    "minimalist-async: done-callback added to {} after its executor was dropped; it will never run",
                    self.cell.task
                ),
            }
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
                Poll::Ready(result)
            }
            Outcome::Running | Outcome::Done(_) => {
                let mut waiter = cell.waiter.borrow_mut();
                if !waiter.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waiter = Some(cx.waker().clone());
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
