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

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::handle::{Handle, enter};
use crate::queue::Runnable;
use crate::run::{lost_waker, report_lost_waker};
use crate::step::Step;
use crate::time::wheel::TimerKey;
use crate::trace::EventKind;
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
    pub(crate) handle: Rc<Handle>,
    pub(crate) turn: Turn,
    /// Tells one `block_on` call's main-future wakes from an earlier call's.
    main_generation: u64,
    /// A poll that takes this long (real time) gets a warning on stderr; `None` switches it off.
    pub(crate) slow_poll: Option<Duration>,
    /// When the poll in progress started, while polls are being timed.
    pub(crate) poll_started: Option<Instant>,
}

/// The bookkeeping of the turn in progress.
#[derive(Debug, Default)]
pub(crate) struct Turn {
    /// Turns begun so far.
    pub(crate) number: u64,
    /// The ready-queue entries taken off the channel: the first `remaining` belong to this turn, any
    /// after them (moved here by a snapshot) to the next.
    pub(crate) batch: VecDeque<Runnable>,
    /// Entries of `batch` this turn still runs; fixed when the turn begins.
    pub(crate) remaining: usize,
    /// Timers that were due when the turn began, fired at its end.
    pub(crate) due: Vec<TimerKey>,
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("clock", &self.handle.clock.get())
            .field("turn", &self.turn.number)
            .field("tasks", &self.handle.tasks.borrow().len())
            .field("timers", &self.handle.timers.borrow().len())
            .finish_non_exhaustive()
    }
}

/// On the real clock, the executor sleeps until the end of the 750 µs window its next deadline falls in,
/// then fires everything due by then: timers due close together cost one wake-up of the thread instead
/// of one each (the idea of Linux's timer slack). Each wake-up of a sleeping thread costs tens of
/// microseconds of CPU in the kernel, so with many timers this decides the executor's CPU use. A timer
/// then fires at most 0.75 ms late (plus the operating system's own latency), never early: the window
/// was chosen to keep the 99th percentile of lateness under 1 ms (BENCHMARKS.md, `timers_real`). Tokio
/// rounds its deadlines up to whole milliseconds for the same reason. Virtual time needs none of this
/// and jumps to the exact deadline.
const REAL_CLOCK_COALESCING_US: u64 = 750;

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
            handle: Rc::new(Handle::new(clock)),
            turn: Turn::default(),
            main_generation: 0,
            slow_poll: None,
            poll_started: None,
        }
    }

    /// Runs `future` to completion on this thread, running every spawned task along the way:
    /// asyncio's `asyncio.run(main())`.
    ///
    /// The future is polled in the ready queue's order like a task (it is `Task-1`, asyncio's main
    /// task). When it returns, the rest of the current turn runs, then one more turn, as asyncio does
    /// when `run` stops its loop; then every task still pending is cancelled and the loop runs until
    /// their done-callbacks have run. A panic in `future` itself reaches the caller.
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
        let id = self.handle.next_task_id();
        let waker = TaskWaker::new_queued(
            Target::Main(main),
            id,
            self.handle.queue.inbox(),
            self.handle.trace.get().cloned(),
        );
        let std_waker = Waker::from(Arc::clone(&waker));
        self.handle.queue.push(Runnable::Main(main));
        let mut future = pin!(future);
        let mut reported_lost = false;
        loop {
            match self.step_entered(Some(main), true) {
                Some(Step::MainWoken) => {
                    waker.clear_queued();
                    let mut cx = Context::from_waker(&std_waker);
                    let polled = self.poll_as(id, || future.as_mut().poll(&mut cx));
                    self.after_poll(id, polled.is_ready(), None);
                    if let Poll::Ready(output) = polled {
                        self.finish_after_main();
                        return output;
                    }
                    if !reported_lost && lost_waker(&waker) {
                        reported_lost = true;
                        report_lost_waker(&format!("{id} (the block_on future)"));
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
        self.step_entered(None, true)
            .expect("a step that may move the clock always does something")
    }

    /// One step, with this thread already inside the executor. `main` is the `block_on` call whose main
    /// future counts as live (outside `block_on` there is none, and stale entries are skipped). Without
    /// `may_advance`, returns `None` where the clock would have to move.
    pub(crate) fn step_entered(&mut self, main: Option<u64>, may_advance: bool) -> Option<Step> {
        loop {
            if let Some(step) = self.next_in_turn(main) {
                return Some(step);
            }
            if !self.begin_turn() {
                return may_advance.then(|| self.advance_clock());
            }
        }
    }

    /// Takes everything queued into the turn's batch, reads the clock if any timer is armed, and
    /// collects the due timers. Returns whether the turn has anything to do.
    pub(crate) fn begin_turn(&mut self) -> bool {
        self.handle.new_turn();
        self.handle.queue.drain_into(&mut self.turn.batch);
        self.turn.remaining = self.turn.batch.len();
        let mut timers = self.handle.timers.borrow_mut();
        if !timers.is_empty() {
            timers.poll(self.handle.now_us(), &mut self.turn.due);
        }
        drop(timers);
        let has_work = self.turn.remaining > 0 || !self.turn.due.is_empty();
        if has_work {
            self.turn.number += 1;
            if let Some(trace) = self.handle.trace.get() {
                trace.publish(self.turn.number, self.handle.now_us());
            }
        }
        has_work
    }

    /// The next unit of work of the current turn, or `None` when the turn is over.
    pub(crate) fn next_in_turn(&mut self, main: Option<u64>) -> Option<Step> {
        while self.turn.remaining > 0 {
            self.turn.remaining -= 1;
            let runnable = self
                .turn
                .batch
                .pop_front()
                .expect("remaining counts entries in the batch");
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

    /// Nothing is ready: move the clock to the next deadline, or report that only another thread can help.
    fn advance_clock(&mut self) -> Step {
        let Some(deadline) = self.handle.timers.borrow_mut().next_deadline() else {
            return Step::Idle;
        };
        let mut clock = self.handle.clock.get();
        if clock.is_virtual() && self.handle.blocking_threads.load(Ordering::Acquire) > 0 {
            // A `spawn_blocking` thread takes real time and its result may change what happens next:
            // jumping past it would fire timers it should have beaten (tokio holds its paused clock
            // the same way). Wait for it, as for any other thread.
            return Step::Idle;
        }
        if clock.is_virtual() {
            clock.advance_to(deadline);
            self.handle.clock.set(clock);
        } else {
            // Wake at the end of the coalescing window the deadline falls in, so that timers due close
            // together are handled in one wake-up (see `REAL_CLOCK_COALESCING_US`). An instant too far to
            // represent means "never" in practice: wait for another thread.
            let wake_at = deadline
                .div_ceil(REAL_CLOCK_COALESCING_US)
                .saturating_mul(REAL_CLOCK_COALESCING_US);
            self.handle.queue.wait(clock.instant_at(wake_at));
        }
        let now = self.now();
        self.handle.record(|| EventKind::ClockAdvanced { to: now });
        Step::AdvancedClock { now }
    }
}
