//! Looking inside the executor: snapshots, the trace, counters, and the test kit that drives it on
//! virtual time.
//!
//! A snapshot is taken between steps, so no task is ever "running" in one: the [`Step`] that was
//! just taken says which task ran.

use std::fmt;
use std::time::Duration;

use crate::callback::Callback;
use crate::clock::micros_ceil;
use crate::executor::Executor;
use crate::handle::{TimerAction, enter};
use crate::queue::Runnable;
use crate::step::Step;
use crate::task::{TaskId, Wait};
use crate::time::wheel::SlotId;
use crate::trace::{Event, EventKind, TraceLog};

/// The executor's state between two steps: its ready queue, its tasks, and its timer wheel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The clock.
    pub now: Duration,
    /// Turns begun so far.
    pub turn: u64,
    /// The ready queue, in order.
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
    /// Waiting for a timer.
    Sleeping {
        /// When the timer is due.
        until: Duration,
    },
    /// Waiting for another task's handle.
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

impl Executor {
    /// Whether this executor runs on virtual time.
    pub fn is_virtual_time(&self) -> bool {
        self.handle.clock.get().is_virtual()
    }

    /// The executor's clock: time since it was created (real) or virtual time so far.
    pub fn now(&self) -> Duration {
        Duration::from_micros(self.handle.clock.get().now_us())
    }

    /// How many timers are armed or due: every pending `sleep` that was polled once and every pending
    /// `call_later`, nothing else (a dropped `Sleep` leaves no entry behind).
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

    /// The blocking detector's usual threshold: asyncio's `slow_callback_duration` in debug mode.
    pub const DEFAULT_SLOW_POLL_THRESHOLD: Duration = Duration::from_millis(100);

    /// Switches the blocking detector on (`Some(threshold)`) or off (`None`, the default): a single poll
    /// that takes at least `threshold` of real time prints a warning on stderr naming the task and the
    /// time. Like asyncio's debug mode it is off by default, because it reads the clock around every
    /// poll; the demos switch it on with [`Executor::DEFAULT_SLOW_POLL_THRESHOLD`] (100 ms).
    pub fn set_slow_poll_threshold(&mut self, threshold: Option<Duration>) {
        self.slow_poll = threshold;
    }

    /// Switches the trace on: from now on every scheduling decision is logged (see [`crate::trace`]).
    /// Tasks spawned before this call are traced too, except for their wakes.
    pub fn enable_trace(&mut self) {
        let trace = self.handle.trace.get_or_init(TraceLog::new);
        trace.publish(self.turn.number, self.handle.clock.get().now_us());
    }

    /// The events logged since the last call (empty while the trace is off).
    pub fn take_trace(&mut self) -> Vec<Event> {
        self.handle
            .trace
            .get()
            .map(|trace| trace.take())
            .unwrap_or_default()
    }

    /// One unit of work that needs no time to pass, or `None` if there is none: the executor is
    /// stalled until the clock moves or another thread wakes a task.
    ///
    /// # Panics
    ///
    /// When called from inside a running executor.
    #[track_caller]
    pub fn try_step(&mut self) -> Option<Step> {
        let _entered = enter(&self.handle);
        self.step_entered(None, false)
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
        let mut steps = 0;
        while self.try_step().is_some() {
            steps += 1;
        }
        steps
    }

    /// Moves virtual time forward by `by`, deadline by deadline, running what falls due at each one.
    /// A timer armed during the advance and due within it fires too (unlike tokio's `time::advance`,
    /// which only fires what was armed before the call). Ends with [`run_until_stalled`] at the target
    /// time.
    ///
    /// # Panics
    ///
    /// On the real clock, which moves on its own; or inside a running executor.
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let chain = executor.spawn(async {
    ///     sleep(Duration::from_millis(10)).await; // armed before the advance
    ///     sleep(Duration::from_millis(10)).await; // armed during it, due within it
    /// });
    /// executor.advance(Duration::from_millis(25));
    /// assert!(chain.is_finished());
    /// assert_eq!(executor.now(), Duration::from_millis(25));
    /// ```
    ///
    /// [`run_until_stalled`]: Executor::run_until_stalled
    #[track_caller]
    pub fn advance(&mut self, by: Duration) {
        assert!(
            self.is_virtual_time(),
            "advance() moves virtual time; this executor runs on the real clock"
        );
        let target = micros_ceil(by)
            .and_then(|us| self.handle.clock.get().now_us().checked_add(us))
            .unwrap_or(u64::MAX);
        loop {
            self.run_until_stalled();
            let next = self.handle.timers.borrow_mut().next_deadline();
            match next {
                Some(deadline) if deadline <= target => self.move_clock_to(deadline),
                _ => break,
            }
        }
        self.move_clock_to(target);
        self.run_until_stalled();
    }

    fn move_clock_to(&mut self, to_us: u64) {
        let mut clock = self.handle.clock.get();
        if to_us > clock.now_us() {
            clock.advance_to(to_us);
            self.handle.clock.set(clock);
            let to = self.now();
            self.handle.record(|| EventKind::ClockAdvanced { to });
        }
    }

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
        // The rest of this turn, then what waits for the next one, in the order it will run.
        let waiting = self.handle.queue.waiting();
        let tasks = self.handle.tasks.borrow();
        let callbacks = self.handle.callbacks.borrow();
        let ready = self
            .turn
            .batch
            .iter()
            .chain(waiting.iter().flat_map(|entries| entries.iter()))
            .map(|runnable| match runnable {
                Runnable::Task(key) => tasks
                    .get(*key)
                    .map_or(Ready::Stale, |task| Ready::Task(task.id)),
                Runnable::Callback(key) => match callbacks.get(*key) {
                    Some(Callback::Done(completion)) => Ready::DoneCallback(completion.task_id()),
                    Some(Callback::Plain(_)) => Ready::CallSoon,
                    None => Ready::Stale,
                },
                Runnable::Main(_) => Ready::Main,
                Runnable::Remote(_) => Ready::Remote,
            })
            .collect();
        let mut task_infos: Vec<TaskInfo> = tasks
            .iter()
            .map(|(_, task)| TaskInfo {
                id: task.id,
                name: task.completion.task_name(),
                spawned_by: task.spawned_by,
                callbacks: task.completion.pending_callbacks(),
                state: if task.waker.as_ref().is_none_or(|waker| waker.is_queued()) {
                    TaskState::Queued
                } else {
                    match task.wait {
                        Wait::Timer(until) => TaskState::Sleeping {
                            until: Duration::from_micros(until),
                        },
                        Wait::Task(id) => TaskState::Awaiting(id),
                        Wait::Other => TaskState::Waiting,
                    }
                },
            })
            .collect();
        task_infos.extend(self.handle.ended.borrow().iter().cloned());
        task_infos.sort_by_key(|info| info.id);
        let wheel = self.handle.timers.borrow();
        let info = |deadline: u64, action: &TimerAction| TimerInfo {
            deadline: Duration::from_micros(deadline),
            task: match action {
                TimerAction::Wake { task, .. } => *task,
                TimerAction::Call(_) => None,
            },
        };
        let mut timers: Vec<TimerList> = wheel
            .lists()
            .into_iter()
            .map(|(slot, entries)| TimerList {
                slot: Some(slot),
                timers: entries.into_iter().map(|(d, a)| info(d, a)).collect(),
            })
            .collect();
        let due: Vec<TimerInfo> = self
            .turn
            .due
            .iter()
            .filter_map(|key| wheel.get(*key).map(|(d, a)| info(d, a)))
            .collect();
        if !due.is_empty() {
            timers.push(TimerList {
                slot: None,
                timers: due,
            });
        }
        Snapshot {
            now: self.now(),
            turn: self.turn.number,
            ready,
            this_turn: self.turn.remaining,
            tasks: task_infos,
            timers,
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
            let separator = if index == self.this_turn {
                " ‖ next turn:"
            } else {
                ""
            };
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
            writeln!(
                f,
                "  {:<8} {:<12} {state}{parent}",
                task.id.to_string(),
                task.name
            )?;
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
