//! `wait_first` as asyncio's `wait(tasks, return_when=FIRST_COMPLETED)`: it follows its tasks'
//! done-callbacks, so the awaiting task resumes on asyncio's turn, and it takes them back when it
//! returns or is dropped. Each test carries the CPython 3.11 program that shows it.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use minimalist_async::inspect::turn;
use minimalist_async::{Executor, JoinHandle, sleep, spawn, spawn_named, wait_first, yield_now};

type Log = Rc<RefCell<Vec<String>>>;

/// A task that logs `tick0`, `tick1`, … once a turn.
fn ticker(log: &Log, ticks: usize) -> JoinHandle<()> {
    let log = log.clone();
    spawn(async move {
        for tick in 0..ticks {
            log.borrow_mut().push(format!("tick{tick}"));
            yield_now().await;
        }
    })
}

/// A child that ends in turn k: its done-callback runs in turn k + 1 and the awaiting task in turn
/// k + 2, as `join_all`'s does.
///
/// ```python
/// import asyncio
/// log = []
/// async def ticker():
///     for i in range(5): log.append(f"tick{i}"); await asyncio.sleep(0)
/// async def child(): log.append("child ends")
/// async def main():
///     t = asyncio.create_task(ticker()); c = asyncio.create_task(child())
///     await asyncio.wait([c], return_when=asyncio.FIRST_COMPLETED)
///     log.append("waited"); await t; print(log)
/// asyncio.run(main())
/// # ['tick0', 'child ends', 'tick1', 'tick2', 'waited', 'tick3', 'tick4']
/// ```
#[test]
fn the_awaiting_task_resumes_the_turn_after_the_callback() {
    let log: Log = Rc::default();
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let ticks = ticker(&log, 5);
            let child_log = log.clone();
            let child = spawn(async move { child_log.borrow_mut().push("child ends".into()) });
            let (index, result, _) = wait_first([child]).await;
            assert_eq!((index, result.is_ok()), (0, true));
            log.borrow_mut().push("waited".into());
            ticks.await.unwrap();
        }
    });
    assert_eq!(
        *log.borrow(),
        ["tick0", "child ends", "tick1", "tick2", "waited", "tick3", "tick4"]
    );
}

/// Tasks that ended before the call: their callbacks are queued at the first poll, in argument
/// order, so the first of them wins (here `b`, though `a` ended first), and the wait still takes two
/// turns. asyncio takes a set, so it has no order there; its turns are the same:
///
/// ```python
/// import asyncio
/// log = []
/// async def ticker():
///     for i in range(5): log.append(f"tick{i}"); await asyncio.sleep(0)
/// async def main():
///     a = asyncio.create_task(asyncio.sleep(0, "a")); await asyncio.sleep(0)
///     b = asyncio.create_task(asyncio.sleep(0, "b")); await asyncio.sleep(0); await asyncio.sleep(0)
///     t = asyncio.create_task(ticker()); await asyncio.sleep(0)
///     log.append("wait")
///     done, pending = await asyncio.wait([b, a], return_when=asyncio.FIRST_COMPLETED)
///     log.append(f"waited: {len(done)} done"); await t; print(log)
/// asyncio.run(main())
/// # ['tick0', 'wait', 'tick1', 'tick2', 'waited: 2 done', 'tick3', 'tick4']
/// ```
#[test]
fn tasks_ended_before_the_call_count_in_argument_order() {
    let log: Log = Rc::default();
    let mut executor = Executor::with_virtual_time();
    let (index, result) = executor.block_on({
        let log = log.clone();
        async move {
            let a = spawn(async { "a" });
            yield_now().await;
            let b = spawn(async { "b" });
            yield_now().await;
            yield_now().await;
            assert!(a.is_finished() && b.is_finished());
            let ticks = ticker(&log, 5);
            yield_now().await;
            log.borrow_mut().push("wait".into());
            let (index, result, rest) = wait_first([b, a]).await;
            let done = 1 + rest.iter().filter(|handle| handle.is_finished()).count();
            log.borrow_mut().push(format!("waited: {done} done"));
            ticks.await.unwrap();
            (index, result.unwrap())
        }
    });
    assert_eq!((index, result), (0, "b"));
    assert_eq!(
        *log.borrow(),
        ["tick0", "wait", "tick1", "tick2", "waited: 2 done", "tick3", "tick4"]
    );
}

/// The callbacks are added at the first poll and taken back when `wait_first` returns, and when it
/// is dropped before (here its task is cancelled): the task left running has none of them.
///
/// ```python
/// import asyncio
/// async def main():
///     t = asyncio.create_task(asyncio.sleep(1))
///     w = asyncio.create_task(asyncio.wait([t], return_when=asyncio.FIRST_COMPLETED))
///     await asyncio.sleep(0); print('while waiting', len(t._callbacks or []))
///     w.cancel(); await asyncio.sleep(0); print('after cancel', len(t._callbacks or []))
///     done, pending = await asyncio.wait([t, asyncio.create_task(asyncio.sleep(0))], return_when=asyncio.FIRST_COMPLETED)
///     print('after return', len(t._callbacks or []), t in pending)
/// asyncio.run(main())
/// # while waiting 1
/// # after cancel 0
/// # after return 0 True
/// ```
#[test]
fn the_callbacks_are_taken_back_on_return_and_on_drop() {
    let mut executor = Executor::with_virtual_time();
    let callbacks_of = |executor: &mut Executor, name: &str| {
        let snapshot = executor.snapshot();
        let task = snapshot.tasks.iter().find(|task| task.name == name);
        task.expect("the task is still running").callbacks
    };
    // A wait on a task of its own, cancelled while it waits: the handle goes with it, the task runs on.
    let waiter = executor.spawn(async {
        let long = spawn_named("long", sleep(Duration::from_secs(1)));
        wait_first([long]).await.0
    });
    executor.run_until_stalled();
    assert_eq!(callbacks_of(&mut executor, "long"), 1, "added at the first poll");
    assert!(waiter.cancel());
    executor.run_until_stalled();
    assert_eq!(callbacks_of(&mut executor, "long"), 0, "taken back on drop");
    // A wait that returns, its loser still running.
    let returned = executor.spawn(async {
        let long = spawn_named("long2", sleep(Duration::from_secs(1)));
        let short = spawn(async {});
        let (index, _, rest) = wait_first([long, short]).await;
        (index, rest.len(), rest[0].is_finished(), rest)
    });
    executor.run_until_stalled();
    assert!(returned.is_finished());
    assert_eq!(callbacks_of(&mut executor, "long2"), 0, "taken back on return");
    let (index, rest, rest_finished, _rest) = executor.block_on(returned).unwrap();
    assert_eq!((index, rest, rest_finished), (1, 1, false));
}

/// A handle whose executor was dropped counts as ended at once, with no callback: `wait_first`
/// returns it on its first poll, in the turn it was called, as `join_all` and `as_completed` do.
/// (asyncio's `wait` refuses a task of another loop.)
#[test]
fn a_handle_whose_executor_is_gone_wins_at_once() {
    let orphan = {
        let gone = Executor::with_virtual_time();
        gone.spawn(async { 1 })
    };
    let mut executor = Executor::with_virtual_time();
    let (index, cancelled, same_turn) = executor.block_on(async move {
        let before = turn();
        let running = spawn(async {
            yield_now().await;
            2
        });
        let (index, result, _) = wait_first([running, orphan]).await;
        (index, result.unwrap_err().is_cancelled(), turn() == before)
    });
    assert_eq!((index, cancelled, same_turn), (1, true, true));
}
