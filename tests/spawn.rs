//! Spawning: tasks start lazily, in spawn order, and need not be `Send`.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use common::run_logged;
use minimalist_async::{Executor, spawn, yield_now};

#[test]
fn spawn_never_runs_the_task_inside_spawn() {
    let entries = run_logged(|log| async move {
        let inner = log.clone();
        let task = spawn(async move { inner.push("task ran") });
        log.push("spawn returned");
        // asyncio's create_task: the task first runs when the spawner yields.
        yield_now().await;
        log.push("main resumed");
        task.await.unwrap();
    });
    assert_eq!(entries, ["spawn returned", "task ran", "main resumed"]);
}

#[test]
fn spawned_tasks_first_run_in_spawn_order() {
    let entries = run_logged(|log| async move {
        let tasks: Vec<_> = (1..=5)
            .map(|i| {
                let log = log.clone();
                spawn(async move { log.push(format!("task {i}")) })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(entries, ["task 1", "task 2", "task 3", "task 4", "task 5"]);
}

#[test]
fn spawned_futures_need_not_be_send() {
    let shared = Rc::new(5); // Rc is not Send
    let mut executor = Executor::with_virtual_time();
    let got = executor.block_on(async move {
        let shared = shared.clone();
        spawn(async move { *shared * 2 }).await.unwrap()
    });
    assert_eq!(got, 10);
}

#[test]
fn executor_spawn_before_block_on_runs_inside_block_on() {
    let mut executor = Executor::with_virtual_time();
    let early = executor.spawn(async { "early" });
    assert!(!early.is_finished(), "nothing runs until the executor runs");
    let got = executor.block_on(early).unwrap();
    assert_eq!(got, "early");
}

#[test]
fn task_ids_count_the_main_future_as_task_1() {
    let mut executor = Executor::with_virtual_time();
    let ids = executor.block_on(async {
        let a = spawn(async {});
        let b = spawn(async {});
        (a.id().to_string(), b.id().to_string())
    });
    assert_eq!(ids, ("Task-2".to_owned(), "Task-3".to_owned()));
}

#[test]
fn spawn_outside_an_executor_panics_with_a_hint() {
    let panic = catch_unwind(|| {
        drop(spawn(async {}));
    })
    .unwrap_err();
    let message = common::panic_text(&*panic);
    assert!(message.contains("outside a running executor"), "{message}");
    assert!(message.contains("block_on"), "{message}");
}

#[test]
fn block_on_inside_an_executor_panics_with_a_hint() {
    let mut outer = Executor::with_virtual_time();
    let panic = catch_unwind(AssertUnwindSafe(|| {
        outer.block_on(async {
            Executor::with_virtual_time().block_on(async {});
        })
    }))
    .unwrap_err();
    let message = common::panic_text(&*panic);
    assert!(message.contains(".await"), "{message}");
    // The executor is usable again afterwards: the guard left the thread outside any executor.
    assert_eq!(outer.block_on(async { 1 }), 1);
}

#[test]
fn sleep_outside_an_executor_panics_with_a_hint() {
    let panic = catch_unwind(|| {
        drop(minimalist_async::sleep(std::time::Duration::from_millis(1)));
    })
    .unwrap_err();
    let message = common::panic_text(&*panic);
    assert!(message.starts_with("sleep() called outside a running executor"), "{message}");
}
