//! The executor and its whole run API: `block_on`, `step`, `try_step`, `run_until_stalled`, `advance`,
//! `now`.
//!
//! # Layers
//!
//! [`Executor::step`] does one unit of work: poll one task, run one callback, fire the due timers, or
//! move the clock (`turn.rs` says what a turn is). [`Executor::block_on`] is a loop over the same step,
//! plus polling its own future when that future's waker fired; `try_step`, `run_until_stalled` and
//! `advance` are loops over it that stop at different points. So what a stepper shows is exactly what
//! runs.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;
use std::time::Instant;

use crate::runtime::clock::Clock;
use crate::runtime::handle::{Handle, enter};
use crate::runtime::join::JoinHandle;
use crate::runtime::poll::poll_main;
use crate::runtime::queue::TASK;
use crate::runtime::shutdown::{finish_after_main, tear_down};
use crate::runtime::slab::Key;
use crate::runtime::step::Step;
use crate::runtime::turn::{Turn, advance_clock};

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
    pub(crate) handle: Rc<Handle>,
    pub(crate) turn: Turn,
    /// The part of a microsecond that `advance` calls asked for and the clock, which counts whole
    /// microseconds, has not shown yet (ns).
    advanced_ns: u32,
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

impl Executor {
    /// An executor on the real clock: sleeps take real time.
    pub fn new() -> Executor {
        Executor::with_clock(Clock::Real { origin: Instant::now() })
    }

    /// An executor on virtual time: when nothing is ready, the clock jumps straight to the next deadline,
    /// so sleeps take no real time and every run is deterministic. For tests and for the demos'
    /// `--virtual-time`.
    pub fn with_virtual_time() -> Executor {
        Executor::with_clock(Clock::default())
    }

    fn with_clock(clock: Clock) -> Executor {
        Executor { handle: Rc::new(Handle::new(clock)), turn: Turn::default(), advanced_ns: 0 }
    }

    /// Runs `future` to completion on this thread, running every spawned task along the way:
    /// asyncio's `asyncio.run(main())`.
    ///
    /// The future is polled in the ready queue's order like a task (it is `Task-1`, asyncio's main
    /// task). When it returns, the rest of the current turn runs, then one more turn, as asyncio does
    /// when `run` stops its loop; then every task still pending is cancelled and the loop runs until
    /// their done-callbacks have run, then the four turns of asyncio.run's two shutdown coroutines
    /// (`src/runtime/shutdown.rs` counts them). A panic in `future` itself reaches the caller at once, as in
    /// tokio: the other tasks stay in the executor, not cancelled (a later `block_on` runs them on;
    /// dropping the executor drops them and names them), where `asyncio.run` would cancel them first.
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
        // Task-1, like asyncio's main task: an entry like a task's, so that it is woken (and awaits,
        // and sleeps) exactly as a task is.
        let id = self.handle.next_task_id();
        let key = self.handle.tasks.borrow_mut().insert(id, None, None, None);
        let main = MainEntry(Rc::clone(&self.handle), key);
        self.handle.push(key, TASK);
        let mut future = pin!(future);
        loop {
            match self.step_entered(true) {
                Some(Step::MainWoken) => {
                    if let Poll::Ready(output) = poll_main(&self.handle, key, future.as_mut()) {
                        drop(main);
                        finish_after_main(&self.handle, &mut self.turn);
                        return output;
                    }
                }
                Some(Step::Idle) => self.handle.queue.wait(None),
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
        self.step_entered(true).expect("a step that may move the clock always does something")
    }

    /// One unit of work that needs no time to pass, or `None` if there is none: the executor is
    /// stalled until the clock moves or another thread wakes a task.
    ///
    /// # Panics
    ///
    /// When called from inside a running executor.
    ///
    /// ```
    /// use minimalist_async::Executor;
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// assert_eq!(executor.try_step(), None, "nothing to do");
    /// let task = executor.spawn(async {});
    /// assert!(executor.try_step().is_some());
    /// assert!(task.is_finished());
    /// ```
    #[track_caller]
    pub fn try_step(&mut self) -> Option<Step> {
        let _entered = enter(&self.handle);
        self.step_entered(false)
    }

    /// One step, with this thread already inside the executor. Without `may_advance`, returns `None`
    /// where the clock would have to move. Speed: inlined, so that `block_on`'s loop does not pay a
    /// call per step (ping_pong 539 → 522 instructions per hit, yield_many 378 → 371 per yield).
    #[inline]
    fn step_entered(&mut self, may_advance: bool) -> Option<Step> {
        loop {
            if let Some(step) = self.turn.next(&self.handle) {
                return Some(step);
            }
            if !self.turn.begin(&self.handle) {
                return may_advance.then(|| advance_clock(&self.handle));
            }
        }
    }

    /// Runs every turn that needs no time to pass, and returns how many steps that took.
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let task = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    /// assert_eq!(executor.run_until_stalled(), 1, "one poll, then it waits for its timer");
    /// assert!(!task.is_finished());
    /// assert_eq!(executor.now(), Duration::ZERO);
    /// ```
    #[track_caller]
    pub fn run_until_stalled(&mut self) -> usize {
        let _entered = enter(&self.handle);
        std::iter::from_fn(|| self.step_entered(false)).count()
    }

    /// Moves virtual time forward by `by`, deadline by deadline, running what falls due at each one.
    /// A timer armed during the advance and due within it fires too (unlike tokio's `time::advance`,
    /// which only fires what was armed before the call). Ends with [`run_until_stalled`] at the target
    /// time. The clock counts whole microseconds: what is left of one is kept for the next advance,
    /// so a thousand advances of 1 ns move it 1 µs, and none ends a sleep early.
    ///
    /// [`run_until_stalled`]: Executor::run_until_stalled
    ///
    /// # Panics
    ///
    /// On the real clock (time cannot be moved there), or inside a running executor.
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let task = executor.spawn(async { sleep(Duration::from_millis(300)).await });
    /// executor.advance(Duration::from_millis(200));
    /// assert!(!task.is_finished());
    /// assert_eq!(executor.now(), Duration::from_millis(200));
    /// executor.advance(Duration::from_millis(100));
    /// assert!(task.is_finished());
    /// ```
    #[track_caller]
    pub fn advance(&mut self, by: Duration) {
        assert!(
            self.is_virtual_time(),
            "advance() moves virtual time; this executor runs on the real clock"
        );
        let asked_ns = by.as_nanos() + u128::from(self.advanced_ns);
        self.advanced_ns = (asked_ns % 1000) as u32;
        let whole_us = u64::try_from(asked_ns / 1000).unwrap_or(u64::MAX);
        let target = self.handle.now_us().saturating_add(whole_us);
        self.run_until_stalled();
        while self.handle.now_us() < target {
            // The next deadline, or the target if none comes before it.
            self.handle.move_clock_to(self.handle.next_deadline().unwrap_or(target).min(target));
            self.run_until_stalled();
        }
    }

    /// The executor's clock: time since it was created (real) or virtual time so far.
    pub fn now(&self) -> Duration {
        Duration::from_micros(self.handle.now_us())
    }

    /// Whether this executor runs on virtual time.
    pub fn is_virtual_time(&self) -> bool {
        self.handle.clock.get().is_virtual()
    }

    /// Spawns a task from outside the executor, for instance before [`block_on`](Executor::block_on).
    /// It runs once the executor runs. Inside async code use the free function
    /// [`spawn`](fn@crate::spawn).
    pub fn spawn<F: Future<Output: 'static> + 'static>(&self, future: F) -> JoinHandle<F::Output> {
        self.handle.spawn(None, future)
    }

    /// [`Executor::spawn`] with a name: see [`spawn_named`](fn@crate::spawn_named).
    pub fn spawn_named<F: Future<Output: 'static> + 'static>(
        &self,
        name: &str,
        future: F,
    ) -> JoinHandle<F::Output> {
        self.handle.spawn(Some(name.into()), future)
    }
}

/// Removes the `block_on` future's entry when `block_on` ends, by returning or by a panic: wakes for it
/// then find nothing.
struct MainEntry(Rc<Handle>, Key);

impl Drop for MainEntry {
    fn drop(&mut self) {
        self.0.polling.set(None);
        // Dropped at the end, once the table is no longer borrowed.
        let _entry = self.0.tasks.try_borrow_mut().ok().and_then(|mut tasks| tasks.remove(self.1));
    }
}

impl Drop for Executor {
    /// Drops every pending future, result, queued callback, armed timer and message from another thread
    /// exactly once, and says on stderr which tasks were still pending: nothing disappears unreported.
    fn drop(&mut self) {
        tear_down(&self.handle, &mut self.turn);
    }
}
