//! Time: `sleep`, `timeout` (asyncio.timeout, its deadline a sleep of its own), the loop's current
//! time, and the timer wheel underneath.

mod deadline;
mod timeout;

use std::time::Duration;

pub use crate::runtime::sleep::{Sleep, sleep};
pub use crate::runtime::wheel;
pub use timeout::{Elapsed, timeout};

use crate::runtime::handle::current;

/// The running executor's clock now: asyncio's `loop.time()`.
///
/// On virtual time the clock moves only between turns, so every task polled in one turn sees the same
/// value; on the real clock it is read afresh, as asyncio reads `time.monotonic()`. Every `sleep`
/// counts its deadline from this reading at its first poll, every `call_later` at its call.
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
