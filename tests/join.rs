//! Awaiting join handles: results come in the order awaited, whatever order the tasks finish in.

mod common;

use std::time::Duration;

use common::{Log, run_logged};
use minimalist_async::{Executor, sleep, spawn, yield_now};

/// The tutorial's first claim: "results are processed in the order of the await, even when the other
/// task ends first".
///
/// ```text
/// time      0 ms          100 ms           300 ms
/// slow      sleep ──────────────────────── done
/// fast      sleep ──────── done
/// main      await slow ──────────────────── print slow, print fast (already done: no waiting)
/// ```
#[test]
fn await_in_order_even_when_the_later_task_finishes_first() {
    let entries = run_logged(|log| async move {
        let slow_log = log.clone();
        let slow = spawn(async move {
            sleep(Duration::from_millis(300)).await;
            slow_log.push("slow finished");
            "slow"
        });
        let fast_log = log.clone();
        let fast = spawn(async move {
            sleep(Duration::from_millis(100)).await;
            fast_log.push("fast finished");
            "fast"
        });
        for task in [slow, fast] {
            let result = task.await.unwrap();
            log.push(format!("result {result} at {:?}", minimalist_async::time::now()));
        }
    });
    assert_eq!(
        entries,
        ["fast finished", "slow finished", "result slow at 300ms", "result fast at 300ms",]
    );
}

/// Awaiting a task that already finished does not yield: asyncio's `await task` on a done task
/// returns at once too.
#[test]
fn awaiting_a_finished_task_returns_without_yielding() {
    let entries = run_logged(|log| async move {
        let done = spawn(async { 1 });
        yield_now().await; // `done` runs during this turn
        assert!(done.is_finished());
        let other_log = log.clone();
        let other = spawn(async move { other_log.push("other") });
        log.push(format!("got {}", done.await.unwrap()));
        other.await.unwrap();
    });
    assert_eq!(entries, ["got 1", "other"]);
}

/// Dropping a handle does not cancel the task (asyncio and tokio agree).
#[test]
fn dropping_a_join_handle_does_not_cancel_the_task() {
    let entries = run_logged(|log| async move {
        let inner = log.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(10)).await;
            inner.push("still ran");
        }));
        sleep(Duration::from_millis(20)).await;
    });
    assert_eq!(entries, ["still ran"]);
}

/// `block_on` returns the main future's output after the rest of its turn and one more turn, then
/// cancels what is still pending, as `asyncio.run` does: a task spawned and never awaited still gets its
/// first step, and its done-callbacks learn that it was cancelled.
#[test]
fn block_on_runs_one_more_turn_then_cancels_what_is_left() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let task = executor.block_on({
        let log = log.clone();
        async move {
            let inner = log.clone();
            let task = spawn(async move {
                inner.push("first step");
                sleep(Duration::from_secs(1)).await;
                inner.push("never reached");
            });
            let cb = log.clone();
            task.add_done_callback(move |result| {
                cb.push(format!("callback: {}", result.as_ref().unwrap_err()))
            });
            // In a Vec, so that main returns the handle rather than awaiting it.
            vec![task]
        }
    });
    assert_eq!(log.entries(), ["first step", "callback: Task-2 was cancelled"]);
    assert!(task[0].is_finished());
    assert_eq!(executor.pending_tasks(), 0);
    assert_eq!(executor.armed_timers(), 0, "its sleep was disarmed");
    assert_eq!(executor.now(), Duration::ZERO, "no time passed after main returned");
}
