//! Dropping the executor: whatever user code runs then (a destructor, a waker) cannot take the
//! process down, and nothing is lost without a line on stderr: not a task a destructor spawns during
//! the teardown, not a panic nobody looked at, not a callback that never ran, not a sleep awaited on
//! another executor.
//!
//! As in `tests/failure.rs`, each scenario is an ignored test that its checking test runs in a child
//! process (this same test binary), so that its stderr can be read and its exit status checked.

#![allow(
    clippy::async_yields_async,
    reason = "scenarios return a handle or a sleep from block_on on purpose"
)]

use std::cell::RefCell;
use std::future::{pending, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

mod common;

use common::{count, stderr_of};
use minimalist_async::{Executor, JoinHandle, call_later, call_soon, sleep, spawn, yield_now};

/// Panics when dropped.
struct Boom(&'static str);

impl Drop for Boom {
    fn drop(&mut self) {
        panic!("{}", self.0);
    }
}

/// Spawns, when dropped, a task whose future panics when it is dropped in turn.
struct SpawnsOnDrop;

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        let boom = Boom("the late task's future");
        drop(spawn(async move {
            let _boom = boom;
            pending::<()>().await
        }));
        call_soon(|| unreachable!("nothing runs once the executor is dropped"));
    }
}

#[test]
#[ignore = "run by what_a_teardown_destructor_spawns_is_dropped_contained_and_named"]
fn scenario_destructor_spawns_at_teardown() {
    let executor = Executor::with_virtual_time();
    let spawns = SpawnsOnDrop;
    // Work from "another thread" the executor never took in: dropped by the teardown's last pass
    // over its tables, which must go round once more for what its destructor stores.
    executor.remote().call_soon_threadsafe(move || {
        let _kept = &spawns;
    });
    drop(executor);
}

#[test]
fn what_a_teardown_destructor_spawns_is_dropped_contained_and_named() {
    let stderr = stderr_of("scenario_destructor_spawns_at_teardown");
    let dropping =
        "minimalist-async: dropping the future of Task-1 panicked: the late task's future";
    assert_eq!(count(&stderr, dropping), 1, "{stderr}");
    let unfinished = "executor dropped with 1 unfinished task(s), dropped unfinished: Task-1\n";
    assert_eq!(count(&stderr, unfinished), 1, "{stderr}");
    // The remote work and the late call_soon.
    assert_eq!(count(&stderr, "executor dropped with 2 callback(s) that never ran"), 1, "{stderr}");
}

/// A waker that, when woken, spawns a task on the running executor whose future panics when dropped.
struct SpawnsWhenWoken;

impl Wake for SpawnsWhenWoken {
    fn wake(self: Arc<Self>) {
        let boom = Boom("the future a waker spawned");
        drop(spawn(async move {
            let _boom = boom;
            pending::<()>().await
        }));
    }
}

#[test]
#[ignore = "run by what_a_woken_awaiter_spawns_at_teardown_is_dropped_contained"]
fn scenario_awaiter_spawns_at_teardown() {
    let mut executor = Executor::with_virtual_time();
    let mut awaited = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    // A combinator's own waker awaits the handle, from a task that then sleeps: the teardown wakes
    // that waker.
    let waker = Waker::from(Arc::new(SpawnsWhenWoken));
    let holder = executor.spawn(async move {
        poll_fn(|_| {
            assert!(Pin::new(&mut awaited).poll(&mut Context::from_waker(&waker)).is_pending());
            Poll::Ready(())
        })
        .await;
        sleep(Duration::from_secs(10)).await;
    });
    executor.run_until_stalled();
    drop(executor);
    drop(holder);
}

#[test]
fn what_a_woken_awaiter_spawns_at_teardown_is_dropped_contained() {
    let stderr = stderr_of("scenario_awaiter_spawns_at_teardown");
    let dropping = "panicked: the future a waker spawned";
    assert_eq!(count(&stderr, dropping), 1, "{stderr}");
    assert_eq!(count(&stderr, "dropped unfinished: Task-1, Task-2, Task-3\n"), 1, "{stderr}");
}

#[test]
#[ignore = "run by a_panic_nobody_looked_at_is_reported_when_the_executor_goes_first"]
fn scenario_unseen_panic_outlives_the_executor() {
    let mut executor = Executor::with_virtual_time();
    let failed = executor.spawn(async { panic!("looked at by nobody") });
    let kept = executor.block_on(async {
        let failed_too = spawn(async { panic!("returned by block_on") });
        yield_now().await;
        failed_too
    });
    drop(executor);
    // The results went with the executor: the handles only say "cancelled" now.
    assert!(Executor::with_virtual_time().block_on(kept).unwrap_err().is_cancelled());
    drop(failed);
}

#[test]
fn a_panic_nobody_looked_at_is_reported_when_the_executor_goes_first() {
    let stderr = stderr_of("scenario_unseen_panic_outlives_the_executor");
    let never = "minimalist-async: task exception was never retrieved: ";
    assert_eq!(count(&stderr, &format!("{never}Task-1 panicked: looked at by nobody")), 1);
    assert_eq!(count(&stderr, &format!("{never}Task-3 panicked: returned by block_on")), 1);
    assert_eq!(count(&stderr, never), 2, "{stderr}");
}

#[test]
#[ignore = "run by callbacks_that_never_ran_are_counted_when_the_executor_goes"]
fn scenario_callbacks_left_at_drop() {
    let mut executor = Executor::with_virtual_time();
    executor.call_later(Duration::from_secs(1), || unreachable!("never due"));
    executor.call_soon(|| unreachable!("never run"));
    let task = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    task.add_done_callback(|_| unreachable!("the task never ends"));
    drop(
        executor.spawn(async { call_later(Duration::from_secs(2), || unreachable!("never due")) }),
    );
    executor.run_until_stalled();
    drop(executor);
}

#[test]
fn callbacks_that_never_ran_are_counted_when_the_executor_goes() {
    let stderr = stderr_of("scenario_callbacks_left_at_drop");
    // The call_soon ran no more than the rest: run_until_stalled ran it. So: two call_later
    // callbacks and the done-callback.
    let line = "minimalist-async: executor dropped with 3 callback(s) that never ran";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

#[test]
#[ignore = "run by a_sleep_awaited_elsewhere_learns_its_executor_is_gone"]
fn scenario_foreign_sleep_outlives_its_executor() {
    let mut owner = Executor::with_virtual_time();
    let made = owner.block_on(async { sleep(Duration::from_millis(10)) });
    let mut other = Executor::with_virtual_time();
    let waiting = other.spawn(made);
    other.run_until_stalled();
    drop(owner);
    let error = other.block_on(waiting).unwrap_err();
    eprintln!("joined: {error}");
}

#[test]
fn a_sleep_awaited_elsewhere_learns_its_executor_is_gone() {
    // It used to wait for ever: its timer's waker was dropped with the wheel, never woken.
    let stderr = stderr_of("scenario_foreign_sleep_outlives_its_executor");
    let line =
        "joined: Task-1 panicked: a sleep polled after the executor that made it was dropped";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

#[test]
#[ignore = "run by a_long_list_of_unfinished_tasks_is_cut_short"]
fn scenario_many_unfinished_tasks() {
    let executor = Executor::with_virtual_time();
    for _ in 0..1000 {
        drop(executor.spawn(pending::<()>()));
    }
    drop(executor);
}

#[test]
fn a_long_list_of_unfinished_tasks_is_cut_short() {
    let stderr = stderr_of("scenario_many_unfinished_tasks");
    let line = "minimalist-async: executor dropped with 1000 unfinished task(s), dropped unfinished: \
                Task-1, Task-2, Task-3, Task-4, Task-5, Task-6, Task-7, Task-8, Task-9, Task-10, \
                Task-11, Task-12, Task-13, Task-14, Task-15, Task-16, Task-17, Task-18, Task-19, \
                Task-20 and 980 more\n";
    assert_eq!(count(&stderr, line), 1, "{stderr}");
}

/// Where a task finds its own handle.
type Kept = Rc<RefCell<Option<JoinHandle<()>>>>;

#[test]
fn a_task_awaiting_its_own_handle_fails_instead_of_waiting_for_ever() {
    let mut executor = Executor::with_virtual_time();
    let mine: Kept = Rc::default();
    let found = Rc::clone(&mine);
    let task = executor.spawn(async move {
        yield_now().await;
        let me = found.borrow_mut().take().expect("stored before the first poll");
        _ = me.await;
    });
    let id = task.id();
    *mine.borrow_mut() = Some(task);
    executor.run_until_stalled();
    assert_eq!(executor.pending_tasks(), 0, "{id} still waits for itself");
}
