//! Plain callbacks: `call_soon` and `call_later`, scheduled on the ready queue and the timer wheel.

mod common;

use std::time::Duration;

use common::{Log, run_logged};
use minimalist_async::time::now;
use minimalist_async::{Executor, Step, call_later, call_soon, sleep, yield_now};

/// `call_soon` queues behind what is already queued and never runs inside the call.
#[test]
fn call_soon_runs_on_the_next_turn_in_queue_order() {
    let entries = run_logged(|log| async move {
        for name in ["first", "second"] {
            let log = log.clone();
            call_soon(move || log.push(name));
        }
        log.push("after call_soon");
        yield_now().await;
        log.push("main again");
    });
    assert_eq!(entries, ["after call_soon", "first", "second", "main again"]);
}

/// `call_later` callbacks run when due, in deadline order, ties in scheduling order.
#[test]
fn call_later_runs_in_deadline_order_never_early() {
    let entries = run_logged(|log| async move {
        for (name, ms) in [("c", 30), ("a", 10), ("b", 10), ("zero", 0)] {
            let log = log.clone();
            call_later(Duration::from_millis(ms), move || {
                log.push(format!("{name} at {:?}", now()))
            });
        }
        sleep(Duration::from_millis(50)).await;
    });
    assert_eq!(entries, ["zero at 0ns", "a at 10ms", "b at 10ms", "c at 30ms"]);
}

#[test]
fn cancelled_callbacks_never_run() {
    let entries = run_logged(|log| async move {
        let soon_log = log.clone();
        let soon = call_soon(move || soon_log.push("soon"));
        let later_log = log.clone();
        let later = call_later(Duration::from_millis(5), move || later_log.push("later"));
        assert!(soon.cancel());
        assert!(later.cancel());
        sleep(Duration::from_millis(10)).await;
    });
    assert!(entries.is_empty(), "{entries:?}");
}

/// A panicking callback is reported on stderr and the loop carries on with the next one.
#[test]
fn panicking_callback_does_not_stop_the_loop() {
    let entries = run_logged(|log| async move {
        call_soon(|| panic!("callback exploded"));
        let next = log.clone();
        call_soon(move || next.push("next callback ran"));
        yield_now().await;
    });
    assert_eq!(entries, ["next callback ran"]);
}

/// Scheduled from outside the executor, before it runs; stepped one at a time.
#[test]
fn executor_call_soon_and_call_later_from_outside() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let soon = log.clone();
    executor.call_soon(move || soon.push("soon"));
    let later = log.clone();
    executor.call_later(Duration::from_secs(1), move || later.push("later"));
    assert_eq!(executor.step(), Step::RanCallSoon);
    assert_eq!(executor.step(), Step::AdvancedClock { now: Duration::from_secs(1) });
    assert_eq!(executor.step(), Step::FiredTimers { count: 1 });
    assert_eq!(log.entries(), ["soon", "later"]);
}
