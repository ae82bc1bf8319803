//! `sleep`: a future that completes once the loop's clock reaches a deadline.
//!
//! The deadline is computed when `sleep` is called, from the time of the current turn (see
//! [`crate::clock`]). The first poll arms a timer in the wheel holding the task's waker; the wheel wakes
//! the task when the timer fires; the next poll finds its timer gone from the wheel, which is how it knows
//! it fired. Dropping a `Sleep` removes its timer, so a sleep that nobody waits for any more wakes nobody.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::handle::{Handle, TimerAction, current};
use crate::task::Wait;
use crate::time::wheel::TimerKey;
use crate::trace::EventKind;
use crate::yield_now::{YieldNow, yield_now};

/// Waits until `duration` has passed on the executor's clock: asyncio's `await asyncio.sleep(seconds)`.
///
/// - A zero duration yields once, like `asyncio.sleep(0)`: the task runs again on the next turn.
/// - A duration too long for the clock (more than 584,000 years, such as [`Duration::MAX`]) never
///   completes, like `asyncio.sleep(math.inf)`.
/// - Otherwise the deadline is the current turn's time plus `duration`, rounded up to the microsecond,
///   and the sleep never completes early.
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
            Kind::Never => Poll::Pending,
            Kind::Timer { deadline_us, key } => {
                let mut timers = this.handle.timers.borrow_mut();
                match key {
                    None => {
                        let task = this.handle.polling.get();
                        let waker = cx.waker().clone();
                        *key = Some(timers.insert(*deadline_us, TimerAction::Wake { waker, task }));
                        this.handle.record(|| EventKind::TimerArmed {
                            task,
                            deadline: Duration::from_micros(*deadline_us),
                        });
                        this.handle.note_wait(Wait::Timer(*deadline_us));
                        Poll::Pending
                    }
                    Some(armed) => match timers.get_mut(*armed) {
                        // Still waiting; a future may move between tasks, so keep the latest waker.
                        Some(TimerAction::Wake { waker, .. }) => {
                            if !waker.will_wake(cx.waker()) {
                                *waker = cx.waker().clone();
                            }
                            this.handle.note_wait(Wait::Timer(*deadline_us));
                            Poll::Pending
                        }
                        // The executor removed the entry to fire it.
                        None => Poll::Ready(()),
                        Some(TimerAction::Call(_)) => unreachable!("a sleep's key names a wake"),
                    },
                }
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Kind::Timer { key: Some(key), .. } = self.kind {
            // During the executor's own teardown the wheel may be borrowed; it is being dropped anyway.
            if let Ok(mut timers) = self.handle.timers.try_borrow_mut() {
                timers.remove(key);
            }
        }
    }
}
