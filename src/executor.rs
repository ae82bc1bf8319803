//! The executor: the task table, and the turns that run it.
//!
//! # A turn
//!
//! The loop works in turns, as asyncio's `_run_once` does:
//!
//! ```text
//! begin:  now ← clock (once)          remaining ← ready-queue length          due ← wheel.poll(now)
//! run:    pop and run `remaining` items, in queue order (poll a task, run a callback, poll main)
//! end:    fire `due`: each timer's waker queues its task, for the next turn
//! idle:   nothing queued, nothing due → move the clock to the next deadline (virtual: jump; real: sleep)
//! ```
//!
//! Everything that becomes ready *during* a turn (a wake, a spawn, a done-callback) goes to the back of
//! the queue and waits for the next turn. Firing timers last matches asyncio, which appends due timer
//! handles behind the callbacks that were ready when the turn began; their wakes, like asyncio's
//! `future.set_result`, take effect one turn later. These rules decide the demos' output, line for line.
//!
//! # Layers
//!
//! [`Executor::step`] does one unit of work: poll one task, run one callback, fire the due timers, or move
//! the clock. [`Executor::block_on`] is a loop over the same step, plus polling its own future when that
//! future's waker fired. So what a stepper shows is exactly what runs.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::callback::{Callback, CallbackHandle, PlainCallback};
use crate::clock::Clock;
use crate::handle::{Handle, TimerAction, current, enter};
use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::queue::Runnable;
use crate::remote::Remote;
use crate::slab::Key;
use crate::task::{Task, TaskId};
use crate::time::wheel::TimerKey;
use crate::waker::{Target, TaskWaker};

/// A single-threaded executor with its own ready queue, waker, timer wheel and clock.
///
/// [`block_on`](Executor::block_on) plays `asyncio.run`: it runs a future to completion, together with
/// every task spawned meanwhile. Spawned futures need not be `Send`: they never leave this thread.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let total = executor.block_on(async {
///     let a = spawn(async { sleep(Duration::from_millis(100)).await; 1 });
///     let b = spawn(async { sleep(Duration::from_millis(100)).await; 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(total, 3);
/// assert_eq!(executor.now(), Duration::from_millis(100), "the two sleeps overlapped");
/// ```
pub struct Executor {
    handle: Rc<Handle>,
    clock: Clock,
    turn: Turn,
    /// Tells one `block_on` call's main-future wakes from an earlier call's.
    main_generation: u64,
}

/// The bookkeeping of the turn in progress.
#[derive(Debug, Default)]
struct Turn {
    /// Turns begun so far.
    number: u64,
    /// Queue items this turn still runs; fixed when the turn begins.
    remaining: usize,
    /// Timers that were due when the turn began, fired at its end.
    due: Vec<TimerKey>,
}

/// What one call to [`Executor::step`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Dropped a cancelled task's future instead of polling it.
    Cancelled {
        /// The task cancelled.
        task: TaskId,
    },
    /// Ran work sent from another thread through a [`Remote`].
    RanRemote,
    /// Polled a spawned task once; `finished` when it returned or panicked.
    Polled {
        /// The task polled.
        task: TaskId,
        /// Whether the task is over.
        finished: bool,
    },
    /// Ran one done-callback of `task`.
    RanCallback {
        /// Whose callback it was.
        task: TaskId,
    },
    /// Ran one `call_soon` callback.
    RanCallSoon,
    /// The future given to `block_on` was woken; `block_on` polls it next. Never returned by
    /// [`Executor::step`] itself, which has no main future.
    MainWoken,
    /// Fired the timers that were due when the turn began: their tasks run on the next turn, their
    /// `call_later` callbacks ran right here.
    FiredTimers {
        /// How many timers fired.
        count: usize,
    },
    /// Nothing was ready, so the clock moved to the next deadline (virtual time jumps there; real time
    /// sleeps until it or until another thread wakes a task).
    AdvancedClock {
        /// The clock's reading afterwards.
        now: Duration,
    },
    /// Nothing is ready and no timer is armed: only a wake from another thread can make progress.
    Idle,
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("clock", &self.clock)
            .field("turn", &self.turn.number)
            .field("tasks", &self.handle.tasks.borrow().len())
            .field("queued", &self.handle.queue.len())
            .field("timers", &self.handle.timers.borrow().len())
            .finish()
    }
}

impl Executor {
    /// An executor on the real clock: sleeps take real time.
    pub fn new() -> Executor {
        Executor::with_clock(Clock::real())
    }

    /// An executor on virtual time: when nothing is ready, the clock jumps straight to the next deadline,
    /// so sleeps take no real time and every run is deterministic. For tests and for the demos'
    /// `--virtual-time`.
    pub fn with_virtual_time() -> Executor {
        Executor::with_clock(Clock::virtual_time())
    }

    fn with_clock(clock: Clock) -> Executor {
        Executor {
            handle: Rc::new(Handle::new()),
            clock,
            turn: Turn::default(),
            main_generation: 0,
        }
    }

    /// Whether this executor runs on virtual time.
    pub fn is_virtual_time(&self) -> bool {
        self.clock.is_virtual()
    }

    /// The executor's clock: time since it was created (real) or virtual time so far.
    pub fn now(&self) -> Duration {
        Duration::from_micros(self.clock.now_us())
    }

    /// How many timers are armed or due: every pending `sleep` that was polled once, and nothing else
    /// (a dropped `Sleep` leaves no entry behind).
    pub fn armed_timers(&self) -> usize {
        self.handle.timers.borrow().len()
    }

    /// How many spawned tasks have not finished yet.
    pub fn pending_tasks(&self) -> usize {
        self.handle.tasks.borrow().len()
    }

    /// How many turns have begun.
    pub fn turns(&self) -> u64 {
        self.turn.number
    }

    /// Spawns a task from outside the executor, for instance before [`block_on`](Executor::block_on).
    /// It runs once the executor runs. Inside async code use the free function [`spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs `future` to completion on this thread, running every spawned task along the way:
    /// asyncio's `asyncio.run(main())`.
    ///
    /// The future is polled in the ready queue's order like a task (it is `Task-1`, asyncio's main
    /// task). When it returns, the rest of the current turn runs and then one more turn, as asyncio does
    /// when `run` stops its loop; tasks still pending after that stay in the executor and are dropped
    /// with it. A panic in `future` itself reaches the caller.
    ///
    /// # Panics
    ///
    /// When called from inside a running executor (a nested `block_on` would stall the outer loop):
    /// `.await` the future instead.
    ///
    /// ```
    /// use minimalist_async::Executor;
    ///
    /// let mut executor = Executor::new();
    /// assert_eq!(executor.block_on(async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&mut self, future: F) -> F::Output {
        let _entered = enter(&self.handle);
        self.main_generation += 1;
        let main = self.main_generation;
        // Task-1, like asyncio's main task.
        let _main_id = self.handle.next_task_id();
        let waker = TaskWaker::new_queued(Target::Main(main), self.handle.queue.sender());
        let std_waker = Waker::from(Arc::clone(&waker));
        self.handle.queue.push(Runnable::Main(main));
        let mut future = pin!(future);
        loop {
            match self.step_entered(Some(main)) {
                Step::MainWoken => {
                    waker.clear_queued();
                    let mut cx = Context::from_waker(&std_waker);
                    if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                        self.finish_after_main();
                        return output;
                    }
                }
                Step::Idle => self.handle.queue.wait(None),
                _ => {}
            }
        }
    }

    /// Does one unit of work and says which; see [`Step`]. On the real clock, a step that has to wait
    /// for a deadline sleeps until then.
    ///
    /// # Panics
    ///
    /// When called from inside a running executor.
    ///
    /// ```
    /// use minimalist_async::{Executor, Step};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let handle = executor.spawn(async { "done" });
    /// assert!(matches!(executor.step(), Step::Polled { finished: true, .. }));
    /// assert!(handle.is_finished());
    /// assert_eq!(executor.step(), Step::Idle);
    /// ```
    #[track_caller]
    pub fn step(&mut self) -> Step {
        let _entered = enter(&self.handle);
        self.step_entered(None)
    }

    /// One step, with this thread already inside the executor. `main` is the main-future entry that
    /// counts as live (outside `block_on` there is none, and stale ones are skipped).
    fn step_entered(&mut self, main: Option<u64>) -> Step {
        loop {
            if let Some(step) = self.next_in_turn(main) {
                return step;
            }
            if !self.begin_turn() {
                return self.advance_clock();
            }
        }
    }

    /// Reads the clock, fixes how many queued items this turn runs, and collects the due timers.
    /// Returns whether the turn has anything to do.
    fn begin_turn(&mut self) -> bool {
        let now = self.clock.now_us();
        self.handle.now_us.set(now);
        self.turn.remaining = self.handle.queue.len();
        self.handle
            .timers
            .borrow_mut()
            .poll(now, &mut self.turn.due);
        let has_work = self.turn.remaining > 0 || !self.turn.due.is_empty();
        if has_work {
            self.turn.number += 1;
        }
        has_work
    }

    /// The next unit of work of the current turn, or `None` when the turn is over.
    fn next_in_turn(&mut self, main: Option<u64>) -> Option<Step> {
        while self.turn.remaining > 0 {
            self.turn.remaining -= 1;
            let Some(runnable) = self.handle.queue.pop() else {
                self.turn.remaining = 0;
                break;
            };
            // Stale entries (a wake for a finished task, an old block_on's main) are skipped.
            let step = match runnable {
                Runnable::Task(key) => self.poll_task(key),
                Runnable::Callback(key) => self.run_callback(key),
                Runnable::Main(generation) => (Some(generation) == main).then_some(Step::MainWoken),
                Runnable::Remote(work) => {
                    work();
                    Some(Step::RanRemote)
                }
            };
            if step.is_some() {
                return step;
            }
        }
        if !self.turn.due.is_empty() {
            let count = self.fire_due_timers();
            if count > 0 {
                return Some(Step::FiredTimers { count });
            }
        }
        None
    }

    /// Polls one task, catching a panic so that the other tasks keep running; or drops it, if it was
    /// cancelled.
    fn poll_task(&mut self, key: Key) -> Option<Step> {
        let (id, mut future, waker) = {
            let mut tasks = self.handle.tasks.borrow_mut();
            let task = tasks.get_mut(key)?;
            if task.waker.cancel_requested() {
                drop(tasks);
                return Some(self.drop_cancelled(key));
            }
            let future = task.future.take()?;
            task.waker.clear_queued();
            (task.id, future, task.std_waker.clone())
        };
        let mut cx = Context::from_waker(&waker);
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)));
        if let Ok(Poll::Pending) = polled {
            if let Some(task) = self.handle.tasks.borrow_mut().get_mut(key) {
                task.future = Some(future);
            }
            return Some(Step::Polled {
                task: id,
                finished: false,
            });
        }
        let task = self
            .handle
            .tasks
            .borrow_mut()
            .remove(key)
            .expect("a task is removed only here");
        drop(future);
        if let Err(panic) = polled {
            task.completion.fail(JoinError::panicked(id, panic));
        }
        task.completion.notify(&self.handle);
        Some(Step::Polled {
            task: id,
            finished: true,
        })
    }

    /// The task was cancelled: its future is dropped unpolled (which disarms its sleeps), and its handle
    /// and callbacks learn it as a cancelled `JoinError`.
    fn drop_cancelled(&mut self, key: Key) -> Step {
        let task = self
            .handle
            .tasks
            .borrow_mut()
            .remove(key)
            .expect("checked by the caller");
        let Task {
            id,
            future,
            completion,
            ..
        } = task;
        drop(future);
        completion.fail(JoinError::cancelled(id));
        completion.notify(&self.handle);
        Step::Cancelled { task: id }
    }

    fn run_callback(&mut self, key: Key) -> Option<Step> {
        let callback = self.handle.callbacks.borrow_mut().remove(key)?;
        Some(match callback {
            Callback::Done(completion) => {
                completion.run_next_callback();
                Step::RanCallback {
                    task: completion.task_id(),
                }
            }
            Callback::Plain(callback) => {
                callback.run();
                Step::RanCallSoon
            }
        })
    }

    /// Fires the timers collected when the turn began, in deadline-then-arming order. A timer whose
    /// `Sleep` was dropped meanwhile is gone from the wheel and fires nothing.
    fn fire_due_timers(&mut self) -> usize {
        let mut fired = 0;
        for key in std::mem::take(&mut self.turn.due) {
            // Take the action out first, so the wheel is not borrowed while a waker or callback runs.
            let action = self.handle.timers.borrow_mut().remove(key);
            match action {
                Some(TimerAction::Wake(waker)) => waker.wake(),
                Some(TimerAction::Call(callback)) => callback.run(),
                None => continue,
            }
            fired += 1;
        }
        fired
    }

    /// Nothing is ready: move the clock to the next deadline, or report that only another thread can help.
    fn advance_clock(&mut self) -> Step {
        let Some(deadline) = self.handle.timers.borrow().next_deadline() else {
            return Step::Idle;
        };
        if self.clock.is_virtual() {
            self.clock.advance_to(deadline);
        } else {
            // An instant too far to represent means "never" in practice: wait for another thread.
            self.handle.queue.wait(self.clock.instant_at(deadline));
        }
        Step::AdvancedClock { now: self.now() }
    }

    /// After the main future returned, as `asyncio.run` does: its loop stops from a callback queued at
    /// that moment, so the rest of this turn runs, then one more turn. Then every task still pending is
    /// cancelled, and the loop runs until the cancellations and their done-callbacks are through. No time
    /// passes for any of it.
    fn finish_after_main(&mut self) {
        self.run_turn_to_end();
        if self.begin_turn() {
            self.run_turn_to_end();
        }
        let pending: Vec<Key> = self.handle.tasks.borrow().keys().collect();
        for key in pending {
            self.handle.cancel(key);
        }
        while self.begin_turn() {
            self.run_turn_to_end();
        }
    }

    fn run_turn_to_end(&mut self) {
        while self.next_in_turn(None).is_some() {}
    }

    /// Schedules `callback` for the next turn, from outside the executor: see [`call_soon`](crate::call_soon).
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> CallbackHandle {
        self.handle.call_soon(PlainCallback::new(callback))
    }

    /// Schedules `callback` after `delay`, from outside the executor: see [`call_later`](crate::call_later).
    #[track_caller]
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
        self.handle.call_later(delay, PlainCallback::new(callback))
    }

    /// A `Send` handle through which other threads spawn tasks and queue callbacks on this executor.
    pub fn remote(&self) -> Remote {
        Remote::new(self.handle.queue.sender())
    }
}

impl Drop for Executor {
    /// Drops every pending future, queued callback, armed timer and message from another thread exactly
    /// once, and says on stderr which tasks were still pending: nothing disappears unreported.
    ///
    /// A future may hold a `Sleep` that points back at the handle, and a done-callback may hold its own
    /// task's handle, so the tables are emptied here rather than left to reference counting. Dropping a
    /// future may queue more work, hence the loop.
    fn drop(&mut self) {
        let mut unfinished = Vec::new();
        loop {
            let tasks = std::mem::take(&mut *self.handle.tasks.borrow_mut());
            let callbacks = std::mem::take(&mut *self.handle.callbacks.borrow_mut());
            if tasks.len() == 0 && callbacks.len() == 0 {
                break;
            }
            for task in tasks.into_values() {
                unfinished.push(task.id);
                drop(task.future);
                task.completion.discard();
            }
            drop(callbacks);
        }
        let timers = std::mem::take(&mut *self.handle.timers.borrow_mut());
        drop(timers);
        self.handle.queue.clear();
        if !unfinished.is_empty() {
            unfinished.sort();
            let names: Vec<String> = unfinished.iter().map(TaskId::to_string).collect();
            eprintln!(
                "minimalist-async: executor dropped with {} unfinished task(s), dropped unfinished: {}",
                names.len(),
                names.join(", ")
            );
        }
    }
}

/// Spawns a task on the running executor and returns its [`JoinHandle`]: asyncio's `create_task`.
///
/// The task does not run inside `spawn`: it is queued, and first runs when the spawner yields and the
/// queue reaches it (on the next turn). The future need not be `Send`.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::spawn`] there.
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let doubled = executor.block_on(async { spawn(async { 21 * 2 }).await.unwrap() });
/// assert_eq!(doubled, 42);
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    current("spawn()").spawn(future)
}
