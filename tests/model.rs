//! Random programs against a reference model.
//!
//! The other test files each pin one rule with a hand-written scenario. This one lets proptest write
//! the scenarios: it generates small random programs, runs each on a virtual-time executor, and checks
//! the run two ways.
//!
//! **A program** is a list of operations run before the executor starts (through `Executor::spawn`,
//! `Executor::call_soon`, `Executor::call_later`), then a list run one after the other by a *driver*
//! future inside `block_on`. The operations: spawn a task whose body is a small script (sleep for a
//! delay, yield, wait on a *wake token*, reset a sleep, then return a value); sleep, yield or reset a
//! sleep in the driver; wake a token (the driver wakes every `Waker` that a task left in it); await a
//! task; cancel a task; add a done-callback (some of which add one more from inside themselves) and
//! remove one with the key `add_done_callback` returned; `call_soon`, `call_later`, and cancelling
//! those. *Resetting a sleep* is `sleep(first)` polled once (which arms its timer; a zero one yields
//! instead), a `yield_now` (other tasks arm timers meanwhile), then `Sleep::reset(time::now() + then)`
//! and awaiting it. Delays come from a small set (0, 1 µs, 63 µs, 64 µs, 1 ms, 100 ms, 1 s, 20 h) so
//! that equal deadlines are common, and so that timers land on every level of the wheel, on both sides
//! of a slot boundary, and beyond its span. Every future and callback writes what it sees into one log,
//! stamped with `time::now()`.
//!
//! **The invariants** are read off the real log alone, whatever the schedule:
//!
//! 1. every spawned task ends exactly once: it returns, or it is cancelled (and then its handle and its
//!    done-callbacks see a cancelled `JoinError`); it first runs on a later turn than its spawn; a
//!    task cancelled before its first poll is never polled; `cancel()` returns whether the task was
//!    still pending;
//! 2. timers never fire early, and on virtual time exactly on time; they fire in deadline order, ties
//!    in arming order, where a reset timer counts as armed at the reset (a zero sleep, which had no
//!    timer, is armed at its first poll after the reset); a reset sleep ends exactly at its new
//!    deadline, never at its first one; a task woken by a timer runs on the turn after the timer fired;
//! 3. done-callbacks run exactly once each, in registration order, never inside the call that queued
//!    them (`add_done_callback`, `cancel`) and on a later turn than the one that ended the task and
//!    than their own `add_done_callback`; `remove_done_callback` returns whether the callback was
//!    registered while its task ran (once the task has ended its callbacks are scheduled and, as in
//!    asyncio, a removal changes nothing), and a removed callback never runs; a cancelled
//!    `call_soon`/`call_later` callback never runs;
//! 4. after `block_on` returns no task is left and no timer is armed: tasks still pending when the
//!    driver returned were cancelled, as `asyncio.run` does, and their callbacks saw it; `call_later`
//!    callbacks not due yet were dropped, as closing asyncio's loop drops them; no time passed after the
//!    driver returned.
//!
//! **The model** (`Model` below) is asyncio's event loop written as plainly as possible: a `VecDeque`
//! for the ready queue, a `BTreeMap` keyed by `(deadline, arming order)` for the timers, and the turn
//! rule of NOTES.md section 3. A reset takes the sleep's timer out of the map and puts it back under
//! `(now + then, a new arming number)`; a removed done-callback leaves its task's list, and each queue
//! entry of an ended task runs the oldest callback left, or nothing (no step, but it still makes the
//! turn one with work, as in the executor). It runs the same program and predicts the whole log, in order, with the
//! time of every line (and, when the executor is stepped, the turn of every line). The real log must
//! be exactly the predicted one. The one place where the order is not specified is the cancellation of
//! leftover tasks at the end of `block_on` (asyncio walks a `WeakSet`): from there on the two logs are
//! compared as multisets, and the invariants above do the checking.
//!
//! Programs run two ways, one property each: with the driver as `block_on`'s own future, and with the
//! driver spawned as a task and the executor driven by `Executor::step`, so that the harness can read
//! `Executor::turns()` after every step and stamp each log line with its turn. (Inside `block_on` the
//! turn is not observable; there the model still pins it through the order of the log and the final
//! turn count.)
//!
//! When a case fails, proptest shrinks it and prints the smallest program it found, one operation per
//! line, and the test says which rule broke or where the real log left the model's.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use minimalist_async::{
    CallbackHandle, CallbackKey, Executor, JoinError, JoinHandle, Sleep, Step, call_later,
    call_soon, sleep, spawn, time, yield_now,
};
mod common;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// How many wake tokens a program can use.
const TOKENS: usize = 3;

/// A stepped run that has not gone idle after this many steps is stuck.
const STEP_LIMIT: usize = 100_000;

/// Each property runs this many random programs: 3000 with `MINIMALIST_ASYNC_LONG_TESTS=1` (as
/// `.ci/run` sets), 300 in a plain `cargo test`.
fn cases() -> u32 {
    common::budget(300, 3000)
}

// ---------------------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------------------

/// A duration or an instant, in microseconds (the executor's unit), printed in the largest unit that
/// divides it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Micros(u64);

/// The delays programs use. 63 and 64 µs sit on both sides of the first slot boundary of the wheel;
/// 20 h is beyond its span of 19.1 h, so it waits in the overflow list.
const DELAYS: [Micros; 8] = [
    Micros(0),
    Micros(1),
    Micros(63),
    Micros(64),
    Micros(1_000),
    Micros(100_000),
    Micros(1_000_000),
    Micros(20 * 3_600_000_000),
];

impl Micros {
    fn of(duration: Duration) -> Micros {
        Micros(u64::try_from(duration.as_micros()).expect("virtual time fits in u64"))
    }

    fn duration(self) -> Duration {
        Duration::from_micros(self.0)
    }

    fn plus(self, other: Micros) -> Micros {
        Micros(self.0 + other.0)
    }
}

impl fmt::Debug for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] =
            [(3_600_000_000, "h"), (1_000_000, "s"), (1_000, "ms"), (1, "µs")];
        if self.0 == 0 {
            return f.write_str("0");
        }
        let (size, unit) = UNITS
            .iter()
            .find(|(size, _)| self.0.is_multiple_of(*size))
            .expect("1 divides everything");
        write!(f, "{}{unit}", self.0 / size)
    }
}

/// A spawned task, by spawn order: `T0` is the first task the program spawns.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct TaskNo(usize);

/// A `call_soon` or `call_later` callback, by scheduling order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct CallNo(usize);

/// A done-callback, by the order the program mentions it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct CbNo(usize);

/// A wake token: tasks wait on it, the driver wakes it once.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Token(usize);

impl fmt::Debug for TaskNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

impl fmt::Debug for CallNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}", self.0)
    }
}

impl fmt::Debug for CbNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "D{}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "W{}", self.0)
    }
}

/// One step of a task's script: something it awaits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// `sleep(d).await`; a zero sleep yields once.
    Sleep(Micros),
    /// `yield_now().await`.
    Yield,
    /// Wait until the driver wakes this token (at once if it already did).
    Wait(Token),
    /// `let mut nap = sleep(first)`, poll it once (which arms its timer, or yields once for a zero
    /// `first`), `yield_now().await` (other tasks may arm timers meanwhile), then
    /// `nap.reset(time::now() + then)` and `nap.await`.
    ResetSleep(Micros, Micros),
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Sleep(delay) => write!(f, "sleep {delay:?}"),
            Action::Yield => f.write_str("yield"),
            Action::Wait(token) => write!(f, "wait {token:?}"),
            Action::ResetSleep(first, then) => write!(f, "sleep {first:?}, reset to now+{then:?}"),
        }
    }
}

/// A task's body: its steps, then the value it returns.
#[derive(Clone, PartialEq, Eq)]
struct Script {
    actions: Vec<Action>,
    value: u32,
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} -> {}", self.actions, self.value)
    }
}

/// One operation of a program, with every reference resolved (see [`Resolver`]).
#[derive(Clone, PartialEq, Eq)]
enum Op {
    Spawn(TaskNo, Script),
    /// Driver only: `sleep(d).await`.
    Sleep(Micros),
    /// Driver only: `yield_now().await`.
    Yield,
    /// Driver only: wake every task waiting on the token; later waits return at once.
    Wake(Token),
    /// Driver only: await the task's handle.
    Await(TaskNo),
    Cancel(TaskNo),
    /// `add_done_callback(cb)`; with `nested`, `cb` adds `nested` to the same task when it runs.
    AddCallback {
        task: TaskNo,
        cb: CbNo,
        nested: Option<CbNo>,
    },
    /// `remove_done_callback` with the key `add_done_callback` returned for `cb`.
    RemoveCallback(TaskNo, CbNo),
    /// Driver only: [`Action::ResetSleep`].
    ResetSleep(Micros, Micros),
    CallSoon(CallNo),
    CallLater(CallNo, Micros),
    CancelCall(CallNo),
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Spawn(task, script) => write!(f, "{task:?} = spawn {script:?}"),
            Op::Sleep(delay) => write!(f, "sleep {delay:?}"),
            Op::Yield => f.write_str("yield"),
            Op::Wake(token) => write!(f, "wake {token:?}"),
            Op::Await(task) => write!(f, "await {task:?}"),
            Op::Cancel(task) => write!(f, "{task:?}.cancel()"),
            Op::AddCallback { task, cb, nested: None } => {
                write!(f, "{task:?}.add_done_callback({cb:?})")
            }
            Op::AddCallback { task, cb, nested: Some(inner) } => {
                write!(f, "{task:?}.add_done_callback({cb:?}, which adds {inner:?} when it runs)")
            }
            Op::RemoveCallback(task, cb) => write!(f, "{task:?}.remove_done_callback({cb:?})"),
            Op::ResetSleep(first, then) => write!(f, "sleep {first:?}, reset to now+{then:?}"),
            Op::CallSoon(call) => write!(f, "{call:?} = call_soon"),
            Op::CallLater(call, delay) => write!(f, "{call:?} = call_later({delay:?})"),
            Op::CancelCall(call) => write!(f, "{call:?}.cancel()"),
        }
    }
}

/// A generated program: operations from outside the executor, then the driver's.
#[derive(Clone)]
struct Program {
    /// Run in order before the executor starts.
    outside: Vec<Op>,
    /// Run in order by the driver future; its step numbers are indices into this list.
    driver: Vec<Op>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Program {{")?;
        writeln!(f, "  before the executor runs:")?;
        for op in &self.outside {
            writeln!(f, "        {op:?}")?;
        }
        if self.outside.is_empty() {
            writeln!(f, "        (nothing)")?;
        }
        writeln!(f, "  driver, step by step:")?;
        for (step, op) in self.driver.iter().enumerate() {
            writeln!(f, "    {step:>2}: {op:?}")?;
        }
        write!(f, "}}")
    }
}

impl Program {
    fn ops(&self) -> impl Iterator<Item = &Op> {
        self.outside.iter().chain(&self.driver)
    }

    /// The scripts of the spawned tasks, by `TaskNo`.
    fn scripts(&self) -> Vec<&Script> {
        self.ops()
            .filter_map(|op| match op {
                Op::Spawn(_, script) => Some(script),
                _ => None,
            })
            .collect()
    }

    /// The delay of every `call_soon` (`None`) and `call_later` (`Some`), by `CallNo`.
    fn calls(&self) -> Vec<Option<Micros>> {
        self.ops()
            .filter_map(|op| match op {
                Op::CallSoon(_) => Some(None),
                Op::CallLater(_, delay) => Some(Some(*delay)),
                _ => None,
            })
            .collect()
    }

    /// What `who` awaits at `step`, when that is a sleep or a yield.
    fn action(&self, who: Who, step: usize) -> Option<Action> {
        match who {
            Who::Task(task) => self.scripts()[task.0].actions.get(step).copied(),
            Who::Driver => match self.driver.get(step)? {
                Op::Sleep(delay) => Some(Action::Sleep(*delay)),
                Op::Yield => Some(Action::Yield),
                Op::ResetSleep(first, then) => Some(Action::ResetSleep(*first, *then)),
                _ => None,
            },
        }
    }
}

/// An operation as generated, before its references are resolved: `Index` picks among what exists at
/// that point of the program.
#[derive(Clone, Debug)]
enum RawOp {
    Spawn(Script),
    Sleep(Micros),
    Yield,
    Wake(Token),
    Await(Index),
    Cancel(Index),
    AddCallback(Index, bool),
    RemoveCallback(Index),
    ResetSleep(Micros, Micros),
    CallSoon,
    CallLater(Micros),
    CancelCall(Index),
}

/// Turns raw operations into a valid program: numbers tasks and callbacks, points references at things
/// that exist, and drops operations that would be misuse or could hang the driver.
#[derive(Default)]
struct Resolver {
    scripts: Vec<Script>,
    /// Tasks whose handle the driver awaits: their result is gone, so no callback can be added after.
    awaited: Vec<bool>,
    woken: [bool; TOKENS],
    calls: usize,
    callbacks: usize,
    /// The callbacks added by an `AddCallback` operation, whose keys exist from there on (a nested
    /// one gets its key only when the callback that adds it runs, which the program does not know).
    added: Vec<(TaskNo, CbNo)>,
}

impl Resolver {
    fn program(outside: Vec<RawOp>, driver: Vec<RawOp>) -> Program {
        let mut resolver = Resolver::default();
        let outside = resolver.resolve(outside);
        let driver = resolver.resolve(driver);
        Program { outside, driver }
    }

    fn resolve(&mut self, raw: Vec<RawOp>) -> Vec<Op> {
        raw.into_iter().filter_map(|op| self.op(op)).collect()
    }

    fn op(&mut self, raw: RawOp) -> Option<Op> {
        let tasks = self.scripts.len();
        Some(match raw {
            RawOp::Spawn(script) => {
                self.scripts.push(script.clone());
                self.awaited.push(false);
                Op::Spawn(TaskNo(tasks), script)
            }
            RawOp::Sleep(delay) => Op::Sleep(delay),
            RawOp::Yield => Op::Yield,
            RawOp::Wake(token) => {
                self.woken[token.0] = true;
                Op::Wake(token)
            }
            RawOp::Await(index) => {
                // Only a task that is sure to end: every token it waits on is already woken.
                let ready: Vec<usize> = (0..tasks)
                    .filter(|&t| !self.awaited[t])
                    .filter(|&t| {
                        self.scripts[t].actions.iter().all(|action| match action {
                            Action::Wait(token) => self.woken[token.0],
                            _ => true,
                        })
                    })
                    .collect();
                let task = pick(&ready, &index)?;
                self.awaited[task] = true;
                Op::Await(TaskNo(task))
            }
            RawOp::Cancel(index) => Op::Cancel(TaskNo(pick_below(tasks, &index)?)),
            RawOp::AddCallback(index, nested) => {
                let open: Vec<usize> = (0..tasks).filter(|&t| !self.awaited[t]).collect();
                let task = TaskNo(pick(&open, &index)?);
                let cb = self.next_callback();
                let nested = nested.then(|| self.next_callback());
                self.added.push((task, cb));
                Op::AddCallback { task, cb, nested }
            }
            RawOp::RemoveCallback(index) => {
                let (task, cb) = self.added[pick_below(self.added.len(), &index)?];
                Op::RemoveCallback(task, cb)
            }
            RawOp::ResetSleep(first, then) => Op::ResetSleep(first, then),
            RawOp::CallSoon => Op::CallSoon(self.next_call()),
            RawOp::CallLater(delay) => Op::CallLater(self.next_call(), delay),
            RawOp::CancelCall(index) => Op::CancelCall(CallNo(pick_below(self.calls, &index)?)),
        })
    }

    fn next_callback(&mut self) -> CbNo {
        self.callbacks += 1;
        CbNo(self.callbacks - 1)
    }

    fn next_call(&mut self) -> CallNo {
        self.calls += 1;
        CallNo(self.calls - 1)
    }
}

fn pick(items: &[usize], index: &Index) -> Option<usize> {
    (!items.is_empty()).then(|| items[index.index(items.len())])
}

fn pick_below(len: usize, index: &Index) -> Option<usize> {
    (len > 0).then(|| index.index(len))
}

fn delay() -> impl Strategy<Value = Micros> {
    prop::sample::select(DELAYS.to_vec())
}

fn token() -> impl Strategy<Value = Token> {
    (0..TOKENS).prop_map(Token)
}

fn script() -> impl Strategy<Value = Script> {
    let action = prop_oneof![
        4 => delay().prop_map(Action::Sleep),
        1 => Just(Action::Yield),
        2 => token().prop_map(Action::Wait),
        1 => (delay(), delay()).prop_map(|(first, then)| Action::ResetSleep(first, then)),
    ];
    (prop::collection::vec(action, 0..5), 0..100u32)
        .prop_map(|(actions, value)| Script { actions, value })
}

/// What can be done before the executor runs: no sleeping, waking or awaiting out there.
fn outside_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        3 => script().prop_map(RawOp::Spawn),
        1 => any::<Index>().prop_map(RawOp::Cancel),
        2 => (any::<Index>(), prop::bool::weighted(0.25)).prop_map(|(i, n)| RawOp::AddCallback(i, n)),
        1 => any::<Index>().prop_map(RawOp::RemoveCallback),
        1 => Just(RawOp::CallSoon),
        1 => delay().prop_map(RawOp::CallLater),
        1 => any::<Index>().prop_map(RawOp::CancelCall),
    ]
}

fn driver_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        4 => script().prop_map(RawOp::Spawn),
        3 => delay().prop_map(RawOp::Sleep),
        2 => Just(RawOp::Yield),
        2 => token().prop_map(RawOp::Wake),
        2 => any::<Index>().prop_map(RawOp::Await),
        2 => any::<Index>().prop_map(RawOp::Cancel),
        3 => (any::<Index>(), prop::bool::weighted(0.25)).prop_map(|(i, n)| RawOp::AddCallback(i, n)),
        1 => any::<Index>().prop_map(RawOp::RemoveCallback),
        1 => (delay(), delay()).prop_map(|(first, then)| RawOp::ResetSleep(first, then)),
        1 => Just(RawOp::CallSoon),
        2 => delay().prop_map(RawOp::CallLater),
        1 => any::<Index>().prop_map(RawOp::CancelCall),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    (prop::collection::vec(outside_op(), 0..5), prop::collection::vec(driver_op(), 0..24))
        .prop_map(|(outside, driver)| Resolver::program(outside, driver))
}

// ---------------------------------------------------------------------------------------------------
// The log
// ---------------------------------------------------------------------------------------------------

/// Whose code logged a line: the driver or a spawned task.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    Driver,
    Task(TaskNo),
}

impl fmt::Debug for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Driver => f.write_str("driver"),
            Who::Task(task) => write!(f, "{task:?}"),
        }
    }
}

/// How a task ended, as its handle or a done-callback saw it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Outcome {
    Value(u32),
    Cancelled,
    Panicked,
}

impl Outcome {
    fn of(result: &Result<u32, JoinError>) -> Outcome {
        match result {
            Ok(value) => Outcome::Value(*value),
            Err(error) if error.is_cancelled() => Outcome::Cancelled,
            Err(_) => Outcome::Panicked,
        }
    }
}

/// One line of the log. `step` numbers a script's actions (a task) or the driver's operations.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// First poll of a task's body (or of the driver).
    Started(Who),
    /// A sleep's first poll armed its timer.
    SleepArmed {
        who: Who,
        step: usize,
        deadline: Micros,
    },
    /// `nap.reset(time::now() + then)` returned; `before` and `deadline` are what `nap.deadline()`
    /// read before and after it.
    SleepReset {
        who: Who,
        step: usize,
        before: Option<Micros>,
        deadline: Option<Micros>,
    },
    /// That timer fired: the sleep's waker was woken.
    TimerFired {
        who: Who,
        step: usize,
        deadline: Micros,
    },
    /// An awaited sleep, yield or token wait is over; it began at `began_at`.
    StepDone {
        who: Who,
        step: usize,
        began_at: Micros,
    },
    Returned(TaskNo, u32),
    /// The task's future was dropped before it returned: it was cancelled.
    Dropped(TaskNo),
    DriverReturned,
    Spawned(TaskNo),
    /// `cancel()` returned.
    Cancelled {
        task: TaskNo,
        was_pending: bool,
    },
    Woke(Token),
    Awaited(TaskNo, Outcome),
    /// `add_done_callback` returned.
    CallbackAdded(TaskNo, CbNo),
    CallbackRan(TaskNo, CbNo, Outcome),
    /// `remove_done_callback` returned whether it removed the callback.
    CallbackRemoved {
        task: TaskNo,
        cb: CbNo,
        removed: bool,
    },
    /// `call_soon` (`delay: None`) or `call_later` returned.
    CallScheduled {
        call: CallNo,
        delay: Option<Micros>,
    },
    /// `CallbackHandle::cancel` returned.
    CallCancelled {
        call: CallNo,
        was_pending: bool,
    },
    CallRan(CallNo),
}

impl Event {
    /// The task whose own code (body or sleeps) logged this line, if any.
    fn task_acting(&self) -> Option<TaskNo> {
        match *self {
            Event::Started(Who::Task(task))
            | Event::SleepArmed { who: Who::Task(task), .. }
            | Event::TimerFired { who: Who::Task(task), .. }
            | Event::SleepReset { who: Who::Task(task), .. }
            | Event::StepDone { who: Who::Task(task), .. }
            | Event::Returned(task, _) => Some(task),
            _ => None,
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Started(who) => write!(f, "{who:?} starts"),
            Event::SleepArmed { who, step, deadline } => {
                write!(f, "{who:?} step {step} arms a timer for {deadline:?}")
            }
            Event::TimerFired { who, step, deadline } => {
                write!(f, "timer of {who:?} step {step} fires (due {deadline:?})")
            }
            Event::SleepReset { who, step, before, deadline } => write!(
                f,
                "{who:?} step {step} resets its sleep: deadline {before:?} -> {deadline:?}"
            ),
            Event::StepDone { who, step, began_at } => {
                write!(f, "{who:?} step {step} done (began at {began_at:?})")
            }
            Event::Returned(task, value) => write!(f, "{task:?} returns {value}"),
            Event::Dropped(task) => write!(f, "{task:?} dropped unfinished (cancelled)"),
            Event::DriverReturned => f.write_str("driver returns"),
            Event::Spawned(task) => write!(f, "spawned {task:?}"),
            Event::Cancelled { task, was_pending } => {
                write!(f, "{task:?}.cancel() returned {was_pending}")
            }
            Event::Woke(token) => write!(f, "woke {token:?}"),
            Event::Awaited(task, outcome) => write!(f, "await {task:?} gave {outcome:?}"),
            Event::CallbackAdded(task, cb) => {
                write!(f, "{task:?}.add_done_callback({cb:?}) returned")
            }
            Event::CallbackRan(task, cb, outcome) => {
                write!(f, "{cb:?} runs for {task:?}, sees {outcome:?}")
            }
            Event::CallbackRemoved { task, cb, removed } => {
                write!(f, "{task:?}.remove_done_callback({cb:?}) returned {removed}")
            }
            Event::CallScheduled { call, delay: None } => write!(f, "{call:?} = call_soon"),
            Event::CallScheduled { call, delay: Some(delay) } => {
                write!(f, "{call:?} = call_later({delay:?})")
            }
            Event::CallCancelled { call, was_pending } => {
                write!(f, "{call:?}.cancel() returned {was_pending}")
            }
            Event::CallRan(call) => write!(f, "{call:?} runs"),
        }
    }
}

/// A log line: when it was written, in which turn (when known), and what happened.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    turn: Option<u64>,
    at: Micros,
    event: Event,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.turn {
            Some(turn) => write!(f, "turn {turn:>3} ")?,
            None => f.write_str("turn   ? ")?,
        }
        write!(f, "@{:<10} {:?}", format!("{:?}", self.at), self.event)
    }
}

/// The log of one real run, shared by every future and callback. An `Arc<Mutex>` rather than an
/// `Rc<RefCell>` only because the timer-logging waker must be `Send + Sync`; one thread uses it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<LogState>>);

#[derive(Default)]
struct LogState {
    records: Vec<Record>,
    /// Whether the executor is running, so that `time::now()` may be read.
    inside: bool,
    /// Records before this index already carry their turn.
    tagged: usize,
}

impl Log {
    fn push(&self, event: Event) {
        let mut state = self.0.lock().unwrap();
        let at = if state.inside { Micros::of(time::now()) } else { Micros(0) };
        state.records.push(Record { turn: None, at, event });
    }

    /// From now until the guard drops, the executor runs and records carry `time::now()`. A guard,
    /// so that a panic unwinding out of the executor does not read the clock outside it.
    fn inside(&self) -> Inside {
        self.0.lock().unwrap().inside = true;
        Inside(self.clone())
    }

    /// Stamps every record written since the last call with `turn`.
    fn tag_turn(&self, turn: u64) {
        let mut state = self.0.lock().unwrap();
        let from = state.tagged;
        for record in &mut state.records[from..] {
            record.turn = Some(turn);
        }
        state.tagged = state.records.len();
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap().records.len()
    }

    fn records(&self) -> Vec<Record> {
        self.0.lock().unwrap().records.clone()
    }
}

/// See [`Log::inside`].
struct Inside(Log);

impl Drop for Inside {
    fn drop(&mut self) {
        if let Ok(mut state) = self.0.0.lock() {
            state.inside = false;
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Running a program on the real executor
// ---------------------------------------------------------------------------------------------------

/// What every future and callback of one run shares.
#[derive(Default)]
struct World {
    log: Log,
    tokens: RefCell<[TokenState; TOKENS]>,
    /// By `TaskNo`. In a `RefCell` so that the driver can await (`&mut`) what callbacks reach (`&`).
    tasks: RefCell<Vec<Rc<RefCell<JoinHandle<u32>>>>>,
    /// By `CallNo`.
    calls: RefCell<Vec<CallbackHandle>>,
    /// What `add_done_callback` returned, by `CbNo`.
    keys: RefCell<HashMap<CbNo, CallbackKey>>,
}

#[derive(Default)]
struct TokenState {
    woken: bool,
    waiters: Vec<Waker>,
}

/// Where an operation is issued from.
#[derive(Clone, Copy)]
enum Origin<'a> {
    /// Before the executor runs, through its methods.
    Outside(&'a Executor),
    /// From the driver, through the free functions.
    Inside,
}

impl World {
    fn task(&self, task: TaskNo) -> Rc<RefCell<JoinHandle<u32>>> {
        self.tasks.borrow()[task.0].clone()
    }

    /// Performs an operation that does not wait.
    fn apply(self: &Rc<Self>, op: &Op, origin: Origin<'_>) {
        match op {
            Op::Spawn(task, script) => {
                let body = task_body(self.clone(), *task, script.clone());
                let handle = match origin {
                    Origin::Outside(executor) => executor.spawn(body),
                    Origin::Inside => spawn(body),
                };
                let mut tasks = self.tasks.borrow_mut();
                assert_eq!(tasks.len(), task.0, "tasks are numbered in spawn order");
                tasks.push(Rc::new(RefCell::new(handle)));
                drop(tasks);
                self.log.push(Event::Spawned(*task));
            }
            Op::Cancel(task) => {
                let was_pending = self.task(*task).borrow().cancel();
                self.log.push(Event::Cancelled { task: *task, was_pending });
            }
            Op::AddCallback { task, cb, nested } => self.add_callback(*task, *cb, *nested),
            Op::RemoveCallback(task, cb) => {
                let key = self.keys.borrow()[cb];
                let removed = self.task(*task).borrow().remove_done_callback(key);
                self.log.push(Event::CallbackRemoved { task: *task, cb: *cb, removed });
            }
            Op::CallSoon(call) => {
                let (log, call) = (self.log.clone(), *call);
                let run = move || log.push(Event::CallRan(call));
                let handle = match origin {
                    Origin::Outside(executor) => executor.call_soon(run),
                    Origin::Inside => call_soon(run),
                };
                self.scheduled(call, None, handle);
            }
            Op::CallLater(call, delay) => {
                let (log, call) = (self.log.clone(), *call);
                let run = move || log.push(Event::CallRan(call));
                let handle = match origin {
                    Origin::Outside(executor) => executor.call_later(delay.duration(), run),
                    Origin::Inside => call_later(delay.duration(), run),
                };
                self.scheduled(call, Some(*delay), handle);
            }
            Op::CancelCall(call) => {
                let was_pending = self.calls.borrow()[call.0].cancel();
                self.log.push(Event::CallCancelled { call: *call, was_pending });
            }
            Op::Wake(token) => {
                let waiters = {
                    let mut tokens = self.tokens.borrow_mut();
                    tokens[token.0].woken = true;
                    std::mem::take(&mut tokens[token.0].waiters)
                };
                waiters.into_iter().for_each(Waker::wake);
                self.log.push(Event::Woke(*token));
            }
            Op::Sleep(_) | Op::Yield | Op::Await(_) | Op::ResetSleep(..) => {
                unreachable!("the driver awaits {op:?}")
            }
        }
    }

    fn scheduled(&self, call: CallNo, delay: Option<Micros>, handle: CallbackHandle) {
        let mut calls = self.calls.borrow_mut();
        assert_eq!(calls.len(), call.0, "calls are numbered in scheduling order");
        calls.push(handle);
        drop(calls);
        self.log.push(Event::CallScheduled { call, delay });
    }

    fn add_callback(&self, task: TaskNo, cb: CbNo, nested: Option<CbNo>) {
        let slot = self.task(task);
        let log = self.log.clone();
        let again = nested.map(|_| slot.clone());
        let key = slot.borrow().add_done_callback(move |result| {
            log.push(Event::CallbackRan(task, cb, Outcome::of(result)));
            if let (Some(inner), Some(again)) = (nested, again) {
                let inner_log = log.clone();
                again.borrow().add_done_callback(move |result| {
                    inner_log.push(Event::CallbackRan(task, inner, Outcome::of(result)));
                });
                log.push(Event::CallbackAdded(task, inner));
            }
        });
        self.keys.borrow_mut().insert(cb, key);
        self.log.push(Event::CallbackAdded(task, cb));
    }

    /// Awaits one script action of `who`, and logs that it is over.
    async fn act(&self, who: Who, step: usize, action: Action) {
        let began_at = Micros::of(time::now());
        match action {
            Action::Sleep(Micros(0)) => sleep(Duration::ZERO).await,
            Action::Sleep(delay) => self.logged_sleep(who, step, delay, began_at).await,
            Action::ResetSleep(first, then) => {
                let mut nap = self.logged_sleep(who, step, first, began_at);
                // One poll: a timer is armed now (a zero sleep yields instead).
                std::future::poll_fn(|cx| {
                    let _ = Pin::new(&mut nap).poll(cx);
                    Poll::Ready(())
                })
                .await;
                yield_now().await;
                let before = nap.sleep.deadline().map(Micros::of);
                let deadline = Micros::of(time::now()).plus(then);
                *nap.waker.deadline.lock().unwrap() = deadline;
                nap.sleep.reset(deadline.duration());
                self.log.push(Event::SleepReset {
                    who,
                    step,
                    before,
                    deadline: nap.sleep.deadline().map(Micros::of),
                });
                nap.await
            }
            Action::Yield => yield_now().await,
            Action::Wait(token) => {
                std::future::poll_fn(|cx| {
                    let mut tokens = self.tokens.borrow_mut();
                    if tokens[token.0].woken {
                        return Poll::Ready(());
                    }
                    tokens[token.0].waiters.push(cx.waker().clone());
                    Poll::Pending
                })
                .await
            }
        }
        self.log.push(Event::StepDone { who, step, began_at });
    }

    /// `sleep(delay)`, logging when its timer is armed and when it fires.
    fn logged_sleep(&self, who: Who, step: usize, delay: Micros, began_at: Micros) -> LoggedSleep {
        LoggedSleep {
            sleep: sleep(delay.duration()),
            zero: delay.0 == 0,
            armed: false,
            waker: Arc::new(FireLogger {
                log: self.log.clone(),
                who,
                step,
                deadline: Mutex::new(began_at.plus(delay)),
                task_waker: Mutex::new(None),
            }),
        }
    }

    async fn await_task(&self, task: TaskNo) {
        let slot = self.task(task);
        let result = std::future::poll_fn(|cx| Pin::new(&mut *slot.borrow_mut()).poll(cx)).await;
        self.log.push(Event::Awaited(task, Outcome::of(&result)));
    }
}

/// A spawned task: runs its script and returns its value. Logs `Dropped` if its future is dropped
/// before it returns, including before its first poll.
fn task_body(world: Rc<World>, task: TaskNo, script: Script) -> impl Future<Output = u32> {
    let guard = DropGuard { log: world.log.clone(), task, returned: false };
    async move {
        // Moved in whole (not just the field written below), so that it drops with the future.
        let mut guard = guard;
        let who = Who::Task(task);
        world.log.push(Event::Started(who));
        for (step, action) in script.actions.iter().enumerate() {
            world.act(who, step, *action).await;
        }
        world.log.push(Event::Returned(task, script.value));
        guard.returned = true;
        script.value
    }
}

struct DropGuard {
    log: Log,
    task: TaskNo,
    returned: bool,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.returned {
            self.log.push(Event::Dropped(self.task));
        }
    }
}

/// The driver: performs the program's driver operations one after the other.
async fn drive(world: Rc<World>, ops: Rc<[Op]>) {
    world.log.push(Event::Started(Who::Driver));
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Sleep(delay) => world.act(Who::Driver, step, Action::Sleep(*delay)).await,
            Op::Yield => world.act(Who::Driver, step, Action::Yield).await,
            Op::ResetSleep(first, then) => {
                let action = Action::ResetSleep(*first, *then);
                world.act(Who::Driver, step, action).await
            }
            Op::Await(task) => world.await_task(*task).await,
            _ => world.apply(op, Origin::Inside),
        }
    }
    world.log.push(Event::DriverReturned);
}

/// A `Sleep` that logs when it arms its timer and when the timer fires: it hands the sleep a waker of
/// its own, which logs and then wakes the task. A zero sleep (no deadline: it yields once) gets the
/// task's own waker, since its wake is no timer's.
struct LoggedSleep {
    sleep: Sleep,
    /// Made as a zero sleep: until a reset gives it a deadline, it yields once, with no timer.
    zero: bool,
    armed: bool,
    waker: Arc<FireLogger>,
}

/// The waker a [`LoggedSleep`] hands its `Sleep`; only the timer wakes it.
struct FireLogger {
    log: Log,
    who: Who,
    step: usize,
    /// The sleep's deadline, which a reset moves.
    deadline: Mutex<Micros>,
    /// The waker of the task (or driver) that polled the sleep last.
    task_waker: Mutex<Option<Waker>>,
}

impl Future for LoggedSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.zero && this.sleep.deadline().is_none() {
            return Pin::new(&mut this.sleep).poll(cx);
        }
        *this.waker.task_waker.lock().unwrap() = Some(cx.waker().clone());
        let waker = Waker::from(this.waker.clone());
        let poll = Pin::new(&mut this.sleep).poll(&mut Context::from_waker(&waker));
        if poll.is_pending() && !this.armed {
            this.armed = true;
            this.waker.log.push(Event::SleepArmed {
                who: this.waker.who,
                step: this.waker.step,
                deadline: *this.waker.deadline.lock().unwrap(),
            });
        }
        poll
    }
}

impl Wake for FireLogger {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let deadline = *self.deadline.lock().unwrap();
        self.log.push(Event::TimerFired { who: self.who, step: self.step, deadline });
        if let Some(waker) = &*self.task_waker.lock().unwrap() {
            waker.wake_by_ref();
        }
    }
}

/// What a run left behind, real or predicted.
#[derive(Debug)]
struct Run {
    records: Vec<Record>,
    /// Index of the first record written after the main future returned.
    main_returned_at: usize,
    turns: u64,
    now: Micros,
    pending_tasks: usize,
    armed_timers: usize,
}

/// Runs the program with the driver as `block_on`'s future.
fn run_in_block_on(program: &Program) -> Run {
    let mut executor = Executor::with_virtual_time();
    let world = Rc::new(World::default());
    for op in &program.outside {
        world.apply(op, Origin::Outside(&executor));
    }
    let inside = world.log.inside();
    executor.block_on(drive(world.clone(), program.driver.clone().into()));
    drop(inside);
    let records = world.log.records();
    Run {
        main_returned_at: after_driver_returned(&records),
        records,
        turns: executor.turns(),
        now: Micros::of(executor.now()),
        pending_tasks: executor.pending_tasks(),
        armed_timers: executor.armed_timers(),
    }
}

/// The index of the first record after the driver returned.
fn after_driver_returned(records: &[Record]) -> usize {
    records.iter().position(|r| r.event == Event::DriverReturned).map_or(records.len(), |i| i + 1)
}

/// Runs the program with the driver spawned as a task, one `step` at a time until the executor is
/// idle, stamping each record with the turn it was written in; then `block_on` of a future that is
/// ready at once, which cancels what is left.
fn run_stepped(program: &Program) -> Run {
    let mut executor = Executor::with_virtual_time();
    let world = Rc::new(World::default());
    for op in &program.outside {
        world.apply(op, Origin::Outside(&executor));
    }
    let _driver = executor.spawn(drive(world.clone(), program.driver.clone().into()));
    world.log.tag_turn(executor.turns());
    let inside = world.log.inside();
    let mut steps = 0;
    while executor.step() != Step::Idle {
        world.log.tag_turn(executor.turns());
        steps += 1;
        assert!(steps < STEP_LIMIT, "the executor never went idle");
    }
    let main_returned_at = world.log.len();
    executor.block_on(async {});
    drop(inside);
    Run {
        records: world.log.records(),
        main_returned_at,
        turns: executor.turns(),
        now: Micros::of(executor.now()),
        pending_tasks: executor.pending_tasks(),
        armed_timers: executor.armed_timers(),
    }
}

// ---------------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------------

/// A timer in the model: ordered by deadline, then by arming order.
type TimerKey = (u64, u64);

/// An entry of the model's ready queue.
#[derive(Clone, Copy, Debug)]
enum Ready {
    Poll(Who),
    /// Run the oldest queued done-callback of this task.
    DoneCallback(TaskNo),
    Call(CallNo),
    /// The `block_on(async {})` that ends a stepped run.
    EmptyMain,
}

#[derive(Clone, Copy, Debug)]
enum Timer {
    Wake { who: Who, step: usize },
    Call(CallNo),
}

/// What a task or the driver executes, step by step.
#[derive(Clone, Debug)]
enum Instr {
    Act(Action),
    Await(TaskNo),
    /// An operation that does not wait.
    Now(Op),
}

/// What a suspended task or driver waits for.
#[derive(Clone, Copy, Debug)]
enum Waiting {
    Nothing,
    Yield {
        began_at: u64,
    },
    Timer {
        key: TimerKey,
        began_at: u64,
    },
    /// A [`Action::ResetSleep`] in its yield: `armed` is the timer its first poll armed (none for a
    /// zero sleep, which yielded instead).
    ResetYield {
        armed: Option<TimerKey>,
        began_at: u64,
    },
    Token {
        token: Token,
        began_at: u64,
    },
    Join(TaskNo),
}

/// A task, or the driver.
#[derive(Debug)]
struct Actor {
    steps: Vec<Instr>,
    value: u32,
    /// The step it is at.
    next: usize,
    waiting: Waiting,
    /// In the ready queue already: a wake adds nothing (the waker's flag).
    queued: bool,
    cancel_requested: bool,
    alive: bool,
    started: bool,
}

impl Actor {
    fn new(steps: Vec<Instr>, value: u32) -> Actor {
        Actor {
            steps,
            value,
            next: 0,
            waiting: Waiting::Nothing,
            queued: true,
            cancel_requested: false,
            alive: true,
            started: false,
        }
    }
}

/// A task's result cell: its outcome, its done-callbacks and who awaits it.
#[derive(Default, Debug)]
struct ResultCell {
    outcome: Option<Outcome>,
    /// Registered and not run yet, oldest first; each carries the callback it adds when it runs.
    callbacks: VecDeque<(CbNo, Option<CbNo>)>,
    waiter: Option<Who>,
}

/// A wake token: whether the driver woke it, and who waits on it meanwhile.
#[derive(Default, Debug)]
struct ModelToken {
    woken: bool,
    waiters: Vec<Who>,
}

/// A `call_soon` callback, still pending or not, or the timer of a `call_later` one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ModelCall {
    Soon { pending: bool },
    Later(TimerKey),
}

/// asyncio's event loop, as a plain data structure. It predicts the log a program writes.
struct Model {
    /// Whether records carry their turn (the stepped run stamps them).
    tag_turns: bool,
    now: u64,
    turn: u64,
    queue: VecDeque<Ready>,
    /// Entries the current turn still runs; fixed when it began.
    this_turn: usize,
    /// Timers due when the current turn began; they fire at its end.
    due: Vec<TimerKey>,
    timers: BTreeMap<TimerKey, Timer>,
    armed: u64,
    driver: Actor,
    /// Whether the driver is `block_on`'s future (else it is a spawned task).
    driver_is_main: bool,
    main_returned: bool,
    tasks: Vec<Actor>,
    cells: Vec<ResultCell>,
    tokens: [ModelToken; TOKENS],
    calls: Vec<ModelCall>,
    records: Vec<Record>,
    /// Where the leftover tasks were cancelled: the order from there on is unspecified.
    cancel_all_at: Option<usize>,
}

/// The model's prediction: the run, and how much of its log is in a specified order.
struct Prediction {
    run: Run,
    ordered: usize,
}

impl Model {
    fn new(program: &Program, tag_turns: bool, driver_is_main: bool) -> Model {
        let driver = program
            .driver
            .iter()
            .map(|op| match op {
                Op::Sleep(delay) => Instr::Act(Action::Sleep(*delay)),
                Op::Yield => Instr::Act(Action::Yield),
                Op::ResetSleep(first, then) => Instr::Act(Action::ResetSleep(*first, *then)),
                Op::Await(task) => Instr::Await(*task),
                op => Instr::Now(op.clone()),
            })
            .collect();
        let mut model = Model {
            tag_turns,
            now: 0,
            turn: 0,
            queue: VecDeque::new(),
            this_turn: 0,
            due: Vec::new(),
            timers: BTreeMap::new(),
            armed: 0,
            driver: Actor::new(driver, 0),
            driver_is_main,
            main_returned: false,
            tasks: Vec::new(),
            cells: Vec::new(),
            tokens: Default::default(),
            calls: Vec::new(),
            records: Vec::new(),
            cancel_all_at: None,
        };
        for op in &program.outside {
            model.apply(op);
        }
        // `block_on` queues its future, `Executor::spawn` its task: the same entry behind the others.
        model.queue.push_back(Ready::Poll(Who::Driver));
        model
    }

    fn predict_block_on(program: &Program) -> Prediction {
        let mut model = Model::new(program, false, true);
        model.block_on();
        model.prediction()
    }

    fn predict_stepped(program: &Program) -> Prediction {
        let mut model = Model::new(program, true, false);
        model.run_until_idle();
        let main_returned_at = model.records.len();
        model.tag_turns = false;
        model.queue.push_back(Ready::EmptyMain);
        model.block_on();
        let mut prediction = model.prediction();
        prediction.run.main_returned_at = main_returned_at;
        prediction
    }

    fn prediction(self) -> Prediction {
        Prediction {
            ordered: self.cancel_all_at.unwrap_or(self.records.len()),
            run: Run {
                main_returned_at: after_driver_returned(&self.records),
                turns: self.turn,
                now: Micros(self.now),
                pending_tasks: self.tasks.iter().filter(|task| task.alive).count(),
                armed_timers: self.timers.len(),
                records: self.records,
            },
        }
    }

    fn record(&mut self, event: Event) {
        self.records.push(Record {
            turn: self.tag_turns.then_some(self.turn),
            at: Micros(self.now),
            event,
        });
    }

    fn actor(&mut self, who: Who) -> &mut Actor {
        match who {
            Who::Driver => &mut self.driver,
            Who::Task(task) => &mut self.tasks[task.0],
        }
    }

    // --- turns --------------------------------------------------------------------------------

    /// A turn begins: it will run what is queued now, then fire what is due now.
    fn begin_turn(&mut self) -> bool {
        self.this_turn = self.queue.len();
        self.due = self.timers.range(..=(self.now, u64::MAX)).map(|(key, _)| *key).collect();
        let has_work = self.this_turn > 0 || !self.due.is_empty();
        if has_work {
            self.turn += 1;
        }
        has_work
    }

    /// Nothing to do: virtual time jumps to the next deadline. `false` when there is none.
    fn advance_clock(&mut self) -> bool {
        match self.timers.keys().next() {
            Some(&(deadline, _)) => {
                self.now = self.now.max(deadline);
                true
            }
            None => false,
        }
    }

    fn run_turn_to_end(&mut self) {
        while self.this_turn > 0 {
            self.this_turn -= 1;
            let entry = self.queue.pop_front().expect("the turn's entries are queued");
            self.run(entry);
        }
        self.fire_due();
    }

    fn run_until_idle(&mut self) {
        loop {
            self.run_turn_to_end();
            if !self.begin_turn() && !self.advance_clock() {
                return;
            }
        }
    }

    /// `block_on`, once its future is queued: turns until the future returns, then the rest of that
    /// turn, one more turn, the cancellation of what is left and asyncio.run's two shutdown
    /// coroutines.
    fn block_on(&mut self) {
        self.main_returned = false;
        loop {
            while self.this_turn > 0 {
                self.this_turn -= 1;
                let entry = self.queue.pop_front().expect("the turn's entries are queued");
                self.run(entry);
                if self.main_returned {
                    return self.finish_after_main();
                }
            }
            self.fire_due();
            if !self.begin_turn() {
                assert!(
                    self.advance_clock(),
                    "the model's driver waits forever: the generator must not allow this"
                );
            }
        }
    }

    fn finish_after_main(&mut self) {
        self.run_turn_to_end();
        if self.begin_turn() {
            self.run_turn_to_end();
        }
        self.cancel_all_at = Some(self.records.len());
        let cancelled: Vec<usize> =
            (0..self.tasks.len()).filter(|&task| self.tasks[task].alive).collect();
        for &task in &cancelled {
            self.tasks[task].cancel_requested = true;
            self.wake(Who::Task(TaskNo(task)));
        }
        // asyncio cancels only when a task is pending, and gathers the cancelled tasks: the loop runs
        // until they have all ended, then one turn for their done-callbacks and one for the stop.
        // Then two coroutines run to their end (shutdown_asyncgens, shutdown_default_executor): a
        // step and a stop each.
        let gather_turns = if cancelled.is_empty() { 0 } else { 2 };
        while cancelled.iter().any(|&task| self.tasks[task].alive) && self.begin_turn() {
            self.run_turn_to_end();
        }
        for _ in 0..gather_turns + 4 {
            if self.begin_turn() {
                self.run_turn_to_end();
            }
        }
        // Closing asyncio's loop drops the `call_later` callbacks that are not due yet.
        self.timers.clear();
    }

    fn fire_due(&mut self) {
        for key in std::mem::take(&mut self.due) {
            match self.timers.remove(&key) {
                Some(Timer::Wake { who, step }) => {
                    self.record(Event::TimerFired { who, step, deadline: Micros(key.0) });
                    self.wake(who);
                }
                Some(Timer::Call(call)) => self.record(Event::CallRan(call)),
                None => {} // cancelled after it was collected
            }
        }
    }

    fn wake(&mut self, who: Who) {
        let actor = self.actor(who);
        if !actor.queued {
            actor.queued = true;
            self.queue.push_back(Ready::Poll(who));
        }
    }

    fn arm(&mut self, deadline: u64, timer: Timer) -> TimerKey {
        let key = (deadline, self.armed);
        self.armed += 1;
        self.timers.insert(key, timer);
        key
    }

    // --- one queue entry ----------------------------------------------------------------------

    fn run(&mut self, entry: Ready) {
        match entry {
            Ready::Poll(who) => {
                let actor = self.actor(who);
                if !actor.alive {
                    return; // a stale wake
                }
                if actor.cancel_requested {
                    let Who::Task(task) = who else { unreachable!("nothing cancels the driver") };
                    return self.drop_cancelled(task);
                }
                actor.queued = false;
                self.poll(who);
            }
            Ready::DoneCallback(task) => self.run_done_callback(task),
            Ready::Call(call) => {
                if self.calls[call.0] == (ModelCall::Soon { pending: true }) {
                    self.calls[call.0] = ModelCall::Soon { pending: false };
                    self.record(Event::CallRan(call));
                }
            }
            Ready::EmptyMain => self.main_returned = true,
        }
    }

    /// Polls a task or the driver: resumes it where it waits, then runs its steps until one has to
    /// wait or the script ends.
    fn poll(&mut self, who: Who) {
        if !self.actor(who).started {
            self.actor(who).started = true;
            self.record(Event::Started(who));
        } else if !self.resume(who) {
            return;
        }
        loop {
            let actor = self.actor(who);
            let step = actor.next;
            let Some(instr) = actor.steps.get(step).cloned() else {
                return self.finish(who);
            };
            if !self.begin(who, step, instr) {
                return;
            }
            self.actor(who).next += 1;
        }
    }

    /// Starts one step; `true` when it completed without waiting.
    fn begin(&mut self, who: Who, step: usize, instr: Instr) -> bool {
        let began_at = self.now;
        let waiting = match instr {
            Instr::Act(Action::Yield | Action::Sleep(Micros(0))) => {
                self.wake(who);
                Waiting::Yield { began_at }
            }
            Instr::Act(Action::Sleep(delay)) => {
                let deadline = self.now + delay.0;
                let key = self.arm(deadline, Timer::Wake { who, step });
                self.record(Event::SleepArmed { who, step, deadline: Micros(deadline) });
                Waiting::Timer { key, began_at }
            }
            Instr::Act(Action::ResetSleep(first, _)) => {
                // The one poll of `sleep(first)`: a zero sleep wakes its task (a yield), any other
                // arms a timer. Then `yield_now` wakes the task, which is queued once either way.
                let armed = if first.0 == 0 {
                    self.wake(who);
                    None
                } else {
                    let deadline = self.now + first.0;
                    let key = self.arm(deadline, Timer::Wake { who, step });
                    self.record(Event::SleepArmed { who, step, deadline: Micros(deadline) });
                    Some(key)
                };
                self.wake(who);
                Waiting::ResetYield { armed, began_at }
            }
            Instr::Act(Action::Wait(token)) => {
                if self.tokens[token.0].woken {
                    self.record(Event::StepDone { who, step, began_at: Micros(began_at) });
                    return true;
                }
                self.tokens[token.0].waiters.push(who);
                Waiting::Token { token, began_at }
            }
            Instr::Await(task) => match self.poll_join(who, task) {
                Some(outcome) => {
                    self.record(Event::Awaited(task, outcome));
                    return true;
                }
                None => Waiting::Join(task),
            },
            Instr::Now(op) => {
                self.apply(&op);
                return true;
            }
        };
        self.actor(who).waiting = waiting;
        false
    }

    /// Polls the step `who` waits on; `true` (and on to the next step) when it is over.
    fn resume(&mut self, who: Who) -> bool {
        let step = self.actor(who).next;
        let waiting = self.actor(who).waiting;
        let done = |began_at: u64| Event::StepDone { who, step, began_at: Micros(began_at) };
        let over = match waiting {
            Waiting::ResetYield { armed, began_at } => {
                self.reset_sleep(who, step, armed, began_at);
                return false;
            }
            Waiting::Yield { began_at } => Some(done(began_at)),
            Waiting::Timer { key, began_at } => {
                (!self.timers.contains_key(&key)).then(|| done(began_at))
            }
            Waiting::Token { token, began_at } => {
                if self.tokens[token.0].woken {
                    Some(done(began_at))
                } else {
                    self.tokens[token.0].waiters.push(who);
                    None
                }
            }
            Waiting::Join(task) => {
                self.poll_join(who, task).map(|outcome| Event::Awaited(task, outcome))
            }
            Waiting::Nothing => unreachable!("{who:?} polled while waiting for nothing"),
        };
        let Some(event) = over else {
            return false;
        };
        self.record(event);
        let actor = self.actor(who);
        actor.waiting = Waiting::Nothing;
        actor.next += 1;
        true
    }

    /// The yield of a [`Action::ResetSleep`] is over: `nap.reset(now + then)`, then `nap.await`'s first
    /// poll. A timer still armed is moved: it leaves the map and comes back under the new deadline
    /// and a new arming number, as if armed at the reset. A sleep with no timer (a zero one, or one
    /// whose timer fired, which the script cannot reach) just gets the deadline, and its first poll
    /// after the reset arms it.
    fn reset_sleep(&mut self, who: Who, step: usize, armed: Option<TimerKey>, began_at: u64) {
        let Some(Instr::Act(Action::ResetSleep(first, then))) =
            self.actor(who).steps.get(step).cloned()
        else {
            unreachable!("{who:?} step {step} is a reset sleep")
        };
        let deadline = self.now + then.0;
        let moved = armed.and_then(|key| self.timers.remove(&key));
        let key = self.arm(deadline, Timer::Wake { who, step });
        self.record(Event::SleepReset {
            who,
            step,
            before: (first.0 > 0).then_some(Micros(began_at + first.0)),
            deadline: Some(Micros(deadline)),
        });
        if moved.is_none() {
            self.record(Event::SleepArmed { who, step, deadline: Micros(deadline) });
        }
        self.actor(who).waiting = Waiting::Timer { key, began_at };
    }

    /// `JoinHandle::poll`: the outcome once the task ended and its queued callbacks ran.
    fn poll_join(&mut self, who: Who, task: TaskNo) -> Option<Outcome> {
        let cell = &mut self.cells[task.0];
        match cell.outcome {
            Some(outcome) if cell.callbacks.is_empty() => Some(outcome),
            _ => {
                cell.waiter = Some(who);
                None
            }
        }
    }

    fn finish(&mut self, who: Who) {
        self.actor(who).alive = false;
        match who {
            Who::Task(task) => {
                let value = self.tasks[task.0].value;
                self.record(Event::Returned(task, value));
                self.end(task, Outcome::Value(value));
            }
            Who::Driver => {
                self.record(Event::DriverReturned);
                if self.driver_is_main {
                    self.main_returned = true;
                }
            }
        }
    }

    /// A cancelled task is dropped instead of polled; dropping its sleep disarms the timer.
    fn drop_cancelled(&mut self, task: TaskNo) {
        self.record(Event::Dropped(task));
        let actor = &mut self.tasks[task.0];
        actor.alive = false;
        match actor.waiting {
            Waiting::Timer { key, .. } | Waiting::ResetYield { armed: Some(key), .. } => {
                self.timers.remove(&key);
            }
            _ => {}
        }
        self.end(task, Outcome::Cancelled);
    }

    /// The task is over: queue its callbacks, then wake whoever awaits it.
    fn end(&mut self, task: TaskNo, outcome: Outcome) {
        let cell = &mut self.cells[task.0];
        cell.outcome = Some(outcome);
        for _ in 0..cell.callbacks.len() {
            self.queue.push_back(Ready::DoneCallback(task));
        }
        if let Some(waiter) = self.cells[task.0].waiter.take() {
            self.wake(waiter);
        }
    }

    fn run_done_callback(&mut self, task: TaskNo) {
        let cell = &mut self.cells[task.0];
        let outcome = cell.outcome.expect("callbacks run once the task ended");
        // Each entry runs the oldest callback left: callbacks are only removed before the task ends,
        // so there is one entry per callback.
        let Some((cb, nested)) = cell.callbacks.pop_front() else {
            return;
        };
        self.record(Event::CallbackRan(task, cb, outcome));
        if let Some(inner) = nested {
            self.cells[task.0].callbacks.push_back((inner, None));
            self.queue.push_back(Ready::DoneCallback(task));
            self.record(Event::CallbackAdded(task, inner));
        }
        if self.cells[task.0].callbacks.is_empty()
            && let Some(waiter) = self.cells[task.0].waiter.take()
        {
            self.wake(waiter);
        }
    }

    /// An operation that does not wait.
    fn apply(&mut self, op: &Op) {
        match op {
            Op::Spawn(task, script) => {
                assert_eq!(self.tasks.len(), task.0);
                let steps = script.actions.iter().map(|a| Instr::Act(*a)).collect();
                self.tasks.push(Actor::new(steps, script.value));
                self.cells.push(ResultCell::default());
                self.queue.push_back(Ready::Poll(Who::Task(*task)));
                self.record(Event::Spawned(*task));
            }
            Op::Cancel(task) => {
                let was_pending = self.tasks[task.0].alive;
                if was_pending {
                    self.tasks[task.0].cancel_requested = true;
                    self.wake(Who::Task(*task));
                }
                self.record(Event::Cancelled { task: *task, was_pending });
            }
            Op::AddCallback { task, cb, nested } => {
                let cell = &mut self.cells[task.0];
                cell.callbacks.push_back((*cb, *nested));
                if cell.outcome.is_some() {
                    self.queue.push_back(Ready::DoneCallback(*task));
                }
                self.record(Event::CallbackAdded(*task, *cb));
            }
            Op::RemoveCallback(task, cb) => {
                // Removed if registered while the task runs. As in asyncio, once it has ended its
                // callbacks are scheduled and removing one changes nothing.
                let cell = &mut self.cells[task.0];
                let at = cell
                    .callbacks
                    .iter()
                    .position(|(c, _)| c == cb)
                    .filter(|_| cell.outcome.is_none());
                if let Some(at) = at {
                    cell.callbacks.remove(at);
                }
                self.record(Event::CallbackRemoved { task: *task, cb: *cb, removed: at.is_some() });
            }
            Op::CallSoon(call) => {
                self.calls.push(ModelCall::Soon { pending: true });
                self.queue.push_back(Ready::Call(*call));
                self.record(Event::CallScheduled { call: *call, delay: None });
            }
            Op::CallLater(call, delay) => {
                let key = self.arm(self.now + delay.0, Timer::Call(*call));
                self.calls.push(ModelCall::Later(key));
                self.record(Event::CallScheduled { call: *call, delay: Some(*delay) });
            }
            Op::CancelCall(call) => {
                let was_pending = match self.calls[call.0] {
                    ModelCall::Soon { pending } => {
                        self.calls[call.0] = ModelCall::Soon { pending: false };
                        pending
                    }
                    ModelCall::Later(key) => self.timers.remove(&key).is_some(),
                };
                self.record(Event::CallCancelled { call: *call, was_pending });
            }
            Op::Wake(token) => {
                self.tokens[token.0].woken = true;
                for waiter in std::mem::take(&mut self.tokens[token.0].waiters) {
                    self.wake(waiter);
                }
                self.record(Event::Woke(*token));
            }
            Op::Sleep(_) | Op::Yield | Op::Await(_) | Op::ResetSleep(..) => {
                unreachable!("{op:?} waits")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The invariants, read off the real log
// ---------------------------------------------------------------------------------------------------

/// Where each task ended in the log, and how.
fn ends(program: &Program, records: &[Record]) -> Result<Vec<(usize, Outcome)>, TestCaseError> {
    let mut ends = Vec::new();
    for task in (0..program.scripts().len()).map(TaskNo) {
        let found: Vec<(usize, Outcome)> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r.event {
                Event::Returned(t, value) if t == task => Some((i, Outcome::Value(value))),
                Event::Dropped(t) if t == task => Some((i, Outcome::Cancelled)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(
            found.len(),
            1,
            "{:?} must end exactly once (return, or be dropped as cancelled); it ended at records {:?}",
            task,
            found
        );
        ends.push(found[0]);
    }
    Ok(ends)
}

/// Property 1: every task ends exactly once, and everyone who sees its end agrees on how.
fn check_tasks_end_once(program: &Program, run: &Run) -> Result<(), TestCaseError> {
    let records = &run.records;
    let scripts = program.scripts();
    for (t, (end, outcome)) in ends(program, records)?.into_iter().enumerate() {
        let task = TaskNo(t);
        if let Outcome::Value(value) = outcome {
            prop_assert_eq!(value, scripts[t].value);
        }
        let started = records.iter().position(|r| r.event == Event::Started(Who::Task(task)));
        // Spawning never runs the task: it starts on a later turn.
        let spawned = records.iter().position(|r| r.event == Event::Spawned(task));
        if let (Some(spawned), Some(started)) = (spawned, started)
            && let (Some(then), Some(now)) = (records[spawned].turn, records[started].turn)
        {
            prop_assert!(now > then, "{:?} ran in the turn that spawned it", task);
        }
        let mut first_cancel = None;
        for (i, record) in records.iter().enumerate() {
            match record.event {
                Event::Cancelled { task: x, was_pending } if x == task => {
                    prop_assert_eq!(
                        was_pending,
                        i < end,
                        "{:?}.cancel() at record {} must say whether the task was still pending",
                        task,
                        i
                    );
                    if was_pending {
                        first_cancel.get_or_insert(i);
                    }
                }
                Event::CallbackRan(x, _, seen) | Event::Awaited(x, seen) if x == task => {
                    prop_assert_eq!(
                        seen,
                        outcome,
                        "record {}: {:?} ended with {:?}",
                        i,
                        task,
                        outcome
                    );
                }
                _ => {}
            }
            prop_assert!(
                i <= end || record.event.task_acting() != Some(task),
                "record {}: {:?} acts after it ended",
                i,
                task
            );
        }
        match first_cancel {
            Some(cancel) => {
                prop_assert_eq!(
                    outcome,
                    Outcome::Cancelled,
                    "cancel() returned true, so {:?} must end cancelled",
                    task
                );
                if started.is_none_or(|s| s > cancel) {
                    prop_assert!(
                        started.is_none(),
                        "{:?} was cancelled before its first poll, yet it was polled",
                        task
                    );
                }
            }
            None if outcome == Outcome::Cancelled => prop_assert!(
                end >= run.main_returned_at,
                "nobody cancelled {:?} but block_on, yet it was dropped at record {}",
                task,
                end
            ),
            None => {}
        }
    }
    Ok(())
}

/// Which timer a record speaks of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum TimerId {
    Sleep(Who, usize),
    Call(CallNo),
}

/// Property 2: timers fire exactly on time, in deadline order, ties in arming order; a task woken by
/// its timer runs on the next turn.
fn check_timers(program: &Program, run: &Run) -> Result<(), TestCaseError> {
    let calls = program.calls();
    // Per timer: its position in the log when armed, its deadline, the turn it fired in.
    let mut armed: HashMap<TimerId, (usize, Micros)> = HashMap::new();
    let mut fired_turn: HashMap<TimerId, Option<u64>> = HashMap::new();
    let mut fired: Vec<(Micros, usize)> = Vec::new();
    // The deadline each reset sleep was given.
    let mut reset_to: HashMap<TimerId, Micros> = HashMap::new();
    for (i, record) in run.records.iter().enumerate() {
        let (id, deadline) = match record.event {
            Event::SleepArmed { who, step, deadline } => {
                armed.insert(TimerId::Sleep(who, step), (i, deadline));
                continue;
            }
            Event::CallScheduled { call, delay: Some(delay) } => {
                armed.insert(TimerId::Call(call), (i, record.at.plus(delay)));
                continue;
            }
            Event::SleepReset { who, step, deadline, .. } => {
                let Some(Action::ResetSleep(_, then)) = program.action(who, step) else {
                    return Err(TestCaseError::fail(format!(
                        "record {i}: {who:?} step {step} is no reset sleep"
                    )));
                };
                prop_assert_eq!(
                    deadline,
                    Some(record.at.plus(then)),
                    "record {}: the deadline after reset(now + {:?})",
                    i,
                    then
                );
                // Armed at the reset, if its timer was armed: moved, it counts as armed now. If not,
                // the `SleepArmed` of its next poll follows.
                let deadline = record.at.plus(then);
                armed.insert(TimerId::Sleep(who, step), (i, deadline));
                reset_to.insert(TimerId::Sleep(who, step), deadline);
                continue;
            }
            Event::StepDone { who, step, began_at } => {
                let due = match program.action(who, step) {
                    Some(Action::Sleep(delay)) if delay.0 > 0 => Some(began_at.plus(delay)),
                    Some(Action::ResetSleep(..)) => {
                        let due = reset_to.get(&TimerId::Sleep(who, step)).copied();
                        prop_assert!(due.is_some(), "record {}: done before its reset", i);
                        due
                    }
                    _ => None,
                };
                if let Some(due) = due {
                    prop_assert_eq!(
                        record.at,
                        due,
                        "record {}: {:?} step {} (began at {:?}) was due at {:?}: never early, and on virtual time exactly on time",
                        i,
                        who,
                        step,
                        began_at,
                        due
                    );
                    let fired_in = fired_turn.get(&TimerId::Sleep(who, step));
                    prop_assert!(fired_in.is_some(), "record {}: woke without its timer", i);
                    if let (Some(turn), Some(Some(fired_in))) = (record.turn, fired_in) {
                        prop_assert_eq!(
                            turn,
                            fired_in + 1,
                            "record {}: a task woken by a timer runs on the turn after it fired",
                            i
                        );
                    }
                }
                continue;
            }
            Event::TimerFired { who, step, deadline } => (TimerId::Sleep(who, step), deadline),
            Event::CallRan(call) if calls[call.0].is_some() => {
                let deadline = armed.get(&TimerId::Call(call)).map(|(_, d)| *d);
                prop_assert!(deadline.is_some(), "record {}: {:?} ran unscheduled", i, call);
                (TimerId::Call(call), deadline.unwrap_or(Micros(0)))
            }
            _ => continue,
        };
        prop_assert_eq!(
            record.at,
            deadline,
            "record {}: {:?} fired at the wrong time: never early, and on virtual time exactly at its deadline",
            i,
            id
        );
        let arming = armed.get(&id).map(|(at, _)| *at);
        prop_assert!(arming.is_some(), "record {}: {:?} fired unarmed", i, id);
        prop_assert!(fired_turn.insert(id, record.turn).is_none(), "{:?} fired twice", id);
        fired.push((deadline, arming.unwrap_or_default()));
    }
    prop_assert!(
        fired.windows(2).all(|pair| pair[0] < pair[1]),
        "timers must fire in deadline order, ties in arming order; (deadline, arming record) as fired: {:?}",
        fired
    );
    Ok(())
}

/// Property 3, done-callbacks: each runs once, in registration order, after the call that queued it
/// returned and on a later turn than the task's end; unless it was removed first, and then it never
/// runs. `remove_done_callback` says whether the callback was still registered while the task ran
/// (after the end, as in asyncio, the callbacks are scheduled and a removal changes nothing).
fn check_done_callbacks(program: &Program, run: &Run) -> Result<(), TestCaseError> {
    let records = &run.records;
    for (t, (end, _)) in ends(program, records)?.into_iter().enumerate() {
        let task = TaskNo(t);
        let mut added = Vec::new();
        let mut ran = Vec::new();
        let mut cancels = Vec::new();
        let mut removed = Vec::new();
        for (i, record) in records.iter().enumerate() {
            match record.event {
                Event::CallbackAdded(x, cb) if x == task => added.push((cb, i)),
                Event::CallbackRan(x, cb, _) if x == task => ran.push((cb, i)),
                Event::CallbackRemoved { task: x, cb, removed: said } if x == task => {
                    let waiting =
                        added.iter().any(|(c, _)| *c == cb) && !removed.contains(&cb) && i < end;
                    prop_assert_eq!(
                        said,
                        waiting,
                        "record {}: remove_done_callback({:?}) must say whether it was registered while the task ran",
                        i,
                        cb
                    );
                    if said {
                        removed.push(cb);
                    }
                }
                Event::Cancelled { task: x, was_pending: true } if x == task => cancels.push(i),
                _ => {}
            }
        }
        added.retain(|(cb, _)| !removed.contains(cb));
        let order = |list: &[(CbNo, usize)]| list.iter().map(|(cb, _)| *cb).collect::<Vec<_>>();
        prop_assert_eq!(
            order(&ran),
            order(&added),
            "{:?}'s done-callbacks must each run exactly once, in registration order, but for the removed ones {:?}, which never run",
            task,
            removed
        );
        let turn = |i: usize| records[i].turn;
        for ((cb, added_at), (_, ran_at)) in added.iter().zip(&ran) {
            prop_assert!(ran_at > added_at, "{:?} ran inside add_done_callback", cb);
            prop_assert!(*ran_at > end, "{:?} ran before {:?} ended", cb, task);
            for cancel in &cancels {
                prop_assert!(ran_at > cancel, "{:?} ran inside cancel()", cb);
            }
            for earlier in [end, *added_at] {
                if let (Some(then), Some(now)) = (turn(earlier), turn(*ran_at)) {
                    prop_assert!(
                        now > then,
                        "{:?} ran in turn {}, not after turn {} (record {})",
                        cb,
                        now,
                        then,
                        earlier
                    );
                }
            }
        }
    }
    Ok(())
}

/// Property 3, plain callbacks: a cancelled one never runs; the others run once, `call_soon` ones
/// on a later turn, `call_later` ones unless they were not due yet when `block_on` returned. Property 4
/// for timers: nothing is armed at the end (the `call_later` callbacks not due yet were dropped).
fn check_calls(program: &Program, run: &Run) -> Result<(), TestCaseError> {
    let records = &run.records;
    for (c, delay) in program.calls().into_iter().enumerate() {
        let call = CallNo(c);
        let mut scheduled = None;
        let mut runs = Vec::new();
        let mut cancelled = false;
        for (i, record) in records.iter().enumerate() {
            match record.event {
                Event::CallScheduled { call: x, .. } if x == call => scheduled = Some(i),
                Event::CallRan(x) if x == call => runs.push(i),
                Event::CallCancelled { call: x, was_pending } if x == call => {
                    prop_assert_eq!(
                        was_pending,
                        runs.is_empty() && !cancelled,
                        "record {}: {:?}.cancel() must say whether it was still pending",
                        i,
                        call
                    );
                    cancelled |= was_pending;
                }
                _ => {}
            }
        }
        let scheduled = scheduled.expect("every call is scheduled");
        prop_assert!(runs.len() <= 1, "{:?} ran {} times", call, runs.len());
        if cancelled {
            prop_assert!(runs.is_empty(), "{:?} was cancelled, yet it ran", call);
            continue;
        }
        match delay {
            None => {
                prop_assert_eq!(runs.len(), 1, "{:?} (call_soon) must run once", call);
                if let (Some(then), Some(now)) = (records[scheduled].turn, records[runs[0]].turn) {
                    prop_assert!(now > then, "{:?} ran in the turn of its call_soon", call);
                }
            }
            Some(delay) if runs.is_empty() => {
                let deadline = records[scheduled].at.plus(delay);
                prop_assert!(
                    deadline > run.now,
                    "{:?} was due at {:?} and never ran",
                    call,
                    deadline
                );
            }
            Some(_) => {}
        }
    }
    prop_assert_eq!(
        run.armed_timers,
        0,
        "block_on drops the call_later callbacks not due yet, as closing asyncio's loop does; sleeps never stay"
    );
    Ok(())
}

/// Property 4: `block_on` leaves no task behind, and no time passes once its future returned.
fn check_nothing_left(run: &Run) -> Result<(), TestCaseError> {
    prop_assert_eq!(run.pending_tasks, 0, "block_on left tasks behind");
    for (i, record) in run.records.iter().enumerate().skip(run.main_returned_at) {
        prop_assert_eq!(
            record.at,
            run.now,
            "record {}: no time passes once the main future returned",
            i
        );
    }
    Ok(())
}

fn check_invariants(program: &Program, run: &Run) -> Result<(), TestCaseError> {
    check_tasks_end_once(program, run)?;
    check_timers(program, run)?;
    check_done_callbacks(program, run)?;
    check_calls(program, run)?;
    check_nothing_left(run)
}

/// The real log must be the predicted one: line for line up to the cancellation of leftover tasks,
/// as a multiset after it; and the run must end in the predicted state.
fn check_matches_model(real: &Run, predicted: &Prediction) -> Result<(), TestCaseError> {
    let model = &predicted.run;
    let ordered = predicted.ordered;
    let differs = (0..ordered).find(|&i| real.records.get(i) != model.records.get(i));
    if let Some(i) = differs {
        return Err(TestCaseError::fail(format!(
            "the log leaves the model at record {i}\n{}",
            side_by_side(&real.records, &model.records, i)
        )));
    }
    let mut real_rest = real.records.get(ordered..).unwrap_or_default().to_vec();
    let mut model_rest = model.records[ordered..].to_vec();
    real_rest.sort();
    model_rest.sort();
    prop_assert_eq!(
        real_rest,
        model_rest,
        "after block_on cancelled the leftover tasks (from record {})",
        ordered
    );
    let end = |run: &Run| (run.turns, run.now, run.pending_tasks, run.armed_timers);
    prop_assert_eq!(
        end(real),
        end(model),
        "(turns, final time, pending tasks, armed timers) differ, though the logs agree:\n{:#?}",
        real.records
    );
    Ok(())
}

/// The two logs around their first difference.
fn side_by_side(real: &[Record], model: &[Record], at: usize) -> String {
    let mut text = String::from("  same in both:\n");
    for (i, record) in real.iter().enumerate().take(at).skip(at.saturating_sub(12)) {
        text += &format!("    {i:>3} {record:?}\n");
    }
    for (name, log) in [("real", real), ("model", model)] {
        text += &format!("  {name}, from there:\n");
        for (i, record) in log.iter().enumerate().skip(at).take(8) {
            text += &format!("    {i:>3} {record:?}\n");
        }
    }
    text
}

fn config() -> ProptestConfig {
    ProptestConfig {
        // No regression files next to the tests: a failure prints its program, to paste into a test.
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases())
    }
}

proptest! {
    #![proptest_config(config())]

    /// The driver is `block_on`'s future: asyncio.run(main()).
    #[test]
    fn block_on_runs_match_the_model(program in program()) {
        let run = run_in_block_on(&program);
        check_invariants(&program, &run)?;
        check_matches_model(&run, &Model::predict_block_on(&program))?;
    }

    /// The driver is a task and the executor is stepped, so every log line knows its turn.
    #[test]
    fn stepped_runs_match_the_model_turn_by_turn(program in program()) {
        let run = run_stepped(&program);
        check_invariants(&program, &run)?;
        check_matches_model(&run, &Model::predict_stepped(&program))?;
    }

    /// Property 4 as `asyncio.run` has it: once `block_on` returns, nothing is left behind, not even
    /// a `call_later` callback that was not due yet (`asyncio.run` closes its loop, which drops it).
    #[test]
    fn block_on_leaves_no_timer_armed(program in program()) {
        let run = run_in_block_on(&program);
        prop_assert_eq!(run.armed_timers, 0, "timers still armed after block_on returned");
    }
}

/// Found by the properties above (shrunk by proptest) while removal after the end still removed: a
/// callback removed after its task ended left its ready-queue entry behind, which ran a callback added
/// later (D1, added by D0 as it ran) in the very turn that added it. As in asyncio, a removal after the
/// end now changes nothing: D2 runs, and D1 runs on the next turn (a `python3` run of the same program:
/// `D0 runs, tick 3`, `D1 runs, tick 4`).
#[test]
fn a_removal_after_the_end_changes_nothing_as_in_asyncio() {
    let ended = Script { actions: vec![], value: 0 };
    let program = Program {
        outside: vec![],
        driver: vec![
            Op::Spawn(TaskNo(0), ended.clone()),
            Op::Spawn(TaskNo(1), ended),
            Op::Await(TaskNo(0)),
            Op::AddCallback { task: TaskNo(1), cb: CbNo(0), nested: Some(CbNo(1)) },
            Op::AddCallback { task: TaskNo(1), cb: CbNo(2), nested: None },
            Op::RemoveCallback(TaskNo(1), CbNo(2)),
        ],
    };
    let run = run_stepped(&program);
    check_matches_model(&run, &Model::predict_stepped(&program)).unwrap();
    if let Err(error) = check_done_callbacks(&program, &run) {
        panic!("{error}\n{program:#?}\n{:#?}", run.records);
    }
}
