//! The lost-waker warning and wakes from other threads.

use std::future::Future;
use std::pin::Pin;
use std::process::Command;
use std::task::{Context, Poll};

use minimalist_async::Executor;

/// Hands its waker to a thread that wakes it at once; returns `Pending` the first time.
struct WokenByThread {
    polled: bool,
}

impl Future for WokenByThread {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        let waker = cx.waker().clone();
        // The wake (and the clone's drop) happens before this poll returns: deterministic.
        std::thread::spawn(move || waker.wake()).join().unwrap();
        Poll::Pending
    }
}

#[test]
#[ignore = "run by a_task_woken_from_another_thread_is_not_reported_lost"]
fn scenario_woken_from_another_thread_during_its_poll() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(WokenByThread { polled: false });
    executor.block_on(async move { task.await.unwrap() });
}

/// A task that gave its waker to another thread, which woke it before the poll returned, is woken
/// and finishes; yet the executor prints that nothing can ever wake it. The wake is a message in the
/// channel, not taken in yet, so the entry is not `queued`, and the clone is gone, so the waker is
/// not `kept`: `settle_pending` takes that for a lost waker.
#[test]
fn a_task_woken_from_another_thread_is_not_reported_lost() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "scenario_woken_from_another_thread_during_its_poll",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(output.status.success(), "the scenario failed: {output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains("no waker for it is left anywhere"),
        "a task that was woken, and then ran to its end, was reported lost:\n{stderr}"
    );
}
