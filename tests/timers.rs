//! Timers through the executor: ties in arming order also across wheel levels, far deadlines,
//! dropped sleeps, nothing early.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::{Log, count_polls, run_logged};
use minimalist_async::time::now;
use minimalist_async::{Executor, sleep, spawn};

/// Two sleeps with the same deadline fire in the order they were armed, even when the first sits on
/// a high level of the wheel (armed long before) and the second goes straight to a low one (armed just
/// before the deadline). For each gap, `early` arms at 0 and `late` arms `gap` µs before the deadline.
///
/// ```text
/// 0 ──────────────── early: sleep(D) ──────────────────────────────► D
///                    late:  sleep(D − gap) then sleep(gap) ─────────► D
/// ```
#[test]
fn equal_deadlines_fire_in_arming_order_across_levels() {
    const D: u64 = 1_000_000; // 1 s, on level 3
    for gap in [1, 2, 63, 64, 65, 100, 4_095, 4_096, 4_097, 250_000, 999_999] {
        let log = Log::default();
        let mut executor = Executor::with_virtual_time();
        executor.block_on({
            let log = log.clone();
            async move {
                let early_log = log.clone();
                let early = spawn(async move {
                    sleep(Duration::from_micros(D)).await;
                    early_log.push(format!("early at {:?}", now()));
                });
                let late_log = log.clone();
                let late = spawn(async move {
                    sleep(Duration::from_micros(D - gap)).await;
                    sleep(Duration::from_micros(gap)).await;
                    late_log.push(format!("late at {:?}", now()));
                });
                early.await.unwrap();
                late.await.unwrap();
            }
        });
        assert_eq!(log.entries(), ["early at 1s", "late at 1s"], "gap {gap} µs");
    }
}

/// Deadlines beyond the wheel's 19-hour span wait in its overflow list and still fire, on time.
#[test]
fn far_future_deadlines_fire_exactly_on_time() {
    for secs in [
        19 * 3600,             // just under the span
        20 * 3600,             // just over
        30 * 24 * 3600,        // a month
        100 * 365 * 24 * 3600, // a century
    ] {
        let mut executor = Executor::with_virtual_time();
        let woke = executor.block_on(async move {
            sleep(Duration::from_secs(secs)).await;
            now()
        });
        assert_eq!(woke, Duration::from_secs(secs));
        assert_eq!(executor.armed_timers(), 0);
    }
}

/// Sleeps that cross the wheel's 2^36 µs window boundaries, mixed with far ones, fire in deadline
/// order at their exact deadlines.
#[test]
fn deadlines_across_window_boundaries_fire_in_order() {
    const WINDOW: u64 = 1 << 36;
    let entries = run_logged(|log| async move {
        sleep(Duration::from_micros(WINDOW - 5)).await;
        let tasks: Vec<_> = [10u64, 3, WINDOW + 7, 2 * WINDOW, 4]
            .into_iter()
            .map(|d| {
                let log = log.clone();
                spawn(async move {
                    sleep(Duration::from_micros(d)).await;
                    log.push(format!("{}", now().as_micros()));
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let w = 1u128 << 36;
    let expected: Vec<String> =
        [w - 2, w - 1, w + 5, 2 * w + 2, 3 * w - 5].iter().map(|t| t.to_string()).collect();
    assert_eq!(entries, expected);
}

/// A zero sleep is a single yield, as `asyncio.sleep(0)` is: no timer, no time passes.
#[test]
fn zero_sleep_yields_once_and_arms_no_timer() {
    let mut executor = Executor::with_virtual_time();
    let (future, polls) = count_polls(async { sleep(Duration::ZERO).await });
    executor.block_on(async move {
        let task = spawn(future);
        task.await.unwrap();
    });
    assert_eq!(*polls.borrow(), 2);
    assert_eq!(executor.now(), Duration::ZERO);
    assert_eq!(executor.armed_timers(), 0);
}

/// `Duration::MAX` overflows the clock: like `asyncio.sleep(math.inf)` it never completes.
#[test]
fn sleep_duration_max_never_completes() {
    let mut executor = Executor::with_virtual_time();
    let forever = executor.spawn(async { sleep(Duration::MAX).await });
    let finished_after_an_hour = executor.block_on(async move {
        sleep(Duration::from_secs(3600)).await;
        forever.is_finished()
    });
    assert!(!finished_after_an_hour);
}

/// A future that polls a sleep once (arming it) and then drops it, before waiting on a longer one.
struct ArmThenDrop;

impl Future for ArmThenDrop {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut short = Box::pin(sleep(Duration::from_millis(100)));
        assert!(short.as_mut().poll(cx).is_pending());
        drop(short);
        Poll::Ready(())
    }
}

/// A dropped sleep wakes nobody and leaves no entry in the wheel: the task is polled exactly for the
/// sleep it still waits on.
#[test]
fn dropped_sleep_never_wakes_and_leaves_no_entry() {
    let mut executor = Executor::with_virtual_time();
    let (future, polls) = count_polls(async {
        ArmThenDrop.await;
        assert_eq!(minimalist_async::time::now(), Duration::ZERO);
        sleep(Duration::from_millis(500)).await;
    });
    let task = executor.spawn(future);
    executor.step();
    assert_eq!(executor.armed_timers(), 1, "only the 500 ms sleep is armed");
    executor.block_on(task).unwrap();
    assert_eq!(*polls.borrow(), 2, "no extra poll at 100 ms");
    assert_eq!(executor.now(), Duration::from_millis(500));
    assert_eq!(executor.armed_timers(), 0);
}

/// No timer fires before its deadline: each task records when it woke against when it asked to.
#[test]
fn no_timer_ever_fires_early() {
    let mut executor = Executor::with_virtual_time();
    let late_by = executor.block_on(async {
        let tasks: Vec<_> = (0..500u64)
            .map(|i| {
                // A spread of durations across all levels, some equal.
                let d = Duration::from_micros((i * 7919) % 5_000_000 + 1);
                spawn(async move {
                    let start = now();
                    sleep(d).await;
                    now() - start - d
                })
            })
            .collect();
        let mut late_by = Vec::new();
        for task in tasks {
            late_by.push(task.await.unwrap());
        }
        late_by
    });
    // Subtracting would have panicked on an early wake; on virtual time they are exactly on time.
    assert!(late_by.iter().all(|d| d.is_zero()), "{late_by:?}");
}

/// A sleep that outlives its task's entry (returned as the task's output, its timer armed by the
/// task) still ends exactly at its deadline when another task awaits it, not early and not never.
#[test]
#[allow(clippy::async_yields_async)] // the sleep is the output on purpose: it outlives its task
fn a_sleep_returned_by_its_task_ends_on_time_in_another() {
    let mut executor = Executor::with_virtual_time();
    let woke_at = executor.block_on(async {
        let maker = spawn(async {
            let mut nap = Box::pin(sleep(Duration::from_millis(300)));
            // Armed by this task, with its own waker: the timer's record is in this task's entry.
            assert!(futures_poll_once(nap.as_mut()).await.is_pending());
            nap
        });
        let nap = maker.await.unwrap();
        assert_eq!(now(), Duration::ZERO);
        // The maker's entry is gone; spawned tasks may reuse its slot meanwhile.
        let others: Vec<_> = (0..3).map(|_| spawn(sleep(Duration::from_millis(100)))).collect();
        nap.await;
        for other in others {
            other.await.unwrap();
        }
        now()
    });
    assert_eq!(woke_at, Duration::from_millis(300));
    assert_eq!(executor.armed_timers(), 0);
}

/// A sleep orphaned the same way and then dropped unawaited disarms its timer: the clock does not
/// jump to its deadline, and nothing is left armed.
#[test]
#[allow(clippy::async_yields_async)] // as above
fn an_orphaned_sleep_dropped_leaves_no_timer_behind() {
    let mut executor = Executor::with_virtual_time();
    executor.block_on(async {
        let maker = spawn(async {
            let mut nap = Box::pin(sleep(Duration::from_secs(60)));
            assert!(futures_poll_once(nap.as_mut()).await.is_pending());
            nap
        });
        let nap = maker.await.unwrap();
        drop(nap);
        sleep(Duration::from_millis(1)).await;
    });
    assert_eq!(executor.armed_timers(), 0);
    assert_eq!(executor.now(), Duration::from_millis(1));
}

/// `block_on(timeout(..))` returns while the timeout's sleep is still armed in the main future's
/// entry; the entry goes first, then the sleep: no timer is left, and a later run does not jump to
/// the timeout's deadline.
#[test]
fn block_on_of_a_timeout_leaves_no_timer_behind() {
    let mut executor = Executor::with_virtual_time();
    let out = executor.block_on(minimalist_async::time::timeout(Duration::from_secs(10), async {
        sleep(Duration::from_millis(5)).await;
        7
    }));
    assert_eq!(out.unwrap(), 7);
    assert_eq!(executor.armed_timers(), 0);
    executor.block_on(async { sleep(Duration::from_millis(1)).await });
    assert_eq!(executor.now(), Duration::from_millis(6));
}

/// A task with two sleeps pending at once (its first timer's record sits in its entry, the second's
/// elsewhere) wakes for each at its deadline, in order, whichever is polled first.
#[test]
fn two_sleeps_of_one_task_each_fire_on_time() {
    let mut executor = Executor::with_virtual_time();
    let order = executor.block_on(async {
        let mut long = Box::pin(sleep(Duration::from_millis(200)));
        let mut short = Box::pin(sleep(Duration::from_millis(50)));
        assert!(futures_poll_once(long.as_mut()).await.is_pending());
        assert!(futures_poll_once(short.as_mut()).await.is_pending());
        short.await;
        let first = now();
        long.await;
        (first, now())
    });
    assert_eq!(order, (Duration::from_millis(50), Duration::from_millis(200)));
}

/// A sleep first polled by its task (record in the task's entry), then by a combinator with its own
/// waker, keeps its place among equal deadlines: of two sleeps due together, the one armed first
/// still fires first.
#[test]
fn a_sleep_moved_into_a_combinator_keeps_its_arming_order() {
    let log = Log::default();
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let first_log = log.clone();
            let first = spawn(async move {
                let mut nap = Box::pin(sleep(Duration::from_millis(10)));
                assert!(futures_poll_once(nap.as_mut()).await.is_pending());
                // Yield so that `second` arms its equal deadline before this one moves.
                minimalist_async::yield_now().await;
                ForeignWaker(nap).await;
                first_log.push("first".to_owned());
            });
            let second_log = log.clone();
            let second = spawn(async move {
                sleep(Duration::from_millis(10)).await;
                second_log.push("second".to_owned());
            });
            first.await.unwrap();
            second.await.unwrap();
        }
    });
    assert_eq!(log.take(), ["first", "second"]);
}

/// Polls `future` once with the task's own context and gives back `Poll<()>` without finishing it.
async fn futures_poll_once<F: Future<Output = ()> + Unpin>(future: F) -> Poll<()> {
    struct Once<F>(F);
    impl<F: Future<Output = ()> + Unpin> Future for Once<F> {
        type Output = Poll<()>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Poll<()>> {
            Poll::Ready(Pin::new(&mut self.0).poll(cx))
        }
    }
    Once(future).await
}

/// Polls the inner future with a waker of its own that wakes the task's: what a combinator does.
struct ForeignWaker<F>(F);

impl<F: Future + Unpin> Future for ForeignWaker<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        struct Relay(std::task::Waker);
        impl std::task::Wake for Relay {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.wake_by_ref();
            }
        }
        let waker = std::task::Waker::from(std::sync::Arc::new(Relay(cx.waker().clone())));
        Pin::new(&mut self.0).poll(&mut Context::from_waker(&waker))
    }
}

/// A sleep whose own timer was already handed out as due, then re-pointed (polled with another waker
/// by a `call_later` callback due just before it, in the same turn), still fires in that turn and in
/// its place among equal deadlines: before a sleep armed after it.
#[test]
fn a_due_sleep_re_pointed_before_it_fires_keeps_its_turn_and_order() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    struct Named(&'static str, Arc<Mutex<Vec<String>>>);
    impl Wake for Named {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(format!("{} woken", self.0));
        }
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut executor = Executor::with_virtual_time();
    let fired = executor.block_on({
        let log = log.clone();
        async move {
            let nap: Rc<RefCell<Option<Pin<Box<minimalist_async::Sleep>>>>> = Rc::default();
            let (held, callback_log) = (nap.clone(), log.clone());
            // Armed first, due at 10 ms: it polls the sleep with a waker of its own.
            minimalist_async::call_later(Duration::from_millis(10), move || {
                let waker = Waker::from(Arc::new(Named("S", callback_log)));
                let mut guard = held.borrow_mut();
                let sleep = guard.as_mut().unwrap().as_mut();
                assert!(sleep.poll(&mut Context::from_waker(&waker)).is_pending());
            });
            // Armed second, with this task's waker: its record is in the task's entry.
            let mut s = Box::pin(sleep(Duration::from_millis(10)));
            assert!(futures_poll_once(s.as_mut()).await.is_pending());
            *nap.borrow_mut() = Some(s);
            // Armed third, due at the same time.
            let mut t = Box::pin(sleep(Duration::from_millis(10)));
            let waker = Waker::from(Arc::new(Named("T", log.clone())));
            assert!(t.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
            sleep(Duration::from_millis(20)).await;
            drop(t);
            minimalist_async::time::now()
        }
    });
    assert_eq!(fired, Duration::from_millis(20));
    assert_eq!(*log.lock().unwrap(), ["S woken", "T woken"]);
}

/// The same re-pointing, stepped: all three timers fire in one step, the turn they were due.
#[test]
fn a_due_sleep_re_pointed_before_it_fires_fires_in_the_same_step() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::task::Waker;

    let mut executor = Executor::with_virtual_time();
    let nap: Rc<RefCell<Option<Pin<Box<minimalist_async::Sleep>>>>> = Rc::default();
    let held = nap.clone();
    let task = executor.spawn(async move {
        let again = held.clone();
        minimalist_async::call_later(Duration::from_millis(10), move || {
            let mut guard = again.borrow_mut();
            let sleep = guard.as_mut().unwrap().as_mut();
            assert!(sleep.poll(&mut Context::from_waker(Waker::noop())).is_pending());
        });
        let mut s = Box::pin(sleep(Duration::from_millis(10)));
        assert!(futures_poll_once(s.as_mut()).await.is_pending());
        *held.borrow_mut() = Some(s);
        std::future::pending::<()>().await;
    });
    executor.run_until_stalled();
    assert_eq!(executor.armed_timers(), 2);
    assert!(matches!(executor.step(), minimalist_async::Step::AdvancedClock { .. }));
    assert_eq!(executor.step(), minimalist_async::Step::FiredTimers { count: 2 });
    assert_eq!(executor.armed_timers(), 0);
    assert!(
        nap.borrow_mut()
            .as_mut()
            .unwrap()
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_ready()
    );
    drop(task);
}
