//! A step and a snapshot in words: what the stepper prints and what the replay page shows.
//!
//! The pieces come out as plain strings first ([`headline`], [`details`], [`ready`], [`task_rows`],
//! [`timer_rows`]) so that the terminal and the HTML page say exactly the same thing; [`snapshot_text`]
//! and [`step_text`] lay them out for a terminal 80 columns wide.

use std::fmt::Write as _;
use std::time::Duration;

use minimalist_async::demo::columns::{columns, pad};
use minimalist_async::inspect::{Ready, TaskState};
use minimalist_async::time::wheel::SlotId;
use minimalist_async::trace::{Event, EventKind, Outcome};
use minimalist_async::{Snapshot, Step, TaskId};

use super::record::{Names, Record, turn_over};

/// A duration as people write it: `0ms`, `100ms`, `100.4ms`, `250µs`, `1.5s`.
pub fn time(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0ms".to_owned()
    } else if us < 1000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        trim(format!("{:.1}", us as f64 / 1e3)) + "ms"
    } else {
        trim(format!("{:.2}", us as f64 / 1e6)) + "s"
    }
}

/// Drops a fraction of zeros: `100.0` → `100`, `1.50` → `1.5`.
fn trim(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A count with its noun: `1 line`, `2 lines`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// A task as the texts name it: `task1 (Task-2)`.
fn who(names: &Names, id: TaskId) -> String {
    format!("{} ({id})", names.get(id))
}

/// One line saying what the step did. `None` (record 0) is the state before the first step.
pub fn headline(step: Option<&Step>, names: &Names, virtual_time: bool) -> String {
    let Some(step) = step else {
        return "nothing yet: main is spawned and queued; it runs when the first turn begins"
            .to_owned();
    };
    match step {
        Step::Polled { task, finished: false } => {
            format!("polled {}: it returned Pending", who(names, *task))
        }
        Step::Polled { task, finished: true } => {
            format!("polled {}: it returned, the task is done", who(names, *task))
        }
        Step::RanCallback { task } => format!("ran a done-callback of {}", who(names, *task)),
        Step::RanCallSoon => "ran a call_soon callback".to_owned(),
        Step::Cancelled { task } => format!("dropped {}, which was cancelled", who(names, *task)),
        Step::RanRemote => "ran work sent from another thread".to_owned(),
        Step::FiredTimers { count: 1 } => {
            "fired 1 due timer, which ends the turn: what it woke runs next turn".to_owned()
        }
        Step::FiredTimers { count } => {
            format!("fired {count} due timers, which ends the turn: what they woke runs next turn")
        }
        Step::AdvancedClock { now } if virtual_time => {
            format!("nothing was ready: virtual time jumped to {}, the next deadline", time(*now))
        }
        Step::AdvancedClock { now } => {
            format!("nothing was ready: waited until {}, the next deadline", time(*now))
        }
        Step::Idle => "nothing is queued and no timer is armed: idle".to_owned(),
        Step::MainWoken => "the block_on future was woken".to_owned(),
        _ => format!("{step:?}"),
    }
}

/// The step's trace events in words, one line each; the ones the headline already says are left out.
pub fn details(events: &[Event], names: &Names) -> Vec<String> {
    let mut lines = Vec::new();
    let mut events = events.iter().peekable();
    while let Some(event) = events.next() {
        // A timer's wake follows its firing: one line says both.
        if let EventKind::TimerFired { task: Some(task), deadline } = &event.kind
            && let Some(Event {
                kind: EventKind::Woken { task: woken, already_queued, .. }, ..
            }) = events.peek()
            && woken == task
        {
            let queued =
                if *already_queued { "it was already queued" } else { "queued for the next turn" };
            let name = names.get(*task);
            lines.push(format!(
                "{name}'s timer (due {}) fired: it woke {name}, {queued}",
                time(*deadline)
            ));
            events.next();
            continue;
        }
        let line = match &event.kind {
            EventKind::Spawned { task, parent, .. } => Some(match parent {
                Some(parent) => format!(
                    "{} spawned {}: queued, it first runs next turn",
                    names.get(*parent),
                    who(names, *task)
                ),
                None => format!("spawned {}: queued", who(names, *task)),
            }),
            EventKind::Woken { task, already_queued, other_thread } => Some(format!(
                "woke {}{}{}",
                names.get(*task),
                if *other_thread { " from another thread" } else { "" },
                if *already_queued {
                    ": it was already queued, so this wake cost nothing"
                } else {
                    ": queued for the next turn"
                }
            )),
            EventKind::PollEnded { duration, .. } if *duration >= Duration::from_millis(1) => {
                Some(format!(
                    "the poll ran for {} of real time: every other task waited",
                    time(*duration)
                ))
            }
            EventKind::TimerArmed { task: Some(task), deadline } => {
                Some(format!("{} armed a timer due at {}", names.get(*task), time(*deadline)))
            }
            EventKind::TimerArmed { task: None, deadline } => {
                Some(format!("a call_later timer was armed for {}", time(*deadline)))
            }
            EventKind::TimerFired { task, deadline } => Some(match task {
                Some(task) => {
                    format!("{}'s timer (due {}) fired", names.get(*task), time(*deadline))
                }
                None => format!("a call_later timer (due {}) fired", time(*deadline)),
            }),
            EventKind::CallbackQueued { task: Some(task) } => {
                Some(format!("queued a done-callback of {} for the next turn", names.get(*task)))
            }
            EventKind::TaskFinished { task, outcome } => match outcome {
                Outcome::Returned => None,
                Outcome::Panicked => Some(format!("{} panicked", names.get(*task))),
                Outcome::Cancelled => Some(format!("{} is cancelled", names.get(*task))),
            },
            _ => None,
        };
        lines.extend(line);
    }
    lines
}

/// The ready queue as labels: the entries this turn still runs, then those waiting for the next turn.
pub fn ready(snapshot: &Snapshot, names: &Names) -> (Vec<String>, Vec<String>) {
    let labels: Vec<String> = snapshot
        .ready
        .iter()
        .map(|entry| match entry {
            Ready::Task(id) => names.get(*id),
            Ready::DoneCallback(id) => format!("callback of {}", names.get(*id)),
            Ready::CallSoon => "call_soon callback".to_owned(),
            Ready::Main => "main".to_owned(),
            Ready::Remote => "work from another thread".to_owned(),
            Ready::Stale => "(stale wake)".to_owned(),
        })
        .collect();
    let split = snapshot.this_turn.min(labels.len());
    (labels[..split].to_vec(), labels[split..].to_vec())
}

/// One task as a snapshot row.
#[derive(Clone, Debug)]
pub struct TaskRow {
    /// `Task-2`.
    pub id: String,
    /// `task1`.
    pub name: String,
    /// Who spawned it, or empty.
    pub parent: String,
    /// `sleeping until 200ms`; for the task the step was about, `running (this step) → …`.
    pub state: String,
    /// Whether this step ran it.
    pub ran: bool,
}

/// Every task, by id; the one the step was about (see `Record::ran`) is marked, with what happened to it.
pub fn task_rows(snapshot: &Snapshot, ran: Option<(TaskId, &str)>, names: &Names) -> Vec<TaskRow> {
    snapshot
        .tasks
        .iter()
        .map(|task| {
            let state = match task.state {
                TaskState::Queued => "queued".to_owned(),
                TaskState::Sleeping { until } => format!("sleeping until {}", time(until)),
                TaskState::Awaiting(id) => format!("awaiting {}", names.get(id)),
                TaskState::Waiting => "waiting".to_owned(),
                TaskState::Finished => "finished".to_owned(),
                TaskState::Panicked => "panicked".to_owned(),
                TaskState::Cancelled => "cancelled".to_owned(),
            };
            let what = ran.filter(|(id, _)| *id == task.id).map(|(_, what)| what);
            TaskRow {
                id: task.id.to_string(),
                name: task.name.clone(),
                parent: task.spawned_by.map_or_else(String::new, |id| names.get(id)),
                state: match what {
                    Some(what) => format!("{what} → {state}"),
                    None => state,
                },
                ran: what.is_some(),
            }
        })
        .collect()
}

/// The timer wheel's occupied slots: where, and `owner @ deadline` for each timer in it.
pub fn timer_rows(snapshot: &Snapshot, names: &Names) -> Vec<(String, Vec<String>)> {
    snapshot
        .timers
        .iter()
        .map(|list| {
            let place = match list.slot {
                Some(SlotId::Level { level, slot }) => format!("level {level} slot {slot}"),
                Some(SlotId::Overflow) => "overflow".to_owned(),
                Some(SlotId::Expired) => "expired".to_owned(),
                None => "due, fires at the end of this turn".to_owned(),
            };
            let timers = list
                .timers
                .iter()
                .map(|timer| {
                    let owner =
                        timer.task.map_or_else(|| "call_later".to_owned(), |id| names.get(id));
                    format!("{owner} @ {}", time(timer.deadline))
                })
                .collect();
            (place, timers)
        })
        .collect()
}

/// Where the executor stands in its turn, in words.
pub fn turn_status(snapshot: &Snapshot) -> String {
    let turn = snapshot.turn;
    if snapshot.this_turn > 0 {
        let n = snapshot.this_turn;
        format!(
            "turn {turn}: {n} more entr{} to run in this turn",
            if n == 1 { "y" } else { "ies" }
        )
    } else if !turn_over(snapshot) {
        format!("turn {turn}: the due timers fire next, ending the turn")
    } else if !snapshot.ready.is_empty() {
        format!("turn {turn} is over; the next step begins turn {}", turn + 1)
    } else if snapshot
        .timers
        .iter()
        .flat_map(|list| &list.timers)
        .any(|timer| timer.deadline <= snapshot.now)
    {
        format!("turn {turn} is over; timers are due, so the next step begins turn {}", turn + 1)
    } else if !snapshot.timers.is_empty() {
        format!("turn {turn} is over; nothing is queued, so the clock moves to the next deadline")
    } else if turn == 0 {
        "no turn has begun".to_owned()
    } else {
        format!("turn {turn} is over; nothing is queued and no timer is armed")
    }
}

/// The snapshot as a block of text: clock and turn, ready queue, tasks, timer wheel.
pub fn snapshot_text(snapshot: &Snapshot, ran: Option<(TaskId, &str)>, names: &Names) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "clock {} · {}", time(snapshot.now), turn_status(snapshot));
    let (this_turn, next_turn) = ready(snapshot, names);
    let list = |labels: &[String]| {
        if labels.is_empty() {
            "—".to_owned()
        } else {
            labels.iter().map(|l| format!("[{l}]")).collect::<Vec<_>>().join(" ")
        }
    };
    let _ = writeln!(
        out,
        "ready queue   this turn: {}   next turn: {}",
        list(&this_turn),
        list(&next_turn)
    );
    let rows = task_rows(snapshot, ran, names);
    let name_width = rows.iter().map(|r| columns(&r.name)).max().unwrap_or(4).max(4);
    let parent_width = rows.iter().map(|r| columns(&r.parent)).max().unwrap_or(0).max(10);
    // Padded by terminal columns, not characters, so that a wide tag (任务, 🚀) keeps the columns
    // after it in line.
    let _ = writeln!(
        out,
        "tasks     {:<8} {}  {}  state",
        "id",
        pad("name", name_width),
        pad("spawned by", parent_width)
    );
    for row in &rows {
        let mark = if row.ran { "▶" } else { " " };
        let _ = writeln!(
            out,
            "        {mark} {} {}  {}  {}",
            pad(&row.id, 8),
            pad(&row.name, name_width),
            pad(&row.parent, parent_width),
            row.state
        );
    }
    let timers = timer_rows(snapshot, names);
    if timers.is_empty() {
        let _ = writeln!(out, "timer wheel   (empty)");
    }
    for (index, (place, entries)) in timers.iter().enumerate() {
        let label = if index == 0 { "timer wheel" } else { "" };
        let _ = writeln!(out, "{label:<13} {place}: {}", entries.join(", "));
    }
    out
}

/// A whole step for the terminal: a rule with its number, turn and clock, what it did, the lines the
/// demo printed during it (numbered, marked `+`), then the snapshot.
pub fn step_text(record: &Record, names: &Names, virtual_time: bool) -> String {
    let snapshot = &record.snapshot;
    let mut out = String::new();
    let rule = format!(
        "── step {} · turn {} · clock {} ",
        record.number,
        snapshot.turn,
        time(snapshot.now)
    );
    let rest = 78usize.saturating_sub(columns(&rule));
    let _ = writeln!(out, "\n{rule}{}", "─".repeat(rest));
    let _ = writeln!(out, "did: {}", headline(record.step.as_ref(), names, virtual_time));
    for line in details(&record.events, names) {
        let _ = writeln!(out, "     · {line}");
    }
    out
}

/// The lines printed during a step, numbered from `first` (1-based) and marked `+`.
pub fn printed_text(lines: &[String], first: usize) -> String {
    let mut out = String::new();
    for (offset, line) in lines.iter().enumerate() {
        let _ = writeln!(out, "  +{:<3}│ {line}", first + offset);
    }
    out
}

/// Output lines, numbered from `first`, for the "output so far" and final listings.
pub fn output_text(lines: &[String], first: usize) -> String {
    let mut out = String::new();
    for (offset, line) in lines.iter().enumerate() {
        let _ = writeln!(out, "   {:<3}│ {line}", first + offset);
    }
    out
}
