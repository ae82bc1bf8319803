//! The timeline: a chart of a run built from the executor's trace, one lane per task, time across.
//!
//! The chart is a grid of cells, one column per slice of the executor's clock, so that the terminal
//! (`to_text`), the SVG picture (`super::svg`) and the replay page all draw the same thing.
//!
//! Where an event sits in time: the trace stamps each event with the time its turn began (the executor
//! reads the clock once per turn). A poll that runs long, as with `--blocking`, moves time on inside the
//! turn, so polls of at least [`LONG_POLL`] push the events after them to the right by their real
//! duration. Shorter polls count as instantaneous, which keeps charts on virtual time identical from run
//! to run. Two marks that fall in the same column of one lane are put side by side (a task that is done
//! and whose done-callback runs at the same instant shows `Dc`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use minimalist_async::TaskId;
use minimalist_async::demo::columns::{columns, pad};
use minimalist_async::trace::{Event, EventKind, Outcome};

use super::record::Names;
use super::view::time;

/// A poll at least this long is drawn with its length: shorter ones are a single mark.
///
/// One column of a demo's chart is 10 ms, so a shorter poll would not fill one. And a busy machine
/// can hold a poll up for a few milliseconds: with a 1 ms threshold such a poll pushed the rest of a
/// virtual-time chart to the right (`in flight from 5ms` instead of `from 0ms`), and the chart was no
/// longer the same from run to run.
pub const LONG_POLL: Duration = Duration::from_millis(10);

/// At most this many columns of time, so the chart fits an 80-column terminal next to the lane names.
const MAX_COLUMNS: u64 = 60;

/// What one cell of a lane shows, strongest last: a cell keeps the strongest thing drawn in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    /// Nothing: before the task exists or after it is done.
    Empty,
    /// Pending, not on a timer: awaiting a handle or something else.
    Wait,
    /// Pending on a timer: asleep.
    Sleep,
    /// Ready to run, waiting in the queue for the executor to get to it.
    Queued,
    /// Inside one long poll: the executor runs nothing else.
    Busy,
    /// A done-callback of this task ran.
    Callback,
    /// A poll that returned `Pending`.
    Poll,
    /// The task's last poll returned: done.
    Done,
    /// The task panicked.
    Panicked,
    /// The task was cancelled.
    Cancelled,
}

impl Cell {
    /// Its character in the terminal chart.
    pub fn glyph(self) -> char {
        match self {
            Cell::Empty => ' ',
            Cell::Wait => '·',
            Cell::Sleep => '─',
            Cell::Queued => '░',
            Cell::Busy => '█',
            Cell::Callback => 'c',
            Cell::Poll => 'P',
            Cell::Done => 'D',
            Cell::Panicked => '!',
            Cell::Cancelled => 'x',
        }
    }

    /// Whether it is a mark (a thing that happened at one instant) rather than a stretch of time.
    fn is_mark(self) -> bool {
        self >= Cell::Callback
    }
}

/// What each glyph means, in the order the legend lists them.
pub const LEGEND: [(Cell, &str); 8] = [
    (Cell::Poll, "poll that returned Pending"),
    (Cell::Done, "done: the task's last poll returned"),
    (Cell::Callback, "a done-callback of the task ran"),
    (Cell::Sleep, "asleep: a timer is armed"),
    (Cell::Wait, "waiting on something else (a handle)"),
    (Cell::Queued, "queued: ready, waiting for the executor"),
    (Cell::Busy, "inside one poll: the executor is blocked"),
    (Cell::Panicked, "panicked (x: cancelled)"),
];

/// One task's row.
#[derive(Clone, Debug)]
pub struct Lane {
    /// The task.
    pub task: TaskId,
    /// Its name.
    pub name: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// The first free column: a mark never lands left of it.
    next_free: usize,
    /// Stretches of time `[from, to)` in columns, filled after the marks.
    stretches: Vec<(usize, usize, Cell)>,
    /// When its first poll began and when it ended, in µs, for the reading under the chart.
    span: (Option<u64>, Option<u64>),
    /// Whether another task spawned it (the demos' tasks, not main).
    spawned_by_task: bool,
}

/// The chart.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Lanes in task order: main first.
    pub lanes: Vec<Lane>,
    /// Microseconds of the executor's clock per column.
    pub scale_us: u64,
    /// How many columns the lanes have.
    pub columns: usize,
    /// For each group of events given to [`Timeline::build`] (each step, for a stepped run): the
    /// column time had reached after it, and the lane and column of the last mark it drew, if any.
    pub steps: Vec<(usize, Option<(usize, usize)>)>,
    /// One sentence saying whether the tasks ran concurrently or one at a time.
    pub reading: String,
}

/// Something to draw, with its place in time (µs) decided.
enum Item {
    Mark(TaskId, u64, Cell),
    Stretch(TaskId, u64, u64, Cell),
    /// End of one group of events: where time stands.
    GroupEnd(u64),
}

impl Timeline {
    /// Builds the chart from the trace, cut into groups (one per step, or one for the whole run).
    pub fn build(groups: &[Vec<Event>]) -> Timeline {
        let mut names = Names::default();
        let mut lanes: BTreeMap<TaskId, bool> = BTreeMap::new();
        let mut items = Vec::new();
        let mut cursor = 0u64;
        let mut poll_start: BTreeMap<TaskId, u64> = BTreeMap::new();
        let mut asleep: BTreeMap<TaskId, u64> = BTreeMap::new();
        let mut queued: BTreeMap<TaskId, u64> = BTreeMap::new();
        let mut first_poll: BTreeMap<TaskId, u64> = BTreeMap::new();
        let mut spawned = std::collections::BTreeSet::new();
        for group in groups {
            names.learn(group);
            for event in group {
                let at = micros(event.at);
                if let EventKind::ClockAdvanced { to } = event.kind {
                    cursor = cursor.max(micros(to));
                    continue;
                }
                cursor = cursor.max(at);
                match &event.kind {
                    EventKind::Spawned { task, parent, .. } => {
                        lanes.insert(*task, parent.is_some());
                        spawned.insert(*task);
                        queued.insert(*task, cursor);
                    }
                    EventKind::Woken { task, already_queued: false, .. } => {
                        queued.entry(*task).or_insert(cursor);
                    }
                    EventKind::PollStarted { task } => {
                        lanes.entry(*task).or_insert(false);
                        poll_start.insert(*task, cursor);
                        first_poll.entry(*task).or_insert(cursor);
                        if let Some(since) = queued.remove(task) {
                            items.push(Item::Stretch(*task, since, cursor, Cell::Queued));
                        }
                    }
                    EventKind::PollEnded { task, duration, ready } => {
                        let start = poll_start.remove(task).unwrap_or(cursor);
                        if *duration >= LONG_POLL {
                            cursor += micros(*duration);
                            items.push(Item::Stretch(*task, start, cursor, Cell::Busy));
                        }
                        if !ready {
                            items.push(Item::Mark(*task, cursor, Cell::Poll));
                        } else if !spawned.contains(task) {
                            // The block_on future: it has no TaskFinished event, its last poll is its end.
                            items.push(Item::Mark(*task, cursor, Cell::Done));
                        }
                    }
                    EventKind::TimerArmed { task: Some(task), .. } => {
                        if let Some(from) = asleep.insert(*task, cursor) {
                            items.push(Item::Stretch(*task, from, cursor, Cell::Sleep));
                        }
                    }
                    EventKind::TimerFired { task: Some(task), .. } => {
                        if let Some(from) = asleep.remove(task) {
                            items.push(Item::Stretch(*task, from, cursor, Cell::Sleep));
                        }
                    }
                    EventKind::CallbackRan { task: Some(task) } => {
                        items.push(Item::Mark(*task, cursor, Cell::Callback));
                    }
                    EventKind::TaskFinished { task, outcome } => {
                        if let Some(from) = asleep.remove(task) {
                            items.push(Item::Stretch(*task, from, cursor, Cell::Sleep));
                        }
                        let cell = match outcome {
                            Outcome::Returned => Cell::Done,
                            Outcome::Panicked => Cell::Panicked,
                            Outcome::Cancelled => Cell::Cancelled,
                        };
                        items.push(Item::Mark(*task, cursor, cell));
                    }
                    _ => {}
                }
            }
            items.push(Item::GroupEnd(cursor));
        }
        // Sleeps still running when the trace ends (a run quit early) reach to the end.
        for (task, from) in asleep {
            items.push(Item::Stretch(task, from, cursor, Cell::Sleep));
        }
        // Every task drawn has a lane, even one whose spawn was not traced.
        for item in &items {
            if let Item::Mark(task, ..) | Item::Stretch(task, ..) = item {
                lanes.entry(*task).or_insert(false);
            }
        }
        let scale_us = scale_for(cursor);
        let index: BTreeMap<TaskId, usize> =
            lanes.keys().enumerate().map(|(i, t)| (*t, i)).collect();
        let mut lanes: Vec<Lane> = lanes
            .into_iter()
            .map(|(task, spawned_by_task)| Lane {
                task,
                name: names.get(task),
                cells: Vec::new(),
                next_free: 0,
                stretches: Vec::new(),
                span: (first_poll.get(&task).copied(), None),
                spawned_by_task,
            })
            .collect();
        let col = |us: u64| (us / scale_us) as usize;
        let mut steps = Vec::new();
        let mut last_mark = None;
        for item in items {
            match item {
                Item::Mark(task, at, cell) => {
                    let lane_index = index[&task];
                    let lane = &mut lanes[lane_index];
                    let place = col(at).max(lane.next_free);
                    lane.put(place, cell);
                    lane.next_free = place + 1;
                    if cell >= Cell::Done {
                        lane.span.1 = Some(at);
                    }
                    last_mark = Some((lane_index, place));
                }
                Item::Stretch(task, from, to, cell) => {
                    let lane = &mut lanes[index[&task]];
                    if cell == Cell::Busy {
                        lane.next_free = lane.next_free.max(col(to));
                    }
                    lane.stretches.push((col(from), col(to), cell));
                }
                Item::GroupEnd(at) => steps.push((col(at), last_mark.take())),
            }
        }
        for lane in &mut lanes {
            lane.fill();
        }
        let columns = lanes.iter().map(|l| l.cells.len()).max().unwrap_or(0).max(col(cursor) + 1);
        for lane in &mut lanes {
            lane.cells.resize(columns, Cell::Empty);
        }
        // Whether the tasks spawned by other tasks (the demos' tasks, not main) overlapped.
        let spans: Vec<(&str, u64, u64)> = lanes
            .iter()
            .filter(|l| l.spawned_by_task)
            .filter_map(|l| Some((l.name.as_str(), l.span.0?, l.span.1.unwrap_or(cursor))))
            .collect();
        let reading = super::overlap::reading(&spans);
        Timeline { lanes, scale_us, columns, steps, reading }
    }

    /// The chart for a terminal: title, ruler, lanes, legend and the reading.
    pub fn to_text(&self, title: &str) -> String {
        let mut out = String::new();
        let label_width = self.lanes.iter().map(|l| columns(&l.label())).max().unwrap_or(0) + 2;
        let _ = writeln!(out, "\ntimeline of {title}");
        let _ = writeln!(
            out,
            "one column = {} of the executor's clock; a lane per task",
            time(Duration::from_micros(self.scale_us))
        );
        let (labels, ticks) = self.ruler();
        let _ = writeln!(out, "{:label_width$}{labels}", "");
        let _ = writeln!(out, "{:label_width$}{ticks}", "");
        for lane in &self.lanes {
            let row: String = lane.cells.iter().map(|c| c.glyph()).collect();
            let _ = writeln!(out, "{}{}", pad(&lane.label(), label_width), row.trim_end());
        }
        let _ = writeln!(out, "legend:");
        for pair in LEGEND.chunks(2) {
            let text: Vec<String> = pair
                .iter()
                .map(|(cell, meaning)| format!("{} {meaning:<42}", cell.glyph()))
                .collect();
            let _ = writeln!(out, "  {}", text.join("").trim_end());
        }
        let _ = writeln!(out, "reading: {}", self.reading);
        out
    }

    /// The time labels and tick marks above the lanes: a label every ten columns.
    pub fn ruler(&self) -> (String, String) {
        let mut labels = String::new();
        let mut ticks = String::new();
        for column in (0..self.columns).step_by(10) {
            let label = time(Duration::from_micros(column as u64 * self.scale_us));
            labels.push_str(&format!("{label:<10}"));
            ticks.push_str(&format!("{:<10}", "|"));
        }
        (labels.trim_end().to_owned(), ticks.trim_end().to_owned())
    }
}

impl Lane {
    /// `main   Task-1`: the name, then the id.
    pub fn label(&self) -> String {
        format!("{} {}", pad(&self.name, 6), self.task)
    }

    fn put(&mut self, column: usize, cell: Cell) {
        if self.cells.len() <= column {
            self.cells.resize(column + 1, Cell::Empty);
        }
        self.cells[column] = self.cells[column].max(cell);
    }

    /// Fills the stretches (queued, busy, asleep) into the empty cells, then marks the rest of the
    /// task's life, from its first mark to its end, as waiting.
    fn fill(&mut self) {
        for (from, to, cell) in std::mem::take(&mut self.stretches) {
            // A stretch is drawn from its start up to the column before its end, where the next mark
            // (the poll that ends a sleep, the mark of a long poll) goes; an instant stretch is skipped.
            for column in from..to {
                if self.cells.get(column).is_none_or(|c| !c.is_mark()) {
                    self.put(column, cell);
                }
            }
        }
        let first = self.cells.iter().position(|c| *c != Cell::Empty);
        let end = self.cells.iter().position(|c| *c >= Cell::Done).unwrap_or(self.cells.len());
        if let Some(first) = first {
            for column in first..end {
                if self.cells[column] == Cell::Empty {
                    self.cells[column] = Cell::Wait;
                }
            }
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The smallest round number of µs per column (1, 2 or 5 times a power of ten, at least 1 ms) that fits
/// `end` in [`MAX_COLUMNS`].
fn scale_for(end: u64) -> u64 {
    let mut unit = 1000u64;
    loop {
        for step in [1, 2, 5] {
            if end / (unit * step) < MAX_COLUMNS {
                return unit * step;
            }
        }
        unit *= 10;
    }
}
