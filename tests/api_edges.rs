//! Edges of the public API that used to fail quietly or under the wrong name: a blocking join on the
//! executor's own thread, a look at a panic through `with_result`, combinators given a handle whose
//! result was taken, and panicking wakers under the callback-based futures.
//!
//! What reaches stderr is read from a child process (this same test binary, `--ignored --exact
//! <scenario>`), as in `tests/failure.rs`.

use std::process::Command;

use minimalist_async::{Executor, yield_now};

/// Runs `scenario` in a child process: whether it passed, and its stderr.
fn run(scenario: &str) -> (bool, String) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", scenario, "--nocapture", "--test-threads=1"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8(output.stderr).unwrap())
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

const JOIN_ON_OWN_THREAD: &str =
    "RemoteJoinHandle::join() called on the thread of the executor that runs the task";

#[test]
#[should_panic(expected = "it would wait for ever; .await the handle there instead")]
fn remote_join_on_the_executors_thread_outside_it_panics() {
    let executor = Executor::with_virtual_time();
    let task = executor.remote().spawn(async { 1 });
    let _ = task.join();
}

#[test]
#[should_panic(expected = "RemoteJoinHandle::join() called on the thread of the executor")]
fn remote_join_inside_a_task_of_its_executor_panics() {
    let mut executor = Executor::with_virtual_time();
    let remote = executor.remote();
    executor.block_on(async move {
        let task = remote.spawn(async { 1 });
        let _ = task.join();
    });
}

/// The executor's thread may join once there is nothing left to wait for: the result has arrived, or
/// the executor is gone (a cancelled error).
#[test]
fn remote_join_on_the_executors_thread_returns_what_is_there() {
    let mut executor = Executor::with_virtual_time();
    let remote = executor.remote();
    let done = remote.spawn(async { 7 });
    executor.block_on(async {
        yield_now().await;
        yield_now().await;
    });
    assert_eq!(done.join().unwrap(), 7);
    let pending = remote.spawn(async { 8 });
    drop(executor);
    assert!(pending.join().unwrap_err().is_cancelled());
}

#[test]
#[ignore = "run by remote_join_panic_names_the_callers_line"]
fn scenario_remote_join_on_own_thread() {
    let executor = Executor::with_virtual_time();
    let task = executor.remote().spawn(async { 1 });
    let _ = task.join();
}

#[test]
fn remote_join_panic_names_the_callers_line() {
    let (passed, stderr) = run("scenario_remote_join_on_own_thread");
    assert!(!passed, "the join panicked: {stderr}");
    assert_eq!(count(&stderr, JOIN_ON_OWN_THREAD), 1, "{stderr}");
    assert!(stderr.contains("tests/api_edges.rs:"), "the caller's location: {stderr}");
    assert!(!stderr.contains("src/remote.rs"), "not the library's: {stderr}");
}
