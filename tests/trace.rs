//! The trace: every scheduling decision, in order, on virtual time.

use std::time::Duration;

use minimalist_async::trace::{Event, EventKind, Outcome};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use minimalist_async::{Executor, sleep};

/// The events with poll durations (real time, so different on every run) zeroed.
fn normalized(events: Vec<Event>) -> Vec<(u64, Duration, EventKind)> {
    events
        .into_iter()
        .map(|event| {
            let kind = match event.kind {
                EventKind::PollEnded { task, ready, .. } => {
                    EventKind::PollEnded { task, duration: Duration::ZERO, ready }
                }
                kind => kind,
            };
            (event.turn, event.at, kind)
        })
        .collect()
}

/// One task that sleeps 100 ms and has a done-callback, traced from spawn to callback.
///
/// ```text
/// turn 1  t=0      poll Task-1: it arms a 100 ms timer
/// (idle)           the clock jumps to 100 ms
/// turn 2  t=100ms  the timer fires and wakes Task-1
/// turn 3  t=100ms  poll Task-1: it returns; its callback is queued
/// turn 4  t=100ms  the callback runs
/// ```
#[test]
fn trace_records_every_decision_in_order() {
    let mut executor = Executor::with_virtual_time();
    executor.enable_trace();
    let task = executor.spawn_named("sleeper", async { sleep(Duration::from_millis(100)).await });
    task.add_done_callback(|_| {});
    while executor.step() != minimalist_async::Step::Idle {}
    let t1 = task.id();
    let ms = Duration::from_millis;
    use EventKind::*;
    assert_eq!(
        normalized(executor.take_trace()),
        [
            (0, ms(0), Spawned { task: t1, name: "sleeper".into(), parent: None }),
            (1, ms(0), PollStarted { task: t1 }),
            (1, ms(0), TimerArmed { task: Some(t1), deadline: ms(100) }),
            (1, ms(0), PollEnded { task: t1, duration: Duration::ZERO, ready: false }),
            (1, ms(0), ClockAdvanced { to: ms(100) }),
            (2, ms(100), TimerFired { task: Some(t1), deadline: ms(100) }),
            (2, ms(100), Woken { task: t1, other_thread: false, already_queued: false }),
            (3, ms(100), PollStarted { task: t1 }),
            (3, ms(100), PollEnded { task: t1, duration: Duration::ZERO, ready: true }),
            (3, ms(100), TaskFinished { task: t1, outcome: Outcome::Returned }),
            (3, ms(100), CallbackQueued { task: Some(t1) }),
            (4, ms(100), CallbackRan { task: Some(t1) }),
        ]
    );
}

/// Off by default: nothing is recorded.
#[test]
fn trace_is_off_by_default() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async { sleep(Duration::from_millis(5)).await });
    assert!(executor.take_trace().is_empty());
}

/// A wake from another thread is recorded as such.
#[test]
fn trace_marks_wakes_from_other_threads() {
    let mut executor = Executor::new();
    executor.enable_trace();
    let slot: Arc<Mutex<(bool, Option<Waker>)>> = Arc::default();
    let polled = slot.clone();
    let task = executor.spawn(std::future::poll_fn(move |cx| {
        let mut state = polled.lock().unwrap();
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }));
    executor.run_until_stalled();
    std::thread::spawn(move || {
        let mut state = slot.lock().unwrap();
        state.0 = true;
        state.1.take().unwrap().wake();
    })
    .join()
    .unwrap();
    executor.block_on(task).unwrap();
    let wakes: Vec<EventKind> = executor
        .take_trace()
        .into_iter()
        .map(|event| event.kind)
        .filter(|kind| matches!(kind, EventKind::Woken { other_thread: true, .. }))
        .collect();
    assert_eq!(wakes.len(), 1, "{wakes:?}");
}

/// Switching the trace on after some tasks ran: the wakers those tasks leave for reuse were made without
/// a trace, and the tasks spawned afterwards must still have their wakes recorded.
#[test]
fn trace_switched_on_later_records_the_wakes_of_later_tasks() {
    let mut executor = Executor::with_virtual_time();
    for _ in 0..3 {
        executor.block_on(async { minimalist_async::spawn(async {}).await.unwrap() });
    }
    executor.enable_trace();
    let task = executor.spawn(async { minimalist_async::yield_now().await });
    let id = task.id();
    executor.block_on(task).unwrap();
    let wakes = executor
        .take_trace()
        .into_iter()
        .filter(|event| matches!(event.kind, EventKind::Woken { task, .. } if task == id))
        .count();
    assert_eq!(wakes, 1, "the yield's wake is in the trace");
}
