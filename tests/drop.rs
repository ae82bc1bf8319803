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

/// Every kind of thing an executor can hold when it is dropped: each is dropped exactly once, including
/// a done-callback that holds its own task's handle (a reference cycle that reference counting alone
/// would leak) and work sent from another thread that never ran.
#[test]
fn dropping_the_executor_drops_callbacks_timers_and_remote_work_once() {
    use std::rc::Rc;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let counter = DropCounter(Default::default());
    let count = counter.0.clone();
    let remote_drops = Arc::new(AtomicUsize::new(0));
    struct SendDropCounter(Arc<AtomicUsize>);
    impl Drop for SendDropCounter {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    {
        let mut executor = Executor::with_virtual_time();
        // A pending task whose done-callback holds the task's own handle.
        let guard = counter.clone();
        let task = Rc::new(executor.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        let guard = counter.clone();
        let own = task.clone();
        task.add_done_callback(move |_| {
            let _keep = (&own, &guard);
        });
        drop(task);
        // A queued call_soon closure and an armed call_later closure.
        let guard = counter.clone();
        executor.call_soon(move || drop(guard));
        let guard = counter.clone();
        executor.call_later(Duration::from_secs(5), move || drop(guard));
        // Work from another thread that the executor never gets to.
        let remote = executor.remote();
        let token = SendDropCounter(remote_drops.clone());
        assert!(remote.call_soon_threadsafe(move || drop(token)));
        let pending = remote.spawn(async { 1 });
        executor.step(); // polls the task once; the rest stays queued or armed
        drop(executor);
        assert!(pending.join().unwrap_err().is_cancelled());
    }
    assert_eq!(*count.borrow(), 4, "task future, done-callback, call_soon, call_later");
    drop(counter);
    assert_eq!(remote_drops.load(Ordering::SeqCst), 1);
}
