//! What reaches stderr when things go wrong: nothing a user spawned disappears without a word.
//!
//! Each scenario is an ignored test that the checking test runs in a child process (this same test
//! binary, `--ignored --exact <scenario>`), so that its stderr can be read.

use std::time::Duration;

mod common;

use common::{count, stderr_of};
use minimalist_async::{Executor, call_soon, sleep, spawn, yield_now};

#[test]
#[ignore = "run by unretrieved_failure_is_reported_once"]
fn scenario_unretrieved_failure() {
    Executor::with_virtual_time().block_on(async {
        drop(spawn(async { panic!("nobody looked") }));
        yield_now().await;
        yield_now().await;
    });
}

#[test]
fn unretrieved_failure_is_reported_once() {
    let stderr = stderr_of("scenario_unretrieved_failure");
    let line =
        "minimalist-async: task exception was never retrieved: Task-2 panicked: nobody looked";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

#[test]
#[ignore = "run by retrieved_failures_are_not_reported"]
fn scenario_retrieved_failures() {
    Executor::with_virtual_time().block_on(async {
        let awaited = spawn(async { panic!("awaited") });
        let inspected = spawn(async { panic!("inspected") });
        inspected.add_done_callback(|result| assert!(result.is_err()));
        let cancelled = spawn(std::future::pending::<()>());
        cancelled.cancel();
        assert!(awaited.await.is_err());
        drop(inspected);
        drop(cancelled);
        yield_now().await;
        yield_now().await;
    });
}

#[test]
fn retrieved_failures_are_not_reported() {
    let stderr = stderr_of("scenario_retrieved_failures");
    assert_eq!(count(&stderr, "never retrieved"), 0, "{stderr}");
}

#[test]
#[ignore = "run by executor_drop_names_the_unfinished_tasks"]
fn scenario_drop_with_pending_tasks() {
    let mut executor = Executor::with_virtual_time();
    drop(executor.spawn(async { sleep(Duration::from_secs(1)).await }));
    drop(executor.spawn(std::future::pending::<()>()));
    executor.step();
}

#[test]
fn executor_drop_names_the_unfinished_tasks() {
    let stderr = stderr_of("scenario_drop_with_pending_tasks");
    let line = "minimalist-async: executor dropped with 2 unfinished task(s), dropped unfinished: Task-1, Task-2";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

#[test]
#[ignore = "run by panicking_callbacks_are_reported_by_name"]
fn scenario_panicking_callbacks() {
    Executor::with_virtual_time().block_on(async {
        call_soon(|| panic!("plain callback"));
        let task = spawn(async {});
        task.add_done_callback(|_| panic!("done callback"));
        yield_now().await;
        yield_now().await;
    });
}

#[test]
fn panicking_callbacks_are_reported_by_name() {
    let stderr = stderr_of("scenario_panicking_callbacks");
    assert_eq!(
        count(&stderr, "minimalist-async: callback scheduled at tests/failure.rs:"),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, "panicked: plain callback"), 1, "{stderr}");
    assert_eq!(
        count(&stderr, "minimalist-async: a done-callback of Task-2 panicked: done callback"),
        1,
        "{stderr}"
    );
}

#[test]
#[ignore = "run by lost_waker_is_reported_once_naming_the_task"]
fn scenario_lost_waker() {
    let mut executor = Executor::with_virtual_time();
    // Returns Pending without keeping the waker: nothing can ever wake it.
    let lost =
        executor.spawn_named("forgetful", std::future::poll_fn(|_| std::task::Poll::<()>::Pending));
    // Keeps its waker in a timer: fine.
    drop(executor.spawn(async { sleep(Duration::from_secs(1)).await }));
    executor.run_until_stalled();
    lost.cancel();
    executor.run_until_stalled();
}

#[test]
fn lost_waker_is_reported_once_naming_the_task() {
    let stderr = stderr_of("scenario_lost_waker");
    assert_eq!(
        count(&stderr, "returned Pending but no waker for it is left anywhere"),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, "minimalist-async: forgetful returned Pending"), 1, "{stderr}");
}

#[test]
#[ignore = "run by blocking_poll_is_reported_with_the_task_and_the_time"]
fn scenario_blocking_poll() {
    let mut executor = Executor::with_virtual_time();
    executor.set_slow_poll_threshold(Some(Duration::from_millis(20)));
    executor.block_on(async {
        spawn_named_blocker("blocker", 30).await.unwrap();
        spawn_named_blocker("quick", 0).await.unwrap();
    });
    let mut quiet = Executor::with_virtual_time();
    quiet.set_slow_poll_threshold(None);
    quiet.block_on(async { spawn_named_blocker("unwatched", 30).await.unwrap() });
}

fn spawn_named_blocker(name: &str, ms: u64) -> minimalist_async::JoinHandle<()> {
    minimalist_async::spawn_named(name, async move {
        std::thread::sleep(Duration::from_millis(ms));
    })
}

#[test]
fn blocking_poll_is_reported_with_the_task_and_the_time() {
    let stderr = stderr_of("scenario_blocking_poll");
    assert_eq!(count(&stderr, "blocked the executor for"), 1, "{stderr}");
    assert_eq!(
        count(&stderr, "minimalist-async: Task-2 (blocker) blocked the executor for"),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, "(threshold 20 ms)"), 1, "{stderr}");
    assert_eq!(count(&stderr, "std::thread::sleep"), 1, "{stderr}");
}

/// Panics in its destructor.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("a destructor that panics");
    }
}

#[test]
#[ignore = "run by a_panicking_destructor_is_reported_once_naming_the_task"]
fn scenario_panicking_destructors() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn_named("holder", async {
        let _guard = PanicOnDrop;
        sleep(Duration::from_secs(1)).await;
    });
    executor.run_until_stalled();
    task.cancel();
    executor.run_until_stalled();
    let output = executor.spawn(async { PanicOnDrop });
    executor.run_until_stalled();
    drop(output);
}

#[test]
fn a_panicking_destructor_is_reported_once_naming_the_task() {
    let stderr = stderr_of("scenario_panicking_destructors");
    assert_eq!(
        count(
            &stderr,
            "minimalist-async: dropping the cancelled future of Task-1 panicked: a destructor that panics"
        ),
        1,
        "{stderr}"
    );
    assert_eq!(
        count(
            &stderr,
            "minimalist-async: dropping the output of Task-2 panicked: a destructor that panics"
        ),
        1,
        "{stderr}"
    );
}
