//! gather / join_all, as_completed, wait_first, timeout.

mod common;

use std::time::Duration;

use common::{DropCounter, run_logged};
use minimalist_async::time::now;
use minimalist_async::{
    Executor, as_completed, gather, join_all, sleep, spawn, timeout, wait_first,
};

async fn sleeper(ms: u64) -> u64 {
    sleep(Duration::from_millis(ms)).await;
    ms
}

async fn fail_after(ms: u64, message: &'static str) {
    sleep(Duration::from_millis(ms)).await;
    panic!("{message}");
}

#[test]
fn join_all_returns_values_in_input_order() {
    let mut executor = Executor::with_virtual_time();
    let values =
        executor.block_on(async { join_all([30, 10, 20].map(|ms| spawn(sleeper(ms)))).await });
    assert_eq!(values.unwrap(), [30, 10, 20]);
    assert_eq!(executor.now(), Duration::from_millis(30));
}

/// The first failure comes back as soon as it happens, and the siblings are not cancelled.
#[test]
fn gather_reports_the_first_failure_and_cancels_nothing() {
    let entries = run_logged(|log| async move {
        let survivor_log = log.clone();
        let survivor = spawn(async move {
            sleep(Duration::from_millis(50)).await;
            survivor_log.push(format!("survivor finished at {:?}", now()));
        });
        let result =
            gather([fail_after(20, "second failure"), fail_after(10, "first failure")]).await;
        log.push(format!("gather: {} at {:?}", result.unwrap_err(), now()));
        survivor.await.unwrap();
    });
    assert_eq!(
        entries,
        ["gather: Task-4 panicked: first failure at 10ms", "survivor finished at 50ms"]
    );
}

#[test]
fn as_completed_yields_in_completion_order() {
    let mut executor = Executor::with_virtual_time();
    let order = executor.block_on(async {
        let mut done = as_completed([40, 10, 30, 20].map(|ms| spawn(sleeper(ms))));
        assert_eq!(done.remaining(), 4);
        let mut order = Vec::new();
        while let Some(result) = done.next().await {
            order.push((result.unwrap(), now()));
        }
        order
    });
    let expected: Vec<(u64, Duration)> =
        [10, 20, 30, 40].map(|ms| (ms, Duration::from_millis(ms))).into();
    assert_eq!(order, expected);
}

/// Tasks finishing in the same turn come out in the order they finished, not in input order.
#[test]
fn as_completed_same_turn_follows_completion_order() {
    let mut executor = Executor::with_virtual_time();
    let order = executor.block_on(async {
        // b arms its timer first, so it fires first, although a comes first in the input.
        let b = spawn(sleeper(5));
        let a = spawn(async {
            minimalist_async::yield_now().await;
            sleeper(5).await - 1
        });
        let mut done = as_completed([a, b]);
        let mut order = Vec::new();
        while let Some(result) = done.next().await {
            order.push(result.unwrap());
        }
        order
    });
    assert_eq!(order, [5, 4]);
}

#[test]
fn wait_first_returns_the_winner_and_leaves_the_rest_running() {
    let mut executor = Executor::with_virtual_time();
    let (first, second) = executor.block_on(async {
        let (index, result, rest) = wait_first([300, 100, 200].map(|ms| spawn(sleeper(ms)))).await;
        let first = (index, result.unwrap(), now());
        let (index, result, _rest) = wait_first(rest).await;
        (first, (index, result.unwrap(), now()))
    });
    assert_eq!(first, (1, 100, Duration::from_millis(100)));
    assert_eq!(second, (1, 200, Duration::from_millis(200)));
}

#[test]
fn timeout_returns_the_output_when_in_time() {
    let mut executor = Executor::with_virtual_time();
    let out = executor.block_on(timeout(Duration::from_millis(100), sleeper(40)));
    assert_eq!(out, Ok(40));
    assert_eq!(executor.now(), Duration::from_millis(40));
}

/// On expiry the inner future is dropped before the error is returned.
#[test]
fn timeout_drops_the_inner_future_before_returning_the_error() {
    let dropped = DropCounter(Default::default());
    let count = dropped.0.clone();
    let mut executor = Executor::with_virtual_time();
    let (result, drops_seen_with_error) = executor.block_on(async move {
        let guard = dropped;
        let result = timeout(Duration::from_millis(10), async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        })
        .await;
        let drops = *count.borrow();
        (result, drops)
    });
    assert_eq!(result.unwrap_err().limit(), Duration::from_millis(10));
    assert_eq!(drops_seen_with_error, 1);
    assert_eq!(executor.armed_timers(), 0, "the inner 60 s sleep was disarmed");
}
