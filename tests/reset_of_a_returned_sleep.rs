//! A sleep that outlives the task that armed it, as the task's output, and is reset by whoever took
//! it: its timer must not be recorded in the ended task's entry, which keeps only the result then.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use minimalist_async::{Executor, Sleep, sleep, spawn, time};

/// Polls `sleep` once, so that it arms its timer, and goes on.
async fn arm(sleep: &mut Sleep) {
    poll_fn(|cx| {
        assert!(Pin::new(&mut *sleep).poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
}

#[test]
#[allow(clippy::async_yields_async, reason = "the task's output is its sleep, on purpose")]
fn a_task_s_second_sleep_returned_and_reset_waits_its_full_time() {
    let mut executor = Executor::with_virtual_time();
    let waited = executor.block_on(async {
        let mut handle = spawn(async {
            // The first sleep's timer is the task's own (its record in the entry); the second's,
            // armed while the first is, has a record of its own, naming the task.
            let mut first = sleep(Duration::from_secs(60));
            arm(&mut first).await;
            let mut second = sleep(Duration::from_secs(60));
            arm(&mut second).await;
            second
        });
        // Awaited through a reference: the handle stays, and so does the ended task's entry.
        let mut second = (&mut handle).await.unwrap();
        let start = time::now();
        second.reset(start + Duration::from_secs(5));
        second.await;
        drop(handle);
        time::now() - start
    });
    assert_eq!(waited, Duration::from_secs(5));
}
