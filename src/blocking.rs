//! `spawn_blocking`: run a blocking closure on a worker thread, await its result from a task.
//!
//! A blocking call inside a task (`std::thread::sleep`, a heavy computation, a synchronous read) stops
//! the whole executor: no other task runs until it returns. `spawn_blocking` moves the call to a thread
//! of its own; the task that awaits it is woken, from that thread, when the result is in.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use crate::runtime::handle::current;
use crate::runtime::join::JoinHandle;
use crate::slot::Slot;

type Outcome<T> = Result<T, Box<dyn Any + Send>>;

/// Runs `work` on a new worker thread and returns a handle to its result: asyncio's
/// `asyncio.to_thread` / `loop.run_in_executor`, tokio's `spawn_blocking`.
///
/// The thread starts at once. A panic in `work` reaches the handle as a `JoinError`. Cancelling the
/// handle stops waiting for the result, not the thread: a running closure cannot be interrupted, and
/// its result is dropped. While such a thread runs, virtual time does not jump (the thread takes real
/// time, and its result may change what happens next), and `block_on` does not return before it has
/// finished, as `asyncio.run` waits for its default executor's threads. This crate starts one thread per call, which is simple and fine for a few
/// calls; a production runtime keeps a pool.
///
/// # Panics
///
/// Outside a running executor.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, spawn_blocking};
///
/// let mut executor = Executor::new();
/// let sum = executor.block_on(async {
///     spawn_blocking(|| {
///         std::thread::sleep(Duration::from_millis(20)); // fine here: this is a worker thread
///         (1..=10).sum::<u32>()
///     })
///     .await
/// });
/// assert_eq!(sum.unwrap(), 55);
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(work: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let handle = current("spawn_blocking()");
    let slot = Arc::new(Slot::new());
    let worker_slot = slot.clone();
    // Counted while the thread runs: virtual time does not jump past it, and block_on waits for it.
    let running = handle.clock_holds.clone();
    running.fetch_add(1, Ordering::AcqRel);
    let inbox = handle.queue.inbox().clone();
    let started =
        std::thread::Builder::new().name("minimalist-async-blocking".into()).spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(work));
            // The result (and the wake of whoever awaits it) first: an executor that sees the count
            // drop then finds the wake sent, and cannot let virtual time jump past it.
            worker_slot.fill(outcome);
            running.fetch_sub(1, Ordering::AcqRel);
            // And the executor is told even when nobody awaits the result (the task was cancelled
            // before its first poll): it may be asleep, waiting for this count to drop.
            inbox.unpark();
        });
    if let Err(error) = started {
        handle.clock_holds.fetch_sub(1, Ordering::AcqRel);
        let message = format!("spawn_blocking could not start a worker thread: {error}");
        slot.fill(Err(Box::new(message)));
    }
    handle.spawn(None, BlockingResult { slot })
}

/// Waits for the worker thread's result; re-raises its panic inside the task.
struct BlockingResult<T> {
    slot: Arc<Slot<Outcome<T>>>,
}

impl<T> Future for BlockingResult<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.slot.poll_take(cx) {
            Poll::Ready(Ok(value)) => Poll::Ready(value),
            Poll::Ready(Err(panic)) => resume_unwind(panic),
            Poll::Pending => Poll::Pending,
        }
    }
}
