//! `timeout(limit, future)` against CPython 3.11's `async with asyncio.timeout(limit): await future`:
//! whether the body runs at a zero limit, on which turn the error comes, and who wins a tie. Each
//! test carries the asyncio program that shows it; with this prelude they run as they are:
//!
//! ```python
//! import asyncio
//! log = []
//! async def ticker():
//!     for i in range(4): log.append(f"tick{i}"); await asyncio.sleep(0)
//! async def run(limit, body):
//!     t = asyncio.create_task(ticker()); await asyncio.sleep(0)  # tick0 is logged
//!     log.append("enter")
//!     try:
//!         async with asyncio.timeout(limit): r = await body()
//!         log.append(f"ok {r}")
//!     except TimeoutError: log.append("TimeoutError")
//!     await t; print(log)
//! ```

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use minimalist_async::{Elapsed, Executor, sleep, spawn, timeout, yield_now};

type Log = Rc<RefCell<Vec<String>>>;

/// The prelude's `run`: a ticker logs once a turn while the main future runs `body` under
/// `timeout(limit, ..)`; returns the log.
fn run<F: Future<Output = u32> + 'static>(
    limit: Duration,
    body: impl FnOnce(Log) -> F,
) -> Vec<String> {
    let log: Log = Rc::default();
    let mut executor = Executor::with_virtual_time();
    let body = body(log.clone());
    executor.block_on({
        let log = log.clone();
        async move {
            let ticks = log.clone();
            let ticker = spawn(async move {
                for tick in 0..4 {
                    ticks.borrow_mut().push(format!("tick{tick}"));
                    yield_now().await;
                }
            });
            yield_now().await;
            log.borrow_mut().push("enter".into());
            let line = match timeout(limit, body).await {
                Ok(r) => format!("ok {r}"),
                Err(_) => "TimeoutError".into(),
            };
            log.borrow_mut().push(line);
            ticker.await.unwrap();
        }
    });
    log.take()
}

/// At a zero limit the body still runs, and a body that returns without waiting wins: asyncio
/// schedules the cancellation with `call_soon` before the body's first step, so it can only land
/// once the body waits.
///
/// ```python
/// async def immediate(): log.append("body runs"); return 5
/// asyncio.run(run(0, immediate))
/// # ['tick0', 'enter', 'body runs', 'ok 5', 'tick1', 'tick2', 'tick3']
/// ```
#[test]
fn a_zero_limit_runs_the_body_and_a_body_that_does_not_wait_wins() {
    let log = run(Duration::ZERO, |log| async move {
        log.borrow_mut().push("body runs".into());
        5
    });
    assert_eq!(log, ["tick0", "enter", "body runs", "ok 5", "tick1", "tick2", "tick3"]);
}

/// At a zero limit a body that yields once is cancelled on the next turn: asyncio's callback runs
/// ahead of the task's own step in that turn, so the task's step raises.
///
/// ```python
/// async def yields(): log.append("body runs"); await asyncio.sleep(0); log.append("body resumed"); return 5
/// asyncio.run(run(0, yields))
/// # ['tick0', 'enter', 'body runs', 'tick1', 'TimeoutError', 'tick2', 'tick3']
/// ```
#[test]
fn a_zero_limit_ends_a_body_that_yields_on_the_next_turn() {
    let log = run(Duration::ZERO, |log| async move {
        log.borrow_mut().push("body runs".into());
        yield_now().await;
        log.borrow_mut().push("body resumed".into());
        5
    });
    assert_eq!(log, ["tick0", "enter", "body runs", "tick1", "TimeoutError", "tick2", "tick3"]);
}

/// At a zero limit a body waiting on a timer sees the error two turns on: the callback runs on the
/// next turn and wakes the task (asyncio's cancels the sleep's future, whose callback wakes the task),
/// which runs on the turn after.
///
/// ```python
/// async def waits(): log.append("body runs"); await asyncio.sleep(1); return 5
/// asyncio.run(run(0, waits))
/// # ['tick0', 'enter', 'body runs', 'tick1', 'tick2', 'TimeoutError', 'tick3']
/// ```
#[test]
fn a_zero_limit_ends_a_waiting_body_two_turns_on() {
    let log = run(Duration::ZERO, |log| async move {
        log.borrow_mut().push("body runs".into());
        sleep(Duration::from_secs(1)).await;
        5
    });
    assert_eq!(log, ["tick0", "enter", "body runs", "tick1", "tick2", "TimeoutError", "tick3"]);
}

/// The body's timer and the deadline are due in the same turn: the deadline wins, whichever was
/// armed first. First the body's sleep was armed before the timeout (polled once before), as the
/// future's `call_later` is: its timer fires first, and asyncio's `task.cancel()` then finds the
/// task's future done and cancels the task's next step instead. Then a sleep armed after the
/// deadline, inside the body.
///
/// ```python
/// async def main():
///     loop = asyncio.get_running_loop()
///     fut = loop.create_future(); loop.call_later(0.05, fut.set_result, 5)
///     try:
///         async with asyncio.timeout(0.05): print("ok", await fut)
///     except TimeoutError: print("TimeoutError")   # this one
///     try:
///         async with asyncio.timeout(0.05): print("ok", await asyncio.sleep(0.05, 5))
///     except TimeoutError: print("TimeoutError")   # this one
/// asyncio.run(main())
/// ```
#[test]
fn the_deadline_wins_a_tie_with_the_future() {
    let mut executor = Executor::with_virtual_time();
    let (armed_first, armed_after) = executor.block_on(async {
        let mut body = pin!(sleep(Duration::from_millis(50)));
        let polled = std::future::poll_fn(|cx| Poll::Ready(body.as_mut().poll(cx))).await;
        assert!(polled.is_pending(), "its timer is armed now");
        let armed_first = timeout(Duration::from_millis(50), body).await;
        let armed_after =
            timeout(Duration::from_millis(50), sleep(Duration::from_millis(50))).await;
        (armed_first, armed_after)
    });
    assert!(armed_first.is_err(), "the deadline should win: {armed_first:?}");
    assert!(armed_after.is_err(), "the deadline should win: {armed_after:?}");
    assert_eq!(executor.now(), Duration::from_millis(100));
    assert_eq!(executor.armed_timers(), 0);
}

/// The body finishing first cancels the deadline's callback, as `Timeout.__aexit__` cancels its
/// handle: nothing is left armed or queued, and no turn is spent on it.
#[test]
fn a_body_that_wins_leaves_no_callback_behind() {
    let mut executor = Executor::with_virtual_time();
    let out = executor.block_on(timeout(Duration::from_secs(10), async {
        sleep(Duration::from_millis(5)).await;
        7
    }));
    assert_eq!(out, Ok(7));
    assert_eq!(executor.armed_timers(), 0);
    let turns = executor.turns();
    executor.run_until_stalled();
    assert_eq!(executor.turns(), turns, "a cancelled call_soon still ran");
}

/// Of timers due at the same time, the deadline fires before one the body arms, as asyncio's heap
/// pops the timeout's handle first (it was pushed first, and its `when` is no later): here the body's
/// `call_later` wakes another task, which runs after the timed-out task. The deadline's timer is armed
/// only after the body's first poll, in the place it took before it.
///
/// ```python
/// async def main():
///     loop = asyncio.get_running_loop(); fut = loop.create_future()
///     async def other(): await fut; log.append("other")
///     t = asyncio.create_task(other()); await asyncio.sleep(0)
///     try:
///         async with asyncio.timeout(0.05):
///             loop.call_later(0.05, lambda: (log.append("cb"), fut.set_result(None)))
///             await asyncio.sleep(10)
///     except TimeoutError: log.append("TimeoutError")
///     await t; print(log)
/// asyncio.run(main())
/// # ['cb', 'TimeoutError', 'other']
/// ```
#[test]
fn the_deadline_fires_before_a_timer_the_body_arms_for_the_same_time() {
    let log: Log = Rc::default();
    let woken: Rc<RefCell<(bool, Option<std::task::Waker>)>> = Rc::default();
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let other = spawn({
                let (log, woken) = (log.clone(), woken.clone());
                std::future::poll_fn(move |cx| {
                    let mut woken = woken.borrow_mut();
                    if woken.0 {
                        log.borrow_mut().push("other".into());
                        return Poll::Ready(());
                    }
                    woken.1 = Some(cx.waker().clone());
                    Poll::Pending
                })
            });
            yield_now().await;
            let body = {
                let log = log.clone();
                async move {
                    minimalist_async::call_later(Duration::from_millis(50), move || {
                        log.borrow_mut().push("cb".into());
                        let mut woken = woken.borrow_mut();
                        woken.0 = true;
                        woken.1.take().expect("other waits").wake();
                    });
                    sleep(Duration::from_secs(10)).await;
                }
            };
            if timeout(Duration::from_millis(50), body).await.is_err() {
                log.borrow_mut().push("TimeoutError".into());
            }
            other.await.unwrap();
        }
    });
    assert_eq!(log.take(), ["cb", "TimeoutError", "other"]);
}

/// A body ready at its first poll never needs the deadline, and no timer is armed for it (tokio's
/// `timeout` polls the future first for the same reason); the deadline's place was taken all the same.
#[test]
fn a_body_ready_at_once_arms_no_timer() {
    use minimalist_async::trace::EventKind;
    let mut executor = Executor::with_virtual_time();
    executor.enable_trace();
    let out = executor.block_on(async {
        let ready = timeout(Duration::from_secs(10), async { 5 }).await;
        let later = timeout(Duration::from_secs(10), sleep(Duration::from_millis(5))).await;
        (ready, later)
    });
    assert_eq!(out, (Ok(5), Ok(())));
    let armed: Vec<Duration> = (executor.take_trace().into_iter())
        .filter_map(|event| match event.kind {
            EventKind::TimerArmed { deadline, .. } => Some(deadline),
            _ => None,
        })
        .collect();
    let (sleep_ms, deadline_ms) = (Duration::from_millis(5), Duration::from_secs(10));
    assert_eq!(armed, [sleep_ms, deadline_ms], "the second deadline only, after the body's sleep");
    assert_eq!(executor.armed_timers(), 0);
}

/// A timeout first polled in one task and then awaited in another, around a future that never wakes
/// anyone: its deadline wakes the task that polls it now (the timer is re-pointed at each poll, as
/// any sleep's), so the second task sees `Elapsed` at the deadline.
#[test]
fn a_timeout_moved_to_another_task_wakes_that_task() {
    type Shared = Rc<RefCell<Option<Pin<Box<dyn Future<Output = Result<(), Elapsed>>>>>>>;
    let limit = Duration::from_millis(10);
    let shared: Shared =
        Rc::new(RefCell::new(Some(Box::pin(timeout(limit, std::future::pending::<()>())))));
    let mut executor = Executor::with_virtual_time();
    let first = shared.clone();
    let polled_once = executor.spawn(std::future::poll_fn(move |cx| {
        let polled = first.borrow_mut().as_mut().expect("still there").as_mut().poll(cx);
        assert!(polled.is_pending(), "the deadline is 10 ms away");
        Poll::Ready(())
    }));
    executor.run_until_stalled();
    assert!(polled_once.is_finished());
    let second = executor.spawn(shared.borrow_mut().take().expect("still there"));
    executor.advance(Duration::from_millis(20));
    assert!(second.is_finished(), "the deadline did not wake the task that awaits it now");
    assert!(executor.block_on(second).unwrap().is_err());
}

/// A timeout kept across two `block_on` calls on one executor keeps its deadline: the first returns
/// with the timer still armed (it is a sleep's, not a `call_later` that the end of `block_on` drops),
/// and the second sees `Elapsed` when the deadline comes.
#[test]
fn a_timeout_kept_across_two_block_on_calls_keeps_its_deadline() {
    let mut executor = Executor::with_virtual_time();
    let mut kept = Box::pin(timeout(Duration::from_millis(10), std::future::pending::<()>()));
    executor.block_on(std::future::poll_fn(|cx| {
        assert!(kept.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    }));
    assert_eq!(executor.armed_timers(), 1);
    assert!(executor.block_on(kept).is_err());
    assert_eq!(executor.now(), Duration::from_millis(10));
}

/// On the real clock too, the deadline counts from the timeout's first poll (asyncio's `timeout`
/// reads `loop.time()` when entered, not when made), and it is never early by the caller's own
/// reading of the clock before that poll. The first poll reads the clock; only a body that is not
/// ready at once needs the reading in the clock's microseconds, once it arms the timer.
#[test]
fn on_the_real_clock_a_deadline_counts_from_the_first_poll_and_is_never_early() {
    use std::time::Instant;
    let limit = Duration::from_millis(20);
    let mut executor = Executor::new();
    let (waited, ready) = executor.block_on(async move {
        let made = timeout(limit, std::future::pending::<()>());
        std::thread::sleep(Duration::from_millis(30));
        let first_poll = Instant::now();
        assert!(made.await.is_err());
        (first_poll.elapsed(), timeout(limit, async { 7 }).await)
    });
    assert!(waited >= limit, "expired {waited:?} after the first poll, before its {limit:?} limit");
    assert_eq!(ready, Ok(7));
    assert_eq!(executor.armed_timers(), 0);
}
