//! The handle: what code running inside the executor can reach, and how it finds it.
//!
//! A task calls `spawn`, `sleep` or `JoinHandle::add_done_callback` without being passed the executor:
//! those functions look in the thread-local `CURRENT`, which `enter` fills while the executor is
//! running. This is the same design as tokio's runtime context and asyncio's "running loop".
//!
//! The handle owns the shared tables (tasks, queued callbacks, timers) behind `RefCell`s. The executor is
//! single-threaded, so no lock is needed; the one thing other threads touch is the ready queue's sending
//! end, inside wakers.

use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::task::Waker;

use std::time::Duration;

use crate::callback::{Callback, PlainCallback};
use crate::clock::{Clock, micros_ceil};
use crate::inspect::TaskInfo;
use crate::join::{JoinCell, JoinHandle};
use crate::queue::{ReadyQueue, Runnable};
use crate::slab::{Key, Slab};
use crate::task::{Task, TaskId, Wait};
use crate::time::wheel::Wheel;
use crate::trace::{EventKind, TraceLog};
use crate::waker::{Target, TaskWaker};

/// The executor's shared state.
pub(crate) struct Handle {
    pub(crate) queue: ReadyQueue,
    pub(crate) tasks: RefCell<Slab<Task>>,
    /// Callbacks waiting in the ready queue: each `Runnable::Callback` entry names one of these.
    pub(crate) callbacks: RefCell<Slab<Callback>>,
    /// Armed timers: sleeps (a waker to wake) and `call_later` callbacks.
    pub(crate) timers: RefCell<Wheel<TimerAction>>,
    /// The executor's clock (moved only by the executor).
    pub(crate) clock: Cell<Clock>,
    /// The current turn's time, µs, once read: every deadline armed in the turn counts from it. `None`
    /// until the first read in a turn; a turn whose wheel is empty and that arms nothing never reads
    /// the clock at all.
    turn_time: Cell<Option<u64>>,
    next_task_id: Cell<u64>,
    /// The task being polled right now, if any: the parent of what it spawns, the owner of what it arms.
    pub(crate) polling: Cell<Option<TaskId>>,
    /// What the task being polled waits on, noted by the future that returned `Pending`.
    pub(crate) wait: Cell<Wait>,
    /// `spawn_blocking` threads still running (decremented by the threads themselves).
    pub(crate) blocking_threads: Arc<AtomicUsize>,
    /// The trace, once switched on.
    pub(crate) trace: OnceCell<Arc<TraceLog>>,
    /// With the trace on, the tasks that ended, so that snapshots can still list them.
    pub(crate) ended: RefCell<Vec<TaskInfo>>,
    /// Wakers of finished tasks that nobody else holds, ready for the next tasks: a program that
    /// spawns tasks one after another allocates a waker once, not once per task.
    spare_wakers: RefCell<Vec<(Arc<TaskWaker>, Waker)>>,
}

/// How many spare wakers the executor keeps at most: enough for bursts of short tasks, little memory
/// (about 100 bytes each) after a burst of a million.
const MAX_SPARE_WAKERS: usize = 1024;

/// What a timer does when it fires.
pub(crate) enum TimerAction {
    /// A `sleep` is over: wake its task, which then runs on the next turn. `task` is the task that
    /// armed it, for the trace and the snapshot.
    Wake { waker: Waker, task: Option<TaskId> },
    /// A `call_later` callback: run it, right there, with the other due timers.
    Call(PlainCallback),
}

impl Handle {
    pub(crate) fn new(clock: Clock) -> Handle {
        Handle {
            queue: ReadyQueue::new(),
            clock: Cell::new(clock),
            turn_time: Cell::new(None),
            tasks: RefCell::default(),
            callbacks: RefCell::default(),
            timers: RefCell::default(),
            next_task_id: Cell::new(1),
            polling: Cell::new(None),
            blocking_threads: Arc::default(),
            wait: Cell::new(Wait::Other),
            trace: OnceCell::new(),
            ended: RefCell::default(),
            spare_wakers: RefCell::default(),
        }
    }

    /// The current turn's time (µs): read from the clock the first time it is asked for in a turn.
    pub(crate) fn now_us(&self) -> u64 {
        match self.turn_time.get() {
            Some(now) => now,
            None => {
                let now = self.clock.get().now_us();
                self.turn_time.set(Some(now));
                now
            }
        }
    }

    /// A new turn begins: its time is read afresh when first needed.
    pub(crate) fn new_turn(&self) {
        self.turn_time.set(None);
    }

    /// Appends an event to the trace, if it is on.
    pub(crate) fn record(&self, kind: impl FnOnce() -> EventKind) {
        if let Some(trace) = self.trace.get() {
            trace.record(kind());
        }
    }

    /// Notes what the task being polled waits on; called by `Sleep` and `JoinHandle` as they return
    /// `Pending`.
    pub(crate) fn note_wait(&self, wait: Wait) {
        self.wait.set(wait);
    }

    /// The next task number, in creation order.
    pub(crate) fn next_task_id(&self) -> TaskId {
        let id = self.next_task_id.get();
        self.next_task_id.set(id + 1);
        TaskId(id)
    }

    /// Stores the task and queues it; it first runs when the queue reaches it, never inside `spawn`.
    pub(crate) fn spawn<F>(
        self: &Rc<Self>,
        name: Option<Box<str>>,
        future: F,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.next_task_id();
        let spawned_by = self.polling.get();
        self.record(|| EventKind::Spawned {
            task: id,
            name: name
                .as_deref()
                .map_or_else(|| id.to_string(), str::to_owned),
            parent: spawned_by,
        });
        let cell = Rc::new(JoinCell::new(id, name));
        let output_cell = Rc::clone(&cell);
        let wrapped = async move {
            let output = future.await;
            output_cell.store(output);
        };
        let key = self.tasks.borrow_mut().insert(Task {
            id,
            future: Some(Box::pin(wrapped)),
            completion: cell.clone(),
            waker: None,
            std_waker: None,
            spawned_by,
            wait: Wait::Other,
            polls: 0,
            reported_lost: false,
        });
        self.queue.push(Runnable::Task(key));
        JoinHandle::new(cell, key, Rc::downgrade(self))
    }

    /// Puts `callback` at the back of the ready queue.
    pub(crate) fn queue_callback(&self, callback: Callback) {
        self.record(|| EventKind::CallbackQueued {
            task: match &callback {
                Callback::Done(completion) => Some(completion.task_id()),
                Callback::Plain(_) => None,
            },
        });
        let key = self.callbacks.borrow_mut().insert(callback);
        self.queue.push(Runnable::Callback(key));
    }

    /// The waker of `task` (stored under `key`), made the first time it is needed: from a spare left
    /// by a finished task if there is one, otherwise new. It starts out "queued", which is true of a task
    /// that has not run yet: spawn put it in the ready queue.
    #[inline]
    pub(crate) fn waker_of<'t>(&self, task: &'t mut Task, key: Key) -> &'t Arc<TaskWaker> {
        if task.waker.is_none() {
            self.make_waker(task, key);
        }
        task.waker.as_ref().expect("made above")
    }

    fn make_waker(&self, task: &mut Task, key: Key) {
        let traced = self.trace.get().is_some();
        let mut spares = self.spare_wakers.borrow_mut();
        // Spares made before the trace was switched on would not record: they are let go.
        let (waker, std_waker) = match spares.pop() {
            Some((spare, std_waker)) if spare.is_traced() == traced => {
                spare.reuse(key, task.id);
                (spare, std_waker)
            }
            _ => {
                spares.clear();
                let waker = TaskWaker::new_queued(
                    Target::Task(key),
                    task.id,
                    self.queue.inbox(),
                    self.trace.get().cloned(),
                );
                let std_waker = Waker::from(Arc::clone(&waker));
                (waker, std_waker)
            }
        };
        task.waker = Some(waker);
        task.std_waker = Some(std_waker);
    }

    /// Keeps the waker of a finished task (with its `std::task::Waker`, both the executor's) for the next
    /// task to use, if nobody else holds it: no clone in a timer, a channel or a `CancelHandle`. Then no
    /// stale wake can ever reach the new task. Only references can make references, so once the
    /// executor's two are the only ones, no other can appear.
    pub(crate) fn recycle_waker(&self, waker: Arc<TaskWaker>, std_waker: Waker) {
        let mut spares = self.spare_wakers.borrow_mut();
        if spares.len() < MAX_SPARE_WAKERS
            && Arc::strong_count(&waker) == 2
            && Arc::weak_count(&waker) == 0
        {
            // The counts were read relaxed; this orders the last wake by another thread's clone (before
            // it dropped that clone) ahead of the stores that point the waker at a new task, as
            // `Arc::get_mut` does.
            std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
            spares.push((waker, std_waker));
        }
    }

    /// Asks for the task under `key` to be dropped instead of polled again; `false` if it has already
    /// finished.
    pub(crate) fn cancel(&self, key: Key) -> bool {
        let must_queue = match self.tasks.borrow_mut().get_mut(key) {
            Some(task) => self.waker_of(task, key).request_cancel_here(),
            None => return false,
        };
        if must_queue {
            self.queue.push(Runnable::Task(key));
        }
        true
    }

    /// The deadline `delay` after the current turn's time, rounded up to the microsecond; `None` when
    /// it does not fit the clock (which callers read as "never").
    pub(crate) fn deadline_after(&self, delay: Duration) -> Option<u64> {
        micros_ceil(delay).and_then(|us| self.now_us().checked_add(us))
    }
}

thread_local! {
    /// The handle of the executor running on this thread, if any.
    static CURRENT: RefCell<Option<Rc<Handle>>> = const { RefCell::new(None) };
    /// The number of that executor (0: none), set and cleared together with `CURRENT`: a wake asks "am
    /// I on my executor's thread, inside it?" on every call, and one `Cell` read answers it.
    static RUNNING: Cell<u64> = const { Cell::new(0) };
}

/// The running executor's handle; panics with a message naming the fix when there is none.
#[track_caller]
pub(crate) fn current(what: &str) -> Rc<Handle> {
    match try_current() {
        Some(handle) => handle,
        None => panic!(
            "{what} called outside a running executor: call it from a future that \
             Executor::block_on is running (or use Executor::spawn before block_on)"
        ),
    }
}

/// Pushes `runnable` into the local queue of `executor` if this thread is running it right now;
/// otherwise hands it back (the caller then uses the channel).
pub(crate) fn push_if_current(executor: u64, runnable: Runnable) -> Result<(), Runnable> {
    // `RUNNING` has no destructor, so it can be read even while the thread exits.
    if RUNNING.try_with(Cell::get) != Ok(executor) {
        return Err(runnable);
    }
    CURRENT.with_borrow(|current| {
        current
            .as_ref()
            .expect("RUNNING is set only while CURRENT holds the handle")
            .queue
            .push(runnable);
    });
    Ok(())
}

/// The running executor's handle, if this thread is inside one.
pub(crate) fn try_current() -> Option<Rc<Handle>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Marks this thread as running `handle` until dropped. Panics if it already runs an executor: a nested
/// `block_on` would stall the outer one for as long as the inner one runs.
#[track_caller]
pub(crate) fn enter(handle: &Rc<Handle>) -> EnterGuard {
    CURRENT.with(|current| {
        let mut current = current.borrow_mut();
        if current.is_some() {
            panic!(
                "block_on (or step) called inside a running executor: it would block every other \
                 task; inside async code, `.await` the future instead"
            );
        }
        *current = Some(Rc::clone(handle));
    });
    RUNNING.set(handle.queue.executor());
    EnterGuard(())
}

/// Marks this thread as running `handle` if it runs no executor now; `None` (and no change) otherwise.
pub(crate) fn try_enter(handle: &Rc<Handle>) -> Option<EnterGuard> {
    CURRENT
        .try_with(|current| {
            let mut current = current.try_borrow_mut().ok()?;
            if current.is_some() {
                return None;
            }
            *current = Some(Rc::clone(handle));
            RUNNING.set(handle.queue.executor());
            Some(EnterGuard(()))
        })
        .ok()
        .flatten()
}

/// Clears `CURRENT` when the executor stops running, also when a panic unwinds out of it.
pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        // Cleared first: whatever the handle's drop wakes then goes through the channel.
        RUNNING.set(0);
        CURRENT.with(|current| current.borrow_mut().take());
    }
}
