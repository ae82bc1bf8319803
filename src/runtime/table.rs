//! The task table: one entry per task, found by key (the results of finished tasks wait in
//! `results.rs`, by output type).
//!
//! # One allocation per task
//!
//! Spawning a task allocates exactly one thing: the box that holds the user's future, nothing else
//! (a name given with `spawn_named` is one more: it is copied into the cold table).
//!
//! - **The box holds only the future**, as an `Option<F>`. A wrapper (future plus result slot, or an
//!   `async` block that stores the output) would need either a second allocation, or pinning a field
//!   of a pinned struct (a *pin projection*, which safe Rust cannot write without a macro crate), or,
//!   for an `async` block, room for the future twice (the compiler keeps a captured future and the
//!   awaited one apart). `Option` is the one container whose projection the standard library writes
//!   for us (`Option::as_pin_mut`), and `Pin::set(None)` drops the future in place when the task
//!   ends.
//! - **The output goes to a table of its type.** When the future returns, its `poll_task` (which knows
//!   the output type, see `results.rs`) moves the output into `Outputs`: one slab of
//!   `Result<T, JoinError>` per output type `T`, created when the first task with that output type
//!   ends and reused by every later one. Its slots are reused too, so in steady use storing a result
//!   allocates nothing.
//! - **A handle is a key.** A [`JoinHandle`](crate::JoinHandle) is the task's key in this table plus a
//!   reference to the executor, like a file descriptor is a number plus the process it belongs to.
//!   Nothing per task is shared: the handle reads the entry (the task's id too) when asked, and a key
//!   whose task is gone (its slot reused) matches nothing, thanks to the slab's generations.
//! - **Wakers are lent** (see `waker.rs`): an entry owns a waker only if something kept a clone.
//!
//! # What a task costs
//!
//! On 64-bit targets: its slot here, 64 bytes (the 56-byte [`Entry`] and the slab's generation and
//! free-list link); its parent in `Cold`, 4; its box, the future's size plus `Option`'s tag (80 for
//! the benchmark's sleeper, whose future is 72); and the caller's `JoinHandle`, 16. While queued, a
//! ready-queue entry, 8 (`queue.rs`); while asleep, a wheel item, 24 (`wheel/`); once ended and not
//! yet joined, its result, 24 for a `u64` (a slab slot: the result and its generation). The tables'
//! `Vec`s add their growth's slack: at most 1/16 for the slab and the parents past 4,096 tasks
//! (`slab::grow`), at most 25 % for a wheel list (`List::push`).
//!
//! # Hot and cold
//!
//! [`Entry`] holds what a poll, a wake or a join touches, and nothing else, so that with a million tasks
//! each of those touches one entry. Names, spawn parents, done-callbacks and whether a callback saw a
//! panicked task's error ("never retrieved" bookkeeping) are rare or read rarely: they live in
//! [`Cold`], off the entries' cache lines: the parents in a `Vec` by slot index, the rest in one map
//! of [`Rare`] data, only for the tasks that have some (a removal looks at its length while no task
//! has any). Poll and wake counts are the tools', from what the core tells the sink (`src/stats.rs`).
//!
//! # When an entry goes, when a box is freed
//!
//! An entry goes once its task has ended, its handle is gone and its done-callbacks have run. The
//! future is dropped when the task ends, as in asyncio and tokio, but its emptied box stays with the
//! `Done` entry until the result is taken or the entry goes: tasks end in any order (timers fire at
//! random), handles are usually awaited in spawn order, the order the boxes were allocated in, and
//! glibc merges freed small blocks in the order they were freed: in allocation order that walks
//! memory forwards, at random it misses the cache per block (tokio frees a task's cell when its
//! handle lets go, the same way). Measured with a million sleeping tasks: 12–16 % faster, for a peak
//! 34 bytes per task higher (a finished task not yet joined keeps its box, the future's size).

use std::collections::{HashMap, HashSet, VecDeque};
use std::task::Waker;

use crate::runtime::events::Outcome;
use crate::runtime::results::{ResultTable, TaskBox};
use crate::runtime::slab::{Key, Slab, grow};
use crate::runtime::tagged::Tagged;
use crate::runtime::task::TaskId;
use crate::runtime::waker::Lent;

/// Where a task is in its life. One byte: the future it may own is beside it, in `Entry::future`. The
/// ended stages come first: see `Entry::is_done`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Ended; the result waits in its type's table (`Entry::result`), and `Entry::future` holds the
    /// emptied box until the result is taken or the entry goes (see above). The box names the results
    /// table (`TaskFuture::table`): no field of the entry does.
    Done(Outcome),
    /// Ended, and the handle took the result.
    Taken,
    /// Waiting to be polled (again); `Entry::future` holds the future, in its one box.
    Running,
    /// Being polled: the executor holds the future for the length of the poll, so that the poll may
    /// spawn (and so grow the table) without the table being borrowed.
    Polling,
    /// The `block_on` future: it lives in `block_on`'s frame, which polls it when this entry's turn in
    /// the queue comes. An entry like any task's, so that it is woken, and waits, the same way.
    Main,
}

/// Who waits for a task to end, through its `JoinHandle`, taken out of its entry to be woken.
pub(crate) enum Awaiter {
    /// A task of this executor, polled with the waker it was lent: woken by key, no waker kept.
    Task(Key),
    /// Anyone else (a combinator's own waker, another executor).
    Waker(Waker),
}

/// One task's hot data: what a poll, a wake or a join touches.
pub(crate) struct Entry {
    pub(crate) id: TaskId,
    /// The task's box: the future while `Running`, the emptied box once `Done`; `None` while it is
    /// polled, once its result was taken, and for the `block_on` future.
    pub(crate) future: Option<TaskBox>,
    pub(crate) stage: Stage,
    /// In the ready queue: set when queued, cleared as its poll begins. What makes ten wakes before a
    /// poll queue the task once.
    pub(crate) queued: bool,
    /// `cancel` was asked: the executor drops the future instead of polling it.
    pub(crate) cancel: bool,
    /// The `JoinHandle` still exists (it may yet ask for the result).
    pub(crate) handle_alive: bool,
    /// Done-callbacks registered and not yet run (the one running counts until it returns).
    pub(crate) callbacks: u32,
    /// Until the task ends, the arming number of its own timer (`Entry::timer`); then the key of its
    /// result (`Entry::result`). One word: an ended task has no own timer (one still armed became an
    /// orphan, `Tasks::end`), so every entry is 8 bytes smaller.
    timer_or_result: u64,
    /// The waker this task keeps, once a poll's lent waker was cloned by someone. Boxed: few tasks
    /// keep one, and every entry is 16 bytes smaller.
    pub(crate) waker: Option<Box<Lent>>,
    /// Who awaits the handle: the task under this key (tagged `BY_TASK`), or the waker under this key
    /// in `Tasks::awaiters` (`BY_WAKER`): one word, where an enum would take 16 bytes.
    pub(crate) waiter: Option<Tagged>,
}

/// The tags of `Entry::waiter`.
pub(crate) const BY_TASK: u8 = 0;
pub(crate) const BY_WAKER: u8 = 1;

impl Entry {
    /// Speed: the stages not ended are declared last and named here, so this is one comparison (both
    /// halves count; instructions per op: spawn_join 1,196 -> 1,192, ping_pong 493 -> 489,
    /// yield_many 319 -> 314, timers_virtual 3,214 -> 3,187, timers_virtual_ms 2,471 -> 2,444).
    pub(crate) fn is_done(&self) -> bool {
        !matches!(self.stage, Stage::Running | Stage::Polling | Stage::Main)
    }

    /// The arming number of the task's own timer (0: none, and always once it has ended): its first
    /// armed sleep's, polled with the lent waker, recorded in the entry firing it touches anyway.
    pub(crate) fn timer(&self) -> u64 {
        if self.is_done() { 0 } else { self.timer_or_result }
    }

    /// Records `seq` (0: none) as the own timer of a task that has not ended.
    pub(crate) fn set_timer(&mut self, seq: u64) {
        debug_assert!(!self.is_done(), "{} has ended", self.id);
        self.timer_or_result = seq;
    }

    /// The key of an ended task's result in its type's table (`Stage::Done`).
    pub(crate) fn result(&self) -> Key {
        debug_assert!(matches!(self.stage, Stage::Done(_)), "{} has no result", self.id);
        Key::from_bits(self.timer_or_result)
    }

    /// Ends the poll in progress: the stage, `Polling`, becomes `next`, and the entry gets `future`
    /// back (`None` when the poll's end dropped it). Speed: the entry's own `future` is `None` during
    /// the poll, so it is forgotten rather than dropped, which skips the drop's check and call
    /// (ping_pong and yield_many: 14 instructions per poll; spawn_join 18 per task).
    pub(crate) fn leave_polling(&mut self, next: Stage, future: Option<TaskBox>) {
        debug_assert_eq!(self.stage, Stage::Polling, "{} was not being polled", self.id);
        debug_assert!(self.future.is_none(), "{} is polled with its future in its entry", self.id);
        self.stage = next;
        std::mem::forget(std::mem::replace(&mut self.future, future));
    }
}

/// A done-callback as stored: it finds its result itself, knowing its output type.
pub(crate) type DoneCallback = Box<dyn FnOnce(&dyn ResultTable, Key)>;

/// Per-task data that is rare or read rarely, by slot index.
#[derive(Default)]
pub(crate) struct Cold {
    /// The spawning task of each slot's task, as how far its `TaskId` number lies below the task's
    /// (0: spawned from outside): 4 bytes a slot, not 8. A gap that needs more (`u32::MAX`: four
    /// billion tasks made in between) is in `far_parents`.
    pub(crate) parents: Vec<u32>,
    pub(crate) far_parents: HashMap<u32, u64>,
    /// What few tasks have, only for those: one table for a removal to ask (none while it is empty).
    pub(crate) rare: HashMap<u32, Rare>,
}

/// What few tasks have: a name, done-callbacks, notes.
#[derive(Default)]
pub(crate) struct Rare {
    /// The name given with `spawn_named`.
    pub(crate) name: Option<Box<str>>,
    /// Done-callbacks not yet run, oldest first, each with the number `add_done_callback` gave it.
    pub(crate) callbacks: VecDeque<(u64, DoneCallback)>,
    /// A done-callback saw the task's panic: its end reports nothing ("never retrieved").
    pub(crate) seen_failure: bool,
    /// The lost-waker warning was said for it: once per task.
    pub(crate) reported_lost: bool,
}

/// The task table.
#[derive(Default)]
pub(crate) struct Tasks {
    pub(crate) entries: Slab<Entry>,
    pub(crate) cold: Cold,
    /// Entries whose task has not ended yet.
    pub(crate) pending: usize,
    /// The arming numbers of own timers whose entry went before their `Sleep` did (a sleep returned
    /// as a task's output, or still held by the `block_on` future when its entry goes): still armed,
    /// they wake nobody until someone polls the sleep again (`Handle::take_record`).
    pub(crate) orphan_timers: HashSet<u64>,
    /// The wakers that await a handle and are not a task's lent one (a combinator's, another
    /// executor's): rare, so kept here, off the entries.
    pub(crate) awaiters: Slab<Waker>,
}

impl Tasks {
    /// Stores a new, queued task, its future in its box (or, with no future, the entry of a `block_on`
    /// future, `Stage::Main`, which is not counted as pending).
    #[inline]
    pub(crate) fn insert(
        &mut self,
        id: TaskId,
        future: Option<TaskBox>,
        parent: Option<TaskId>,
        name: Option<Box<str>>,
    ) -> Key {
        let stage = if future.is_some() { Stage::Running } else { Stage::Main };
        let key = self.entries.insert(Entry {
            id,
            future,
            stage,
            queued: true,
            cancel: false,
            handle_alive: true,
            callbacks: 0,
            timer_or_result: 0,
            waker: None,
            waiter: None,
        });
        self.pending += usize::from(stage == Stage::Running);
        let index = key.index() as usize;
        if self.cold.parents.len() <= index {
            if self.cold.parents.capacity() <= index {
                grow(&mut self.cold.parents);
            }
            self.cold.parents.resize(index + 1, 0);
        }
        let gap = parent.map_or(0, |parent| id.0 - parent.0);
        self.cold.parents[index] = u32::try_from(gap).unwrap_or(u32::MAX);
        if gap >= u64::from(u32::MAX) {
            self.cold.far_parents.insert(key.index(), gap);
        }
        if name.is_some() {
            self.cold.rare.entry(key.index()).or_default().name = name;
        }
        key
    }

    /// The task's name: the one given at spawn, or its id.
    pub(crate) fn name(&self, key: Key) -> Option<String> {
        let id = self.entries.get(key)?.id;
        let name = self.cold.rare.get(&key.index()).and_then(|rare| rare.name.as_deref());
        Some(name.map_or_else(|| id.to_string(), ToString::to_string))
    }

    /// Whether the entry in slot `index` records the own timer numbered `seq`.
    pub(crate) fn has_own_timer(&self, index: u32, seq: u64) -> bool {
        self.entries.at(index).is_some_and(|(_, entry)| entry.timer() == seq)
    }

    /// Takes the own timer numbered `seq` off the entry in slot `index`, if that entry records it,
    /// and returns the entry with its key.
    pub(crate) fn take_own_timer(&mut self, index: u32, seq: u64) -> Option<(Key, &mut Entry)> {
        let (key, entry) = self.entries.at_mut(index).filter(|(_, entry)| entry.timer() == seq)?;
        entry.set_timer(0);
        Some((key, entry))
    }

    /// Removes the entry and its cold data: an ended task's, or the `block_on` future's, neither of
    /// which counts as pending (a running task's entry is never removed: the task ends first).
    pub(crate) fn remove(&mut self, key: Key) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        // Why nothing here counts a pending task out.
        debug_assert!(
            !matches!(entry.stage, Stage::Running | Stage::Polling),
            "{} removed while it runs: {:?}",
            entry.id,
            entry.stage
        );
        debug_assert!(
            entry.waiter.is_none(),
            "{} left with a waiter: its end or its last callback wakes it",
            entry.id
        );
        self.remove_rare(key);
        if entry.timer() != 0 {
            self.orphan_timers.insert(entry.timer());
        }
        Some(entry)
    }

    /// Removes a `Taken` entry whose callbacks have run. Speed: it holds nothing (its box went with its
    /// result, its waker at its end), so it is forgotten, not dropped nor returned (against `remove`:
    /// spawn_join 1,177 -> 1,121, timers_virtual 3,154 -> 3,098 instructions per op).
    pub(crate) fn remove_taken(&mut self, key: Key) {
        let entry = self.entries.remove(key);
        let empty = |e: &Entry| e.future.is_none() && e.waker.is_none() && e.waiter.is_none();
        debug_assert!(
            entry.as_ref().is_some_and(|e| e.stage == Stage::Taken && empty(e)),
            "{key:?} is not an emptied Taken entry: {:?}",
            entry.as_ref().map(|e| (e.id, e.stage, e.future.is_some(), e.waker.is_some()))
        );
        std::mem::forget(entry);
        self.remove_rare(key);
    }

    /// Drops the entry's rare data, asked only when some task has any (a removal hashes even in an
    /// empty map). Speed: a cold call of its own, so removing an entry saves no registers for it
    /// (spawn_join 1,121 -> 1,109, timers_virtual 3,098 -> 3,086 instructions per op).
    #[inline]
    fn remove_rare(&mut self, key: Key) {
        #[cold]
        fn remove(rare: &mut HashMap<u32, Rare>, index: u32) {
            rare.remove(&index);
        }
        if !self.cold.rare.is_empty() {
            remove(&mut self.cold.rare, key.index());
        }
    }

    /// Takes out who awaits the handle of the task under `key`, to wake it with nothing borrowed (a
    /// waker that is not a task's lent one out of `awaiters`).
    pub(crate) fn take_waiter(&mut self, key: Key) -> Option<Awaiter> {
        let noted = self.entries.get_mut(key)?.waiter.take()?;
        Some(match noted.tag() {
            BY_TASK => Awaiter::Task(noted.key()),
            _ => Awaiter::Waker(self.awaiters.remove(noted.key()).expect("a noted waker is kept")),
        })
    }

    /// Notes `awaiter` as who awaits the handle of the task under `key`. Returns what is to be
    /// dropped with nothing borrowed: the awaiter it replaces, or `awaiter` itself if the entry is
    /// gone.
    pub(crate) fn set_waiter(&mut self, key: Key, awaiter: Awaiter) -> Option<Awaiter> {
        let old = self.take_waiter(key);
        let Some(entry) = self.entries.get_mut(key) else { return Some(awaiter) };
        entry.waiter = Some(match awaiter {
            Awaiter::Task(task) => Tagged::new(task, BY_TASK),
            Awaiter::Waker(waker) => Tagged::new(self.awaiters.insert(waker), BY_WAKER),
        });
        old
    }

    /// Marks the task ended (one fewer pending) with `outcome`, its result stored under `result`, and
    /// its emptied box `spent` kept, and returns its entry. An own timer still armed (a `Sleep` that
    /// outlived the future, as its output) is an orphan from now on. A task ends once, from its poll
    /// (`leave_polling` checks that one is in progress).
    pub(crate) fn end(
        &mut self,
        key: Key,
        result: Key,
        outcome: Outcome,
        spent: TaskBox,
    ) -> &mut Entry {
        self.pending -= 1;
        let entry = self.entries.get_mut(key).expect("ends once");
        let timer = std::mem::replace(&mut entry.timer_or_result, result.to_bits());
        if timer != 0 {
            self.orphan_timers.insert(timer);
        }
        entry.leave_polling(Stage::Done(outcome), Some(spent));
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_is_found_however_far_below_its_child() {
        let mut tasks = Tasks::default();
        for (child, parent) in [(7, Some(2)), (1 << 40, Some(3)), (1 << 40 | 5, None)] {
            let key = tasks.insert(TaskId(child), None, parent.map(TaskId), None);
            assert_eq!(tasks.parent(key), parent.map(TaskId), "the parent of {child}");
        }
    }

    /// A million tasks multiply the entry: 56 bytes, a slab slot 64. The id 8, the box 16, the own
    /// timer or the result's key 8, the kept waker 8, the awaiter 8, and one word for the stage,
    /// three flags and the callback count. A field added to it shows here first.
    #[test]
    fn an_entry_stays_within_56_bytes() {
        let size = std::mem::size_of::<Entry>();
        assert!(size <= 56, "Entry is {size} bytes");
    }
}
