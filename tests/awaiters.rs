//! Who awaits a handle, and when a task's future and box go: the paths where user code (a destructor,
//! a waker) meets the task table. A task's own awaiter is noted by key in its entry; any other
//! waker waits in `Tasks::awaiters`; a finished task's future is dropped in place when it ends and
//! its emptied box freed later. Each test drives one such path and checks that every waker is woken
//! exactly once and every future dropped exactly once, at the task's end.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use minimalist_async::{Executor, JoinHandle, TaskStats, sleep, spawn, yield_now};

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
fn counting() -> (Arc<Count>, Waker) {
    let c = Arc::new(Count(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

struct OnDrop<F: FnMut()>(F);
impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

struct Holds<G>(Option<G>, u8);
impl<G: Unpin> Future for Holds<G> {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
        Poll::Ready(self.1)
    }
}

/// A future whose destructor panics: dropped once, reported, contained.
#[test]
fn panicking_destructor_dropped_once() {
    let drops = Rc::new(Cell::new(0));
    let mut ex = Executor::with_virtual_time();
    let d = drops.clone();
    let h = ex.spawn(Holds(
        Some(OnDrop(move || {
            d.set(d.get() + 1);
            panic!("boom in drop")
        })),
        5,
    ));
    ex.run_until_stalled();
    assert!(h.is_finished());
    assert_eq!(drops.get(), 1, "dropped at the task's end");
    assert_eq!(ex.block_on(h).unwrap(), 5);
    assert_eq!(drops.get(), 1);
    // handle dropped unjoined
    let d = drops.clone();
    let h = ex.spawn(Holds(
        Some(OnDrop(move || {
            d.set(d.get() + 1);
            panic!("boom 2")
        })),
        5,
    ));
    ex.run_until_stalled();
    assert_eq!(drops.get(), 2);
    drop(h);
    drop(ex);
    assert_eq!(drops.get(), 2);
}

/// Cancelled task with a panicking destructor, handle dropped before.
#[test]
fn cancelled_panicking_destructor() {
    let drops = Rc::new(Cell::new(0));
    let mut ex = Executor::with_virtual_time();
    let d = drops.clone();
    let h = ex.spawn(async move {
        let _b = OnDrop(move || {
            d.set(d.get() + 1);
            panic!("boom")
        });
        sleep(Duration::from_secs(10)).await;
    });
    ex.run_until_stalled();
    assert!(h.cancel());
    ex.run_until_stalled();
    assert_eq!(drops.get(), 1);
    assert!(ex.block_on(h).unwrap_err().is_cancelled());
    drop(ex);
    assert_eq!(drops.get(), 1);
}

/// A destructor that calls back into the executor: spawns, awaits-polls its own handle, drops it.
#[test]
fn destructor_calls_back() {
    let mut ex = Executor::with_virtual_time();
    let slot: Rc<RefCell<Option<JoinHandle<u8>>>> = Rc::default();
    let s = slot.clone();
    let (count, waker) = counting();
    let h = ex.spawn(async move {
        let _g = OnDrop(move || {
            let mut own = s.borrow_mut().take().unwrap();
            let mut cx = Context::from_waker(&waker);
            assert!(Pin::new(&mut own).poll(&mut cx).is_pending());
            drop(spawn(async {}));
            drop(own);
        });
        yield_now().await;
        1u8
    });
    *slot.borrow_mut() = Some(h);
    ex.run_until_stalled();
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "the awaiter noted in the destructor is woken");
    assert_eq!(ex.pending_tasks(), 0);
}

/// Handle polled by a combinator's own waker while running, then dropped; then the task ends.
#[test]
fn foreign_waiter_then_handle_dropped() {
    let mut ex = Executor::with_virtual_time();
    let (count, waker) = counting();
    let mut h = ex.spawn(async {
        sleep(Duration::from_millis(5)).await;
        3
    });
    ex.run_until_stalled();
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut h).poll(&mut cx).is_pending());
    drop(h);
    ex.advance(Duration::from_millis(10));
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
}

/// Done with callbacks pending; handle polled (foreign), then dropped; callbacks run.
#[test]
fn pending_callbacks_poll_then_drop() {
    let mut ex = Executor::with_virtual_time();
    let (count, waker) = counting();
    let mut h = ex.spawn(async { 3 });
    let seen = Rc::new(Cell::new(0));
    let s = seen.clone();
    h.add_done_callback(move |r| s.set(*r.as_ref().unwrap()));
    // one step: the task ends, callback queued but not run
    ex.try_step();
    assert!(h.is_finished());
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut h).poll(&mut cx).is_pending());
    drop(h);
    ex.run_until_stalled();
    assert_eq!(seen.get(), 3);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
}

/// Same but the handle then polled again with another waker (replace in the slab), then taken.
#[test]
fn pending_callbacks_poll_twice_then_take() {
    let mut ex = Executor::with_virtual_time();
    let (c1, w1) = counting();
    let (c2, w2) = counting();
    let mut h = ex.spawn(async { 3 });
    h.add_done_callback(|_| {});
    ex.try_step();
    assert!(Pin::new(&mut h).poll(&mut Context::from_waker(&w1)).is_pending());
    assert!(Pin::new(&mut h).poll(&mut Context::from_waker(&w2)).is_pending());
    assert!(Pin::new(&mut h).poll(&mut Context::from_waker(&w2)).is_pending());
    ex.run_until_stalled();
    assert_eq!(c1.0.load(Ordering::SeqCst), 0);
    assert_eq!(c2.0.load(Ordering::SeqCst), 1);
    assert!(matches!(Pin::new(&mut h).poll(&mut Context::from_waker(&w2)), Poll::Ready(Ok(3))));
    drop(h);
}

/// Awaited from another executor, then the owning executor dropped: woken, cancelled.
#[test]
fn awaited_from_other_executor_then_dropped() {
    let a = Executor::with_virtual_time();
    let h = a.spawn(async {
        sleep(Duration::from_secs(1)).await;
        1
    });
    let mut b = Executor::with_virtual_time();
    let bt = b.spawn(h);
    b.run_until_stalled();
    assert!(!bt.is_finished());
    drop(a);
    b.run_until_stalled();
    assert!(bt.is_finished());
    assert!(b.block_on(bt).unwrap().unwrap_err().is_cancelled());
}

/// Executor dropped with a foreign awaiter in the awaiters slab.
#[test]
fn dropped_with_awaiters() {
    let mut ex = Executor::with_virtual_time();
    let (count, waker) = counting();
    let mut h = ex.spawn(async {
        sleep(Duration::from_secs(1)).await;
        1
    });
    ex.run_until_stalled();
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut h).poll(&mut cx).is_pending());
    drop(ex);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(matches!(Pin::new(&mut h).poll(&mut cx), Poll::Ready(Err(e)) if e.is_cancelled()));
}

/// YieldNow polled by a combinator's waker inside a task: that waker is woken, not the task.
#[test]
fn yield_now_foreign_waker() {
    let mut ex = Executor::with_virtual_time();
    ex.enable_stats();
    let (count, waker) = counting();
    let h = ex.spawn(async move {
        let mut y = yield_now();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut y).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut y).poll(&mut cx).is_ready());
    });
    ex.run_until_stalled();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert_eq!(h.stats().unwrap().wakes, 0);
    // outside any executor
    let (count, waker) = counting();
    let mut y = yield_now();
    assert!(Pin::new(&mut y).poll(&mut Context::from_waker(&waker)).is_pending());
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    // in block_on
    assert_eq!(
        ex.block_on(async {
            yield_now().await;
            yield_now().await;
            7
        }),
        7
    );
}

/// A destructor run by teardown spawns a task and polls its handle with a foreign waker.
#[test]
fn teardown_destructor_registers_awaiter() {
    let (count, waker) = counting();
    let handles: Rc<RefCell<Vec<JoinHandle<()>>>> = Rc::default();
    let kept = handles.clone();
    let mut ex = Executor::with_virtual_time();
    let h = ex.spawn(async move {
        let _g = OnDrop(move || {
            let mut inner = spawn(async { sleep(Duration::from_secs(1)).await });
            let mut cx = Context::from_waker(&waker);
            assert!(Pin::new(&mut inner).poll(&mut cx).is_pending());
            kept.borrow_mut().push(inner);
        });
        sleep(Duration::from_secs(5)).await;
    });
    ex.run_until_stalled();
    drop(ex);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    drop(h);
    drop(handles);
}

/// Inline callbacks: a foreign waiter noted from the first callback, woken after the last.
#[test]
fn inline_callbacks_waiter() {
    use minimalist_async::Rule;
    let mut ex = Executor::with_virtual_time();
    ex.break_rule(Rule::InlineCallbacks);
    let (count, waker) = counting();
    let slot: Rc<RefCell<Option<JoinHandle<u8>>>> = Rc::default();
    let h = ex.spawn(async {
        yield_now().await;
        4u8
    });
    let s = slot.clone();
    h.add_done_callback(move |_| {
        let mut h = s.borrow_mut().take().unwrap();
        assert!(Pin::new(&mut h).poll(&mut Context::from_waker(&waker)).is_pending());
        drop(h);
    });
    h.add_done_callback(|_| {});
    *slot.borrow_mut() = Some(h);
    ex.run_until_stalled();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
}

/// A task that keeps a clone of its waker, then yields: queued once, polled twice.
#[test]
fn yield_with_kept_waker() {
    let mut ex = Executor::with_virtual_time();
    ex.enable_stats();
    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
    let k = kept.clone();
    let h = ex.spawn(async move {
        std::future::poll_fn(|cx| {
            *k.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        })
        .await;
        yield_now().await;
        yield_now().await;
    });
    ex.run_until_stalled();
    assert!(h.is_finished());
    assert_eq!(h.stats(), Some(TaskStats { polls: 3, wakes: 2 }));
}
