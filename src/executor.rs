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

use crate::clock::Clock;
use crate::handle::{Handle, current, enter};
use crate::join::{JoinError, JoinHandle};
use crate::queue::Runnable;
use crate::task::TaskId;
use crate::time::wheel::TimerKey;
use crate::waker::TaskWaker;

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
    /// The future given to `block_on` was woken; `block_on` polls it next. Never returned by
    /// [`Executor::step`] itself, which has no main future.
    MainWoken,
    /// Fired the timers that were due when the turn began: their tasks run on the next turn.
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
        let main = Runnable::Main(self.main_generation);
        // Task-1, like asyncio's main task.
        let _main_id = self.handle.next_task_id();
        let waker = TaskWaker::new_queued(main, self.handle.queue.sender());
        let std_waker = Waker::from(Arc::clone(&waker));
        self.handle.queue.push(main);
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
    fn step_entered(&mut self, main: Option<Runnable>) -> Step {
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
    fn next_in_turn(&mut self, main: Option<Runnable>) -> Option<Step> {
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
                Runnable::Main(_) => (Some(runnable) == main).then_some(Step::MainWoken),
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

    /// Polls one task, catching a panic so that the other tasks keep running.
    fn poll_task(&mut self, key: crate::slab::Key) -> Option<Step> {
        let (id, mut future, waker) = {
            let mut tasks = self.handle.tasks.borrow_mut();
            let task = tasks.get_mut(key)?;
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

    fn run_callback(&mut self, key: crate::slab::Key) -> Option<Step> {
        let completion = self.handle.callbacks.borrow_mut().remove(key)?;
        completion.run_next_callback();
        Some(Step::RanCallback {
            task: completion.task_id(),
        })
    }

    /// Fires the timers collected when the turn began, in deadline-then-arming order. A timer whose
    /// `Sleep` was dropped meanwhile is gone from the wheel and fires nothing.
    fn fire_due_timers(&mut self) -> usize {
        let mut fired = 0;
        for key in std::mem::take(&mut self.turn.due) {
            // Take the waker out before waking, so the wheel is not borrowed while a waker runs.
            let waker = self.handle.timers.borrow_mut().remove(key);
            if let Some(waker) = waker {
                waker.wake();
                fired += 1;
            }
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

    /// After the main future returned: asyncio's `run` stops its loop from a callback queued at that
    /// moment, so everything queued before it still runs: the rest of this turn, then one more turn.
    /// No time passes for it.
    fn finish_after_main(&mut self) {
        while self.next_in_turn(None).is_some() {}
        if self.begin_turn() {
            while self.next_in_turn(None).is_some() {}
        }
    }
}

impl Drop for Executor {
    /// Drops every pending future and queued callback exactly once. A future may hold a `Sleep` that
    /// points back at the handle, so the tables are emptied here rather than left to reference counting;
    /// dropping a future may in turn queue a callback, hence the loop.
    fn drop(&mut self) {
        loop {
            let tasks = std::mem::take(&mut *self.handle.tasks.borrow_mut());
            let callbacks = std::mem::take(&mut *self.handle.callbacks.borrow_mut());
            if tasks.len() == 0 && callbacks.len() == 0 {
                break;
            }
            drop(tasks);
            drop(callbacks);
        }
        let timers = std::mem::take(&mut *self.handle.timers.borrow_mut());
        drop(timers);
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
