//! A sleep's deadline: reading it, moving it (`reset`), and showing it (`Debug`). Outside the core:
//! the core's `sleep.rs` is only what a sleep needs to wait; this is what a caller may ask of one.

use std::time::Duration;

use crate::runtime::clock::micros_ceil;
use crate::runtime::sleep::{Kind, Sleep};
use crate::runtime::wheel::Armed;

impl Sleep {
    /// When the sleep ends, on the executor's clock (the scale [`time::now`](crate::time::now)
    /// reads); `None` for a zero sleep, which yields once, for one that never ends, and for one not
    /// polled yet, whose deadline counts from its first poll (unless `reset` gave it one).
    pub fn deadline(&self) -> Option<Duration> {
        match self.kind {
            Kind::Timer(deadline_us, _) | Kind::Armed(Armed { deadline: deadline_us, .. }) => {
                Some(Duration::from_micros(deadline_us))
            }
            Kind::After(_) | Kind::Yield(_) | Kind::Never => None,
        }
    }

    /// Re-arms the sleep to end at `deadline` on the executor's clock, whether it is pending, has
    /// ended, or was never polled: tokio's `Sleep::reset`, asyncio's `Timeout.reschedule`.
    ///
    /// An armed timer is cancelled and armed again (its record stays where it was, nothing is
    /// allocated); one not armed yet is armed at its first poll. Either counts as armed at the reset,
    /// as asyncio's `reschedule` arms its handle at once: of two timers due at the same time, the one
    /// reset later fires later. A deadline already past ends the sleep at the next turn; one too far for the
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
            Kind::Armed(armed) => self.handle.disarm(armed),
            Kind::After(_) | Kind::Timer(..) | Kind::Yield(_) | Kind::Never => None,
        };
        self.kind = match micros_ceil(deadline) {
            Some(deadline_us) => match timer {
                Some(timer) => Kind::Armed(self.handle.arm(deadline_us, None, timer)),
                None => Kind::Timer(deadline_us, self.handle.reserve_timer()),
            },
            None => Kind::Never,
        };
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Yield(_) => f.write_str("Sleep(zero: yields once)"),
            Kind::Timer(deadline_us, _) | Kind::Armed(Armed { deadline: deadline_us, .. }) => f
                .debug_struct("Sleep")
                .field("deadline_us", deadline_us)
                .field("armed", &matches!(self.kind, Kind::Armed(_)))
                .finish(),
            Kind::After(delay_us) => {
                f.debug_struct("Sleep").field("delay_us", delay_us).field("polled", &false).finish()
            }
            Kind::Never => f.write_str("Sleep(never)"),
        }
    }
}
