//! Snapshots at the edges: what `Executor::snapshot` says of a task between the moment it ends and
//! its done-callbacks run, and between the moment its timer is handed out as due and the moment
//! it fires.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use minimalist_async::inspect::{Ready, TaskState};
use minimalist_async::{Executor, sleep, time, yield_now};

/// `TaskInfo::callbacks` is documented as "Done-callbacks added to its handle that have not run yet
/// (registered while it runs, or queued once it has ended)". With the trace on, an ended task is
/// listed (as `Finished`), and here its two callbacks are queued (the ready queue shows them): the
/// snapshot counts them. (It used to say 0 for every ended task: the ended tasks come from the
/// trace, and `Executor::snapshot` did not look at their entries.)
#[test]
fn an_ended_tasks_queued_done_callbacks_are_counted() {
    let mut executor = Executor::with_virtual_time();
    executor.enable_trace();
    let task = executor.spawn_named("t", async { 1 });
    task.add_done_callback(|_| {});
    task.add_done_callback(|_| {});
    assert_eq!(executor.snapshot().tasks[0].callbacks, 2, "while it runs");
    executor.step(); // the task ends; its two callbacks are queued for the next turn
    let snapshot = executor.snapshot();
    assert_eq!(
        snapshot.ready,
        [Ready::DoneCallback(task.id()), Ready::DoneCallback(task.id())],
        "both callbacks are queued and have not run"
    );
    let info = &snapshot.tasks[0];
    assert_eq!(info.state, TaskState::Finished);
    assert_eq!(
        info.callbacks, 2,
        "two done-callbacks queued once it ended, not run yet: {snapshot}"
    );
}

/// A task whose timer the turn has handed out as due (shown under "due now" in the same snapshot)
/// is still waiting for that timer until the turn's end fires it: `Sleeping`. (It used to be called
/// `Waiting`, "waiting on something else", because `Executor::snapshot` looked for sleepers only in
/// the wheel's lists, not among the timers handed out as due.)
#[test]
fn a_task_whose_timer_is_due_is_still_sleeping() {
    let mut executor = Executor::with_virtual_time();
    let sleeper = executor.spawn_named("sleeper", async {
        let mut nap = pin!(sleep(Duration::from_secs(1)));
        // Arm the timer, then move its deadline to now: it is due at the next turn's start.
        poll_fn(|cx| {
            let _ = nap.as_mut().poll(cx);
            Poll::Ready(())
        })
        .await;
        nap.as_mut().reset(time::now());
        nap.await;
    });
    // Keeps the next turn's batch non-empty, so that there is a step between taking the due timer
    // and firing it.
    let _busy = executor.spawn_named("busy", async {
        for _ in 0..3 {
            yield_now().await;
        }
    });
    executor.step(); // turn 1: sleeper arms and resets its timer
    executor.step(); // turn 1: busy yields
    executor.step(); // turn 2 begins (sleeper's timer handed out as due), busy yields
    let snapshot = executor.snapshot();
    let due = snapshot
        .timers
        .iter()
        .find(|list| list.slot.is_none())
        .expect("the sleeper's timer is due now and not fired yet");
    assert_eq!(due.timers[0].task, Some(sleeper.id()));
    let state = snapshot.tasks.iter().find(|task| task.id == sleeper.id()).expect("listed").state;
    assert_eq!(
        state,
        TaskState::Sleeping { until: Duration::ZERO },
        "its timer is due but has not fired:\n{snapshot}"
    );
}

/// A task waiting for another's handle inside a `timeout` is `Awaiting` that task, though the
/// timeout's deadline is a timer of its own: which task it waits for says more than when it may give
/// up (and a plain sleeper is still `Sleeping`).
#[test]
fn a_task_awaiting_a_handle_inside_a_timeout_is_awaiting() {
    let mut executor = Executor::with_virtual_time();
    let slow = executor.spawn(async { sleep(Duration::from_secs(60)).await });
    let slow_id = slow.id();
    let waiter = executor.spawn(time::timeout(Duration::from_secs(10), slow));
    executor.run_until_stalled();
    let snapshot = executor.snapshot();
    let state = |id| snapshot.tasks.iter().find(|task| task.id == id).map(|task| task.state);
    assert_eq!(state(waiter.id()), Some(TaskState::Awaiting(slow_id)));
    assert_eq!(state(slow_id), Some(TaskState::Sleeping { until: Duration::from_secs(60) }));
}
