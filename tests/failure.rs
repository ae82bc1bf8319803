//! What reaches stderr when things go wrong: nothing a user spawned disappears without a word.
//!
//! Each scenario is an ignored test that the checking test runs in a child process (this same test
//! binary, `--ignored --exact <scenario>`), so that its stderr can be read.

use std::process::Command;
use std::time::Duration;

use minimalist_async::{Executor, call_soon, sleep, spawn, yield_now};

fn stderr_of(scenario: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            scenario,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(output.status.success(), "{scenario} failed: {output:?}");
    String::from_utf8(output.stderr).unwrap()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

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
        count(
            &stderr,
            "minimalist-async: callback scheduled at tests/failure.rs:"
        ),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, "panicked: plain callback"), 1, "{stderr}");
    assert_eq!(
        count(
            &stderr,
            "minimalist-async: a done-callback of Task-2 panicked: done callback"
        ),
        1,
        "{stderr}"
    );
}
