//! Time: the timer wheel, `sleep` and `timeout` built on it, and the loop's current time.

mod sleep;
mod timeout;
pub mod wheel;

use std::time::Duration;

pub use sleep::{Sleep, sleep};
pub use timeout::{Elapsed, timeout};

use crate::handle::current;

/// The time of the current turn on the running executor's clock: asyncio's `loop.time()`.
///
/// Read once when the turn began, so every task polled in one turn sees the same value, and every
/// deadline armed in that turn counts from it.
///
/// # Panics
///
/// Outside a running executor.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, time};
///
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on(async {
///     assert_eq!(time::now(), Duration::ZERO);
///     sleep(Duration::from_millis(250)).await;
///     assert_eq!(time::now(), Duration::from_millis(250));
/// });
/// ```
#[track_caller]
pub fn now() -> Duration {
    Duration::from_micros(current("time::now()").now_us())
}
