//! Nothing escapes, nothing hangs, nothing is lost: a destructor that panics, wherever the executor runs
//! it, is reported and contained; a handle outlives its executor as cancelled; work from other threads
//! keeps its place in the one FIFO order; a wake that cannot matter queues nothing.
//!
//! Every value here counts its drops in a plain struct, so "dropped exactly once" is checked, not
//! assumed. The panics in destructors print their usual message on stderr; the executor's own report
//! follows it ("dropping the future of Task-2 panicked: ...").

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use minimalist_async::{Executor, call_soon, sleep, spawn, yield_now};

/// Counts its drops, and panics in the first one.
struct PanicOnDrop(Rc<Cell<u32>>);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
        panic!("a destructor that panics");
    }
}

#[test]
fn cancelling_a_task_whose_future_panics_on_drop_ends_it_and_runs_its_callbacks() {
    let drops = Rc::new(Cell::new(0));
    let callback_ran = Rc::new(Cell::new(false));
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn({
        let guard = PanicOnDrop(drops.clone());
        async move {
            let _guard = guard;
            sleep(Duration::from_secs(1)).await;
        }
    });
    task.add_done_callback({
        let ran = callback_ran.clone();
        move |result| {
            assert!(result.as_ref().unwrap_err().is_cancelled());
            ran.set(true);
        }
    });
    executor.run_until_stalled();
    assert!(task.cancel());
    executor.run_until_stalled();
    assert_eq!(drops.get(), 1, "dropped exactly once");
    assert_eq!(executor.pending_tasks(), 0, "the task ended");
    assert!(callback_ran.get(), "its done-callback ran");
    let error = executor.block_on(task).unwrap_err();
    assert!(error.is_cancelled());
}

#[test]
fn an_output_that_panics_on_drop_is_contained_in_drop_of_its_handle() {
    let drops = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn({
        let drops = drops.clone();
        async move { PanicOnDrop(drops) }
    });
    executor.run_until_stalled();
    assert!(task.is_finished());
    drop(task);
    assert_eq!(drops.get(), 1);
}

#[test]
fn a_detached_output_that_panics_on_drop_is_contained_in_block_on() {
    let drops = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let drops = drops.clone();
        async move {
            drop(spawn(async move { PanicOnDrop(drops) }));
            yield_now().await;
        }
    });
    assert_eq!(drops.get(), 1);
}

#[test]
fn dropping_an_executor_drops_each_panicking_future_once_without_aborting() {
    let drops = Rc::new(Cell::new(0));
    let executor = Executor::with_virtual_time();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let guard = PanicOnDrop(drops.clone());
            executor.spawn(async move {
                let _guard = guard;
                sleep(Duration::from_secs(1)).await;
            })
        })
        .collect();
    drop(executor);
    assert_eq!(drops.get(), 2, "both dropped, once each, and the process is still here");
    for handle in handles {
        assert!(handle.is_finished());
    }
}

#[test]
fn a_handle_outlives_its_executor_as_cancelled_and_its_awaiter_is_woken() {
    let mut first = Executor::with_virtual_time();
    let task = first.spawn(async { sleep(Duration::from_secs(60)).await });
    first.run_until_stalled();
    assert!(!task.is_finished());
    // Awaited from a second executor, whose waker the first one must wake when it goes.
    let mut second = Executor::with_virtual_time();
    let waiting = second.spawn(task);
    second.run_until_stalled();
    assert!(!waiting.is_finished());
    drop(first);
    second.run_until_stalled();
    assert!(waiting.is_finished(), "the awaiter was woken");
    let error = second.block_on(waiting).unwrap().unwrap_err();
    assert!(error.is_cancelled());
}

#[test]
fn work_from_another_thread_submitted_first_runs_first() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut executor = Executor::new();
    let remote = executor.remote();
    executor.block_on({
        let log = log.clone();
        async move {
            let from_thread = log.clone();
            std::thread::spawn(move || {
                remote.call_soon_threadsafe(move || from_thread.lock().unwrap().push("remote"))
            })
            .join()
            .unwrap();
            let local = log.clone();
            call_soon(move || local.lock().unwrap().push("local"));
            yield_now().await;
            yield_now().await;
        }
    });
    assert_eq!(*log.lock().unwrap(), ["remote", "local"]);
}

#[test]
fn a_wake_of_a_finished_task_queues_nothing() {
    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
    let mut executor = Executor::with_virtual_time();
    let finished = executor.spawn({
        let kept = kept.clone();
        std::future::poll_fn(move |cx| {
            *kept.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        })
    });
    executor.run_until_stalled();
    assert!(finished.is_finished());
    // From the executor's own thread, inside it: straight to the task table, which says "ended".
    let waker = kept.borrow().clone().unwrap();
    let _waking = executor.spawn(async move { waker.wake() });
    executor.try_step();
    assert!(executor.snapshot().ready.is_empty(), "{}", executor.snapshot());
    // From another thread: the message is taken in and dropped, costing no turn of its own.
    let waker = kept.borrow().clone().unwrap();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    // A snapshot takes it in first, as the next turn would: it queues nothing.
    assert!(executor.snapshot().ready.is_empty(), "nothing to run");
    let turns = executor.turns();
    executor.run_until_stalled();
    assert_eq!(executor.turns(), turns, "no empty turn");
    assert!(executor.snapshot().ready.is_empty());
}

#[test]
fn a_done_callback_dropped_unrun_at_teardown_is_contained() {
    let drops = Rc::new(Cell::new(0));
    let executor = Executor::with_virtual_time();
    let task = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    let guard = PanicOnDrop(drops.clone());
    task.add_done_callback(move |_| drop(guard));
    drop(executor);
    assert_eq!(drops.get(), 1);
}

#[test]
fn a_removed_or_cancelled_callback_that_panics_on_drop_is_contained() {
    let drops = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async {});
    let guard = PanicOnDrop(drops.clone());
    let key = task.add_done_callback(move |_| drop(guard));
    assert!(task.remove_done_callback(key));
    let guard = PanicOnDrop(drops.clone());
    let soon = executor.call_soon(move || drop(guard));
    assert!(soon.cancel());
    let guard = PanicOnDrop(drops.clone());
    let later = executor.call_later(Duration::from_millis(5), move || drop(guard));
    assert!(later.cancel());
    assert_eq!(drops.get(), 3);
    executor.run_until_stalled();
    assert!(task.is_finished());
}

#[test]
fn a_call_later_left_at_shutdown_that_panics_on_drop_is_contained() {
    let drops = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let guard = PanicOnDrop(drops.clone());
        async move {
            minimalist_async::call_later(Duration::from_secs(5), move || drop(guard));
        }
    });
    assert_eq!(drops.get(), 1, "dropped once, when block_on returned");
    assert_eq!(executor.armed_timers(), 0);
}

/// A local wake while a wake from another thread waits in the channel: the executor takes the
/// message in first (one FIFO order) without tripping over its own task table.
#[test]
fn a_local_wake_behind_a_wake_from_another_thread_runs_second() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let wakers: Rc<RefCell<Vec<Waker>>> = Rc::default();
    let mut executor = Executor::new();
    executor.block_on({
        let (log, wakers) = (log.clone(), wakers.clone());
        async move {
            let tasks: Vec<_> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let (log, wakers) = (log.clone(), wakers.clone());
                    let mut waited = false;
                    spawn(std::future::poll_fn(move |cx| {
                        if waited {
                            log.lock().unwrap().push(name);
                            return Poll::Ready(());
                        }
                        waited = true;
                        wakers.borrow_mut().push(cx.waker().clone());
                        Poll::Pending
                    }))
                })
                .collect();
            yield_now().await;
            let (a, b) = (wakers.borrow()[0].clone(), wakers.borrow()[1].clone());
            std::thread::spawn(move || b.wake()).join().unwrap();
            a.wake();
            for task in tasks {
                task.await.unwrap();
            }
        }
    });
    assert_eq!(*log.lock().unwrap(), ["b", "a"]);
}

thread_local! {
    /// A handle the waker below looks at when it is dropped, and what it saw.
    static LOOKED_AT: RefCell<Option<minimalist_async::JoinHandle<()>>> = const { RefCell::new(None) };
    static SAW_FINISHED: Cell<Option<bool>> = const { Cell::new(None) };
}

/// A waker whose drop asks the executor something, as a combinator's waker may.
struct LooksOnDrop;

impl std::task::Wake for LooksOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for LooksOnDrop {
    fn drop(&mut self) {
        let finished = LOOKED_AT.with_borrow(|handle| handle.as_ref().map(|h| h.is_finished()));
        SAW_FINISHED.set(finished);
    }
}

/// A waker is user code. When a handle is polled with a new waker, the one it kept is dropped with the
/// task table free: here that drop looks at another task, which needs the table.
#[test]
fn a_replaced_awaiter_waker_may_use_the_executor_while_it_drops() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async {
        let mut awaited = spawn(async {
            yield_now().await;
        });
        LOOKED_AT.set(Some(spawn(async {})));
        let looks = Waker::from(Arc::new(LooksOnDrop));
        let first =
            std::pin::Pin::new(&mut awaited).poll(&mut std::task::Context::from_waker(&looks));
        assert!(first.is_pending());
        drop(looks); // the handle now holds the only reference
        let second = std::pin::Pin::new(&mut awaited)
            .poll(&mut std::task::Context::from_waker(Waker::noop()));
        assert!(second.is_pending());
        assert_eq!(SAW_FINISHED.get(), Some(false), "the waker's drop ran, and saw the table");
        awaited.await.unwrap();
        LOOKED_AT.take();
    });
}
