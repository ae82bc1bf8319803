//! `timeout`: give up on a future after a while.

use std::cell::Cell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::callback::{CallbackHandle, call_soon};
use crate::kept_waker::KeptWaker;
use crate::runtime::clock::{Clock, micros_ceil};
use crate::runtime::handle::{Handle, current};
use crate::runtime::sleep::{Kind, Sleep};

/// The error of a [`timeout`] that ran out: asyncio's `TimeoutError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(Duration);

impl Elapsed {
    /// The time limit that was exceeded.
    pub fn limit(&self) -> Duration {
        self.0
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {:?}", self.0)
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` for at most `limit`: asyncio's `async with asyncio.timeout(limit): await future`,
/// tokio's `timeout`.
///
/// If `future` finishes first, its output comes back as `Ok`. If the time runs out first, `future` is
/// **dropped before** `Err(Elapsed)` is returned, so whatever it held (a sleep's timer, a lock, a
/// buffer) is released by the time the caller sees the error.
///
/// As asyncio's `timeout`, at its first poll it reads the clock and schedules the deadline, `limit`
/// from that reading, before it polls `future`; when the deadline comes, the task is woken, and from
/// then on the timeout returns `Err(Elapsed)` without polling `future` again. So:
/// - the deadline wins a tie: if it came before the task is polled again, the timeout has expired
///   even if `future` would be ready by now (its timer fired in the same turn);
/// - of timers due at the same time, the deadline fires before any that `future` arms, as it was
///   scheduled first;
/// - with a zero limit `future` is still polled once, and its output wins if it is ready then; if not,
///   the expiry runs on the next turn (with [`call_soon`](crate::call_soon), as asyncio's) and the
///   task sees `Elapsed` when it is next polled.
///
/// What asyncio schedules at once is armed here only once `future` turned out not ready: the deadline
/// takes its place among the timers at the first poll (`Wheel::reserve`) and its timer goes into the
/// wheel after `future`'s first poll, as if armed before it. A timeout around a future that is ready
/// at once arms nothing and allocates nothing; the deadline is a [`Sleep`](crate::Sleep) of the
/// timeout's own, so a pending one allocates nothing either.
///
/// asyncio's `wait_for(future, limit)` differs: it runs `future` as a task of its own, which costs
/// turns, and with a zero limit a coroutine given to it never runs at all.
///
/// A limit too long for the clock (more than 584,000 years) never expires and arms nothing: `future`
/// must keep its own waker then, as without the timeout, or the lost-waker warning says so.
///
/// # Panics
///
/// Outside a running executor (it reads the clock); polled again after the executor that made it was
/// dropped, as its deadline is a sleep of that executor's (the message names the sleep).
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, time::timeout};
///
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on(async {
///     let quick = timeout(Duration::from_secs(1), async { 5 }).await;
///     assert_eq!(quick, Ok(5));
///     let slow = timeout(Duration::from_millis(100), sleep(Duration::from_secs(60))).await;
///     assert_eq!(slow.unwrap_err().to_string(), "timed out after 100ms");
///     // A tie: the deadline wins, as in asyncio.
///     let tie = timeout(Duration::from_millis(50), sleep(Duration::from_millis(50))).await;
///     assert!(tie.is_err());
///     // A zero limit still polls the future once.
///     assert_eq!(timeout(Duration::ZERO, async { 6 }).await, Ok(6));
/// });
/// assert_eq!(executor.now(), Duration::from_millis(150));
/// ```
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    if limit.is_zero() {
        return timeout_now(future).await;
    }
    // Read and placed now, as asyncio's `Timeout.__aenter__` schedules it.
    let mut deadline = Limit::read();
    // The future is a local of this async fn: locals are dropped as the function returns (the future
    // first, then the deadline, which disarms its timer), before the caller sees the result, so the
    // future never outlives the error.
    let mut future = pin!(future);
    poll_fn(|cx| {
        if let Limit::Armed(sleep) = &mut deadline
            && Pin::new(sleep).poll(cx).is_ready()
        {
            return Poll::Ready(Err(Elapsed(limit)));
        }
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if let Limit::Unarmed(..) = deadline {
            // Not ready at once: the deadline's first poll arms its timer, and is pending.
            deadline = std::mem::replace(&mut deadline, Limit::Never).arm(limit);
            if let Limit::Armed(sleep) = &mut deadline {
                _ = Pin::new(sleep).poll(cx);
            }
        }
        Poll::Pending
    })
    .await
}

/// A timeout's deadline. It counts from the clock's reading at the timeout's first poll, and takes its
/// place among timers due at the same time then too, as asyncio schedules it before the body's first
/// step; but its timer is armed only once the body turned out not ready, which a body ready at once
/// never needs.
enum Limit {
    /// Read, and placed (the arming number), not armed.
    Unarmed(Rc<Handle>, Reading, u64),
    /// Armed: a sleep, whose first poll arms its timer.
    Armed(Sleep),
    /// Too far for the clock (more than 584,000 years): never expires, arms nothing.
    Never,
}

/// The clock's reading, as taken: the virtual clock's microseconds, or the real clock's instant.
///
/// Speed: an unarmed deadline keeps the real clock's reading as the `Instant` it is: turning it into
/// the clock's microseconds (two `Instant`s subtracted, then rounded) costs more than reading it, and
/// a future ready at once never needs it. Measured against reading the clock in microseconds at once:
/// timeouts_ready 267 → 151 instructions per op, 30.8 → 24.8 ns (async-executor's 25.0–25.5 in the
/// same runs, whose timer reads the clock too); timeouts, where every deadline is armed, 1,201 →
/// 1,224 instructions per op, its time within the noise.
#[derive(Clone, Copy)]
enum Reading {
    Virtual(u64),
    Real(Instant),
}

impl Limit {
    /// Reads the clock and takes the deadline's place among the timers.
    fn read() -> Limit {
        let handle = current("timeout()");
        let now = match handle.clock.get() {
            Clock::Real { .. } => Reading::Real(Instant::now()),
            Clock::Virtual { now_us } => Reading::Virtual(now_us),
        };
        let seq = handle.reserve_timer();
        Limit::Unarmed(handle, now, seq)
    }

    /// The deadline `limit` after the reading, as a sleep to arm, in the place it took: counted as a
    /// sleep counts, from the reading rounded up to the microsecond (`Clock::start_us`). Speed:
    /// inlined (timeouts: 1,247 → 1,224 instructions per op).
    #[inline]
    fn arm(self, limit: Duration) -> Limit {
        let Limit::Unarmed(handle, now, seq) = self else { return self };
        let start_us = match (now, handle.clock.get()) {
            (Reading::Virtual(now_us), _) => Some(now_us),
            (Reading::Real(now), Clock::Real { origin }) => micros_ceil(now - origin),
            (Reading::Real(_), Clock::Virtual { .. }) => {
                unreachable!("an executor keeps its clock")
            }
        };
        match start_us.zip(micros_ceil(limit)).and_then(|(start, us)| start.checked_add(us)) {
            Some(deadline_us) => {
                Limit::Armed(Sleep { handle, kind: Kind::Timer(deadline_us, seq) })
            }
            None => Limit::Never,
        }
    }
}

/// A zero limit, which asyncio meets with `call_soon`: the expiry is queued before `future` is
/// polled, behind whatever is already queued, so what `future`'s first poll queues runs after it.
async fn timeout_now<F: Future>(future: F) -> Result<F::Output, Elapsed> {
    let expiry = Rc::new(Expiry::default());
    let on_timeout = {
        let expiry = Rc::clone(&expiry);
        move || expiry.expire()
    };
    let _deadline = Deadline(call_soon(on_timeout));
    let mut future = pin!(future);
    poll_fn(|cx| {
        if expiry.expired.get() {
            return Poll::Ready(Err(Elapsed(Duration::ZERO)));
        }
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        expiry.waker.keep(cx);
        Poll::Pending
    })
    .await
}

/// Whether a zero limit's callback has run, and the waker of the task to wake when it does.
#[derive(Default)]
struct Expiry {
    expired: Cell<bool>,
    waker: KeptWaker,
}

impl Expiry {
    /// asyncio's `Timeout._on_timeout`: marks the timeout expired and wakes the task (asyncio cancels
    /// it, which wakes it).
    fn expire(&self) {
        self.expired.set(true);
        self.waker.wake();
    }
}

/// Cancels a zero limit's callback when the timeout is over or dropped, as asyncio's
/// `Timeout.__aexit__` cancels its handle.
struct Deadline(CallbackHandle);

impl Drop for Deadline {
    fn drop(&mut self) {
        self.0.cancel();
    }
}
