//! `Sleep::reset`, `JoinHandle::remove_done_callback` and `join_all_settled`, with their edge cases, on
//! virtual time.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use minimalist_async::{CallbackKey, Executor, join_all_settled, sleep, spawn, time, yield_now};

type Log = Rc<RefCell<Vec<String>>>;

fn push(log: &Log, line: impl Into<String>) {
    log.borrow_mut().push(line.into());
}

/// Two sleeps due at 100 ms, A armed before B; A is then reset to the same deadline. The tie rule
/// (equal deadlines fire in arming order) counts A as armed at its reset, so B fires first.
///
/// ```text
/// turn 1  t=0    A arms 100 ms, yields;  B arms 100 ms
/// turn 2  t=0    A resets to 100 ms (armed again, now after B)
/// t=100ms        B's timer fires, then A's
/// ```
#[test]
fn a_reset_timer_counts_as_armed_at_the_reset() {
    for reset in [false, true] {
        let log = Log::default();
        let mut executor = Executor::with_virtual_time();
        executor.block_on({
            let log = log.clone();
            async move {
                let a = spawn({
                    let log = log.clone();
                    async move {
                        let mut nap = sleep(Duration::from_millis(100));
                        // Poll it once, so that its timer is armed now.
                        poll_fn(|cx| {
                            let _ = Pin::new(&mut nap).poll(cx);
                            Poll::Ready(())
                        })
                        .await;
                        yield_now().await;
                        if reset {
                            nap.reset(nap.deadline().unwrap());
                        }
                        nap.await;
                        push(&log, "A");
                    }
                });
                let b = spawn({
                    let log = log.clone();
                    async move {
                        sleep(Duration::from_millis(100)).await;
                        push(&log, "B");
                    }
                });
                a.await.unwrap();
                b.await.unwrap();
            }
        });
        let want = if reset { ["B", "A"] } else { ["A", "B"] };
        assert_eq!(*log.borrow(), want, "reset: {reset}");
        assert_eq!(executor.now(), Duration::from_millis(100));
    }
}

/// A sleep reset before its first poll counts as armed at the reset too, as asyncio's `reschedule`
/// arms its handle at once: A is reset to 100 ms, then B arms 100 ms, then A is first polled; A's
/// timer fires first, so A's task runs first.
///
/// ```python
/// async def main():
///     loop = asyncio.get_running_loop(); log = []; fut = loop.create_future()
///     async def other(): await fut; log.append("B")
///     t = asyncio.create_task(other()); await asyncio.sleep(0)
///     try:
///         async with asyncio.timeout(None) as cm:
///             cm.reschedule(loop.time() + 0.1)                    # A's deadline, set first
///             loop.call_later(0.1, lambda: fut.set_result(None))  # B's, armed after
///             await asyncio.sleep(10)
///     except TimeoutError: log.append("A")
///     await t; print(log)
/// asyncio.run(main())
/// # ['A', 'B']
/// ```
#[test]
fn a_sleep_reset_before_its_first_poll_counts_as_armed_at_the_reset() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let mut a_sleep = sleep(Duration::from_secs(10));
            a_sleep.reset(time::now() + Duration::from_millis(100));
            let b = spawn({
                let log = log.clone();
                async move {
                    sleep(Duration::from_millis(100)).await;
                    push(&log, "B");
                }
            });
            yield_now().await; // B's timer is armed now; A's is not, until the next line
            a_sleep.await;
            push(&log, "A");
            b.await.unwrap();
        }
    });
    assert_eq!(*log.borrow(), ["A", "B"]);
}

#[test]
fn reset_rearms_an_ended_sleep_and_a_never_polled_one() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async {
        let mut nap = sleep(Duration::from_millis(30));
        (&mut nap).await;
        assert_eq!(time::now(), Duration::from_millis(30));
        nap.reset(time::now() + Duration::from_millis(50));
        nap.await;
        assert_eq!(time::now(), Duration::from_millis(80));
        // A zero sleep becomes a timer; a deadline already past ends it at the next turn.
        let mut zero = sleep(Duration::ZERO);
        assert_eq!(zero.deadline(), None);
        zero.reset(Duration::from_millis(10));
        zero.await;
        assert_eq!(time::now(), Duration::from_millis(80));
    });
    assert_eq!(executor.armed_timers(), 0, "no timer left behind");
}

#[test]
fn a_reset_to_never_disarms_the_timer() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async {
        let mut nap = sleep(Duration::from_millis(10));
        poll_fn(|cx| {
            let _ = Pin::new(&mut nap).poll(cx);
            Poll::Ready(())
        })
        .await;
        nap.reset(Duration::MAX);
        nap.await;
    });
    executor.run_until_stalled();
    assert_eq!(executor.armed_timers(), 0);
    assert!(!task.is_finished());
}

#[test]
fn a_removed_callback_never_runs_and_removing_twice_says_so() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { 1 });
    let keys: Vec<CallbackKey> = (0..3)
        .map(|i| {
            let log = log.clone();
            task.add_done_callback(move |_| push(&log, format!("cb{i}")))
        })
        .collect();
    assert!(task.remove_done_callback(keys[1]));
    assert!(!task.remove_done_callback(keys[1]));
    executor.run_until_stalled();
    assert_eq!(*log.borrow(), ["cb0", "cb2"]);
    assert!(!task.remove_done_callback(keys[0]), "it already ran");
    assert_eq!(executor.block_on(task).unwrap(), 1);
}

/// A callback tries to remove the next one of the same task while the batch of queued callbacks runs:
/// nothing breaks, and as in asyncio the removal comes too late (the task has ended, its callbacks are
/// scheduled), so every callback runs once, in order.
#[test]
fn removing_from_inside_a_running_callback_batch_is_safe() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    let outcome = executor.block_on({
        let log = log.clone();
        async move {
            let task = Rc::new(spawn(async { 7 }));
            let second: Rc<RefCell<Option<CallbackKey>>> = Rc::default();
            task.add_done_callback({
                let (log, task, second) = (log.clone(), Rc::downgrade(&task), second.clone());
                move |_| {
                    push(&log, "first");
                    let key = second.borrow().unwrap();
                    let removed = task.upgrade().unwrap().remove_done_callback(key);
                    push(&log, format!("removed second: {removed}"));
                }
            });
            *second.borrow_mut() = Some(task.add_done_callback({
                let log = log.clone();
                move |_| push(&log, "second")
            }));
            task.add_done_callback({
                let log = log.clone();
                move |_| push(&log, "third")
            });
            // The handle stays shared with the first callback; wait for the batch to run out.
            for _ in 0..5 {
                yield_now().await;
            }
            task.is_finished()
        }
    });
    assert!(outcome);
    // The task has ended, so its callbacks are scheduled: as in asyncio, removing one changes nothing.
    assert_eq!(*log.borrow(), ["first", "removed second: false", "second", "third"]);
}

#[test]
fn removing_every_callback_before_the_end_lets_the_awaiter_take_the_result_at_once() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { "value" });
    let key = task.add_done_callback(|_| panic!("removed, so never run"));
    assert!(task.remove_done_callback(key));
    executor.step();
    assert!(task.is_finished());
    assert!(executor.snapshot().ready.is_empty(), "no callback queued");
    assert_eq!(executor.block_on(task).unwrap(), "value");
}

#[test]
fn a_removal_after_the_end_comes_too_late_as_in_asyncio() {
    let ran = Rc::new(RefCell::new(0));
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { "value" });
    let key = task.add_done_callback({
        let ran = ran.clone();
        move |_| *ran.borrow_mut() += 1
    });
    executor.step();
    assert!(task.is_finished(), "ended; its callback is scheduled");
    assert!(!task.remove_done_callback(key));
    assert_eq!(executor.block_on(task).unwrap(), "value");
    assert_eq!(*ran.borrow(), 1);
}

#[test]
fn join_all_settled_returns_every_outcome_in_input_order() {
    let mut executor = Executor::with_virtual_time();
    let outcomes = executor.block_on(async {
        let slow = spawn(async {
            sleep(Duration::from_millis(30)).await;
            "slow"
        });
        let failing = spawn(async {
            sleep(Duration::from_millis(10)).await;
            panic!("failed first")
        });
        let fast = spawn(async { "fast" });
        join_all_settled([slow, failing, fast]).await
    });
    assert_eq!(outcomes.len(), 3);
    assert_eq!(*outcomes[0].as_ref().unwrap(), "slow");
    assert_eq!(outcomes[1].as_ref().unwrap_err().panic_message(), Some("failed first"));
    assert_eq!(*outcomes[2].as_ref().unwrap(), "fast");
    assert_eq!(executor.now(), Duration::from_millis(30), "it waited for all");
}
