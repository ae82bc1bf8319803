//! Plain callbacks: `call_soon` and `call_later`, the callback style of asyncio's loop (and of the ROS and
//! Qt event loops the tutorial mentions); and a task's done-callbacks, `add_done_callback` and
//! `remove_done_callback`, whose storage and scheduling are the core's (`runtime/table.rs`,
//! `runtime/join.rs`): here is only the API that registers them.
//!
//! A `call_soon` callback is one more entry in the ready queue, in line with the tasks: it runs on the
//! next turn. A `call_later` callback sits in the timer wheel and runs in the turn its deadline comes
//! due, at the end of the turn, with the other due timers, as asyncio runs its due `TimerHandle`s. Both
//! return a [`CallbackHandle`] that cancels the callback if it has not run yet.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::runtime::clock::micros_ceil;
use crate::runtime::executor::Executor;
use crate::runtime::handle::{Handle, Timer, TimerRef, current};
use crate::runtime::join::JoinHandle;
use crate::runtime::join_error::{JoinError, drop_contained, report_panic};
use crate::runtime::queue::CALL;
use crate::runtime::results::{ResultTable, Results, typed};
use crate::runtime::slab::Key;
use crate::runtime::table::{DoneCallback, Stage, Tasks};
use crate::runtime::wheel::Armed;

/// Wraps `callback` so that a panic inside it is reported on stderr, naming where it was scheduled
/// from, and goes no further: the loop keeps running.
pub(crate) fn guarded(
    callback: impl FnOnce() + 'static,
    origin: &'static Location<'static>,
) -> Box<dyn FnOnce()> {
    Box::new(move || {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(callback)) {
            report_panic(format_args!("callback scheduled at {origin}"), panic);
        }
    })
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

#[derive(Debug)]
enum Scheduled {
    /// In the ready queue, under this key of the callback table.
    Soon(Key),
    /// In the timer wheel.
    Later(Armed<TimerRef>),
    /// A delay too long for the clock: it will never run, but stays pending until cancelled (as
    /// asyncio's handle of a `call_later(math.inf, ...)` does). `true` until then.
    Never(Cell<bool>),
}

impl CallbackHandle {
    /// Cancels the callback. Returns whether it was still pending (it had neither run nor been
    /// cancelled).
    #[track_caller]
    pub fn cancel(&self) -> bool {
        let Some(handle) = self.handle.upgrade() else {
            return false;
        };
        // The removed callback is dropped only after the table's borrow ends: its captures' `Drop`
        // may call back into the executor (schedule a callback, drop a `Sleep`).
        let at = Location::caller();
        let what = || format!("a callback cancelled at {at}");
        match &self.scheduled {
            Scheduled::Soon(key) => {
                let removed = handle.calls.borrow_mut().remove(*key);
                let found = removed.is_some();
                drop_contained(removed, what);
                found
            }
            Scheduled::Later(timer) => {
                let removed = handle.disarm(*timer);
                let found = removed.is_some();
                drop_contained(removed, what);
                found
            }
            Scheduled::Never(pending) => pending.replace(false),
        }
    }
}

/// Queues `callback` behind everything already in the ready queue.
fn schedule_soon(handle: &Rc<Handle>, callback: Box<dyn FnOnce()>) -> CallbackHandle {
    let key = handle.calls.borrow_mut().insert(callback);
    handle.push(key, CALL);
    CallbackHandle { scheduled: Scheduled::Soon(key), handle: Rc::downgrade(handle) }
}

/// Arms a timer that runs `callback` when `delay` has passed on the loop's clock.
fn schedule_later(
    handle: &Rc<Handle>,
    delay: Duration,
    callback: Box<dyn FnOnce()>,
) -> CallbackHandle {
    // Rounded up to the microsecond; a delay that does not fit the clock never comes.
    let deadline = micros_ceil(delay).and_then(|us| handle.start_us().checked_add(us));
    let scheduled = match deadline {
        Some(deadline) => Scheduled::Later(handle.arm(deadline, None, Timer::Call(callback))),
        None => Scheduled::Never(Cell::new(true)),
    };
    CallbackHandle { scheduled, handle: Rc::downgrade(handle) }
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
    let callback = guarded(callback, Location::caller());
    schedule_soon(&current("call_soon()"), callback)
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
    let callback = guarded(callback, Location::caller());
    schedule_later(&current("call_later()"), delay, callback)
}

impl Executor {
    /// Schedules `callback` for the next turn, from outside the executor: see [`call_soon`].
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> CallbackHandle {
        schedule_soon(&self.handle, guarded(callback, Location::caller()))
    }

    /// Schedules `callback` after `delay`, from outside the executor: see [`call_later`].
    #[track_caller]
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
        schedule_later(&self.handle, delay, guarded(callback, Location::caller()))
    }
}

/// Names one done-callback, to remove it before it runs: returned by
/// [`JoinHandle::add_done_callback`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallbackKey(u64);

impl<T: 'static> JoinHandle<T> {
    /// Runs `callback` with the task's result once the task is over: asyncio's `add_done_callback`.
    ///
    /// The callback never runs inside the call that queues it. When the task ends, its callbacks are
    /// queued in registration order and run on the next turn, each exactly once. A callback added after
    /// the task ended is queued at that moment, behind whatever is already waiting. A closure that
    /// captures what it needs plays the part of `functools.partial`.
    ///
    /// A callback that panics is reported on stderr; the loop and the other callbacks carry on.
    ///
    /// # Panics
    ///
    /// If the handle's result was already taken by awaiting it (through `&mut handle`): there is no
    /// result left to show the callback.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use minimalist_async::{Executor, spawn, yield_now};
    ///
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let mut executor = Executor::with_virtual_time();
    /// executor.block_on({
    ///     let seen = seen.clone();
    ///     async move {
    ///         let task = spawn(async { 7 });
    ///         let tag = "task1";
    ///         let log = seen.clone();
    ///         task.add_done_callback(move |result| {
    ///             log.borrow_mut().push(format!("{tag}: {}", result.as_ref().unwrap()));
    ///         });
    ///         assert!(seen.borrow().is_empty(), "nothing runs inside add_done_callback");
    ///         yield_now().await; // the task runs in this turn...
    ///         assert!(seen.borrow().is_empty(), "...and its callback only on the next one");
    ///         yield_now().await;
    ///         assert_eq!(*seen.borrow(), ["task1: 7"]);
    ///     }
    /// });
    /// ```
    #[track_caller]
    pub fn add_done_callback<F>(&self, callback: F) -> CallbackKey
    where
        F: FnOnce(&Result<T, JoinError>) + 'static,
    {
        // Numbered across every executor, so that a key never matches another task's callback.
        static NEXT_CALLBACK: AtomicU64 = AtomicU64::new(0);
        let number = NEXT_CALLBACK.fetch_add(1, Ordering::Relaxed);
        let callback: DoneCallback = Box::new(move |results: &dyn ResultTable, key: Key| {
            typed::<T>(results).lend(key, callback);
        });
        let added = self.with_entry(|handle, key| {
            let mut tasks = handle.tasks.borrow_mut();
            if let Some(entry) = tasks.entries.get(key).filter(|e| matches!(e.stage, Stage::Taken)) {
                panic!(
                    "add_done_callback on {} after its result was taken by .await: add callbacks before awaiting",
                    entry.id
                );
            }
            // Refused only while the executor is being dropped: it removes the entries of live handles.
            let added = tasks.add_callback(key, number, callback);
            drop(tasks);
            match added {
                Ok(true) => handle.queue_done_callback(key, self.id()),
                Ok(false) => {}
                Err(callback) => return Err(callback),
            }
            Ok(CallbackKey(number))
        });
        match added {
            Some(Ok(key)) => key,
            refused => {
                eprintln!(
                    "minimalist-async: done-callback added to {} after its executor was dropped; it will never run",
                    self.id()
                );
                let what = || format!("a done-callback of {} that never ran", self.id());
                drop_contained(refused, what);
                CallbackKey(u64::MAX)
            }
        }
    }
}

/// Removing needs nothing of the output type, so it works for any `JoinHandle<T>` (a combinator's
/// `Drop`, which cannot ask `T: 'static`, takes its callbacks back with it).
impl<T> JoinHandle<T> {
    /// Removes a done-callback while the task is still running: asyncio's `remove_done_callback`.
    /// Returns whether it removed one.
    ///
    /// As in asyncio, once the task has ended its callbacks are already scheduled, and removing one
    /// changes nothing (`false`): it runs with the others. `false` too for a callback removed already
    /// or belonging to another task. Safe anywhere, from a done-callback of the same task too.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use minimalist_async::Executor;
    ///
    /// let ran = Rc::new(Cell::new(0));
    /// let mut executor = Executor::with_virtual_time();
    /// let task = executor.spawn(async { 7 });
    /// let first = task.add_done_callback({ let ran = ran.clone(); move |_| ran.set(ran.get() + 1) });
    /// let second = task.add_done_callback({ let ran = ran.clone(); move |_| ran.set(ran.get() + 10) });
    /// assert!(task.remove_done_callback(first));
    /// assert!(!task.remove_done_callback(first), "gone already");
    /// executor.step(); // the task ends: its callbacks are scheduled
    /// assert!(!task.remove_done_callback(second), "too late, as in asyncio");
    /// executor.run_until_stalled();
    /// assert_eq!(ran.get(), 10, "only the second ran");
    /// assert_eq!(executor.block_on(task).unwrap(), 7);
    /// ```
    pub fn remove_done_callback(&self, key: CallbackKey) -> bool {
        let removed =
            self.with_entry(|handle, task| handle.tasks.borrow_mut().remove_callback(task, key.0));
        let removed = removed.flatten().map(|callback| {
            drop_contained(callback, || format!("a removed done-callback of {}", self.id()));
        });
        removed.is_some()
    }
}

/// Done-callbacks' registration, on the task table's cold data, where the executor finds them when the
/// task ends (`join.rs` runs them).
impl Tasks {
    /// Registers a done-callback numbered `number` with the task under `key`; whether the task has
    /// ended already (the caller then queues it at once). The callback comes back if the entry is gone,
    /// for the caller to drop with nothing borrowed.
    pub(crate) fn add_callback(
        &mut self,
        key: Key,
        number: u64,
        callback: DoneCallback,
    ) -> Result<bool, DoneCallback> {
        let Some(entry) = self.entries.get_mut(key) else {
            return Err(callback);
        };
        entry.callbacks += 1;
        let done = entry.is_done();
        let rare = self.cold.rare.entry(key.index()).or_default();
        rare.callbacks.push_back((number, callback));
        Ok(done)
    }

    /// Takes back the done-callback numbered `number` of the task under `key`, unless the task has
    /// ended (its callbacks are scheduled then, as in asyncio).
    pub(crate) fn remove_callback(&mut self, key: Key, number: u64) -> Option<DoneCallback> {
        let entry = self.entries.get_mut(key).filter(|entry| !entry.is_done())?;
        let registered = &mut self.cold.rare.get_mut(&key.index())?.callbacks;
        let at = registered.iter().position(|(n, _)| *n == number)?;
        entry.callbacks -= 1;
        registered.remove(at).map(|(_, callback)| callback)
    }
}

/// How a done-callback (and `JoinHandle::stats`) sees a finished task's result without taking it.
impl<T> Results<T> {
    /// Lends the result to `look`. It is taken out of the table while `look` runs, so that `look` may
    /// reach this table itself (a callback that awaits another task's handle).
    /// A panic in `look` unwinds on, once the result is back.
    pub(crate) fn lend(&self, key: Key, look: impl FnOnce(&Result<T, JoinError>)) {
        let result = self.slots.borrow_mut().get_mut(key).and_then(Option::take);
        let Some(result) = result else { return };
        let looked = catch_unwind(AssertUnwindSafe(|| look(&result)));
        if let Some(slot) = self.slots.borrow_mut().get_mut(key) {
            *slot = Some(result);
        }
        looked.unwrap_or_else(|panic| resume_unwind(panic));
    }
}
