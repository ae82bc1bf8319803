//! Turns: a turn runs exactly what was ready when it began; anything made ready during it (wakes,
//! spawns, callbacks) runs on a later turn, behind what was already queued. Timers collected at the
//! start of a turn fire at its end, and their tasks run on the next turn, as in asyncio.

mod common;

use std::time::Duration;

use common::{Log, run_logged};
use minimalist_async::{Executor, Step, sleep, spawn, yield_now};

/// Two tasks that yield three times each interleave one poll per turn: neither can run twice in a
/// row, because its own wake lands behind the other task.
#[test]
fn yielding_tasks_interleave_turn_by_turn() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    for name in ["a", "b"] {
        let log = log.clone();
        drop(executor.spawn(async move {
            for round in 0..3 {
                log.push(format!("{name}{round}"));
                yield_now().await;
            }
        }));
    }
    while executor.step() != Step::Idle {}
    assert_eq!(log.entries(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

/// A task spawned during a turn runs on the next turn, after the tasks that were already queued.
#[test]
fn spawn_during_a_turn_runs_behind_already_queued_work() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let spawner_log = log.clone();
    drop(executor.spawn(async move {
        spawner_log.push("spawner");
        let child_log = spawner_log.clone();
        drop(spawn(async move { child_log.push("child") }));
    }));
    let other_log = log.clone();
    drop(executor.spawn(async move {
        other_log.push("other, first poll");
        yield_now().await;
        other_log.push("other, second poll");
    }));
    while executor.step() != Step::Idle {}
    // Turn 1: spawner, other. Turn 2: child (queued by the spawner first), other again.
    assert_eq!(log.entries(), ["spawner", "other, first poll", "child", "other, second poll"]);
}

/// `step` does one unit of work, and the turn count shows where turns begin.
#[test]
fn step_polls_one_task_at_a_time_and_turns_split_as_asyncio_does() {
    let mut executor = Executor::with_virtual_time();
    let a = executor.spawn(async {
        yield_now().await;
    });
    let b = executor.spawn(async {});
    assert!(matches!(executor.step(), Step::Polled { task, finished: false } if task == a.id()));
    assert_eq!(executor.turns(), 1);
    assert!(matches!(executor.step(), Step::Polled { task, finished: true } if task == b.id()));
    assert_eq!(executor.turns(), 1);
    assert!(matches!(executor.step(), Step::Polled { task, finished: true } if task == a.id()));
    assert_eq!(executor.turns(), 2, "a's own wake ran on the next turn");
    assert_eq!(executor.step(), Step::Idle);
}

/// The timeline of one sleep, step by step:
///
/// ```text
/// turn 1   poll task: sleep(100 ms) arms a timer        → Polled
/// (idle)   virtual clock jumps 0 → 100 ms               → AdvancedClock
/// turn 2   the due timer fires and queues the task      → FiredTimers
/// turn 3   poll task: the sleep is over, the task ends  → Polled (finished)
/// ```
#[test]
fn a_fired_timer_wakes_its_task_for_the_next_turn() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { sleep(Duration::from_millis(100)).await });
    assert!(matches!(executor.step(), Step::Polled { finished: false, .. }));
    assert_eq!(executor.step(), Step::AdvancedClock { now: Duration::from_millis(100) });
    assert_eq!(executor.step(), Step::FiredTimers { count: 1 });
    assert_eq!(executor.turns(), 2);
    assert!(matches!(executor.step(), Step::Polled { finished: true, .. }));
    assert_eq!(executor.turns(), 3);
    assert!(task.is_finished());
}

/// Virtual time moves only when nothing is ready: a busy task holds the clock still.
#[test]
fn virtual_clock_moves_only_when_nothing_is_ready() {
    let mut executor = Executor::with_virtual_time();
    let seen = executor.block_on(async {
        let sleeper = spawn(async { sleep(Duration::from_secs(1)).await });
        for _ in 0..100 {
            yield_now().await;
        }
        let busy_until = minimalist_async::time::now();
        sleeper.await.unwrap();
        (busy_until, minimalist_async::time::now())
    });
    assert_eq!(seen, (Duration::ZERO, Duration::from_secs(1)));
}

/// Tasks polled in one turn that sleep the same duration wake in one later turn, in the order they
/// went to sleep: on virtual time the clock reads the same all turn, so the deadlines are equal.
#[test]
fn same_turn_same_duration_sleeps_wake_together_in_arming_order() {
    let entries = run_logged(|log| async move {
        let tasks: Vec<_> = ["c", "a", "b"]
            .into_iter()
            .map(|name| {
                let log = log.clone();
                spawn(async move {
                    sleep(Duration::from_millis(100)).await;
                    log.push(format!("{name} at {:?}", minimalist_async::time::now()));
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(entries, ["c at 100ms", "a at 100ms", "b at 100ms"]);
}

/// The same on the real clock, where each `sleep` counts from the clock at its call, as asyncio's
/// `call_later` counts from `loop.time()`: tasks that burn 2 ms each before sleeping 20 ms wake about
/// 2 ms apart, still in arming order, and none before its own deadline. (CPython, same program: woken
/// at 23.4, 24.6, 28.0 and 29.2 ms.)
#[test]
fn same_turn_sleeps_wake_in_arming_order_on_the_real_clock() {
    let log = Log::default();
    let mut executor = Executor::new();
    executor.block_on({
        let log = log.clone();
        async move {
            let tasks: Vec<_> = (0..4)
                .map(|i| {
                    let log = log.clone();
                    spawn(async move {
                        // Burn a little real time so the polls are measurably apart.
                        std::thread::sleep(Duration::from_millis(2));
                        let asked = minimalist_async::time::now();
                        sleep(Duration::from_millis(20)).await;
                        let woke = minimalist_async::time::now();
                        assert!(woke >= asked + Duration::from_millis(20), "{i} woke early");
                        log.push(format!("{i} woke at {woke:?}"));
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        }
    });
    let entries = log.entries();
    let order: Vec<&str> = entries.iter().map(|e| &e[..1]).collect();
    assert_eq!(order, ["0", "1", "2", "3"]);
}
