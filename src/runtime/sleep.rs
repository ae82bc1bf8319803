//! `sleep`: a future that completes once the loop's clock reaches a deadline.
//!
//! The deadline is computed when the sleep is first polled, from the clock's reading then (see
//! `clock.rs`), as asyncio's `sleep` is a coroutine that reads the clock when first awaited. That
//! poll arms a timer in the wheel (`timers.rs`); the wheel hands it out when the clock
//! reaches the deadline, and firing it wakes the task; the next poll finds the timer's record gone,
//! which is how it knows it fired. Dropping a `Sleep` cancels its timer, so a sleep that nobody waits
//! for wakes nobody.
//!
//! A sleep polled with the waker its executor lent (the usual case, see `waker.rs`) keeps no waker:
//! its timer's record is in the task's own entry. Polled with any other waker (a combinator's own), it
//! keeps a clone of that waker, as any future must.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::clock::micros_ceil;
use crate::runtime::handle::{Handle, TimerRef, current};
use crate::runtime::timers::timer_for;
use crate::runtime::wheel::Armed;
use crate::runtime::yield_now::{YieldNow, yield_now};

/// Waits until `duration` has passed on the executor's clock: asyncio's `await asyncio.sleep(seconds)`.
///
/// - A zero duration yields once, like `asyncio.sleep(0)`: the task runs again on the next turn.
/// - A duration too long for the clock (more than 584,000 years, such as [`Duration::MAX`]) never
///   completes, like `asyncio.sleep(math.inf)`.
/// - Otherwise the deadline is the clock's reading at the sleep's first poll plus `duration`,
///   rounded up to the microsecond, and the sleep never completes early. A sleep made and awaited
///   later counts from the await, as asyncio's does (tokio's counts from the call).
///
/// A sleep belongs to the executor that made it: its deadline is on that executor's clock, its timer
/// in that executor's wheel. Awaited inside another executor, it ends only once its own executor
/// runs and reaches the deadline (as a tokio sleep needs its own runtime's timer driver).
///
/// # Panics
///
/// Outside a running executor: there is no clock to count from. Polled after the executor that
/// made it was dropped: that clock is gone, and the sleep could never end.
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
    // No clock is read here: a zero sleep never reads it, any other at its first poll.
    let kind = if duration.is_zero() {
        Kind::Yield(yield_now())
    } else {
        micros_ceil(duration).map_or(Kind::Never, Kind::After)
    };
    Sleep { handle, kind }
}

/// The future returned by [`sleep`].
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Sleep {
    pub(crate) handle: Rc<Handle>,
    pub(crate) kind: Kind,
}

pub(crate) enum Kind {
    Yield(YieldNow),
    /// Not polled yet: the first poll reads the clock and arms a timer due this long (µs) after it.
    After(u64),
    /// Not polled yet, given a deadline (µs) and an arming number (by `Sleep::reset`, or as
    /// `timeout`'s deadline): the first poll arms a timer that fires as if armed when it was given.
    Timer(u64, u64),
    /// Armed, and perhaps fired since. The deadline is the timer's: a `Sleep` is 32 bytes.
    Armed(Armed<TimerRef>),
    Never,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let (deadline_us, reserved) = match &mut this.kind {
            Kind::Yield(yield_now) => return Pin::new(yield_now).poll(cx),
            // The deadline counts from now, as asyncio's sleep, a coroutine, reads the clock when it
            // is first awaited, not when it is called.
            Kind::After(delay_us) => (this.handle.start_us().checked_add(*delay_us), None),
            // Reset before its first poll, or a timeout's deadline.
            Kind::Timer(deadline_us, seq) => (Some(*deadline_us), Some(*seq)),
            // The executor took the record away to fire it (or its teardown dropped it).
            Kind::Armed(timer) if !this.handle.is_armed(timer) => {
                check_alive(&this.handle);
                return Poll::Ready(());
            }
            // Still waiting. A future may move between tasks, or into a combinator: the timer is
            // pointed at whoever polls now, if that changed. The old record is dropped with nothing
            // borrowed: a waker's drop may be anyone's code.
            Kind::Armed(timer) => {
                drop(this.handle.repoint(timer, cx));
                return Poll::Pending;
            }
            Kind::Never => (None, None),
        };
        let Some(deadline_us) = deadline_us else {
            // Waiting for ever (or past what the clock can hold) is what was asked: not a lost waker.
            this.kind = Kind::Never;
            this.handle.noted.set(true);
            return Poll::Pending;
        };
        // The first poll arms the timer.
        check_alive(&this.handle);
        let timer = timer_for(this.handle.own_task(cx.waker()), cx);
        this.kind = Kind::Armed(this.handle.arm(deadline_us, reserved, timer));
        Poll::Pending
    }
}

/// Panics if the executor that made a sleep (whose handle this is) is gone: its clock stopped, and
/// no timer of its will ever fire (tokio's sleep panics too, once its runtime has shut down).
#[track_caller]
fn check_alive(handle: &Handle) {
    assert!(
        !handle.queue.is_closed(),
        "a sleep polled after the executor that made it was dropped: its clock is gone, so it can \
         never end; make the sleep on the executor that awaits it"
    );
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Kind::Armed(armed) = self.kind {
            // The record is dropped after every borrow has ended: a waker's drop may be anyone's code.
            drop(self.handle.disarm(armed));
        }
    }
}

#[cfg(test)]
mod tests {
    /// A `Sleep` sits in every sleeping task's future, so a million sleepers multiply it: 32 bytes
    /// (the handle, and the timer as the wheel holds it).
    #[test]
    fn a_sleep_is_32_bytes() {
        assert_eq!(std::mem::size_of::<super::Sleep>(), 32);
    }
}
