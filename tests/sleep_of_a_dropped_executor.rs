//! A `Sleep` that outlives the executor that made it: that executor's clock is gone, so the sleep can
//! never end. Polled, it panics with a message saying so (as tokio's sleep does once its runtime has
//! shut down), instead of arming a timer nothing will fire (a hang) or ending at once (a sleep that
//! took no time).

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use minimalist_async::{Executor, sleep};

fn panic_message(run: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(run)).expect_err("the poll panics");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast_ref::<&str>().map(ToString::to_string).unwrap_or_default(),
    }
}

#[test]
fn a_sleep_never_polled_before_its_executor_was_dropped_panics_when_polled() {
    let made_elsewhere = {
        let mut first = Executor::with_virtual_time();
        // The Sleep itself is the result, on purpose: it outlives `first`.
        #[allow(clippy::async_yields_async)]
        first.block_on(async { sleep(Duration::from_millis(100)) })
    };
    let mut second = Executor::with_virtual_time();
    let message = panic_message(|| second.block_on(made_elsewhere));
    assert!(
        message.contains("a sleep polled after the executor that made it was dropped"),
        "{message}"
    );
    // The executor that polled it is fine: it runs on.
    assert_eq!(second.block_on(async { 5 }), 5);
}

#[test]
fn a_sleep_armed_before_its_executor_was_dropped_panics_when_polled_again() {
    let mut first = Executor::with_virtual_time();
    let mut sleeping = Box::pin(sleep_on(&mut first));
    // Armed on `first`, then `first` goes.
    let waker = std::task::Waker::noop();
    let _ = sleeping.as_mut().poll(&mut std::task::Context::from_waker(waker));
    drop(first);
    let mut second = Executor::with_virtual_time();
    let message = panic_message(|| second.block_on(sleeping));
    assert!(
        message.contains("a sleep polled after the executor that made it was dropped"),
        "{message}"
    );
}

fn sleep_on(executor: &mut Executor) -> minimalist_async::time::Sleep {
    // The Sleep itself is the result, on purpose: it outlives the block_on.
    #[allow(clippy::async_yields_async)]
    executor.block_on(async { sleep(Duration::from_secs(1)) })
}
