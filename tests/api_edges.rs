//! Edges of the public API that used to fail quietly or under the wrong name: a blocking join on the
//! executor's own thread, a look at a panic through `with_result`, combinators given a handle whose
//! result was taken, and panicking wakers under the callback-based futures.
//!
//! What reaches stderr is read from a child process (this same test binary, `--ignored --exact
//! <scenario>`), as in `tests/failure.rs`.

mod common;

use common::{count, run_scenario as run, stderr_of};
use minimalist_async::{Executor, spawn, yield_now};

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

#[test]
#[ignore = "run by a_panic_shown_by_with_result_is_retrieved"]
fn scenario_with_result_looks_at_the_panic() {
    let mut executor = Executor::with_virtual_time();
    let looked = executor.spawn(async { panic!("looked at") });
    let unseen = executor.spawn(async { panic!("not looked at") });
    executor.run_until_stalled();
    let shown = looked.with_result(|result| result.as_ref().unwrap_err().is_panic());
    assert_eq!(shown, Some(true));
    drop(looked);
    drop(unseen);
    executor.block_on(async {
        drop(spawn(async { panic!("nobody looked inside") }));
        yield_now().await;
    });
}

/// As asyncio's `task.exception()`: looking at the panic retrieves it. The two tasks nobody looked at
/// are still reported, once each.
#[test]
fn a_panic_shown_by_with_result_is_retrieved() {
    let stderr = stderr_of("scenario_with_result_looks_at_the_panic");
    assert_eq!(count(&stderr, "never retrieved"), 2, "{stderr}");
    assert_eq!(count(&stderr, "never retrieved: Task-1 panicked: looked at"), 0, "{stderr}");
    assert_eq!(count(&stderr, "never retrieved: Task-2 panicked: not looked at"), 1, "{stderr}");
    assert_eq!(count(&stderr, "panicked: nobody looked inside"), 1, "{stderr}");
}

#[test]
#[ignore = "run by with_result_on_a_running_task_retrieves_nothing"]
fn scenario_with_result_before_the_panic() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async {
        yield_now().await;
        panic!("looked at too early")
    });
    executor.step();
    assert_eq!(task.with_result(|_| ()), None, "still running");
    drop(task);
    executor.run_until_stalled();
}

/// A look that saw no panic (the task had not ended) leaves it unretrieved.
#[test]
fn with_result_on_a_running_task_retrieves_nothing() {
    let stderr = stderr_of("scenario_with_result_before_the_panic");
    let line = "never retrieved: Task-1 panicked: looked at too early";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

/// Awaits a task's handle through `&mut`, which takes its result and leaves the handle behind.
async fn taken_handle() -> minimalist_async::JoinHandle<u32> {
    let mut handle = spawn(async { 1 });
    assert_eq!((&mut handle).await.unwrap(), 1);
    handle
}

#[test]
#[should_panic(
    expected = "join_all() given the JoinHandle of Task-2, whose result was already taken by .await"
)]
fn join_all_of_a_taken_handle_names_join_all() {
    Executor::with_virtual_time().block_on(async {
        let _ = minimalist_async::join_all([taken_handle().await]).await;
    });
}

#[test]
#[should_panic(
    expected = "join_all_settled() given the JoinHandle of Task-3, whose result was already taken"
)]
fn join_all_settled_of_a_taken_handle_names_join_all_settled() {
    Executor::with_virtual_time().block_on(async {
        let fresh = spawn(async { 2 });
        let _ = minimalist_async::join_all_settled([fresh, taken_handle().await]).await;
    });
}

#[test]
#[should_panic(
    expected = "as_completed() given the JoinHandle of Task-2, whose result was already taken"
)]
fn as_completed_of_a_taken_handle_names_as_completed() {
    Executor::with_virtual_time().block_on(async {
        let _ = minimalist_async::as_completed([taken_handle().await]);
    });
}

/// At the call, before any poll: the future is never awaited here.
#[test]
#[should_panic(
    expected = "wait_first() given the JoinHandle of Task-2, whose result was already taken"
)]
fn wait_first_of_a_taken_handle_names_wait_first_at_the_call() {
    Executor::with_virtual_time().block_on(async {
        drop(minimalist_async::wait_first([taken_handle().await]));
    });
}

#[test]
#[ignore = "run by a_taken_handle_panic_names_the_callers_line"]
fn scenario_join_all_of_a_taken_handle() {
    Executor::with_virtual_time().block_on(async {
        let _ = minimalist_async::join_all([taken_handle().await]).await;
    });
}

#[test]
fn a_taken_handle_panic_names_the_callers_line() {
    let (passed, stderr) = run("scenario_join_all_of_a_taken_handle");
    assert!(!passed, "join_all panicked: {stderr}");
    assert_eq!(count(&stderr, "join_all() given the JoinHandle of Task-2"), 1, "{stderr}");
    assert!(stderr.contains("tests/api_edges.rs:"), "the caller's location: {stderr}");
    assert!(!stderr.contains("add_done_callback"), "no API the user never called: {stderr}");
}

/// A waker whose wake panics: a hand-made one, as a foreign executor's might be.
struct PanickingWaker;

impl std::task::Wake for PanickingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        panic!("the waker's own panic");
    }
}

/// Polls `future` once with a [`PanickingWaker`], so that it keeps that waker.
fn poll_with_panicking_waker<F: std::future::Future + Unpin>(future: &mut F) {
    let waker = std::task::Waker::from(std::sync::Arc::new(PanickingWaker));
    let poll = std::pin::Pin::new(future).poll(&mut std::task::Context::from_waker(&waker));
    assert!(poll.is_pending());
}

#[test]
#[ignore = "run by a_panicking_waker_under_a_zero_timeout_is_named_as_a_waker"]
fn scenario_zero_timeout_with_a_panicking_waker() {
    Executor::with_virtual_time().block_on(async {
        let mut timeout = Box::pin(minimalist_async::time::timeout(
            std::time::Duration::ZERO,
            std::future::pending::<()>(),
        ));
        poll_with_panicking_waker(&mut timeout);
        yield_now().await;
        assert!(timeout.await.is_err(), "expired");
    });
}

#[test]
fn a_panicking_waker_under_a_zero_timeout_is_named_as_a_waker() {
    let stderr = stderr_of("scenario_zero_timeout_with_a_panicking_waker");
    let line = "minimalist-async: a waker's wake panicked: the waker's own panic";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
    assert_eq!(count(&stderr, "callback scheduled at"), 0, "{stderr}");
}

#[test]
#[ignore = "run by a_panicking_waker_under_join_all_is_named_as_a_waker"]
fn scenario_join_all_with_a_panicking_waker() {
    Executor::with_virtual_time().block_on(async {
        let mut all = minimalist_async::join_all([spawn(async { 5 })]);
        poll_with_panicking_waker(&mut all);
        yield_now().await;
        yield_now().await;
        assert_eq!(all.await.unwrap(), [5]);
    });
}

#[test]
fn a_panicking_waker_under_join_all_is_named_as_a_waker() {
    let stderr = stderr_of("scenario_join_all_with_a_panicking_waker");
    let line = "minimalist-async: a waker's wake panicked: the waker's own panic";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
    assert_eq!(count(&stderr, "a done-callback of"), 0, "{stderr}");
}

#[test]
#[ignore = "run by a_remote_panic_nobody_read_is_reported_once"]
fn scenario_remote_handles_dropped_unread() {
    let mut executor = Executor::with_virtual_time();
    let remote = executor.remote();
    let early = std::thread::spawn({
        let remote = remote.clone();
        move || remote.spawn(async { panic!("dropped before it ran") })
    });
    drop(early.join().unwrap());
    let late = remote.spawn(async { panic!("dropped after it ended") });
    let joined = remote.spawn(async { panic!("joined") });
    let fine = remote.spawn(async { 1 });
    executor.run_until_stalled();
    drop(late);
    drop(fine);
    assert!(joined.join().unwrap_err().is_panic());
    let awaited = executor.block_on(remote.spawn(async { panic!("awaited") }));
    assert!(awaited.unwrap_err().is_panic());
    // The executor goes before the task runs: a cancel, which is nobody's panic.
    drop(remote.spawn(async { panic!("never ran") }));
}

/// As the executor says of its own tasks: a remote task's panic that no `join` or `.await` read is
/// reported, whether the handle went before the task ended or after.
#[test]
fn a_remote_panic_nobody_read_is_reported_once() {
    let stderr = stderr_of("scenario_remote_handles_dropped_unread");
    let reported: Vec<&str> =
        stderr.lines().filter(|line| line.contains("never retrieved")).collect();
    assert_eq!(reported.len(), 2, "{stderr}");
    let prefix = "minimalist-async: task exception was never retrieved: Task-";
    assert!(reported.iter().all(|line| line.starts_with(prefix)), "{stderr}");
    assert!(reported[0].ends_with(" panicked: dropped before it ran"), "{stderr}");
    assert!(reported[1].ends_with(" panicked: dropped after it ended"), "{stderr}");
}
