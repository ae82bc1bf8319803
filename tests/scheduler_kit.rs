//! How to test your own scheduler: a dozen small tests, written as a learner's examples.
//!
//! The technique, in four tools:
//!
//! - **Virtual time.** `Executor::with_virtual_time()` never waits: when nothing is ready, the clock
//!   jumps to the next deadline. A test that sleeps an hour runs in microseconds, and every run is the
//!   same run.
//! - **`run_until_stalled()`** runs every turn that needs no time to pass, and stops. Between two calls
//!   you look at the executor's state without anything moving.
//! - **`advance(d)`** moves virtual time forward by `d`, deadline by deadline, running what falls due at
//!   each: a sleep armed during the advance and due within it fires too.
//! - **`snapshot()` and `JoinHandle::stats()`** (after `enable_stats()`) show the ready queue, every task's state, the timer
//!   wheel, and how often each task was polled and woken.
//!
//! Each test below states one rule of the scheduler and checks it with these tools. Read them in order.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use minimalist_async::inspect::{Ready, TaskState};
use minimalist_async::{Executor, TaskStats, call_soon, sleep, spawn, yield_now};

/// A log the tasks of one test write to, so the test can check the order things happened in.
fn log() -> Rc<RefCell<Vec<String>>> {
    Rc::default()
}

/// Rule 1: spawning queues a task; nothing runs until the executor runs.
#[test]
fn spawned_task_waits_in_the_queue_until_the_executor_runs() {
    let mut executor = Executor::with_virtual_time();
    executor.enable_stats();
    let task = executor.spawn(async { 1 });
    // Look before running anything: the task is in the ready queue, and has never been polled.
    assert_eq!(executor.snapshot().ready, [Ready::Task(task.id())]);
    assert_eq!(task.stats().unwrap().polls, 0);
    executor.run_until_stalled();
    assert!(task.is_finished());
}

/// Rule 2: a task that sleeps is parked in the timer wheel, not in the ready queue.
#[test]
fn sleeping_task_sits_in_the_wheel_until_its_deadline() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { sleep(Duration::from_millis(100)).await });
    executor.run_until_stalled();
    let snapshot = executor.snapshot();
    assert!(snapshot.ready.is_empty());
    assert_eq!(snapshot.tasks[0].state, TaskState::Sleeping { until: Duration::from_millis(100) });
    assert_eq!(executor.armed_timers(), 1);
    // Not a microsecond early...
    executor.advance(Duration::from_micros(99_999));
    assert!(!task.is_finished());
    // ...and exactly on time.
    executor.advance(Duration::from_micros(1));
    assert!(task.is_finished());
}

/// Rule 3: `run_until_stalled` never moves the clock, however much work there is.
#[test]
fn run_until_stalled_does_all_the_work_that_needs_no_time() {
    let mut executor = Executor::with_virtual_time();
    let busy = executor.spawn(async {
        for _ in 0..1000 {
            yield_now().await;
        }
    });
    let steps = executor.run_until_stalled();
    assert_eq!(steps, 1001, "one poll per yield, plus the last one");
    assert!(busy.is_finished());
    assert_eq!(executor.now(), Duration::ZERO);
}

/// Rule 4: `advance` fires what falls due inside the window, including timers armed during it.
#[test]
fn advance_fires_timers_armed_during_the_advance() {
    let ticks = log();
    let mut executor = Executor::with_virtual_time();
    let record = ticks.clone();
    drop(executor.spawn(async move {
        loop {
            sleep(Duration::from_secs(1)).await;
            record.borrow_mut().push(format!("{:?}", minimalist_async::time::now()));
        }
    }));
    executor.advance(Duration::from_millis(3500));
    assert_eq!(*ticks.borrow(), ["1s", "2s", "3s"]);
    assert_eq!(executor.now(), Duration::from_millis(3500));
}

/// Rule 5: a task woken many times before it runs is polled once.
#[test]
fn wakes_coalesce_into_one_poll() {
    let mut executor = Executor::with_virtual_time();
    executor.enable_stats();
    let mut first = true;
    let task = executor.spawn(std::future::poll_fn(move |cx| {
        if !first {
            return std::task::Poll::Ready(());
        }
        first = false;
        for _ in 0..5 {
            cx.waker().wake_by_ref();
        }
        std::task::Poll::Pending
    }));
    executor.run_until_stalled();
    assert_eq!(task.stats(), Some(TaskStats { polls: 2, wakes: 5 }));
}

/// Rule 6: each turn runs what was ready when it began; a task that yields goes behind the others.
#[test]
fn yield_puts_the_task_behind_everything_already_ready() {
    let order = log();
    let mut executor = Executor::with_virtual_time();
    for name in ["a", "b", "c"] {
        let order = order.clone();
        drop(executor.spawn(async move {
            order.borrow_mut().push(format!("{name}1"));
            yield_now().await;
            order.borrow_mut().push(format!("{name}2"));
        }));
    }
    executor.run_until_stalled();
    assert_eq!(*order.borrow(), ["a1", "b1", "c1", "a2", "b2", "c2"]);
}

/// Rule 7: the turn boundary is visible in a snapshot: new work waits for the next turn.
#[test]
fn work_queued_during_a_turn_waits_for_the_next_turn() {
    let mut executor = Executor::with_virtual_time();
    let first = executor.spawn(async {
        call_soon(|| {});
    });
    let second = executor.spawn(async {});
    executor.step(); // polls `first`, which queues a callback
    let snapshot = executor.snapshot();
    assert_eq!(snapshot.this_turn, 1, "only `second` is left in this turn");
    assert_eq!(snapshot.ready, [Ready::Task(second.id()), Ready::CallSoon]);
    assert!(first.is_finished());
}

/// Rule 8: a task awaiting another shows what it waits for, and wakes when that one ends.
#[test]
fn awaiting_task_shows_whom_it_waits_for() {
    let mut executor = Executor::with_virtual_time();
    let worker = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    let worker_id = worker.id();
    let waiter = executor.spawn(async move { worker.await.is_ok() });
    executor.run_until_stalled();
    let snapshot = executor.snapshot();
    let state = snapshot.tasks.iter().find(|t| t.id == waiter.id()).unwrap().state;
    assert_eq!(state, TaskState::Awaiting(worker_id));
    executor.advance(Duration::from_secs(1));
    assert!(waiter.is_finished());
}

/// Rule 9: two tasks sleeping the same time from the same turn wake in one turn, in arming order.
#[test]
fn equal_deadlines_wake_in_arming_order() {
    let order = log();
    let mut executor = Executor::with_virtual_time();
    for name in ["first", "second"] {
        let order = order.clone();
        drop(executor.spawn(async move {
            sleep(Duration::from_millis(100)).await;
            order.borrow_mut().push(name.to_owned());
        }));
    }
    executor.run_until_stalled();
    let turn_before = executor.turns();
    executor.advance(Duration::from_millis(100));
    assert_eq!(*order.borrow(), ["first", "second"]);
    // One turn fires both timers, the next polls both tasks.
    assert_eq!(executor.turns(), turn_before + 2);
}

/// Rule 10: done-callbacks run on the turn after the task ends, never inside it.
#[test]
fn done_callback_runs_one_turn_after_the_task_ends() {
    let seen = log();
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { 42 });
    let record = seen.clone();
    task.add_done_callback(move |result| record.borrow_mut().push(format!("{result:?}")));
    assert_eq!(executor.snapshot().tasks[0].callbacks, 1, "registered, waiting for the task");
    executor.step();
    assert!(task.is_finished() && seen.borrow().is_empty());
    assert_eq!(executor.snapshot().ready, [Ready::DoneCallback(task.id())]);
    executor.step();
    assert_eq!(*seen.borrow(), ["Ok(42)"]);
}

/// Rule 11: cancelling a sleeping task removes its timer; the clock has nothing left to jump to.
#[test]
fn cancelled_sleeper_leaves_no_timer_behind() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { sleep(Duration::from_secs(3600)).await });
    executor.run_until_stalled();
    assert_eq!(executor.armed_timers(), 1);
    task.cancel();
    executor.run_until_stalled();
    assert_eq!(executor.armed_timers(), 0);
    assert_eq!(executor.step(), minimalist_async::Step::Idle, "no deadline left to move to");
}

/// Rule 12: a spawned task records who spawned it; the snapshot shows the family tree.
#[test]
fn snapshot_shows_who_spawned_whom() {
    let mut executor = Executor::with_virtual_time();
    let parent = executor.spawn_named("parent", async {
        // The child's handle is dropped: the child keeps running (dropping never cancels).
        drop(spawn(async { sleep(Duration::from_secs(1)).await }));
    });
    executor.run_until_stalled();
    let snapshot = executor.snapshot();
    let child = snapshot.tasks.iter().find(|t| t.name != "parent").unwrap();
    assert_eq!(child.spawned_by, Some(parent.id()));
}
