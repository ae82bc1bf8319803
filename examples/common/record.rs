//! Running a demo's main as a task, one [`Executor::step`] at a time, and keeping what every step did.
//!
//! `block_on` is itself a loop over `step()`, so driving the executor by hand shows exactly what runs.
//! The main future is spawned as an ordinary task named `main`: it is the first task created, so it is
//! `Task-1` as under `block_on`, and the lines printed are the same. The trace is switched on before the
//! spawn, so the log starts with main's `Spawned` event; after each step the events it logged are taken
//! and kept with the snapshot, which is all the stepper, the timeline and the replay page need.

use std::cell::RefCell;
use std::future::Future;

use minimalist_async::inspect::TimerList;
use minimalist_async::trace::{Event, EventKind};
use minimalist_async::{Executor, JoinHandle, Snapshot, Step, TaskId};

use super::Lines;

/// One step of a run, or (number 0) the state before the first.
#[derive(Clone, Debug)]
pub struct Record {
    /// 0 for the state before any step, then 1, 2, …
    pub number: usize,
    /// What `step()` returned; `None` for record 0.
    pub step: Option<Step>,
    /// The trace events the step logged, in order.
    pub events: Vec<Event>,
    /// The executor's state after the step.
    pub snapshot: Snapshot,
    /// How many lines the demo had printed after the step.
    pub output_len: usize,
}

impl Record {
    /// The task this step was about, and what happened to it: polled ("running"), its done-callback
    /// ran, or it was dropped as cancelled. The snapshot rows mark that task.
    pub fn ran(&self) -> Option<(TaskId, &'static str)> {
        match self.step {
            Some(Step::Polled { task, .. }) => Some((task, "running (this step)")),
            Some(Step::RanCallback { task }) => Some((task, "done-callback ran (this step)")),
            Some(Step::Cancelled { task }) => Some((task, "dropped (this step)")),
            _ => None,
        }
    }
}

/// A run in progress: the executor, the main task's handle and every step so far.
pub struct Recorder {
    executor: Executor,
    main: JoinHandle<()>,
    lines: Lines,
    records: Vec<Record>,
    over: bool,
}

impl Recorder {
    /// Switches the trace on, spawns `main` (nothing runs yet) and records the state before step 1.
    pub fn start(
        mut executor: Executor,
        lines: Lines,
        main: impl Future<Output = ()> + 'static,
    ) -> Recorder {
        executor.enable_trace();
        let main = executor.spawn_named("main", main);
        let events = executor.take_trace();
        let snapshot = executor.snapshot();
        let first = Record { number: 0, step: None, events, snapshot, output_len: lines.len() };
        Recorder { executor, main, lines, records: vec![first], over: false }
    }

    /// Takes one step and records it; `None` once the run is over. The run is over when `step()` says
    /// `Idle`: nothing queued and no timer armed, so (with no other thread involved, as in the demos)
    /// nothing can ever happen again. That step did nothing, so it is not recorded.
    pub fn step(&mut self) -> Option<&Record> {
        if self.over {
            return None;
        }
        let step = self.executor.step();
        let events = self.executor.take_trace();
        if step == Step::Idle {
            self.over = true;
            if let Some(last) = self.records.last_mut() {
                last.events.extend(events);
            }
            return None;
        }
        let snapshot = self.executor.snapshot();
        self.records.push(Record {
            number: self.records.len(),
            step: Some(step),
            events,
            snapshot,
            output_len: self.lines.len(),
        });
        self.records.last()
    }

    /// Whether the run is over (see [`Recorder::step`]).
    pub fn is_over(&self) -> bool {
        self.over
    }

    /// Whether the demo's main task has returned.
    pub fn main_finished(&self) -> bool {
        self.main.is_finished()
    }

    /// Whether the current turn has nothing left to run: no entry of this turn in the ready queue and
    /// no due timer still to fire. The next step then begins a turn (or moves the clock).
    pub fn turn_over(&self) -> bool {
        turn_over(&self.last().snapshot)
    }

    /// Every record so far, record 0 first.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The latest record.
    pub fn last(&self) -> &Record {
        self.records.last().expect("record 0 is made at the start")
    }

    /// The trace cut into what each record logged, for the timeline.
    pub fn groups(&self) -> Vec<Vec<Event>> {
        self.records.iter().map(|r| r.events.clone()).collect()
    }

    /// The whole trace so far.
    pub fn all_events(&self) -> Vec<Event> {
        self.records.iter().flat_map(|r| r.events.clone()).collect()
    }

    /// What the demo printed so far.
    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    /// The executor, for its clock.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// Names of every task seen so far, for the texts: from the `Spawned` events.
    pub fn names(&self) -> Names {
        let mut names = Names::default();
        for record in &self.records {
            names.learn(&record.events);
        }
        names
    }
}

/// Whether `snapshot` was taken at the end of a turn: see [`Recorder::turn_over`]. Timers handed out as
/// due but not yet fired are listed with no slot.
pub fn turn_over(snapshot: &Snapshot) -> bool {
    let due_left = snapshot.timers.iter().any(|list: &TimerList| list.slot.is_none());
    snapshot.this_turn == 0 && !due_left
}

thread_local! {
    /// Names given with [`name_task`], by id. The executor runs on this thread, so this is where
    /// the program that spawned the tasks is.
    static GIVEN_NAMES: RefCell<Vec<(TaskId, String)>> = const { RefCell::new(Vec::new()) };
}

/// Shows `task` as `name` in the pictures and the stepper, in place of the name it was spawned with.
///
/// For tasks that the program cannot name when they are spawned: `spawn_blocking` spawns the task that
/// waits for its thread under the default name (`Task-4`), and a lane labelled `Task-4 Task-4` says
/// nothing. The name is the program's to give, since only it knows what the task is for.
pub fn name_task(task: TaskId, name: &str) {
    GIVEN_NAMES.with(|given| given.borrow_mut().push((task, name.to_owned())));
}

/// Task names by id, learnt from `Spawned` events (or given with [`name_task`]). The `block_on`
/// future has no `Spawned` event: a task polled without one is that future, shown as `main`.
#[derive(Clone, Debug, Default)]
pub struct Names {
    names: Vec<(TaskId, String)>,
}

impl Names {
    /// Learns the names in `events`.
    pub fn learn(&mut self, events: &[Event]) {
        for event in events {
            if let EventKind::Spawned { task, name, .. } = &event.kind {
                let given = GIVEN_NAMES.with(|given| {
                    let given = given.borrow();
                    given.iter().find(|(id, _)| id == task).map(|(_, name)| name.clone())
                });
                self.names.push((*task, given.unwrap_or_else(|| name.clone())));
            }
        }
    }

    /// The task's name, or `main` for a task never seen spawned.
    pub fn get(&self, id: TaskId) -> String {
        self.names
            .iter()
            .find(|(known, _)| *known == id)
            .map_or_else(|| "main".to_owned(), |(_, name)| name.clone())
    }
}
