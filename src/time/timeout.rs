//! `timeout`: give up on a future after a while.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use super::sleep;

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

/// Runs `future` for at most `limit`: asyncio's `wait_for(future, timeout)`, tokio's `timeout`.
///
/// If `future` finishes first, its output comes back as `Ok`. If the time runs out first, `future` is
/// **dropped before** `Err(Elapsed)` is returned, so whatever it held (a sleep's timer, a lock, a
/// buffer) is released by the time the caller sees the error. When both are ready in the same poll, the
/// future's output wins. The limit counts from the clock's reading when the timeout is first polled.
///
/// # Panics
///
/// Outside a running executor (it sleeps).
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
/// });
/// assert_eq!(executor.now(), Duration::from_millis(100));
/// ```
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    // The future is a local of this async fn: locals are dropped as the function returns, before
    // the caller sees the result, so the future never outlives the error.
    let mut future = pin!(future);
    let mut deadline = sleep(limit);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if pin!(&mut deadline).poll(cx).is_ready() {
            return Poll::Ready(Err(Elapsed(limit)));
        }
        Poll::Pending
    })
    .await
}
