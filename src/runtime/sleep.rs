//! `sleep`: a future that completes once the loop's clock reaches a deadline.
//!
//! The deadline is computed when `sleep` is called, from the clock's reading then (see `clock.rs`).
//! The first poll arms a timer in the wheel; the wheel fires it when the clock reaches the deadline,
//! which wakes the task; the next poll finds its timer gone from the wheel, which is how it knows it
//! fired. Dropping a `Sleep` removes its timer, so a sleep that nobody waits for wakes nobody.
//!
//! A sleep polled with the waker its executor lent (the usual case, see `waker.rs`) keeps no waker: its
//! timer names the task's key, and firing it wakes the task by key. Polled with any other waker (a
//! combinator's own), it keeps a clone of that waker, as any future must.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::clock::micros_ceil;
use crate::runtime::events::EventKind;
use crate::runtime::handle::{Handle, Timer, current};
use crate::runtime::slab::Key;
use crate::runtime::wheel::TimerKey;
use crate::runtime::yield_now::{YieldNow, yield_now};

impl Handle {
    /// Arms a timer due at `deadline_us` and tells the sink which task armed it.
    pub(crate) fn arm(&self, deadline_us: u64, timer: Timer) -> TimerKey {
        self.record(|| EventKind::TimerArmed {
            task: self.polling.get().map(|polling| polling.id),
            deadline: Duration::from_micros(deadline_us),
        });
        self.timers.borrow_mut().insert(deadline_us, timer)
    }
}

/// Waits until `duration` has passed on the executor's clock: asyncio's `await asyncio.sleep(seconds)`.
///
/// - A zero duration yields once, like `asyncio.sleep(0)`: the task runs again on the next turn.
/// - A duration too long for the clock (more than 584,000 years, such as [`Duration::MAX`]) never
///   completes, like `asyncio.sleep(math.inf)`.
/// - Otherwise the deadline is the clock's reading at this call plus `duration`, rounded up to the
///   microsecond, and the sleep never completes early.
///
/// # Panics
///
/// Outside a running executor: there is no clock to count from.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep};
///
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on(async {
///     sleep(Duration::from_secs(3600)).await; // an hour of virtual time, no real waiting
/// });
/// assert_eq!(executor.now(), Duration::from_secs(3600));
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let handle = current("sleep()");
    // A zero sleep does not read the clock: only a deadline needs it.
    let kind = if duration.is_zero() {
        Kind::Yield(yield_now())
    } else {
        match handle.deadline_after(duration) {
            Some(deadline_us) => Kind::Timer {
                deadline_us,
                key: None,
            },
            None => Kind::Never,
        }
    };
    Sleep { handle, kind }
}

/// The future returned by [`sleep`].
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Sleep {
    handle: Rc<Handle>,
    kind: Kind,
}

enum Kind {
    Yield(YieldNow),
    /// `key` is `None` until the first poll arms the timer.
    Timer {
        deadline_us: u64,
        key: Option<TimerKey>,
    },
    Never,
}

impl Sleep {
    /// When the sleep ends, on the executor's clock (the scale [`time::now`](crate::time::now)
    /// reads); `None` for a zero sleep, which yields once, and for one that never ends.
    pub fn deadline(&self) -> Option<Duration> {
        match self.kind {
            Kind::Timer { deadline_us, .. } => Some(Duration::from_micros(deadline_us)),
            Kind::Yield(_) | Kind::Never => None,
        }
    }

    /// Re-arms the sleep to end at `deadline` on the executor's clock, whether it is pending, has
    /// ended, or was never polled: tokio's `Sleep::reset`, asyncio's `Timeout.reschedule`.
    ///
    /// An armed timer is moved in place (its slot in the wheel's table is reused, nothing is
    /// allocated) and counts as armed at the reset: of two timers due at the same time, the one reset
    /// later fires later. A deadline already past ends the sleep at the next turn; one too far for the
    /// clock never ends it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep, time};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// executor.block_on(async {
    ///     let mut nap = sleep(Duration::from_secs(10));
    ///     nap.reset(time::now() + Duration::from_millis(250));
    ///     assert_eq!(nap.deadline(), Some(Duration::from_millis(250)));
    ///     nap.await;
    /// });
    /// assert_eq!(executor.now(), Duration::from_millis(250));
    /// ```
    pub fn reset(&mut self, deadline: Duration) {
        let timer = match self.kind {
            Kind::Timer { key: Some(key), .. } => self.handle.timers.borrow_mut().remove(key),
            Kind::Timer { key: None, .. } | Kind::Yield(_) | Kind::Never => None,
        };
        self.kind = match micros_ceil(deadline) {
            Some(deadline_us) => Kind::Timer {
                deadline_us,
                key: timer.map(|timer| self.handle.arm(deadline_us, timer)),
            },
            None => Kind::Never,
        };
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Yield(_) => f.write_str("Sleep(zero: yields once)"),
            Kind::Timer { deadline_us, key } => f
                .debug_struct("Sleep")
                .field("deadline_us", deadline_us)
                .field("armed", &key.is_some())
                .finish(),
            Kind::Never => f.write_str("Sleep(never)"),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        match &mut this.kind {
            Kind::Yield(yield_now) => Pin::new(yield_now).poll(cx),
            Kind::Never => {
                // Waiting for ever is what was asked: not a lost waker.
                this.handle.noted.set(true);
                Poll::Pending
            }
            Kind::Timer { deadline_us, key } => match *key {
                None => {
                    let timer = timer_for(this.handle.own_task(cx.waker()), cx);
                    *key = Some(this.handle.arm(*deadline_us, timer));
                    Poll::Pending
                }
                // The executor removed the entry to fire it.
                Some(armed) if !this.handle.timers.borrow().contains(armed) => Poll::Ready(()),
                Some(armed) => {
                    // Still waiting. A future may move between tasks, or into a combinator: the
                    // timer is pointed at whoever polls now, if that changed.
                    let own = this.handle.own_task(cx.waker());
                    let unchanged = match (own, this.handle.timers.borrow().get(armed)) {
                        (Some(task), Some((_, Timer::Task(noted)))) => task == *noted,
                        (None, Some((_, Timer::Waker(kept)))) => kept.will_wake(cx.waker()),
                        _ => false,
                    };
                    if !unchanged {
                        let timer = timer_for(own, cx);
                        let mut timers = this.handle.timers.borrow_mut();
                        let old = timers
                            .get_mut(armed)
                            .map(|old| std::mem::replace(old, timer));
                        // Dropped with nothing borrowed: a waker's drop may be anyone's code.
                        drop(timers);
                        drop(old);
                    }
                    Poll::Pending
                }
            },
        }
    }
}

/// What the timer wakes: the polled task by its key (`own`), anyone else through a clone of the waker.
fn timer_for(own: Option<Key>, cx: &Context<'_>) -> Timer {
    match own {
        Some(task) => Timer::Task(task),
        None => Timer::Waker(cx.waker().clone()),
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Kind::Timer { key: Some(key), .. } = self.kind {
            // During the executor's own teardown the wheel may be borrowed; it is being dropped anyway.
            // The timer is dropped after the borrow, as the closure ends.
            let timers = self.handle.timers.try_borrow_mut().ok();
            drop(timers.and_then(|mut timers| timers.remove(key)));
        }
    }
}
