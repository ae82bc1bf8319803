//! One turn: what the executor takes in when a turn begins, what it runs, and how the clock moves
//! when nothing is left.
//!
//! The loop works in turns, as asyncio's `_run_once` does:
//!
//! ```text
//! begin:  batch ← the local queue, then what other threads sent      due ← wheel.poll(clock, once)
//! run:    pop and run exactly the batch, in order (poll a task, run a callback, poll main)
//! end:    fire `due`: each timer's wake queues its task, for the next turn
//! idle:   nothing queued, nothing due → move the clock to the next deadline (virtual: jump; real: sleep)
//! ```
//!
//! Everything that becomes ready *during* a turn (a wake, a spawn, a done-callback) goes to the back of
//! the queue and waits for the next turn, so a task that keeps waking itself cannot starve the others.
//! Firing timers last matches asyncio, which appends due timer handles behind the callbacks that were
//! ready when the turn began; their wakes, like asyncio's `future.set_result`, take effect one turn
//! later. These rules decide the demos' output, line for line.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::runtime::handle::{Handle, Timers};
use crate::runtime::poll::poll_task;
use crate::runtime::queue::{CALL, DONE, TASK, drain_floor};
use crate::runtime::rules::Rule;
use crate::runtime::step::Step;
use crate::runtime::tagged::Tagged;

/// The bookkeeping of the turn in progress.
#[derive(Default)]
pub(crate) struct Turn {
    /// The entries this turn runs, in order; fixed when the turn begins.
    batch: Vec<Tagged>,
    /// How many of the batch's entries have run: the rest, from here, are still to come.
    next: usize,
    /// How many of the due timers (`Timers::due`) have fired.
    fired: usize,
    /// Whether timers came due when the turn began and are still to fire. Speed: the end of every
    /// batch asks this, not the borrowed `Timers::due` (measured: instructions per op, timers_virtual
    /// 3,162 → 3,122, timers_virtual_ms 2,478 → 2,469, ping_pong 505 → 492, yield_many 319 → 314).
    firing: bool,
    /// Below this length the batch gives half its room back (`Turn::give_back`).
    shrink_below: usize,
}

/// On the real clock, the executor sleeps until the end of the 750 µs window its next deadline falls in,
/// then fires everything due by then: timers due close together cost one wake-up of the thread instead
/// of one each (the idea of Linux's timer slack). Each wake-up of a sleeping thread costs tens of
/// microseconds of CPU in the kernel, so with many timers this decides the executor's CPU use. A timer
/// then fires at most 0.75 ms late (plus the operating system's own latency), never early. Tokio
/// rounds its deadlines up to whole milliseconds for the same reason. Virtual time jumps to the exact
/// deadline.
const REAL_CLOCK_COALESCING_US: u64 = 750;

impl Turn {
    /// Takes in everything queued and, if any timer is armed, reads the clock once and collects the
    /// timers due by then. Returns whether the turn has anything to do.
    #[inline]
    pub(crate) fn begin(&mut self, handle: &Handle) -> bool {
        // A turn begins when the last one is over: its batch emptied, no entry of it counted as run.
        debug_assert_eq!((self.next, self.batch.len()), (0, 0), "the last turn is not over");
        // Other threads' messages join behind the local entries, when a sender raised the flag: taking
        // them in queues them locally, so one swap then takes the whole batch. A message whose flag is
        // not up yet waits for the next turn; an executor about to sleep looks at the flag itself first
        // (`ReadyQueue::wait`), so none is missed.
        handle.take_in_if_sent();
        handle.queue.take_local(&mut self.batch);
        self.shrink_below = drain_floor(self.batch.capacity());
        let mut timers = handle.timers.borrow_mut();
        if !timers.wheel.is_empty() || handle.sink.get().is_some() {
            let now = handle.now_us();
            // Speed: the task table is borrowed only if the wheel asks, and most turns have nothing
            // due (measured: timers_virtual 3,207 → 3,162 instructions per op, timers_virtual_ms
            // 2,489 → 2,478).
            let tasks = || handle.tasks.borrow();
            let Timers { wheel, others, due } = &mut *timers;
            let live = |t: &_| Timers::is_live(others, &tasks(), t);
            wheel.poll(now, due, live, |t| Timers::warm(&tasks(), t));
            handle.turn_time.set(now);
        }
        if handle.rules.get().is_broken(Rule::LifoTies) {
            // A broken rule (`Rule::LifoTies`): equal deadlines fire newest first.
            for ties in timers.due.chunk_by_mut(|a, b| a.deadline == b.deadline) {
                ties.reverse();
            }
        }
        self.firing = !timers.due.is_empty();
        let has_work = !self.batch.is_empty() || self.firing;
        if has_work {
            handle.turn.set(handle.turn.get() + 1);
        }
        has_work
    }

    /// The next unit of work of the current turn, or `None` when the turn is over.
    #[inline]
    pub(crate) fn next(&mut self, handle: &Rc<Handle>) -> Option<Step> {
        // Taken out of the table in a call of its own, so that the table is not borrowed while the
        // call runs.
        let take_call = |key| handle.calls.borrow_mut().remove(key);
        while let Some(&queued) = self.batch.get(self.next) {
            self.next += 1;
            if self.batch.len() - self.next < self.shrink_below {
                self.give_back();
            }
            // Each arm returns `None` for a stale entry (a task that ended while queued, a cancelled
            // call), which is skipped.
            // Matched on the tag, the key read in each arm: a task's key is then the queued word
            // itself (`Tagged::key`).
            let step = match queued.tag() {
                TASK => poll_task(handle, queued.key()),
                DONE => {
                    handle.run_done_callback(queued.key()).map(|task| Step::RanCallback { task })
                }
                CALL => take_call(queued.key()).map(|call| {
                    handle.record(|sink, at| sink.callback_ran(at, None));
                    call();
                    Step::RanCallSoon
                }),
                _ => take_call(queued.key()).map(|call| {
                    call();
                    Step::RanRemote
                }),
            };
            if step.is_some() {
                return step;
            }
        }
        // All of the batch has run: emptied, its room kept for the next turn's swap.
        self.clear_batch();
        if !std::mem::take(&mut self.firing) {
            return None;
        }
        let count = self.fire_due_timers(handle);
        (count > 0).then_some(Step::FiredTimers { count })
    }

    /// A burst's batch has drained to half its room: that half goes back now, not when the turn
    /// ends. A million spawns' first turn arms a timer per task as it drains, and the batch's 8 MB
    /// no longer waits beside the whole wheel (timers_virtual's first-turn peak 222 → 218 B/task;
    /// the copies cost one entry's move per entry, once in all).
    #[cold]
    fn give_back(&mut self) {
        // Moved to the front, then shrunk in place: a copy into a new buffer would hold both.
        self.batch.drain(..self.next);
        self.batch.shrink_to_fit();
        self.next = 0;
        self.shrink_below = drain_floor(self.batch.capacity());
    }

    /// The entries of the batch still to run, in order: for snapshots.
    pub(crate) fn still_queued(&self) -> &[Tagged] {
        &self.batch[self.next..]
    }

    /// Empties the batch, keeping its room: when all of it has run, and at the executor's teardown,
    /// which forgets the rest (the entries are plain keys: what they name is dropped with the tables).
    #[inline]
    pub(crate) fn clear_batch(&mut self) {
        self.batch.clear();
        self.next = 0;
    }

    /// Fires the timers collected when the turn began, in deadline-then-arming order, and counts them.
    /// A timer whose `Sleep` was dropped meanwhile has no record any more and fires nothing. Each is
    /// read from `Timers::due` with nothing borrowed while it fires (its waker or callback may arm,
    /// cancel or re-point timers); clearing keeps the buffer's capacity for the next turn.
    fn fire_due_timers(&mut self, handle: &Handle) -> usize {
        let mut fired = 0;
        loop {
            // One borrow per timer, the last one's clearing too (Speed: timers_virtual 3,107 → 3,093,
            // timers_virtual_ms 2,468 → 2,459 instructions per op).
            let mut timers = handle.timers.borrow_mut();
            let Some(&timer) = timers.due.get(self.fired) else { break timers.due.clear() };
            drop(timers);
            self.fired += 1;
            fired += usize::from(handle.fire(&timer));
        }
        self.fired = 0;
        fired
    }

    /// Runs what is left of the current turn.
    pub(crate) fn run_to_end(&mut self, handle: &Rc<Handle>) {
        while self.next(handle).is_some() {}
    }
}

/// Nothing is ready: moves the clock to the next deadline, or reports that only another thread can
/// help.
pub(crate) fn advance_clock(handle: &Handle) -> Step {
    let Some(deadline) = handle.next_deadline() else { return Step::Idle };
    let clock = handle.clock.get();
    if clock.is_virtual() {
        // Two waits for another thread. A `spawn_blocking` thread takes real time and its result may
        // change what happens next: jumping past it would fire timers it should have beaten (tokio
        // holds its paused clock the same way). And what was sent since this turn looked (a
        // blocking thread sends its result before it lets the clock go) is taken in first, by the
        // next turn, so that the clock does not jump past it.
        if handle.clock_holds.load(Ordering::Acquire) > 0 || !handle.queue.nothing_sent() {
            return Step::Idle;
        }
        // The jump says so to the sink itself, and says where it landed (`Handle::move_clock_to`).
        return Step::AdvancedClock { now: Duration::from_micros(handle.move_clock_to(deadline)) };
    }
    // Wake at the end of the coalescing window the deadline falls in, so that timers due close
    // together are handled in one wake-up (see `REAL_CLOCK_COALESCING_US`). An instant too far to
    // represent means "never" in practice: wait for another thread.
    let wake_at = deadline.checked_next_multiple_of(REAL_CLOCK_COALESCING_US).unwrap_or(u64::MAX);
    handle.queue.wait(clock.instant_at(wake_at));
    // Read once: the event and the step report the same time.
    let now = Duration::from_micros(handle.now_us());
    handle.record(|sink, at| sink.clock_advanced(at, now));
    Step::AdvancedClock { now }
}
