//! Plain callbacks: `call_soon` and `call_later`, the callback style of asyncio's loop (and of the ROS and
//! Qt event loops the tutorial mentions).
//!
//! A `call_soon` callback is one more entry in the ready queue, in line with the tasks: it runs on the
//! next turn. A `call_later` callback sits in the timer wheel and runs in the turn its deadline comes
//! due, at the end of the turn, with the other due timers, as asyncio runs its due `TimerHandle`s. Both
//! return a [`CallbackHandle`] that cancels the callback if it has not run yet.

use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::rc::{Rc, Weak};
use std::time::Duration;

use crate::handle::{Handle, current};
use crate::join::Completion;
use crate::join_error::panic_message;
use crate::slab::Key;
use crate::time::wheel::TimerKey;

/// A callback and where it was scheduled from, so that a panic inside it can be reported by location.
pub(crate) struct PlainCallback {
    run: Box<dyn FnOnce()>,
    origin: &'static Location<'static>,
}

impl PlainCallback {
    #[track_caller]
    pub(crate) fn new(run: impl FnOnce() + 'static) -> PlainCallback {
        PlainCallback::at(run, Location::caller())
    }

    pub(crate) fn at(
        run: impl FnOnce() + 'static,
        origin: &'static Location<'static>,
    ) -> PlainCallback {
        PlainCallback {
            run: Box::new(run),
            origin,
        }
    }

    /// Runs the callback; a panic is reported on stderr and goes no further, so the loop keeps running.
    pub(crate) fn run(self) {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(self.run)) {
            eprintln!(
                "minimalist-async: callback scheduled at {} panicked: {}",
                self.origin,
                panic_message(&*panic).unwrap_or("<non-string payload>")
            );
        }
    }
}

/// What a `Runnable::Callback` entry of the ready queue runs.
pub(crate) enum Callback {
    /// The next done-callback of a finished task.
    Done(Rc<dyn Completion>),
    /// A `call_soon` callback.
    Plain(PlainCallback),
}

/// Cancels a callback scheduled with [`call_soon`] or [`call_later`]: asyncio's `Handle` and
/// `TimerHandle`.
///
/// Dropping the handle does not cancel the callback.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use minimalist_async::{Executor, call_later, sleep};
///
/// let fired = Rc::new(Cell::new(false));
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on({
///     let fired = fired.clone();
///     async move {
///         let handle = call_later(Duration::from_millis(50), move || fired.set(true));
///         assert!(handle.cancel(), "it was still pending");
///         assert!(!handle.cancel(), "cancelling twice changes nothing");
///         sleep(Duration::from_millis(100)).await;
///     }
/// });
/// assert!(!fired.get());
/// ```
#[derive(Debug)]
pub struct CallbackHandle {
    scheduled: Scheduled,
    handle: Weak<Handle>,
}

#[derive(Clone, Copy, Debug)]
enum Scheduled {
    /// In the ready queue, under this key of the callback table.
    Soon(Key),
    /// In the timer wheel.
    Later(TimerKey),
    /// A delay too long for the clock: it will never run.
    Never,
}

impl CallbackHandle {
    /// Cancels the callback. Returns whether it was still pending (it had neither run nor been
    /// cancelled).
    pub fn cancel(&self) -> bool {
        let Some(handle) = self.handle.upgrade() else {
            return false;
        };
        // The removed callback is dropped only after the table's borrow ends: its captures' `Drop`
        // may call back into the executor (schedule a callback, drop a `Sleep`).
        match self.scheduled {
            Scheduled::Soon(key) => {
                let removed = handle.callbacks.borrow_mut().remove(key);
                removed.is_some()
            }
            Scheduled::Later(key) => {
                let removed = handle.timers.borrow_mut().remove(key);
                removed.is_some()
            }
            Scheduled::Never => false,
        }
    }
}

impl Handle {
    /// Queues `callback` behind everything already in the ready queue.
    pub(crate) fn call_soon(self: &Rc<Self>, callback: PlainCallback) -> CallbackHandle {
        let key = self
            .callbacks
            .borrow_mut()
            .insert(Callback::Plain(callback));
        self.queue.push(crate::queue::Runnable::Callback(key));
        CallbackHandle {
            scheduled: Scheduled::Soon(key),
            handle: Rc::downgrade(self),
        }
    }

    /// Arms a timer that runs `callback` when `delay` has passed on the loop's clock.
    pub(crate) fn call_later(
        self: &Rc<Self>,
        delay: Duration,
        callback: PlainCallback,
    ) -> CallbackHandle {
        let scheduled = match self.deadline_after(delay) {
            Some(deadline) => Scheduled::Later({
                self.record(|| crate::trace::EventKind::TimerArmed {
                    task: self.polling.get(),
                    deadline: Duration::from_micros(deadline),
                });
                self.timers
                    .borrow_mut()
                    .insert(deadline, crate::handle::TimerAction::Call(callback))
            }),
            None => Scheduled::Never,
        };
        CallbackHandle {
            scheduled,
            handle: Rc::downgrade(self),
        }
    }
}

/// Runs `callback` on the next turn of the running executor: asyncio's `loop.call_soon`.
///
/// It takes its place in the ready queue behind every task and callback already there. A panic inside
/// it is reported on stderr, naming where it was scheduled, and the loop keeps running.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::call_soon`](crate::Executor::call_soon) there.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use minimalist_async::{Executor, call_soon, yield_now};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on({
///     let log = log.clone();
///     async move {
///         let inner = log.clone();
///         call_soon(move || inner.borrow_mut().push("callback"));
///         log.borrow_mut().push("after call_soon");
///         yield_now().await;
///     }
/// });
/// assert_eq!(*log.borrow(), ["after call_soon", "callback"]);
/// ```
#[track_caller]
pub fn call_soon(callback: impl FnOnce() + 'static) -> CallbackHandle {
    let callback = PlainCallback::new(callback);
    current("call_soon()").call_soon(callback)
}

/// Runs `callback` once `delay` has passed on the running executor's clock: asyncio's
/// `loop.call_later`.
///
/// It runs at the end of the turn in which its deadline is due, with the other due timers, in deadline
/// order. A zero delay runs it on the next turn. A delay too long for the clock never runs it.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::call_later`](crate::Executor::call_later) there.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use minimalist_async::{Executor, call_later, sleep, time};
///
/// let ran_at = Rc::new(Cell::new(None));
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on({
///     let ran_at = ran_at.clone();
///     async move {
///         call_later(Duration::from_millis(30), move || ran_at.set(Some(time::now())));
///         sleep(Duration::from_millis(100)).await;
///     }
/// });
/// assert_eq!(ran_at.get(), Some(Duration::from_millis(30)));
/// ```
#[track_caller]
pub fn call_later(delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
    let callback = PlainCallback::new(callback);
    current("call_later()").call_later(delay, callback)
}
