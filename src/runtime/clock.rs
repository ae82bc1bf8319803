//! The loop's clock: real time, or virtual time that jumps to the next deadline.
//!
//! Time is a count of whole microseconds since the clock was made, a `u64` (enough for 584,000 years).
//! The timer wheel works in the same unit, so no conversion happens on the hot path.
//!
//! **When the time is read.** Exactly where asyncio reads `loop.time()`: a `sleep` at its first poll
//! (asyncio's sleep is a coroutine, run from its first await) and a `call_later` at its call each
//! count a deadline from that reading (rounded up to the microsecond, `Clock::start_us`); a turn
//! reads it once, when it begins, to collect the timers due by then. Nothing else reads it.
//!
//! **Real** time reads [`Instant::now`] at each of those points. When nothing is ready the executor
//! sleeps until the next deadline (or until another thread wakes a task).
//!
//! **Virtual** time only moves when the executor moves it: when nothing is ready, it jumps straight to
//! the next deadline. So within a turn every reading is the same, and two tasks polled in one turn that
//! both sleep 100 ms wake in the same later turn, in the order they went to sleep. A program that sleeps
//! for minutes then finishes in milliseconds and prints exactly the same lines, which is what makes
//! scheduler tests fast and deterministic (tokio calls this "paused time with auto-advance").

use std::time::{Duration, Instant};

/// Which clock an executor runs on; virtual time by default, the clock tests want.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Clock {
    Real { origin: Instant },
    Virtual { now_us: u64 },
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::Virtual { now_us: 0 }
    }
}

impl Clock {
    pub(crate) fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual { .. })
    }

    /// Microseconds since the clock started (rounded down on the real clock).
    pub(crate) fn now_us(&self) -> u64 {
        match self {
            Clock::Real { origin } => origin.elapsed().as_micros() as u64,
            Clock::Virtual { now_us } => *now_us,
        }
    }

    /// The reading a deadline counts from: [`Clock::now_us`] rounded up on the real clock, so that a
    /// deadline `d` after it is never before `d` after the instant it was read. Counted from the
    /// rounded-down reading, a sleep could end up to a microsecond early by the caller's
    /// `Instant::now()` (compare's timers_real saw one).
    pub(crate) fn start_us(&self) -> u64 {
        match self {
            Clock::Real { origin } => micros_ceil(origin.elapsed()).unwrap_or(u64::MAX),
            Clock::Virtual { now_us } => *now_us,
        }
    }

    /// The instant at which the real clock reads `at_us`, for sleeping until a deadline.
    pub(crate) fn instant_at(&self, at_us: u64) -> Option<Instant> {
        match self {
            Clock::Real { origin } => origin.checked_add(Duration::from_micros(at_us)),
            Clock::Virtual { .. } => None,
        }
    }
}

/// `d` in whole microseconds, rounded up so that a deadline computed from it is never early; `None` when
/// it does not fit the clock (more than 584,000 years), which callers treat as "never".
///
/// Speed: in `u64`s, where `as_nanos` is a `u128` whose division by 1,000 is a call of its own
/// (`__udivti3`): a fifth of a timeout's cost around a future ready at once, on the real clock.
pub(crate) fn micros_ceil(d: Duration) -> Option<u64> {
    let whole = d.as_secs().checked_mul(1_000_000)?;
    whole.checked_add(u64::from(d.subsec_nanos().div_ceil(1000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_ceil_rounds_up_and_saturates_to_none() {
        assert_eq!(micros_ceil(Duration::ZERO), Some(0));
        assert_eq!(micros_ceil(Duration::from_nanos(1)), Some(1));
        assert_eq!(micros_ceil(Duration::from_nanos(1000)), Some(1));
        assert_eq!(micros_ceil(Duration::from_nanos(1001)), Some(2));
        assert_eq!(micros_ceil(Duration::from_millis(100)), Some(100_000));
        assert_eq!(micros_ceil(Duration::from_nanos(1_999_999_001)), Some(2_000_000));
        assert_eq!(micros_ceil(Duration::from_micros(u64::MAX)), Some(u64::MAX));
        assert_eq!(micros_ceil(Duration::from_micros(u64::MAX) + Duration::from_nanos(1)), None);
        assert_eq!(micros_ceil(Duration::MAX), None);
    }

    /// What makes a real sleep never early: the reading a deadline counts from is never before an
    /// instant read earlier, which the rounded-down reading is whenever that instant has a part of
    /// a microsecond.
    #[test]
    fn a_deadline_counts_from_no_earlier_than_the_callers_instant() {
        let origin = Instant::now();
        let clock = Clock::Real { origin };
        for _ in 0..1000 {
            let callers = origin.elapsed();
            let start = Duration::from_micros(clock.start_us());
            assert!(start >= callers, "counted from {start:?}, the caller read {callers:?}");
        }
    }
}
