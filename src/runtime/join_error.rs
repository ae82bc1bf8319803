//! `JoinError`: why a task produced no value.

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

use crate::runtime::task::TaskId;

/// Why a task produced no value: it panicked, or it was cancelled.
///
/// A panic inside a task's future is caught: the other tasks keep running, and the panic reaches the
/// task's [`JoinHandle`](crate::JoinHandle) and its done-callbacks as this error (asyncio hands the exception to the
/// awaiting code and to `future.result()` the same way). A task stopped with [`JoinHandle::cancel`](crate::JoinHandle::cancel)
/// ends with a cancelled `JoinError` (asyncio's `CancelledError`).
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
pub struct JoinError(Box<Failure>);

/// Boxed, so that a `Result<T, JoinError>` is barely bigger than a `T`: a million finished tasks keep
/// a million results, and failures are rare.
struct Failure {
    task: TaskId,
    /// What the task's future panicked with; `None` when the task was cancelled instead.
    panic: Option<Box<dyn Any + Send>>,
}

impl JoinError {
    pub(crate) fn panicked(task: TaskId, panic: Box<dyn Any + Send>) -> JoinError {
        JoinError(Box::new(Failure { task, panic: Some(panic) }))
    }

    pub(crate) fn cancelled(task: TaskId) -> JoinError {
        JoinError(Box::new(Failure { task, panic: None }))
    }

    /// The task that failed.
    pub fn task_id(&self) -> TaskId {
        self.0.task
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        self.0.panic.is_some()
    }

    /// Whether the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.panic.is_none()
    }

    /// The panic's message, when the task panicked with a string (as `panic!("...")` makes).
    pub fn panic_message(&self) -> Option<&str> {
        self.0.panic.as_deref().and_then(panic_message)
    }

    /// The panic payload, to re-raise it with [`std::panic::resume_unwind`]; `Err(self)` if the task was
    /// cancelled instead.
    pub fn try_into_panic(mut self) -> Result<Box<dyn Any + Send>, JoinError> {
        self.0.panic.take().ok_or(self)
    }
}

/// The text of a panic payload, for the two payload types `panic!` produces.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// The text of a panic payload for a report on stderr, with a stand-in for payloads that are not text.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    panic_message(payload).unwrap_or("<non-string payload>")
}

/// Drops `value` on the user's behalf (a future at teardown, an unclaimed output, a callback that will
/// never run): a panic in its `Drop` is reported on stderr, naming `what`, and goes no further, so that
/// nothing a user wrote can unwind out of the executor.
pub(crate) fn drop_contained<T>(value: T, what: impl FnOnce() -> String) {
    contain(|| drop(value), what);
}

/// Runs `drop`, which drops something of the user's in place, the way [`drop_contained`] drops a
/// value: a panic is reported on stderr, naming `what`, and goes no further.
#[inline]
pub(crate) fn contain(drop: impl FnOnce(), what: impl FnOnce() -> String) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(drop)) {
        report_panic(format_args!("dropping {}", what()), panic);
    }
}

/// Wakes `waker`, which is someone else's (a combinator's, another executor's): a panic in its
/// `wake` is reported on stderr and goes no further, as a panicking destructor's does.
pub(crate) fn wake_contained(waker: Waker) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| waker.wake())) {
        report_panic(format_args!("a waker's wake"), panic);
    }
}

/// Says on stderr that a task's failure reached nobody (no handle took it, no callback saw it), in
/// asyncio's words: "Task exception was never retrieved".
#[cold]
pub(crate) fn report_unretrieved(error: &impl fmt::Display) {
    eprintln!("minimalist-async: task exception was never retrieved: {error}");
}

/// Says on stderr that `who` panicked, and with what, then drops the panic's payload: a value the
/// user made, whose own `Drop` may panic too. That second panic is reported and its payload leaked
/// (dropping it could panic again), so that nothing unwinds out of the executor.
#[cold]
#[inline(never)]
pub(crate) fn report_panic(who: fmt::Arguments<'_>, payload: Box<dyn Any + Send>) {
    eprintln!("minimalist-async: {who} panicked: {}", panic_text(&*payload));
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        eprintln!(
            "minimalist-async: dropping the payload of that panic panicked too: {}",
            panic_text(&*again)
        );
        std::mem::forget(again);
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.panic, self.panic_message()) {
            (None, _) => write!(f, "{} was cancelled", self.0.task),
            (Some(_), Some(message)) => write!(f, "{} panicked: {message}", self.0.task),
            (Some(_), None) => write!(f, "{} panicked", self.0.task),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("JoinError");
        debug.field("task", &self.0.task);
        match &self.0.panic {
            None => debug.field("cancelled", &true),
            Some(payload) => debug.field("panic", &panic_text(&**payload)),
        };
        debug.finish()
    }
}

impl std::error::Error for JoinError {}
