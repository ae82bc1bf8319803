//! Wakers: usable from any thread, coalesced, harmless once the task is gone.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use common::count_polls;
use minimalist_async::{Executor, Step};

/// Pending until `done` is set; hands its waker to whoever holds `slot`.
struct WaitForFlag {
    slot: Arc<Mutex<(bool, Option<Waker>)>>,
}

impl Future for WaitForFlag {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slot = self.slot.lock().unwrap();
        if slot.0 {
            return Poll::Ready(());
        }
        slot.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Another thread wakes the task; the idle executor, blocked on the ready queue, picks it up.
#[test]
fn wake_from_another_thread_resumes_the_task() {
    for mut executor in [Executor::with_virtual_time(), Executor::new()] {
        let slot = Arc::new(Mutex::new((false, None::<Waker>)));
        let remote = slot.clone();
        let waker_thread = thread::spawn(move || {
            loop {
                let mut guard = remote.lock().unwrap();
                if let Some(waker) = guard.1.take() {
                    guard.0 = true;
                    drop(guard);
                    waker.wake();
                    return;
                }
                drop(guard);
                thread::sleep(Duration::from_millis(1));
            }
        });
        let task = executor.spawn(WaitForFlag { slot });
        executor.block_on(task).unwrap();
        waker_thread.join().unwrap();
    }
}

/// Woken a hundred times before it runs again, the task is polled once.
#[test]
fn many_wakes_before_a_poll_coalesce_into_one_poll() {
    let mut executor = Executor::with_virtual_time();
    let mut woken = false;
    let (future, polls) = count_polls(std::future::poll_fn(move |cx| {
        if woken {
            return Poll::Ready(());
        }
        woken = true;
        for _ in 0..100 {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }));
    drop(executor.spawn(future));
    while executor.step() != Step::Idle {}
    assert_eq!(*polls.borrow(), 2);
}

/// A wake for a task that already finished finds nothing and polls nothing.
#[test]
fn wake_after_the_task_finished_is_harmless() {
    let mut executor = Executor::with_virtual_time();
    let kept: Arc<Mutex<Option<Waker>>> = Arc::default();
    let keep = kept.clone();
    let task = executor.spawn(std::future::poll_fn(move |cx| {
        *keep.lock().unwrap() = Some(cx.waker().clone());
        Poll::Ready(())
    }));
    assert!(matches!(executor.step(), Step::Polled { finished: true, .. }));
    assert!(task.is_finished());
    kept.lock().unwrap().take().unwrap().wake();
    assert_eq!(executor.step(), Step::Idle, "the stale wake was skipped");
}

/// The executor hands the waker of a finished task to the next task only when nobody else holds it: a
/// waker kept by someone still wakes nothing but the finished task (a stale entry), never the task
/// that came after; a waker nobody kept is reused, and the task using it is woken as usual.
#[test]
fn a_kept_waker_never_wakes_the_next_task() {
    let mut executor = Executor::with_virtual_time();
    executor.enable_stats();
    let kept: Arc<Mutex<Option<Waker>>> = Arc::default();
    let keep = kept.clone();
    let first = executor.spawn(std::future::poll_fn(move |cx| {
        *keep.lock().unwrap() = Some(cx.waker().clone());
        Poll::Ready(())
    }));
    executor.run_until_stalled();
    assert!(first.is_finished());

    // Two tasks in turn, each parked until woken through the waker it leaves in `parked`.
    let parked: Arc<Mutex<Option<Waker>>> = Arc::default();
    let mut polls = Vec::new();
    for _ in 0..2 {
        let park = parked.clone();
        let mut woken = false;
        let (future, count) = count_polls(std::future::poll_fn(move |cx| {
            if woken {
                return Poll::Ready(());
            }
            woken = true;
            *park.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }));
        let task = executor.spawn(future);
        executor.run_until_stalled();
        assert_eq!(*count.borrow(), 1);

        kept.lock().unwrap().as_ref().unwrap().wake_by_ref();
        executor.run_until_stalled();
        assert_eq!(*count.borrow(), 1, "the first task's waker polled a later task");

        parked.lock().unwrap().take().unwrap().wake();
        executor.run_until_stalled();
        assert_eq!(*count.borrow(), 2);
        assert!(task.is_finished());
        polls.push(task.stats().expect("counts are on"));
    }
    // The second task ran on the waker the first of the two left, reset: its counts start at zero.
    assert_eq!(polls[0], polls[1]);
}

/// A waker that outlives its executor does nothing when woken.
#[test]
fn wake_after_the_executor_is_gone_is_harmless() {
    let kept: Arc<Mutex<Option<Waker>>> = Arc::default();
    {
        let mut executor = Executor::with_virtual_time();
        let keep = kept.clone();
        drop(executor.spawn(std::future::poll_fn(move |cx| {
            *keep.lock().unwrap() = Some(cx.waker().clone());
            Poll::<()>::Pending
        })));
        executor.step();
    }
    let waker = kept.lock().unwrap().take().unwrap();
    thread::spawn(move || waker.wake()).join().unwrap();
}

/// A waker kept past a cancellation wakes nothing: the cancelled task is never polled again.
#[test]
fn wake_after_the_task_was_cancelled_is_harmless() {
    let mut executor = Executor::with_virtual_time();
    let kept: Arc<Mutex<Option<Waker>>> = Arc::default();
    let keep = kept.clone();
    let (future, polls) = count_polls(std::future::poll_fn(move |cx| {
        *keep.lock().unwrap() = Some(cx.waker().clone());
        Poll::<()>::Pending
    }));
    let task = executor.spawn(future);
    executor.step();
    assert!(task.cancel());
    assert!(matches!(executor.step(), Step::Cancelled { .. }));
    kept.lock().unwrap().take().unwrap().wake();
    assert_eq!(executor.step(), Step::Idle);
    assert_eq!(*polls.borrow(), 1);
}

/// A future whose destructor wakes tasks (its own and another) while the executor is being dropped:
/// no panic, no deadlock.
#[test]
fn wake_during_the_executors_drop_is_harmless() {
    struct WakeOnDrop(Vec<Waker>);
    impl Drop for WakeOnDrop {
        fn drop(&mut self) {
            for waker in self.0.drain(..) {
                waker.wake();
            }
        }
    }
    let mut executor = Executor::with_virtual_time();
    let other: Arc<Mutex<Option<Waker>>> = Arc::default();
    let keep = other.clone();
    drop(executor.spawn(std::future::poll_fn(move |cx| {
        *keep.lock().unwrap() = Some(cx.waker().clone());
        Poll::<()>::Pending
    })));
    let mut on_drop = Some(WakeOnDrop(Vec::new()));
    drop(executor.spawn(std::future::poll_fn(move |cx| {
        let guard = on_drop.as_mut().unwrap();
        guard.0.push(cx.waker().clone());
        guard.0.extend(other.lock().unwrap().clone());
        Poll::<()>::Pending
    })));
    executor.step();
    executor.step();
    drop(executor);
}
