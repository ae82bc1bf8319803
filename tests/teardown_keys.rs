//! A key taken before the executor's teardown never reaches a task made during it.

use std::cell::Cell;
use std::rc::Rc;

use minimalist_async::{CallbackHandle, Executor, JoinHandle, call_soon, spawn};

/// Held by a task's future: when the teardown drops that future, it spawns a task and asks about
/// another task's handle, whose task the teardown has already dropped.
struct Probe {
    other: Option<JoinHandle<()>>,
    seen: Rc<Cell<Option<(bool, bool)>>>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        let newcomer = spawn(async {});
        let other = self.other.take().expect("dropped once");
        self.seen.set(Some((other.is_finished(), other.cancel())));
        drop(newcomer);
    }
}

#[test]
fn a_handle_from_before_the_teardown_never_names_a_task_made_during_it() {
    let seen = Rc::new(Cell::new(None));
    let mut executor = Executor::with_virtual_time();
    // The first task spawned: the first slot of the task table.
    let first = executor.spawn(std::future::pending::<()>());
    let probe = Probe { other: Some(first), seen: Rc::clone(&seen) };
    let _holder = executor.spawn(async move {
        let _probe = probe;
        std::future::pending::<()>().await
    });
    executor.run_until_stalled();
    drop(executor);
    assert_eq!(
        seen.get(),
        Some((true, false)),
        "the first task is gone: its handle reports it finished, and cancelling it changes nothing"
    );
}

/// Held by a task's future: when the teardown drops that future, it queues a callback and cancels
/// one queued before the teardown, which the teardown has already taken.
struct CallProbe {
    old: Option<CallbackHandle>,
    seen: Rc<Cell<Option<bool>>>,
}

impl Drop for CallProbe {
    fn drop(&mut self) {
        let _newcomer = call_soon(|| {});
        let old = self.old.take().expect("dropped once");
        self.seen.set(Some(old.cancel()));
    }
}

#[test]
fn a_callback_handle_from_before_the_teardown_never_cancels_a_callback_queued_during_it() {
    let seen = Rc::new(Cell::new(None));
    let mut executor = Executor::with_virtual_time();
    let probe_seen = Rc::clone(&seen);
    let _task = executor.spawn(async move {
        let _probe = CallProbe { old: Some(call_soon(|| {})), seen: probe_seen };
        std::future::pending::<()>().await
    });
    // Polls the task once: its callback is queued, and never runs.
    assert!(executor.try_step().is_some());
    drop(executor);
    assert_eq!(seen.get(), Some(false), "the old callback was already gone");
}
