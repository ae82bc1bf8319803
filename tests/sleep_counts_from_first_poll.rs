//! When a sleep starts counting: at its first poll, as asyncio's `sleep` (a coroutine, which runs
//! nothing until awaited) calls `call_later` at its first await. tokio's counts from the call.

use std::time::Duration;

use minimalist_async::{Executor, sleep, time};

/// CPython 3.11:
///
/// ```python
/// async def main():
///     loop = asyncio.get_running_loop(); t0 = loop.time()
///     s = asyncio.sleep(0.1)
///     await asyncio.sleep(0.05)
///     await s
///     print(f"elapsed {loop.time() - t0:.2f}")   # elapsed 0.15
/// ```
#[test]
fn a_sleep_made_before_it_is_awaited_counts_from_the_await() {
    let mut executor = Executor::with_virtual_time();
    let elapsed = executor.block_on(async {
        let t0 = time::now();
        let s = sleep(Duration::from_millis(100));
        assert_eq!(s.deadline(), None, "no deadline before the first poll");
        sleep(Duration::from_millis(50)).await;
        s.await;
        time::now() - t0
    });
    assert_eq!(elapsed, Duration::from_millis(150));
}

/// A reset before the first poll gives the sleep its deadline there and then.
#[test]
fn a_reset_before_the_first_poll_sets_the_deadline() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async {
        let mut s = sleep(Duration::from_secs(10));
        s.reset(time::now() + Duration::from_millis(30));
        assert_eq!(s.deadline(), Some(Duration::from_millis(30)));
        sleep(Duration::from_millis(10)).await;
        s.await;
    });
    assert_eq!(executor.now(), Duration::from_millis(30));
}
