//! The trace, the blocking detector and the per-task counts: tools that listen on the core's event
//! sink.
//!
//! Off by default. [`Executor::enable_trace`] switches the trace on (before the tasks it should follow
//! are spawned); [`Executor::take_trace`] hands the events over. [`Executor::set_slow_poll_threshold`]
//! switches the blocking detector on, and [`Executor::enable_stats`] the counts that
//! [`JoinHandle::stats`](crate::JoinHandle::stats) reads (`src/stats.rs`). Any of them installs the
//! one sink (`runtime/events.rs`) these tools share; with none, every recording site in the core is
//! one untaken branch.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

pub use crate::runtime::events::Outcome;

use crate::runtime::events::{Sink, Stamp};
use crate::runtime::executor::Executor;
use crate::runtime::handle::Handle;
use crate::runtime::table::Stage;
use crate::runtime::task::TaskId;

/// One scheduling decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The turn it happened in (0 before the first turn).
    pub turn: u64,
    /// The loop's time when that turn began.
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// What a traced event was.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A task was created (and queued).
    Spawned {
        /// The new task.
        task: TaskId,
        /// Its name.
        name: String,
        /// The task whose poll spawned it, if any.
        parent: Option<TaskId>,
    },
    /// A task's waker was called (or its timer fired, or the task it awaited ended).
    Woken {
        /// The task woken.
        task: TaskId,
        /// Whether the wake came from a thread other than the executor's.
        other_thread: bool,
        /// Whether the task was already in the ready queue, so that this wake cost nothing.
        already_queued: bool,
    },
    /// The executor started polling a task.
    PollStarted {
        /// The task polled.
        task: TaskId,
    },
    /// A poll returned.
    PollEnded {
        /// The task polled.
        task: TaskId,
        /// Real time the poll took.
        duration: Duration,
        /// Whether the task finished (returned or panicked).
        ready: bool,
    },
    /// A sleep (or `call_later`) armed a timer.
    TimerArmed {
        /// The task that armed it; `None` for a `call_later` from outside any task.
        task: Option<TaskId>,
        /// When it is due.
        deadline: Duration,
    },
    /// A due timer fired: it woke its task or ran its `call_later` callback.
    TimerFired {
        /// The task it woke, if it was a sleep.
        task: Option<TaskId>,
        /// When it was due.
        deadline: Duration,
    },
    /// A callback was put in the ready queue.
    CallbackQueued {
        /// For a done-callback, the task that ended; `None` for `call_soon`.
        task: Option<TaskId>,
    },
    /// A callback ran.
    CallbackRan {
        /// For a done-callback, the task that ended; `None` for `call_soon`.
        task: Option<TaskId>,
    },
    /// A task is over.
    TaskFinished {
        /// The task.
        task: TaskId,
        /// How it ended.
        outcome: Outcome,
    },
    /// Nothing was ready, so the clock moved.
    ClockAdvanced {
        /// The time afterwards.
        to: Duration,
    },
}

/// The state of the tools behind the sink.
#[derive(Default)]
pub(crate) struct Tools {
    tracing: Cell<bool>,
    events: RefCell<Vec<Event>>,
    /// A poll that takes this long (real time) gets a warning on stderr.
    slow_poll: Cell<Option<Duration>>,
    /// Names and spawners of the tasks spawned since the sink was installed, from their `Spawned`
    /// events: for the detector's warnings and the ended tasks' entries.
    spawned: RefCell<HashMap<TaskId, (String, Option<TaskId>)>>,
    /// With the trace on, the tasks that ended, so that snapshots can still list them.
    ended: RefCell<Vec<Ended>>,
    /// Per-task counts of polls and wakes, once `Executor::enable_stats` switched them on (`None`
    /// until then). One pair per task polled or woken since, kept for as long as the executor.
    pub(crate) counts: RefCell<Option<HashMap<TaskId, (u32, u32)>>>,
}

/// A task that ended while the trace was on.
#[derive(Clone, Debug)]
pub(crate) struct Ended {
    pub(crate) id: TaskId,
    pub(crate) name: String,
    pub(crate) spawned_by: Option<TaskId>,
    pub(crate) outcome: Outcome,
}

impl Tools {
    /// The tasks that ended while the trace was on.
    pub(crate) fn ended(&self) -> Vec<Ended> {
        self.ended.borrow().clone()
    }

    /// Keeps the event `kind` builds, stamped `at`, if the trace is on; `kind` does not run otherwise.
    fn log(&self, at: Stamp, kind: impl FnOnce() -> EventKind) {
        if self.tracing.get() {
            self.events.borrow_mut().push(Event { turn: at.turn, at: at.at, kind: kind() });
        }
    }

    fn count(&self, task: TaskId, add: impl FnOnce(&mut (u32, u32))) {
        if let Some(counts) = &mut *self.counts.borrow_mut() {
            let pair = counts.entry(task).or_default();
            add(pair);
        }
    }

    fn warn_if_slow(&self, task: TaskId, duration: Duration) {
        if let Some(threshold) = self.slow_poll.get()
            && duration >= threshold
        {
            // Tasks spawned before the sink was installed, like the block_on future, left no name.
            let name = match self.spawned.borrow().get(&task) {
                Some((name, _)) => name.clone(),
                None => "the block_on future".to_owned(),
            };
            eprintln!(
                "minimalist-async: {task} ({name}) blocked the executor for {:.1} ms in one poll \
                 (threshold {} ms): every other task waited. std::thread::sleep and other blocking \
                 calls block the whole executor; use sleep(..).await, or spawn_blocking for blocking work",
                duration.as_secs_f64() * 1e3,
                threshold.as_millis()
            );
        }
    }
}

/// The core's decisions, as the tools take them: each kept in the trace when it is on, and some
/// looked at first (names for the detector's warnings and the ended tasks, counts for the stats).
impl Sink for Tools {
    fn spawned(&self, at: Stamp, task: TaskId, name: Option<&str>, parent: Option<TaskId>) {
        let name = name.map_or_else(|| task.to_string(), str::to_owned);
        // Cloned only for the trace: with the detector alone on, the name is kept once.
        self.log(at, || EventKind::Spawned { task, name: name.clone(), parent });
        self.spawned.borrow_mut().insert(task, (name, parent));
    }

    fn woken(&self, at: Stamp, task: TaskId, other_thread: bool, already_queued: bool) {
        self.count(task, |(_, wakes)| *wakes = wakes.wrapping_add(1));
        self.log(at, || EventKind::Woken { task, other_thread, already_queued });
    }

    fn poll_started(&self, at: Stamp, task: TaskId) {
        self.count(task, |(polls, _)| *polls = polls.wrapping_add(1));
        self.log(at, || EventKind::PollStarted { task });
    }

    fn poll_ended(&self, at: Stamp, task: TaskId, duration: Duration, ready: bool) {
        self.warn_if_slow(task, duration);
        self.log(at, || EventKind::PollEnded { task, duration, ready });
    }

    fn timer_armed(&self, at: Stamp, task: Option<TaskId>, deadline: Duration) {
        self.log(at, || EventKind::TimerArmed { task, deadline });
    }

    fn timer_fired(&self, at: Stamp, task: Option<TaskId>, deadline: Duration) {
        self.log(at, || EventKind::TimerFired { task, deadline });
    }

    fn callback_queued(&self, at: Stamp, task: Option<TaskId>) {
        self.log(at, || EventKind::CallbackQueued { task });
    }

    fn callback_ran(&self, at: Stamp, task: Option<TaskId>) {
        self.log(at, || EventKind::CallbackRan { task });
    }

    fn task_finished(&self, at: Stamp, task: TaskId, outcome: Outcome) {
        // An ended task is polled no more: its name goes, so that a long run with the detector on
        // keeps no name per task it ever ran.
        let spawned = self.spawned.borrow_mut().remove(&task);
        if self.tracing.get() {
            let (name, spawned_by) = spawned.unwrap_or_else(|| (task.to_string(), None));
            self.ended.borrow_mut().push(Ended { id: task, name, spawned_by, outcome });
        }
        self.log(at, || EventKind::TaskFinished { task, outcome });
    }

    fn clock_advanced(&self, at: Stamp, to: Duration) {
        self.log(at, || EventKind::ClockAdvanced { to });
    }
}

pub(crate) fn tools(handle: &Handle) -> Option<&Tools> {
    let sink: &dyn Any = &**handle.sink.get()?;
    sink.downcast_ref()
}

pub(crate) fn install(executor: &Executor) -> &Tools {
    let sink = executor.handle.sink.get_or_init(|| {
        // The tasks spawned before the tools came: named from the table, as their `Spawned` events
        // will never come.
        let tools = Tools::default();
        let tasks = executor.handle.tasks.borrow();
        let running = tasks
            .entries
            .iter()
            .filter(|(_, entry)| !entry.is_done() && !matches!(entry.stage, Stage::Main));
        let named = running
            .filter_map(|(key, entry)| Some((entry.id, (tasks.name(key)?, tasks.parent(key)))));
        tools.spawned.borrow_mut().extend(named);
        Rc::new(tools)
    });
    (&**sink as &dyn Any).downcast_ref().expect("only these tools install a sink")
}

impl Executor {
    /// The blocking detector's usual threshold: asyncio's `slow_callback_duration` in debug mode.
    pub const DEFAULT_SLOW_POLL_THRESHOLD: Duration = Duration::from_millis(100);

    /// Switches the blocking detector on (`Some(threshold)`) or off (`None`, the default): a single poll
    /// that takes at least `threshold` of real time prints a warning on stderr naming the task and the
    /// time. Like asyncio's debug mode it is off by default, because it reads the clock around every
    /// poll; the demos switch it on with [`Executor::DEFAULT_SLOW_POLL_THRESHOLD`] (100 ms).
    ///
    /// It measures wall time, as asyncio's debug mode does: on a heavily loaded machine a poll that
    /// did not block can still take long enough to be reported.
    pub fn set_slow_poll_threshold(&mut self, threshold: Option<Duration>) {
        if threshold.is_some() || self.handle.sink.get().is_some() {
            install(self).slow_poll.set(threshold);
        }
    }

    /// Switches the trace on: from now on every scheduling decision is logged (see [`Event`]).
    pub fn enable_trace(&mut self) {
        install(self).tracing.set(true);
    }

    /// The events logged since the last call (empty while the trace is off).
    pub fn take_trace(&mut self) -> Vec<Event> {
        tools(&self.handle)
            .map(|tools| std::mem::take(&mut *tools.events.borrow_mut()))
            .unwrap_or_default()
    }
}
