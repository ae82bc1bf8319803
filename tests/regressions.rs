//! Regression tests for the defects a review found (each test names the bug it pins).

mod common;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{DropCounter, run_logged};
use minimalist_async::{
    CancelHandle, Executor, JoinHandle, Step, call_soon, sleep, spawn, yield_now,
};

/// How many trials each race stress test makes: 20,000 with `MINIMALIST_ASYNC_LONG_TESTS=1` (as
/// `.ci/run` sets), 500 in a plain `cargo test`.
fn trials() -> u64 {
    u64::from(common::budget(500, 20_000))
}

/// Spins for a pseudo-random count below `max`, so that the racing thread lands at varying points of
/// the executor's poll.
fn spin_a_little(state: &mut u64, max: u64) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    for _ in 0..*state % max {
        std::hint::spin_loop();
    }
}

/// Pending until `flag` is set; keeps the waker of its first poll (as `Sleep` and `JoinHandle` do).
struct Flagged {
    flag: Arc<AtomicBool>,
    slot: Arc<Mutex<Option<Waker>>>,
    polls: u32,
}

impl Future for Flagged {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls += 1;
        if self.polls > 1 && self.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if self.polls == 1 {
            *self.slot.lock().unwrap() = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Bug: clearing the *queued* flag with a plain store let a wake from another thread, racing with
/// the start of a poll, be absorbed (flag still set) while the poll saw the old state: the task hung.
/// A swap orders the clear before the poll's reads. Probabilistic: in a release build the unfixed code
/// lost about one wake in 3,000 trials on this machine; a debug build shows it rarely.
#[test]
fn wake_racing_the_start_of_a_poll_is_never_lost() {
    let mut executor = Executor::with_virtual_time();
    let go = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    type Handoff = Option<(Arc<AtomicBool>, Waker)>;
    let shared: Arc<Mutex<Handoff>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (go, done, shared, stop) = (go.clone(), done.clone(), shared.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = 0;
            let mut noise = 0x2545_F491_4F6C_DD1Du64;
            loop {
                let (flag, waker) = loop {
                    let trial = go.load(Ordering::Acquire);
                    if trial != seen {
                        seen = trial;
                        break shared.lock().unwrap().take().unwrap();
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::hint::spin_loop();
                };
                spin_a_little(&mut noise, 8);
                flag.store(true, Ordering::Release);
                waker.wake_by_ref();
                done.store(seen, Ordering::Release);
            }
        })
    };
    let mut lost = 0;
    for trial in 1..=trials() {
        let flag = Arc::new(AtomicBool::new(false));
        let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
        let handle = executor.spawn(Flagged { flag: flag.clone(), slot: slot.clone(), polls: 0 });
        executor.step();
        let waker = slot.lock().unwrap().clone().unwrap();
        *shared.lock().unwrap() = Some((flag, waker.clone()));
        waker.wake_by_ref();
        go.store(trial, Ordering::Release);
        executor.step(); // clears the flag and polls, racing the worker's store and wake
        while done.load(Ordering::Acquire) != trial {
            std::hint::spin_loop();
        }
        executor.run_until_stalled();
        if !handle.is_finished() {
            lost += 1;
            handle.cancel();
            executor.run_until_stalled();
        }
    }
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    assert_eq!(lost, 0, "wakes lost");
}

/// Pending forever, keeping its waker (so that the lost-waker warning stays quiet).
struct Forever(Option<Waker>);

impl Future for Forever {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0 = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Bug: the executor looked for a cancel *before* clearing the queued flag, so a cancel from
/// another thread landing in between found the flag set, queued nothing, and the task stayed
/// pending for good.
#[test]
fn cancel_from_another_thread_racing_a_poll_is_never_lost() {
    let mut executor = Executor::with_virtual_time();
    let go = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let slot: Arc<Mutex<Option<CancelHandle>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (go, done, slot, stop) = (go.clone(), done.clone(), slot.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = 0;
            let mut noise = 0x2545_F491_4F6C_DD1Du64;
            loop {
                let trial = loop {
                    let trial = go.load(Ordering::Acquire);
                    if trial != seen {
                        break trial;
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::hint::spin_loop();
                };
                seen = trial;
                spin_a_little(&mut noise, 400);
                slot.lock().unwrap().take().unwrap().cancel();
                done.store(trial, Ordering::Release);
            }
        })
    };
    let mut lost = 0;
    for trial in 1..=trials() {
        let handle = executor.spawn(Forever(None));
        *slot.lock().unwrap() = Some(handle.cancel_handle());
        go.store(trial, Ordering::Release);
        executor.step();
        while done.load(Ordering::Acquire) != trial {
            std::hint::spin_loop();
        }
        executor.run_until_stalled();
        if !handle.is_finished() {
            lost += 1;
            handle.cancel();
            executor.run_until_stalled();
        }
    }
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    assert_eq!(lost, 0, "cancels lost");
}

/// Bug: `CallbackHandle::cancel` dropped the removed callback while the callback table was still
/// borrowed, so a capture whose `Drop` scheduled another callback panicked ("already borrowed").
#[test]
fn cancelling_a_callback_whose_captures_schedule_on_drop() {
    struct ScheduleOnDrop(Rc<Cell<bool>>);
    impl Drop for ScheduleOnDrop {
        fn drop(&mut self) {
            let ran = self.0.clone();
            call_soon(move || ran.set(true));
        }
    }
    let ran = Rc::new(Cell::new(false));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let ran = ran.clone();
        async move {
            let guard = ScheduleOnDrop(ran);
            let handle = call_soon(move || drop(guard));
            assert!(handle.cancel());
            yield_now().await;
        }
    });
    assert!(ran.get(), "the callback scheduled from the drop ran");
}

/// Same bug, silent variant: a cancelled callback that held an armed `Sleep` left its timer armed,
/// and virtual time later jumped to a sleep that nobody held.
#[test]
fn cancelling_a_callback_that_holds_an_armed_sleep_disarms_it() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async {
        let mut armed = Box::pin(sleep(Duration::from_secs(3600)));
        std::future::poll_fn(|cx| {
            assert!(armed.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
        let handle = call_soon(move || drop(armed));
        assert!(handle.cancel());
    });
    assert_eq!(executor.armed_timers(), 0);
    assert_eq!(executor.now(), Duration::ZERO);
}

/// Bug: a task that cancelled itself and then returned in the same poll reported `Ok`, although
/// `cancel()` had answered "still running". As in asyncio, the cancel wins.
#[test]
fn task_cancelled_during_the_poll_it_returns_in_ends_cancelled() {
    let mut executor = Executor::with_virtual_time();
    let result = executor.block_on(async {
        let own: Rc<RefCell<Option<JoinHandle<i32>>>> = Rc::default();
        let inside = own.clone();
        let task = spawn(async move {
            let cancelled = inside.borrow().as_ref().map(JoinHandle::cancel);
            assert_eq!(cancelled, Some(true));
            7
        });
        *own.borrow_mut() = Some(task);
        yield_now().await;
        let task = own.borrow_mut().take().unwrap();
        task.await
    });
    assert!(result.unwrap_err().is_cancelled());
}

/// Bug: after its future returned, `block_on` ran turns until nothing at all was ready, so a
/// callback that rescheduled itself kept it running forever. asyncio stops once the cancelled
/// tasks have ended (a handful of turns).
#[test]
fn block_on_returns_despite_a_callback_that_reschedules_itself() {
    fn tick(count: Rc<Cell<u32>>) {
        count.set(count.get() + 1);
        if count.get() < 1_000 {
            call_soon(move || tick(count));
        }
    }
    let count = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let count = count.clone();
        async move {
            call_soon(move || tick(count));
        }
    });
    assert!(count.get() < 10, "ran {} ticks after main returned", count.get());
}

/// Bug: a finished task's done-callback, queued but not run when the executor was dropped, that held
/// the task's own handle was never dropped (a reference cycle through the result cell).
#[test]
fn queued_done_callback_holding_its_own_handle_is_dropped_with_the_executor() {
    let drops = DropCounter(Default::default());
    let count = drops.0.clone();
    {
        let mut executor = Executor::with_virtual_time();
        let handle = executor.spawn(async { 1 });
        let own: Rc<RefCell<Option<JoinHandle<i32>>>> = Rc::default();
        let (guard, keep) = (drops.clone(), own.clone());
        handle.add_done_callback(move |_| {
            let _ = (&guard, &keep);
        });
        *own.borrow_mut() = Some(handle);
        drop(own);
        assert!(matches!(executor.step(), Step::Polled { finished: true, .. }));
    }
    assert_eq!(*count.borrow(), 1, "the queued callback was dropped once");
}

/// Bug: while anything (here a `Sleep` the program kept) held the executor's shared state, work sent
/// through a `Remote` after the executor was dropped was accepted and never run.
#[test]
fn remote_work_after_the_executor_is_dropped_is_refused_even_if_a_sleep_survives() {
    let mut executor = Executor::with_virtual_time();
    let remote = executor.remote();
    // In a Vec, so that main returns the (never polled) sleep rather than awaiting it.
    let kept = executor.block_on(async { vec![sleep(Duration::from_secs(1))] });
    drop(executor);
    assert!(!remote.call_soon_threadsafe(|| {}));
    assert!(remote.spawn(async { 1 }).join().unwrap_err().is_cancelled());
    drop(kept);
}

/// The cleanup after main is asyncio's: the done-callbacks of the tasks it cancels run, and see the
/// cancellation (what a task they spawn gets: `tests/block_on_shutdown_turns.rs`).
#[test]
fn block_on_cleanup_runs_callbacks_of_cancelled_tasks() {
    let entries = run_logged(|log| async move {
        let task = spawn(std::future::pending::<()>());
        task.add_done_callback(move |result| {
            log.push(format!("callback: {}", result.as_ref().unwrap_err()));
        });
    });
    assert_eq!(entries, ["callback: Task-2 was cancelled"]);
}

/// Bug: a cancel made on the executor's thread between steps went through the channel and was
/// overtaken by a spawn made after it. The executor now queues the cancel itself, in order.
#[test]
fn cancel_then_spawn_between_steps_run_in_that_order() {
    let log: Rc<RefCell<Vec<&'static str>>> = Rc::default();
    struct LogOnDrop(Rc<RefCell<Vec<&'static str>>>);
    impl Drop for LogOnDrop {
        fn drop(&mut self) {
            self.0.borrow_mut().push("A dropped (cancelled)");
        }
    }
    let mut executor = Executor::with_virtual_time();
    let guard = LogOnDrop(log.clone());
    let a = executor.spawn(async move {
        let _guard = guard;
        sleep(Duration::from_secs(3600)).await;
    });
    executor.run_until_stalled();
    assert!(a.cancel());
    let inner = log.clone();
    drop(executor.spawn(async move { inner.borrow_mut().push("B polled") }));
    executor.run_until_stalled();
    assert_eq!(*log.borrow(), ["A dropped (cancelled)", "B polled"]);
}

/// Bug: a snapshot taken mid-turn moved entries that came from another thread ahead of entries
/// pushed later in the same turn, so looking changed what ran. Now a snapshot changes nothing.
#[test]
fn snapshot_does_not_change_the_order_of_the_run() {
    fn run(observe: bool) -> Vec<&'static str> {
        let log: Rc<RefCell<Vec<&'static str>>> = Rc::default();
        let slot: Rc<RefCell<Option<Waker>>> = Rc::default();
        let mut executor = Executor::with_virtual_time();
        let (wlog, wslot) = (log.clone(), slot.clone());
        drop(executor.spawn(async move {
            let mut first = true;
            std::future::poll_fn(|cx| {
                if first {
                    first = false;
                    *wslot.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            wlog.borrow_mut().push("W");
        }));
        for name in ["A", "B"] {
            let log = log.clone();
            drop(executor.spawn(async move {
                yield_now().await;
                log.borrow_mut().push(name);
            }));
        }
        executor.step(); // W keeps its waker
        executor.step(); // A yields
        let waker = slot.borrow_mut().take().unwrap();
        std::thread::spawn(move || waker.wake()).join().unwrap();
        if observe {
            let _ = executor.snapshot();
        }
        executor.step(); // B yields
        executor.run_until_stalled();
        log.take()
    }
    assert_eq!(run(true), run(false));
}

/// Review finding: a task cancelled during the very poll in which it returns has its output dropped by
/// the executor; when that drop cancels another task (a guard that cancels its children), the executor
/// must not be holding its task table at that moment.
#[test]
fn an_output_dropped_by_a_cancel_may_cancel_other_tasks() {
    /// An output that cancels a child task when dropped.
    struct CancelOnDrop(JoinHandle<()>);
    impl Drop for CancelOnDrop {
        fn drop(&mut self) {
            assert!(self.0.cancel(), "the child is still sleeping");
        }
    }

    let mut executor = Executor::with_virtual_time();
    let child_dropped = DropCounter(Rc::default());
    let (result, dropped_before_main_ended) = executor.block_on({
        let child_dropped = child_dropped.clone();
        async move {
            let me: Rc<RefCell<Option<JoinHandle<CancelOnDrop>>>> = Rc::default();
            let cancel_me = me.clone();
            let counter = child_dropped.clone();
            let task = spawn(async move {
                let child = spawn(async move {
                    let _counted = counter;
                    sleep(Duration::from_secs(60)).await;
                });
                assert!(cancel_me.borrow().as_ref().unwrap().cancel());
                CancelOnDrop(child)
            });
            *me.borrow_mut() = Some(task);
            sleep(Duration::from_secs(1)).await;
            let task = me.borrow_mut().take().unwrap();
            let result = task.await.map(|_| ());
            yield_now().await;
            (result, *child_dropped.0.borrow())
        }
    });
    assert!(result.unwrap_err().is_cancelled(), "the cancel wins over the output");
    assert_eq!(dropped_before_main_ended, 1, "the child was cancelled and dropped");
}
