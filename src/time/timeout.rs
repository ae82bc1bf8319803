//! `timeout`: give up on a future after a while.

use std::cell::Cell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use crate::callback::{CallbackHandle, call_later, call_soon};
use crate::kept_waker::KeptWaker;

/// The error of a [`timeout`] that ran out: asyncio's `TimeoutError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(Duration);

impl Elapsed {
    /// The time limit that was exceeded.
    pub fn limit(&self) -> Duration {
        self.0
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {:?}", self.0)
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` for at most `limit`: asyncio's `async with asyncio.timeout(limit): await future`,
/// tokio's `timeout`.
///
/// If `future` finishes first, its output comes back as `Ok`. If the time runs out first, `future` is
/// **dropped before** `Err(Elapsed)` is returned, so whatever it held (a sleep's timer, a lock, a
/// buffer) is released by the time the caller sees the error.
///
/// As asyncio's `timeout`, at its first poll it schedules a callback for the deadline, `limit` from
/// the clock's reading then (with [`call_later`](crate::call_later), or with
/// [`call_soon`](crate::call_soon) for a zero limit), and only then polls `future`. That callback
/// marks the timeout expired and wakes the task, as asyncio's cancels it; from then on the timeout
/// returns `Err(Elapsed)` without polling `future` again. So:
/// - the deadline wins a tie: if the callback ran before the task is polled again, the timeout has
///   expired even if `future` would be ready by now (its timer fired in the same turn);
/// - with a zero limit `future` is still polled once, and its output wins if it is ready then; if not,
///   the callback runs on the next turn and the task sees `Elapsed` when it is next polled.
///
/// asyncio's `wait_for(future, limit)` differs: it runs `future` as a task of its own, which costs
/// turns, and with a zero limit a coroutine given to it never runs at all.
///
/// # Panics
///
/// Outside a running executor (it schedules a callback).
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, time::timeout};
///
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on(async {
///     let quick = timeout(Duration::from_secs(1), async { 5 }).await;
///     assert_eq!(quick, Ok(5));
///     let slow = timeout(Duration::from_millis(100), sleep(Duration::from_secs(60))).await;
///     assert_eq!(slow.unwrap_err().to_string(), "timed out after 100ms");
///     // A tie: the deadline wins, as in asyncio.
///     let tie = timeout(Duration::from_millis(50), sleep(Duration::from_millis(50))).await;
///     assert!(tie.is_err());
///     // A zero limit still polls the future once.
///     assert_eq!(timeout(Duration::ZERO, async { 6 }).await, Ok(6));
/// });
/// assert_eq!(executor.now(), Duration::from_millis(150));
/// ```
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    // As asyncio's `Timeout.__aenter__`, the deadline is scheduled before the body's first step: a
    // limit already reached with `call_soon`.
    let expiry = Rc::new(Expiry::default());
    let on_timeout = {
        let expiry = Rc::clone(&expiry);
        move || expiry.expire()
    };
    let _deadline = Deadline(if limit.is_zero() {
        call_soon(on_timeout)
    } else {
        call_later(limit, on_timeout)
    });
    // The future is a local of this async fn: locals are dropped as the function returns (the future
    // first, then `_deadline`, which cancels the callback if it has not run), before the caller sees
    // the result, so the future never outlives the error.
    let mut future = pin!(future);
    poll_fn(|cx| {
        if expiry.expired.get() {
            return Poll::Ready(Err(Elapsed(limit)));
        }
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        expiry.waker.keep(cx);
        Poll::Pending
    })
    .await
}

/// Whether the deadline's callback has run, and the waker of the task to wake when it does.
#[derive(Default)]
struct Expiry {
    expired: Cell<bool>,
    waker: KeptWaker,
}

impl Expiry {
    /// asyncio's `Timeout._on_timeout`: marks the timeout expired and wakes the task (asyncio cancels
    /// it, which wakes it).
    fn expire(&self) {
        self.expired.set(true);
        self.waker.wake();
    }
}

/// Cancels the deadline's callback when the timeout is over or dropped, as asyncio's
/// `Timeout.__aexit__` cancels its handle.
struct Deadline(CallbackHandle);

impl Drop for Deadline {
    fn drop(&mut self) {
        self.0.cancel();
    }
}
