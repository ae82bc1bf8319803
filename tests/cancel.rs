//! Cancellation: `JoinHandle::cancel`, asyncio's `Task.cancel`, tokio's `abort`.

mod common;

use std::time::Duration;

use common::{DropCounter, Log, count_polls, run_logged};
use minimalist_async::{Executor, Step, sleep, spawn, yield_now};

/// Cancelled before its first poll: the future is dropped without ever being polled.
#[test]
fn cancel_before_start_never_polls_the_future() {
    let mut executor = Executor::with_virtual_time();
    let dropped = DropCounter(Default::default());
    let guard = dropped.clone();
    let (future, polls) = count_polls(async move {
        let _guard = guard;
    });
    let task = executor.spawn(future);
    assert!(task.cancel());
    assert_eq!(executor.step(), Step::Cancelled { task: task.id() });
    assert_eq!(*polls.borrow(), 0);
    assert_eq!(*dropped.0.borrow(), 1);
    let error = executor.block_on(task).unwrap_err();
    assert!(error.is_cancelled());
    assert_eq!(error.to_string(), "Task-1 was cancelled");
}

/// Cancelled while asleep: dropped before its next poll, its timer disarmed, its awaiter told.
#[test]
fn cancel_while_sleeping_disarms_the_timer() {
    let mut executor = Executor::with_virtual_time();
    let (future, polls) = count_polls(async { sleep(Duration::from_secs(10)).await });
    let result = executor.block_on(async move {
        let task = spawn(future);
        yield_now().await; // the task runs once and arms its 10 s timer
        assert!(task.cancel());
        task.await
    });
    assert!(result.unwrap_err().is_cancelled());
    assert_eq!(*polls.borrow(), 1);
    assert_eq!(executor.armed_timers(), 0);
    assert_eq!(executor.now(), Duration::ZERO);
}

/// Done-callbacks learn of the cancellation on a later turn, never inside `cancel`.
#[test]
fn cancel_reaches_callbacks_on_a_later_turn() {
    let entries = run_logged(|log| async move {
        let task = spawn(std::future::pending::<()>());
        let cb = log.clone();
        task.add_done_callback(move |result| {
            cb.push(format!("callback: {}", result.as_ref().unwrap_err()))
        });
        yield_now().await;
        task.cancel();
        log.push("cancel returned");
        yield_now().await; // the task is dropped during this turn
        log.push("a turn later");
        yield_now().await; // its callback runs in this one
    });
    assert_eq!(entries, ["cancel returned", "a turn later", "callback: Task-2 was cancelled"]);
}

/// Cancelling a finished task changes nothing; cancelling twice is harmless.
#[test]
fn cancel_after_finish_changes_nothing() {
    let mut executor = Executor::with_virtual_time();
    let value = executor.block_on(async {
        let task = spawn(async { 3 });
        yield_now().await;
        assert!(!task.cancel(), "already finished");
        assert!(!task.cancel());
        task.await
    });
    assert_eq!(value.unwrap(), 3);
}

/// A task may cancel itself through its own handle: it finishes its current poll, then is dropped.
#[test]
fn cancel_from_inside_the_task_takes_effect_before_its_next_poll() {
    let entries = run_logged(|log| async move {
        let slot = std::rc::Rc::new(std::cell::RefCell::new(None));
        let own = slot.clone();
        let inner = log.clone();
        let task = spawn(async move {
            inner.push("first poll");
            let cancelled: Option<bool> = own
                .borrow()
                .as_ref()
                .map(|handle: &minimalist_async::JoinHandle<()>| handle.cancel());
            assert_eq!(cancelled, Some(true));
            inner.push("still in the first poll");
            yield_now().await;
            inner.push("never");
        });
        let id = task.id();
        *slot.borrow_mut() = Some(task);
        for _ in 0..3 {
            yield_now().await;
        }
        let task = slot.borrow_mut().take().unwrap();
        log.push(format!("{id}: {}", task.await.unwrap_err()));
    });
    assert_eq!(entries, ["first poll", "still in the first poll", "Task-2: Task-2 was cancelled"]);
}

/// Cancelling from another thread works, and wakes an idle executor at once.
#[test]
fn cancel_from_another_thread() {
    let mut executor = Executor::new();
    let result = executor.block_on(async {
        let task = spawn(std::future::pending::<()>());
        let canceller = task.cancel_handle();
        yield_now().await;
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            canceller.cancel();
        });
        task.await
    });
    assert!(result.unwrap_err().is_cancelled());
}

/// Dropping a handle never cancels: the task runs to its end.
#[test]
fn dropping_the_handle_does_not_cancel() {
    let entries = run_logged(|log| async move {
        let inner = log.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(5)).await;
            inner.push("ran to the end");
        }));
        sleep(Duration::from_millis(10)).await;
    });
    assert_eq!(entries, ["ran to the end"]);
}

/// A timer that was already collected as due when its sleep's task is cancelled fires nothing.
#[test]
fn cancel_in_the_turn_its_timer_is_due_fires_nothing() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let sleeper = executor.spawn(async { sleep(Duration::from_millis(10)).await });
    let inner = log.clone();
    let canceller = executor.spawn(async move {
        sleep(Duration::from_millis(10)).await;
        inner.push("canceller woke");
    });
    executor.step(); // sleeper arms its timer
    executor.step(); // canceller arms its timer
    assert!(matches!(executor.step(), Step::AdvancedClock { .. }));
    // The 10 ms turn: both timers are collected as due. Cancel the sleeper before they fire.
    assert!(sleeper.cancel());
    assert_eq!(executor.step(), Step::Cancelled { task: sleeper.id() });
    assert_eq!(executor.step(), Step::FiredTimers { count: 1 });
    executor.block_on(canceller).unwrap();
    assert_eq!(log.entries(), ["canceller woke"]);
}
