//! The handle: the executor's shared state, and how running code finds it.
//!
//! A task calls `spawn`, `sleep` or `JoinHandle::add_done_callback` without being passed the executor:
//! those functions look in the thread-local `CURRENT`, which `enter` fills while the executor runs.
//! This is the same design as tokio's runtime context and asyncio's "running loop".
//!
//! The handle owns the tables (tasks, results, queued calls, timers) behind `RefCell`s: the executor is
//! single-threaded, so no lock is needed; only the channel inside the ready queue is shared with other
//! threads. This file holds state and the few small acts every later file needs (wake, cancel, record,
//! read the clock); what the executor *does* with the state is in `timers.rs`, `poll.rs`, `turn.rs` and
//! `executor.rs`.
//!
//! A rule every file keeps: no user code (a future, a destructor, a callback) ever runs while one of
//! these `RefCell`s is borrowed, since that code may call back into the executor.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::task::{RawWakerVTable, Waker};
use std::time::Duration;

use crate::runtime::clock::Clock;
use crate::runtime::events::{Sink, Stamp};
use crate::runtime::queue::{Message, REMOTE, ReadyQueue, TASK};
use crate::runtime::results::Outputs;
use crate::runtime::rules::Rules;
use crate::runtime::slab::{Key, Slab};
use crate::runtime::table::{Entry, Tasks};
use crate::runtime::task::TaskId;
use crate::runtime::waker::{Lent, TaskWaker};
use crate::runtime::wheel::{Armed, Wheel};

/// What a timer does when it fires.
pub(crate) enum Timer {
    /// A `sleep` of a task of this executor, polled with the waker it was lent: wake it by key.
    Task(Key),
    /// A `sleep` polled with some other waker.
    Waker(Waker),
    /// A `call_later` callback: run it, right there, with the other due timers.
    Call(Box<dyn FnOnce()>),
}

/// Where a timer's record is, as the wheel holds it: in the entry of the task in this slot of the task
/// table (the task's own timer, `Entry::timer`), or in this slot of `Timers::others`. A slot index
/// without a generation: the record holds the timer's arming number, which no other timer shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerRef {
    Task(u32),
    Other(u32),
}

/// The timer wheel, and the records of the timers that are not a task's own.
#[derive(Default)]
pub(crate) struct Timers {
    pub(crate) wheel: Wheel<TimerRef>,
    /// A task's second timer, a sleep polled with another waker, a `call_later`.
    pub(crate) others: Others,
    /// The timers the wheel handed out when the turn began, fired at its end, in order. Here, not in
    /// the turn, so that a sleep re-pointed in between can mend its copy (`Handle::repoint`). Kept
    /// between turns so that collecting them allocates nothing.
    pub(crate) due: Vec<Armed<TimerRef>>,
}

/// The records of the timers that are not a task's own, each with the timer as the wheel holds it.
pub(crate) type Others = Slab<(Armed<TimerRef>, Timer)>;

impl Timers {
    /// Whether `timer` is still armed: its record is where it says, with its arming number. It takes
    /// `others` apart from the rest of `Timers` so that it can be asked while the wheel is borrowed
    /// mutably (`Handle::with_wheel`).
    pub(crate) fn is_live(others: &Others, tasks: &Tasks, timer: &Armed<TimerRef>) -> bool {
        match timer.value {
            TimerRef::Task(index) => {
                tasks.has_own_timer(index, timer.seq) || tasks.orphan_timers.contains(&timer.seq)
            }
            TimerRef::Other(index) => {
                others.at(index).is_some_and(|(_, (t, _))| t.seq == timer.seq)
            }
        }
    }
}

/// The poll in progress: whose (the entry's key and the task's id), and the waker it was given, by its
/// data and vtable pointers (compared, never dereferenced), to recognise that waker later.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Polling {
    pub(crate) key: Key,
    pub(crate) id: TaskId,
    waker: (*const (), *const RawWakerVTable),
}

/// The executor's shared state.
#[derive(Default)]
pub(crate) struct Handle {
    pub(crate) queue: ReadyQueue,
    pub(crate) tasks: RefCell<Tasks>,
    pub(crate) outputs: Outputs,
    /// `call_soon` callbacks and other threads' work in the ready queue: each `CALL` or `REMOTE`
    /// queue entry names one.
    pub(crate) calls: RefCell<Slab<Box<dyn FnOnce()>>>,
    pub(crate) timers: RefCell<Timers>,
    /// Moved only by the executor (virtual time) or by time itself.
    pub(crate) clock: Cell<Clock>,
    /// The number of the last task made; the first is `Task-1`.
    last_task_id: Cell<u64>,
    pub(crate) polling: Cell<Option<Polling>>,
    /// Set by `Sleep` and `JoinHandle` when they note the polled task's key (instead of keeping its
    /// waker): the lost-waker check then knows that something will wake the task.
    pub(crate) noted: Cell<bool>,
    /// Set by `yield_now` polled with the lent waker: the task is queued when its poll ends.
    pub(crate) yielded: Cell<bool>,
    /// The task whose future `end_task` is dropping: it has ended, so a `cancel` of it from that
    /// drop comes too late and says so.
    pub(crate) ending: Cell<Option<Key>>,
    /// Set while `take_in` runs, so that its own pushes do not take in again.
    taking_in: Cell<bool>,
    /// The scheduling rules, all kept unless a learner breaks one (`rules.rs`).
    pub(crate) rules: Cell<Rules>,
    /// How many eager spawns' polls (`Rule::EagerSpawn`) are running inside one another.
    pub(crate) eager_depth: Cell<u32>,
    /// A waker nobody holds, to lend to the next poll (see `waker.rs`). One is enough: polls do not
    /// nest, and a waker someone kept goes with its task.
    spare_waker: Cell<Option<Box<Lent>>>,
    /// Threads that hold virtual time still while they run (`spawn_blocking`'s): their result may
    /// change what happens next, so the clock must not jump past them.
    pub(crate) clock_holds: Arc<AtomicUsize>,
    /// The ids of the tasks whose `JoinHandle` outlived the executor, by key: the teardown notes them
    /// as it empties the task table, for the handle's `id()` and its cancelled error.
    pub(crate) gone: RefCell<HashMap<Key, TaskId>>,
    /// Where events go, once a tool asks for them.
    pub(crate) sink: OnceCell<Rc<dyn Sink>>,
    /// Turns begun so far, and the time the last one began (µs): what events are stamped with.
    pub(crate) turn: Cell<u64>,
    pub(crate) turn_time: Cell<u64>,
}

impl Handle {
    pub(crate) fn new(clock: Clock) -> Handle {
        Handle { clock: Cell::new(clock), ..Handle::default() }
    }

    /// The clock's reading now (µs): what asyncio's `loop.time()` returns.
    pub(crate) fn now_us(&self) -> u64 {
        self.clock.get().now_us()
    }

    /// The reading a deadline counts from: now, rounded up (`Clock::start_us`).
    pub(crate) fn start_us(&self) -> u64 {
        self.clock.get().start_us()
    }

    /// Moves virtual time forward to `to_us` (never backwards), says so to the sink, and returns the
    /// time afterwards. Called on virtual time only. Speed: returned, not read back by the caller: a
    /// read right behind the write waits for it (sampled time at 1M: advance_clock 3.5 → 0.9 % of
    /// timers_virtual, the next turn's reading of the clock 0.4 → 1.0 %).
    pub(crate) fn move_clock_to(&self, to_us: u64) -> u64 {
        let clock = self.clock.get();
        let now_us = clock.now_us();
        if clock.is_virtual() && to_us > now_us {
            self.clock.set(Clock::Virtual { now_us: to_us });
            self.record(|sink, at| sink.clock_advanced(at, Duration::from_micros(to_us)));
            return to_us;
        }
        now_us
    }

    /// Tells the sink, if there is one, of a decision, stamped with the turn and its time; `tell` does
    /// not even run otherwise.
    #[inline]
    pub(crate) fn record(&self, tell: impl FnOnce(&dyn Sink, Stamp)) {
        if let Some(sink) = self.sink.get() {
            let at = Duration::from_micros(self.turn_time.get());
            tell(&**sink, Stamp { turn: self.turn.get(), at });
        }
    }

    /// The next task number, in creation order.
    pub(crate) fn next_task_id(&self) -> TaskId {
        self.last_task_id.set(self.last_task_id.get() + 1);
        TaskId(self.last_task_id.get())
    }

    /// The polled task's key, if the poll in progress was given the executor's own waker and `waker`
    /// is that waker: then `Sleep` and `JoinHandle` note the key instead of cloning the waker.
    pub(crate) fn own_task(&self, waker: &Waker) -> Option<Key> {
        let polling = self.polling.get()?;
        if polling.waker != (waker.data(), waker.vtable()) {
            // A combinator's own waker: it must be kept, and woken, as any waker.
            return None;
        }
        self.noted.set(true);
        Some(polling.key)
    }

    /// Wakes the task under `key` from the executor's thread: it goes to the back of the local queue
    /// unless it is queued already or has ended: a waker's wake, a finished task's awaiter's, and (when the
    /// turn takes them in) those sent from other threads. Every wake, a firing timer's too
    /// (`Handle::fire`), ends in `queue_woken`.
    ///
    /// Speed: `inline(always)`: with a plain `inline`, rustc kept it a call of its own from
    /// `wake_here`, a waker's way in (ping_pong 520 -> 504 instructions per hit; the rest unchanged).
    #[inline(always)]
    pub(crate) fn wake(&self, key: Key, other_thread: bool) {
        // Before the table is borrowed: taking in wakes tasks too.
        self.take_in_if_sent();
        let mut tasks = self.tasks.borrow_mut();
        let Some(entry) = tasks.entries.get_mut(key) else { return };
        let (task, already_queued) = self.queue_woken(key, entry);
        drop(tasks);
        self.record(|sink, at| sink.woken(at, task, other_thread, already_queued));
    }

    /// Queues the woken task under `key`, whose entry this is, unless it is queued already or has
    /// ended. Returns its id and whether it was queued already, for the sink.
    #[inline]
    pub(crate) fn queue_woken(&self, key: Key, entry: &mut Entry) -> (TaskId, bool) {
        let already_queued = entry.queued;
        if !already_queued && !entry.is_done() {
            entry.queued = true;
            self.queue.push(key, TASK);
        }
        (entry.id, already_queued)
    }

    /// Queues `key` with `tag` (`queue.rs`) from the executor's thread, behind everything submitted before it, from any
    /// thread: one FIFO order, as asyncio's single ready deque. Messages other threads sent are taken in
    /// first, when a sender raised the flag (one relaxed load when none did).
    ///
    /// Callers that borrow the task table call `take_in_if_sent` before the borrow and push into the
    /// queue directly: taking in wakes and cancels tasks, which borrows the table.
    #[inline]
    pub(crate) fn push(&self, key: Key, tag: u8) {
        self.take_in_if_sent();
        self.queue.push(key, tag);
    }

    #[inline]
    pub(crate) fn take_in_if_sent(&self) {
        if !self.queue.nothing_sent() && !self.taking_in.get() {
            self.take_in();
        }
    }

    /// Takes in what other threads sent: their wakes and cancels land in the local queue like this
    /// thread's own, in the order they were sent. Speed: `cold`: it runs only once another thread sent
    /// something (timers_virtual 3,175 -> 3,172 instructions per op).
    #[cold]
    pub(crate) fn take_in(&self) {
        self.taking_in.set(true);
        for message in self.queue.received() {
            match message {
                Message::Wake { key, other_thread } => self.wake(key, other_thread),
                Message::Cancel(key) => _ = self.cancel(key),
                Message::Run(work) => {
                    let key = self.calls.borrow_mut().insert(work);
                    self.queue.push(key, REMOTE);
                }
            }
        }
        self.taking_in.set(false);
    }

    /// Asks for the task under `key` to be dropped instead of polled again; `false` if it has already
    /// ended. The task is queued (if it is not already) so that the executor gets to it.
    pub(crate) fn cancel(&self, key: Key) -> bool {
        if self.ending.get() == Some(key) {
            return false;
        }
        self.take_in_if_sent();
        let mut tasks = self.tasks.borrow_mut();
        let Some(entry) = tasks.entries.get_mut(key).filter(|entry| !entry.is_done()) else {
            return false;
        };
        entry.cancel = true;
        self.queue_woken(key, entry);
        true
    }

    /// A waker for `target` to lend to one poll: the spare one re-pointed, or a new one. Boxed, so that
    /// lending it, and a task keeping it, moves one pointer.
    #[inline]
    pub(crate) fn lend_waker(&self, target: Key) -> Box<Lent> {
        let Some(spare) = self.spare_waker.take() else {
            return Box::new(Lent::new(target, self.queue.inbox(), wake_here));
        };
        spare.point_at(target);
        spare
    }

    /// Takes a lent waker back after a poll. Returns it if someone kept a clone: the task then keeps it.
    #[inline]
    pub(crate) fn take_back(&self, lent: Box<Lent>) -> Option<Box<Lent>> {
        if lent.is_kept() {
            return Some(lent);
        }
        self.spare_waker.set(Some(lent));
        None
    }

    /// Notes the poll in progress (`None` when it ends).
    pub(crate) fn set_polling(&self, key: Key, id: TaskId, waker: &Waker) {
        self.noted.set(false);
        self.yielded.set(false);
        self.polling.set(Some(Polling { key, id, waker: (waker.data(), waker.vtable()) }));
    }
}

thread_local! {
    /// The handle of the executor running on this thread, if any.
    static CURRENT: RefCell<Option<Rc<Handle>>> = const { RefCell::new(None) };
}

/// The running executor's handle; panics with a message naming the fix when there is none. Speed:
/// inlined, the panic out of line (instructions per op: spawn_join 1,193 -> 1,177, timers_virtual
/// 3,167 -> 3,154, timers_virtual_ms 2,438 -> 2,419).
#[track_caller]
#[inline]
pub(crate) fn current(what: &str) -> Rc<Handle> {
    match try_current() {
        Some(handle) => handle,
        None => outside(what),
    }
}

#[cold]
#[track_caller]
fn outside(what: &str) -> ! {
    panic!(
        "{what} called outside a running executor: call it from a future that Executor::block_on \
         is running (or use Executor::spawn before block_on)"
    )
}

/// The running executor's handle, if this thread is inside one.
#[inline]
pub(crate) fn try_current() -> Option<Rc<Handle>> {
    CURRENT.try_with(|current| current.try_borrow().ok()?.clone()).ok().flatten()
}

/// Runs `f` on the running executor's handle, lent, not cloned; `None` outside any executor.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Handle) -> R) -> Option<R> {
    CURRENT.try_with(|current| current.try_borrow().ok()?.as_deref().map(f)).ok().flatten()
}

/// How a waker wakes (`waker::WakeHere`): here when its executor runs on this thread, else through the
/// channel.
fn wake_here(waker: &TaskWaker, key: Key) {
    let mine = |handle: &Handle| handle.queue.inbox().executor == waker.inbox.executor;
    // Its own executor runs on this thread: the task goes straight into the local queue.
    let woken = with_current(|handle| mine(handle).then(|| handle.wake(key, false)));
    if woken.flatten().is_none() {
        // No executor here, or another one.
        waker.send(key);
    }
}

/// Marks this thread as running `handle` until dropped. Panics if it already runs an executor: a nested
/// `block_on` would stall the outer one for as long as the inner one runs.
#[track_caller]
pub(crate) fn enter(handle: &Rc<Handle>) -> EnterGuard {
    try_enter(handle).expect(
        "block_on (or step) called inside a running executor: it would block every other task; \
         inside async code, `.await` the future instead",
    )
}

/// Marks this thread as running `handle` if it runs no executor now; `None` (and no change) otherwise.
pub(crate) fn try_enter(handle: &Rc<Handle>) -> Option<EnterGuard> {
    let entered = CURRENT.try_with(|current| {
        let mut current = current.try_borrow_mut().ok()?;
        current.is_none().then(|| *current = Some(Rc::clone(handle)))
    });
    entered.ok().flatten().map(|()| EnterGuard(()))
}

/// Clears `CURRENT` when the executor stops running, also when a panic unwinds out of it.
pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        // Taken out first: whatever the handle's drop wakes then goes through the channel.
        drop(CURRENT.with(|current| current.borrow_mut().take()));
    }
}
