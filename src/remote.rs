//! Reaching the executor from other threads: spawning onto it and queueing callbacks on it.
//!
//! The executor itself stays on its thread (its tasks need not be `Send`). What other threads get is a
//! [`Remote`]: a clone of the ready queue's sending end. Everything they send is a closure
//! (`Message::Run`) that the executor takes in at a turn's start, stores with its queued calls and runs
//! on its own thread, in its turn (a `REMOTE` queue entry), like any queue entry. A send also wakes an idle
//! executor at once: it parks until a send or its next deadline.

use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::{fmt, future::Future, pin::Pin};

use crate::callback::guarded;
use crate::runtime::executor::Executor;
use crate::runtime::handle::current;
use crate::runtime::join::JoinHandle;
use crate::runtime::join_error::{JoinError, report_unretrieved};
use crate::runtime::queue::{Inbox, Message};
use crate::runtime::slab::Key;
use crate::runtime::task::TaskId;
use crate::slot::Slot;

/// A `Send + Sync` handle to an executor, for other threads: asyncio's `call_soon_threadsafe` and
/// `run_coroutine_threadsafe`. Made by [`Executor::remote`](crate::Executor::remote); cheap to clone.
///
/// ```
/// use minimalist_async::{Executor, sleep};
/// use std::time::Duration;
///
/// let mut executor = Executor::new();
/// let remote = executor.remote();
/// let worker = std::thread::spawn(move || remote.spawn(async { 6 * 7 }).join());
/// executor.block_on(async { sleep(Duration::from_millis(50)).await });
/// assert_eq!(worker.join().unwrap().unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct Remote {
    inbox: Inbox,
}

impl fmt::Debug for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Remote").finish_non_exhaustive()
    }
}

impl Executor {
    /// A `Send` handle through which other threads spawn tasks and queue callbacks on this executor.
    pub fn remote(&self) -> Remote {
        Remote { inbox: self.handle.queue.inbox().clone() }
    }
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
    /// `None` when the executor was already gone when the handle was made.
    inbox: Option<Inbox>,
    key: Key,
}

impl CancelHandle {
    /// Asks the task's executor to drop the task before it polls it again. Does nothing if the task has
    /// finished or its executor is gone. The executor wakes at once if it was idle.
    pub fn cancel(&self) {
        if let Some(inbox) = &self.inbox {
            let _ = inbox.send(Message::Cancel(self.key));
        }
    }
}

impl<T> JoinHandle<T> {
    /// A handle that cancels this task from any thread: the cancel travels to the executor's thread
    /// like a wake from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            inbox: self.with_entry(|handle, _| handle.queue.inbox().clone()),
            key: self.key,
        }
    }
}

impl Remote {
    /// Queues `callback` to run on the executor's thread, on its next turn: asyncio's
    /// `loop.call_soon_threadsafe`. Returns `false` if the executor is gone (the callback is dropped).
    /// A panic inside the callback is reported on stderr, naming this call's location.
    #[track_caller]
    pub fn call_soon_threadsafe(&self, callback: impl FnOnce() + Send + 'static) -> bool {
        let origin = Location::caller();
        let work = move || guarded(callback, origin)();
        self.inbox.send(Message::Run(Box::new(work))).is_ok()
    }

    /// Spawns `future` on the executor from another thread: asyncio's `run_coroutine_threadsafe`.
    ///
    /// The task is created on the executor's thread when it gets to this message, then runs like any
    /// other. The returned handle can be awaited (on any executor) or [`join`](RemoteJoinHandle::join)ed
    /// by blocking. If the executor is dropped first, the handle yields a cancelled `JoinError`; one
    /// dropped before it got to the message names `Task-0` ([`TaskId`]'s numbers start at 1): no task
    /// was ever made.
    pub fn spawn<F>(&self, future: F) -> RemoteJoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let shared = Arc::new(Slot::new());
        let guard = CompleteOnDrop { shared: Some(shared.clone()), task: TaskId(0) };
        let work = move || {
            let mut guard = guard;
            let handle = current("Remote::spawn").spawn(None, future);
            guard.task = handle.id();
            // A second, tiny task forwards the result across threads once the first one ends.
            drop(current("Remote::spawn").spawn(None, async move {
                let result = handle.await;
                guard.complete(result);
            }));
        };
        // If the executor is gone, the closure comes back inside the error and is dropped here, and
        // its guard reports the task as cancelled.
        let _ = self.inbox.send(Message::Run(Box::new(work)));
        RemoteJoinHandle { shared, inbox: self.inbox.clone() }
    }
}

/// Completes the remote handle exactly once: with the task's result, or, if dropped first (the
/// executor went away, or the forwarding task was cancelled), with a cancelled `JoinError`.
struct CompleteOnDrop<T> {
    shared: Option<Arc<Slot<Result<T, JoinError>>>>,
    /// The spawned task, once it exists; `Task-0` names a task that never started.
    task: TaskId,
}

impl<T> CompleteOnDrop<T> {
    fn complete(mut self, result: Result<T, JoinError>) {
        if let Some(shared) = self.shared.take() {
            shared.fill_watched(result, report_unread_panic);
        }
    }
}

impl<T> Drop for CompleteOnDrop<T> {
    fn drop(&mut self) {
        if self.shared.is_some() {
            let task = self.task;
            CompleteOnDrop { shared: self.shared.take(), task }
                .complete(Err(JoinError::cancelled(task)));
        }
    }
}

/// Says on stderr that a remote task's panic reached nobody, in the words the executor uses for its
/// own tasks: the forwarding task took the result, so the executor counts it as retrieved.
fn report_unread_panic<T>(result: &Result<T, JoinError>) {
    if let Err(error) = result
        && error.is_panic()
    {
        report_unretrieved(error);
    }
}

/// The result of a task spawned through a [`Remote`]: `Send`, awaitable anywhere, or joinable by
/// blocking the calling thread.
///
/// Dropped without its result read (by `join` or `.await`), a task's panic is reported on stderr,
/// when the task ends or at the drop, whichever comes last, as the executor reports a panic nobody
/// retrieved from one of its own tasks.
pub struct RemoteJoinHandle<T> {
    shared: Arc<Slot<Result<T, JoinError>>>,
    /// The executor's, to tell its thread from the others in `join`.
    inbox: Inbox,
}

impl<T> fmt::Debug for RemoteJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finished = self.shared.is_filled();
        f.debug_struct("RemoteJoinHandle").field("finished", &finished).finish()
    }
}

impl<T> RemoteJoinHandle<T> {
    /// Blocks this thread until the task ends. On the executor's own thread, `.await` the handle
    /// instead.
    ///
    /// # Panics
    ///
    /// On the thread of the executor that runs the task (outside it or inside one of its tasks) while
    /// the task's result has not arrived: only that thread can run the task, and it would be blocked
    /// here for ever. Once the result is there (or the executor is gone, which leaves a cancelled
    /// error), it returns on any thread.
    ///
    /// ```should_panic
    /// use minimalist_async::Executor;
    ///
    /// let executor = Executor::with_virtual_time();
    /// let task = executor.remote().spawn(async { 6 * 7 });
    /// let _ = task.join(); // the executor's thread, and the executor has not run the task: panics
    /// ```
    #[track_caller]
    pub fn join(self) -> Result<T, JoinError> {
        // Only the executor's thread fills the slot (the executor's drop too), so on that thread an
        // empty slot can never fill while this one waits.
        if !self.inbox.on_other_thread() && !self.shared.is_filled() {
            panic!(
                "RemoteJoinHandle::join() called on the thread of the executor that runs the task: \
                 it would wait for ever; .await the handle there instead"
            );
        }
        self.shared.wait_take()
    }
}

impl<T> Drop for RemoteJoinHandle<T> {
    fn drop(&mut self) {
        self.shared.abandon(report_unread_panic);
    }
}

impl<T> Future for RemoteJoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.shared.poll_take(cx)
    }
}
