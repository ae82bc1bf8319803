//! Done-callbacks, with asyncio's semantics: never run inside the step that completes the task nor
//! inside `add_done_callback`; queued in registration order and run on the next turn, each exactly once.

mod common;

use common::{Log, run_logged};
use minimalist_async::{Executor, Step, yield_now};

/// Registered before the task ends: the callbacks run on the turn after the task's last poll, in
/// registration order.
#[test]
fn callback_added_before_completion_runs_on_the_next_turn() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { 7 });
    for name in ["first", "second"] {
        let log = log.clone();
        task.add_done_callback(move |result| log.push(format!("{name} saw {result:?}")));
    }
    assert!(matches!(executor.step(), Step::Polled { finished: true, .. }));
    assert!(log.entries().is_empty(), "not inside the step that finished the task");
    assert_eq!(executor.turns(), 1);
    assert_eq!(executor.step(), Step::RanCallback { task: task.id() });
    assert_eq!(executor.turns(), 2);
    assert_eq!(executor.step(), Step::RanCallback { task: task.id() });
    assert_eq!(executor.step(), Step::Idle, "each callback runs exactly once");
    assert_eq!(log.entries(), ["first saw Ok(7)", "second saw Ok(7)"]);
}

/// Registered after the task ended: queued at that moment, behind what is already waiting, and never
/// run inside `add_done_callback` itself.
#[test]
fn callback_added_after_completion_is_queued_at_that_moment() {
    let entries = run_logged(|log| async move {
        let task = minimalist_async::spawn(async { "done" });
        yield_now().await;
        assert!(task.is_finished());
        let before = log.clone();
        let _already_queued = minimalist_async::spawn(async move { before.push("queued earlier") });
        let late = log.clone();
        task.add_done_callback(move |result| late.push(format!("late callback saw {result:?}")));
        log.push("add_done_callback returned");
        yield_now().await;
        yield_now().await;
    });
    assert_eq!(
        entries,
        ["add_done_callback returned", "queued earlier", "late callback saw Ok(\"done\")",]
    );
}

/// A callback that adds another callback to the same finished task: the new one is queued behind,
/// and runs on a later turn.
#[test]
fn callback_added_from_a_callback_runs_on_a_later_turn() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let task = std::rc::Rc::new(executor.spawn(async { 1 }));
    {
        let log = log.clone();
        let again = task.clone();
        task.add_done_callback(move |_| {
            log.push("outer");
            let log = log.clone();
            again.add_done_callback(move |_| log.push("inner"));
        });
    }
    executor.step(); // the task
    assert_eq!(executor.step(), Step::RanCallback { task: task.id() });
    let turn_of_outer = executor.turns();
    assert_eq!(log.entries(), ["outer"]);
    assert_eq!(executor.step(), Step::RanCallback { task: task.id() });
    assert_eq!(executor.turns(), turn_of_outer + 1);
    assert_eq!(log.entries(), ["outer", "inner"]);
}

/// A task awaiting a handle resumes after that handle's callbacks have run: the tutorial's callback
/// demo prints each result before main moves on.
#[test]
fn awaiting_task_resumes_after_the_callbacks() {
    let entries = run_logged(|log| async move {
        let task = minimalist_async::spawn(async { 3 });
        let cb = log.clone();
        task.add_done_callback(move |result| cb.push(format!("callback {result:?}")));
        let value = task.await.unwrap();
        log.push(format!("main got {value}"));
    });
    assert_eq!(entries, ["callback Ok(3)", "main got 3"]);
}

/// Callbacks share the ready queue with tasks, so they keep their place in line: one queued before a
/// task's wake runs before that task.
#[test]
fn callbacks_and_tasks_share_one_fifo() {
    let entries = run_logged(|log| async move {
        let quick = minimalist_async::spawn(async {});
        let cb = log.clone();
        quick.add_done_callback(move |_| cb.push("callback of quick"));
        let yl = log.clone();
        let yielder = minimalist_async::spawn(async move {
            yield_now().await; // queued after quick's callback, which is queued as quick ends
            yl.push("yielder resumed");
        });
        quick.await.unwrap();
        yielder.await.unwrap();
    });
    assert_eq!(entries, ["callback of quick", "yielder resumed"]);
}
