//! Panics: a panicking task becomes a `JoinError` for its handle and its callbacks, and the loop keeps
//! running the others. A panic in `block_on`'s own future reaches the caller.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use common::{Log, run_logged};
use minimalist_async::{Executor, sleep, spawn, yield_now};

#[test]
fn panic_in_a_task_reaches_its_handle_and_the_others_keep_running() {
    let entries = run_logged(|log| async move {
        let bad = spawn(async {
            sleep(Duration::from_millis(10)).await;
            panic!("task exploded");
        });
        let good_log = log.clone();
        let good = spawn(async move {
            sleep(Duration::from_millis(20)).await;
            good_log.push("good finished");
            5
        });
        let error = bad.await.unwrap_err();
        log.push(error.to_string());
        assert!(error.is_panic());
        log.push(format!("good returned {}", good.await.unwrap()));
    });
    assert_eq!(entries, ["Task-2 panicked: task exploded", "good finished", "good returned 5"]);
}

#[test]
fn panic_in_a_task_reaches_its_done_callbacks() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async {
        panic!("{}", String::from("formatted payload"));
    });
    let cb = log.clone();
    task.add_done_callback(move |result| {
        let error = result.as_ref().unwrap_err();
        cb.push(format!("callback: {:?}", error.panic_message()));
    });
    while executor.step() != minimalist_async::Step::Idle {}
    assert_eq!(log.entries(), ["callback: Some(\"formatted payload\")"]);
}

#[test]
fn panic_in_a_callback_is_reported_and_the_next_callback_still_runs() {
    let entries = run_logged(|log| async move {
        let task = spawn(async { 1 });
        task.add_done_callback(|_| panic!("callback exploded"));
        let cb = log.clone();
        task.add_done_callback(move |_| cb.push("second callback ran"));
        task.await.unwrap();
        yield_now().await;
    });
    assert_eq!(entries, ["second callback ran"]);
}

#[test]
fn panic_in_the_block_on_future_reaches_the_caller() {
    let mut executor = Executor::with_virtual_time();
    let caught =
        catch_unwind(AssertUnwindSafe(|| executor.block_on(async { panic!("main exploded") })))
            .unwrap_err();
    assert_eq!(common::panic_text(&*caught), "main exploded");
    // The executor is still usable.
    assert_eq!(executor.block_on(async { 2 }), 2);
}
