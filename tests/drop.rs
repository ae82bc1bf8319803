//! Dropping the executor drops every pending future and queued callback exactly once.

mod common;

use std::time::Duration;

use common::DropCounter;
use minimalist_async::{Executor, sleep, yield_now};

#[test]
fn dropping_the_executor_drops_every_pending_future_once() {
    let futures_dropped = DropCounter(Default::default());
    let callbacks_dropped = DropCounter(Default::default());
    let count_futures = futures_dropped.0.clone();
    let count_callbacks = callbacks_dropped.0.clone();
    {
        let mut executor = Executor::with_virtual_time();
        for i in 0..10u64 {
            let guard = futures_dropped.clone();
            let task = executor.spawn(async move {
                let _guard = guard;
                if i % 2 == 0 {
                    sleep(Duration::from_secs(i + 1)).await; // an armed timer
                } else {
                    yield_now().await; // queued in the ready queue
                    std::future::pending::<()>().await;
                }
            });
            let guard = callbacks_dropped.clone();
            task.add_done_callback(move |_| drop(guard));
        }
        executor.step();
        executor.step();
        assert!(executor.armed_timers() > 0);
    }
    // The clones held by this test are dropped last, so each counter counts the futures' copies only.
    assert_eq!(*count_futures.borrow(), 10);
    assert_eq!(*count_callbacks.borrow(), 10);
}
