//! Snapshots: the executor's ready queue, tasks and timer wheel between two steps, read from the
//! core's tables without changing them.
//!
//! A snapshot is taken between steps, so no task is ever "running" in one: the
//! [`Step`](crate::Step) that was just taken says which task ran. What a task waits on is found by
//! looking, not recorded: a task is sleeping if a timer in the wheel names it, awaiting if another
//! task's handle lists it as its waiter. That keeps the core from writing anything for snapshots.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::runtime::executor::Executor;
use crate::runtime::handle::{Timer, TimerRef, Timers, current};
use crate::runtime::queue::{CALL, DONE, TASK};
use crate::runtime::slab::Key;
use crate::runtime::table::{BY_TASK, Stage, Tasks};
use crate::runtime::tagged::Tagged;
use crate::runtime::task::TaskId;
use crate::runtime::wheel::{Armed, SlotId};
use crate::trace::{Outcome, tools};

/// The executor's state between two steps: its ready queue, its tasks, and its timer wheel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The clock.
    pub now: Duration,
    /// Turns begun so far.
    pub turn: u64,
    /// The ready queue, in order: the rest of this turn, then the next one (what other threads sent is
    /// taken in first, as the next turn would).
    pub ready: Vec<Ready>,
    /// How many entries at the front of `ready` the current turn still runs; the rest wait for the
    /// next turn.
    pub this_turn: usize,
    /// Every live task by id; with the trace on, also the tasks that ended.
    pub tasks: Vec<TaskInfo>,
    /// The timer wheel's non-empty lists, level by level, then overflow and expired; plus `due` timers
    /// handed out this turn and not yet fired.
    pub timers: Vec<TimerList>,
}

/// One entry of the ready queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ready {
    /// Poll this task.
    Task(TaskId),
    /// Run the next done-callback of this (finished) task.
    DoneCallback(TaskId),
    /// Run a `call_soon` callback.
    CallSoon,
    /// Poll the `block_on` future.
    Main,
    /// Run work sent from another thread.
    Remote,
    /// A wake for a task that has ended: skipped when reached.
    Stale,
}

/// A task as a snapshot shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// Its id.
    pub id: TaskId,
    /// Its name (its id unless spawned with a name).
    pub name: String,
    /// The task whose poll spawned it.
    pub spawned_by: Option<TaskId>,
    /// What it is doing.
    pub state: TaskState,
    /// Done-callbacks added to its handle that have not run yet (registered while it runs, or queued
    /// once it has ended).
    pub callbacks: usize,
}

/// What a task is doing, between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// In the ready queue: it runs when the queue reaches it.
    Queued,
    /// Waiting for a timer, and for no other task's handle.
    Sleeping {
        /// When the timer is due.
        until: Duration,
    },
    /// Waiting for another task's handle, with a timer or without (a timeout's deadline, a sleep
    /// joined with the handle).
    Awaiting(TaskId),
    /// Waiting on something else (a channel, another thread, a hand-written future).
    Waiting,
    /// Returned a value (listed only with the trace on).
    Finished,
    /// Panicked (listed only with the trace on).
    Panicked,
    /// Cancelled (listed only with the trace on).
    Cancelled,
}

/// One list of timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerList {
    /// Where the list is; `None` for timers handed out as due this turn, fired at its end.
    pub slot: Option<SlotId>,
    /// Its timers, in list order.
    pub timers: Vec<TimerInfo>,
}

/// One timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerInfo {
    /// When it is due.
    pub deadline: Duration,
    /// The task whose sleep armed it; `None` for a `call_later` callback.
    pub task: Option<TaskId>,
}

/// The number of the turn running now on the running executor, as [`Executor::turns`] counts
/// turns: readable from inside a task or a callback, as [`time::now`](crate::time::now) is. Turns are
/// numbered from 1; only turns that had work to do are counted.
///
/// # Panics
///
/// Outside a running executor.
///
/// ```
/// use minimalist_async::{Executor, inspect, yield_now};
///
/// let mut executor = Executor::with_virtual_time();
/// let turns = executor.block_on(async {
///     let first = inspect::turn();
///     yield_now().await; // back on the next turn
///     (first, inspect::turn())
/// });
/// assert_eq!(turns, (1, 2));
/// ```
#[track_caller]
pub fn turn() -> u64 {
    current("inspect::turn()").turn.get()
}

impl Executor {
    /// The executor's state now: see [`Snapshot`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::inspect::{Ready, TaskState};
    /// use minimalist_async::{Executor, sleep};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let sleeper = executor.spawn_named("sleeper", async { sleep(Duration::from_millis(100)).await });
    /// assert_eq!(executor.snapshot().ready, [Ready::Task(sleeper.id())]);
    /// executor.step();
    /// let snapshot = executor.snapshot();
    /// assert!(snapshot.ready.is_empty());
    /// assert_eq!(snapshot.tasks[0].name, "sleeper");
    /// assert_eq!(snapshot.tasks[0].state, TaskState::Sleeping { until: Duration::from_millis(100) });
    /// assert_eq!(snapshot.timers[0].timers[0].task, Some(sleeper.id()));
    /// ```
    pub fn snapshot(&mut self) -> Snapshot {
        let handle = &self.handle;
        // What other threads sent joins the local queue first, where the next turn would put it.
        handle.take_in_if_sent();
        let tasks = handle.tasks.borrow();
        let calls = handle.calls.borrow();
        let task_id = |key: Key| match tasks.entries.get(key).map(|entry| (&entry.stage, entry.id))
        {
            Some((Stage::Running, id)) => Ready::Task(id),
            Some((Stage::Main, _)) => Ready::Main,
            _ => Ready::Stale,
        };
        let of_runnable = |queued: &Tagged| match queued.tag() {
            TASK => task_id(queued.key()),
            DONE => tasks
                .entries
                .get(queued.key())
                .map_or(Ready::Stale, |entry| Ready::DoneCallback(entry.id)),
            CALL => calls.get(queued.key()).map_or(Ready::Stale, |_| Ready::CallSoon),
            _ => Ready::Remote,
        };
        // The rest of this turn, then what waits for the next one, in the order it will run.
        let mut ready: Vec<Ready> = self.turn.still_queued().iter().map(of_runnable).collect();
        ready.extend(handle.queue.local().iter().map(of_runnable));
        let timers = handle.timers.borrow();
        // The task a live timer wakes by key, if any.
        let wakes = |timer: &Armed<TimerRef>| match timer.value {
            TimerRef::Task(index) => {
                tasks.entries.at(index).filter(|(_, e)| e.timer() == timer.seq)
            }
            TimerRef::Other(index) => match timers.others.at(index) {
                Some((_, (_, Timer::Task(key)))) => {
                    tasks.entries.get(*key).map(|entry| (*key, entry))
                }
                _ => None,
            },
        };
        let lists = timers.wheel.lists(|t| Timers::is_live(&timers.others, &tasks, t));
        // What each task waits on, found by looking once over the wheel and the table (not once per
        // task): its earliest timer, and the task whose handle it awaits.
        let mut sleeping: HashMap<Key, u64> = HashMap::new();
        // The wheel's timers, and those it handed out as due that fire at this turn's end.
        let due = timers.due.iter();
        let due = due.filter(|t| Timers::is_live(&timers.others, &tasks, t));
        for timer in lists.iter().flat_map(|(_, timers)| timers).chain(due) {
            if let Some((key, _)) = wakes(timer) {
                let earliest = sleeping.entry(key).or_insert(timer.deadline);
                *earliest = (*earliest).min(timer.deadline);
            }
        }
        let mut awaiting: HashMap<Key, TaskId> = HashMap::new();
        for (_, other) in tasks.entries.iter() {
            if let Some(noted) = other.waiter.filter(|noted| noted.tag() == BY_TASK) {
                awaiting.entry(noted.key()).or_insert(other.id);
            }
        }
        let mut task_infos: Vec<TaskInfo> = tasks
            .entries
            .iter()
            .filter(|(_, entry)| !entry.is_done() && !matches!(entry.stage, Stage::Main))
            .map(|(key, entry)| TaskInfo {
                id: entry.id,
                name: tasks.name(key).unwrap_or_default(),
                spawned_by: tasks.parent(key),
                callbacks: entry.callbacks as usize,
                state: if entry.queued {
                    TaskState::Queued
                } else if let Some(&id) = awaiting.get(&key) {
                    TaskState::Awaiting(id)
                } else if let Some(&until) = sleeping.get(&key) {
                    TaskState::Sleeping { until: Duration::from_micros(until) }
                } else {
                    TaskState::Waiting
                },
            })
            .collect();
        if let Some(tools) = tools(handle) {
            // An ended task's callbacks wait in its entry, if it is still there.
            let ended_entries = tasks.entries.iter().filter(|(_, entry)| entry.is_done());
            let queued: HashMap<TaskId, u32> =
                ended_entries.map(|(_, entry)| (entry.id, entry.callbacks)).collect();
            task_infos.extend(tools.ended().into_iter().map(|ended| TaskInfo {
                id: ended.id,
                name: ended.name,
                spawned_by: ended.spawned_by,
                callbacks: queued.get(&ended.id).copied().unwrap_or(0) as usize,
                state: match ended.outcome {
                    Outcome::Returned => TaskState::Finished,
                    Outcome::Panicked => TaskState::Panicked,
                    Outcome::Cancelled => TaskState::Cancelled,
                },
            }));
        }
        task_infos.sort_by_key(|info| info.id);
        let info = |timer: &Armed<TimerRef>| TimerInfo {
            deadline: Duration::from_micros(timer.deadline),
            task: wakes(timer).map(|(_, entry)| entry.id),
        };
        let mut timer_lists: Vec<TimerList> = lists
            .iter()
            .map(|(slot, list)| TimerList {
                slot: Some(*slot),
                timers: list.iter().map(info).collect(),
            })
            .collect();
        let due = timers.due.iter();
        let due = due.filter(|t| Timers::is_live(&timers.others, &tasks, t));
        let due: Vec<TimerInfo> = due.map(info).collect();
        if !due.is_empty() {
            timer_lists.push(TimerList { slot: None, timers: due });
        }
        Snapshot {
            now: self.now(),
            turn: self.turns(),
            this_turn: self.turn.still_queued().len(),
            ready,
            tasks: task_infos,
            timers: timer_lists,
        }
    }
}

/// A plain-text rendering, as the stepper prints it.
impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |id: TaskId| {
            self.tasks
                .iter()
                .find(|task| task.id == id)
                .map_or_else(|| id.to_string(), |task| task.name.clone())
        };
        writeln!(f, "time {:?}, turn {}", self.now, self.turn)?;
        write!(f, "ready queue:")?;
        if self.ready.is_empty() {
            write!(f, " (empty)")?;
        }
        for (index, entry) in self.ready.iter().enumerate() {
            let separator = if index == self.this_turn { " ‖ next turn:" } else { "" };
            let text = match entry {
                Ready::Task(id) => name(*id),
                Ready::DoneCallback(id) => format!("callback of {}", name(*id)),
                Ready::CallSoon => "call_soon callback".to_owned(),
                Ready::Main => "main".to_owned(),
                Ready::Remote => "work from another thread".to_owned(),
                Ready::Stale => "(stale wake)".to_owned(),
            };
            write!(f, "{separator} [{text}]")?;
        }
        writeln!(f)?;
        writeln!(f, "tasks:")?;
        for task in &self.tasks {
            let state = match task.state {
                TaskState::Queued => "queued".to_owned(),
                TaskState::Sleeping { until } => format!("sleeping until {until:?}"),
                TaskState::Awaiting(id) => format!("awaiting {}", name(id)),
                TaskState::Waiting => "waiting".to_owned(),
                TaskState::Finished => "finished".to_owned(),
                TaskState::Panicked => "panicked".to_owned(),
                TaskState::Cancelled => "cancelled".to_owned(),
            };
            let parent = task
                .spawned_by
                .map_or_else(String::new, |id| format!(" (spawned by {})", name(id)));
            writeln!(f, "  {:<8} {:<12} {state}{parent}", task.id.to_string(), task.name)?;
        }
        writeln!(f, "timer wheel:")?;
        if self.timers.is_empty() {
            writeln!(f, "  (empty)")?;
        }
        for list in &self.timers {
            let place = match list.slot {
                Some(SlotId::Level { level, slot }) => format!("level {level} slot {slot:>2}"),
                Some(SlotId::Overflow) => "overflow".to_owned(),
                Some(SlotId::Expired) => "expired".to_owned(),
                None => "due now".to_owned(),
            };
            let timers: Vec<String> = list
                .timers
                .iter()
                .map(|timer| {
                    let owner = timer.task.map_or_else(|| "call_later".to_owned(), name);
                    format!("{owner} at {:?}", timer.deadline)
                })
                .collect();
            writeln!(f, "  {place}: {}", timers.join(", "))?;
        }
        Ok(())
    }
}

/// Spawn parents, for snapshots and the trace: the core keeps them by slot, off the entries.
impl Tasks {
    /// The task that spawned the task under `key`.
    pub(crate) fn parent(&self, key: Key) -> Option<TaskId> {
        let gap = match *self.cold.parents.get(key.index() as usize)? {
            0 => return None,
            u32::MAX => self.cold.far_parents[&key.index()],
            gap => u64::from(gap),
        };
        Some(TaskId(self.entries.get(key)?.id.0 - gap))
    }
}
