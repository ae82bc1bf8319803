//! The hierarchical timer wheel: where every pending `sleep` waits for its deadline.
//!
//! # The picture
//!
//! ```text
//!  level 5 │ 64 slots × 17.9 min  (span 19.1 h)           ┐
//!  level 4 │ 64 slots × 16.8 s    (span 17.9 min)         │ an entry sits in the level whose
//!  level 3 │ 64 slots × 262 ms    (span 16.8 s)           │ bit field holds the highest bit in
//!  level 2 │ 64 slots × 4.1 ms    (span 262 ms)           │ which its deadline differs from
//!  level 1 │ 64 slots × 64 µs     (span 4.1 ms)           │ `elapsed`; its slot is that field
//!  level 0 │ 64 slots × 1 µs      (span 64 µs)            ┘
//!  overflow│ one list: deadlines beyond the span
//!  expired │ one list: deadlines already passed when inserted
//! ```
//!
//! Time is counted in whole microseconds (the loop's clock, see `runtime/clock.rs`). A deadline is a
//! `u64`, and each level reads six bits of it: level 0 bits 0–5, level 1 bits 6–11, and so on, the way
//! a clock face reads seconds, minutes and hours from one count (Varghese & Lauck, *Hashed and
//! Hierarchical Timing Wheels*, 1987; tokio's timer uses the same layout with millisecond ticks).
//!
//! # The numbers
//!
//! Six levels of 64 slots span 2^36 µs, about 19 hours. Microsecond slots mean a deadline is never
//! rounded by more than the clock itself rounds it, which matters on the real clock (the operating system
//! wakes a sleeping thread with roughly 50 µs of slack anyway). A slot's list is a `Vec` of 24-byte items
//! (deadline, arming order, key of the timer's entry); the entries, with the values, live in one slab.
//!
//! # The rules
//!
//! 1. **Insert** computes the level and slot from `deadline` and `elapsed` (the time the wheel has been
//!    processed up to), stores the entry in the slab and appends an item to that slot's list: O(1).
//! 2. **Poll** (`poll(now)`) visits, in time order, every occupied slot whose start has come. A level-0
//!    slot is exactly one microsecond, so everything in it is due. A higher slot is *cascaded*: each item
//!    is re-inserted relative to the slot's start, which puts it on a lower level, closer to its
//!    deadline, or hands it out if its deadline has come. An item moves down at most once per level, so
//!    expiry costs O(1) per timer. A cascade reads only the items, one after the other in memory, and
//!    never the entries: with a million timers that is the difference between a walk the processor can
//!    run ahead on and a chain of cache misses.
//! 3. **Cancel** removes the entry from the slab at once, and leaves its item where it is, *stale*: finding
//!    it in its list would cost a walk. asyncio does the same with cancelled timer handles in its heap.
//!    The item's list is known without looking (rule 6), so the list counts its stale items; a walk of a
//!    list with stale items checks each item's key against the slab and drops the dead ones, and a list
//!    that is half stale is swept at once, so stale items never take more room than live ones. O(1),
//!    amortized.
//! 4. **Which slot is next** is one bit trick per level: each level keeps a `u64` bitmap of its occupied
//!    slots, rotated to `elapsed`'s slot, and `trailing_zeros` gives the distance to the next one.
//! 5. **Which deadline is next**, exactly, is that slot's start on level 0, and on higher levels the
//!    earliest deadline its list remembers (kept as items are appended; forgotten when that timer is
//!    cancelled, and found again by one walk when next asked).
//! 6. **Where a timer is** follows from its deadline and `elapsed` alone: `poll` processes every slot
//!    whose start has come before it moves `elapsed` past it, so the level and slot computed when an item
//!    was appended are the ones computed from the same deadline now (tokio's wheel cancels this way too).
//!
//! # The subtle cases
//!
//! - **Ties.** Timers with equal deadlines must fire in the order they were armed. The structure keeps
//!   that order by itself: `poll` runs before anything is armed at a given time, so when a second timer
//!   with the same deadline is armed, the first has already cascaded as far down as time allows, and
//!   both compute the same level and slot: the second is appended behind the first, and cascading walks
//!   lists front to back. Every item still carries a sequence number, because of the next case.
//! - **Several deadlines in one poll.** When the clock jumps past many deadlines at once (the real
//!   clock after a long poll), a higher slot's items are handed out in list order, not deadline order.
//!   So each batch `poll` hands out is sorted by `(deadline, seq)`, from the items alone.
//! - **Beyond the span.** A deadline that differs from `elapsed` above bit 35 has no level. It waits in
//!   the overflow list; when `elapsed` enters the 19-hour window that holds the earliest of them, the list
//!   is re-sorted into the levels. Such deadlines are rare, so the scan this takes does not matter.
//! - **Already due.** A deadline at or before `elapsed` goes to the expired list and is handed out by the
//!   next `poll`, whatever time that poll is for. Nothing is lost and nothing is early.
//! - **Never early.** `poll(now)` hands out an entry only when `deadline <= now`.
//! - **Handed out, not yet fired.** `poll` does not remove entries: it returns their keys, and their
//!   items have left every list. The executor fires them at the end of the turn, as asyncio runs its due
//!   timer handles after the callbacks that were already ready; a `Sleep` dropped in between removes its
//!   entry, and its key then finds nothing. That is how a dropped sleep never wakes anyone. `poll` marks
//!   each handed-out entry due, so that removing it later does not count a stale item: that one write
//!   per timer, in a tight loop, also brings the entries into the cache with their misses overlapped,
//!   just before the executor fires them one by one (without it, a million timers ran 12 % slower,
//!   though the marks could be derived from the arming order).
//!
//! # Examples
//!
//! ```
//! use minimalist_async::time::wheel::Wheel;
//!
//! let mut wheel = Wheel::new();
//! let late = wheel.insert(250_000, "late"); // 250 ms, on level 2
//! let soon = wheel.insert(100, "soon"); // 100 µs, on level 1
//! assert_eq!(wheel.next_deadline(), Some(100));
//!
//! let mut due = Vec::new();
//! wheel.poll(99, &mut due);
//! assert!(due.is_empty(), "nothing fires early");
//! wheel.poll(1_000, &mut due);
//! assert_eq!(due, [soon]);
//! assert_eq!(wheel.remove(soon), Some("soon"));
//! assert_eq!(wheel.next_deadline(), Some(250_000));
//! assert_eq!(wheel.remove(late), Some("late"));
//! assert!(wheel.is_empty());
//! ```

mod level;

use crate::runtime::slab::{Key, Slab};
use level::{Expiration, Item, List};
use level::{Level, level_for, slot_for};
pub use level::{SLOT_BITS, SLOTS};

/// Levels in the wheel. With 64 slots of 1 µs at the bottom, six levels span 2^36 µs ≈ 19.1 hours.
pub const LEVELS: usize = 6;

/// Microseconds the levels span; later deadlines wait in the overflow list.
pub const SPAN: u64 = 1 << (SLOT_BITS as usize * LEVELS);

/// Which 2^36 µs window `t` falls in: the bits above the top level.
fn window(t: u64) -> u64 {
    t >> (SLOT_BITS as usize * LEVELS)
}

/// Names one timer in a [`Wheel`]: returned by [`Wheel::insert`], used to [`Wheel::remove`] it.
///
/// A key stays valid until its entry is removed; after that it matches nothing, even when the slab
/// reuses the entry's storage for a new timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey(Key);

/// One list of the wheel, as [`Wheel::lists`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotId {
    /// Slot `slot` of level `level`.
    Level {
        /// The level, 0 (1 µs slots) to 5.
        level: usize,
        /// The slot within the level, 0 to 63.
        slot: usize,
    },
    /// Deadlines beyond the span.
    Overflow,
    /// Deadlines that had already passed when armed, due at the next poll.
    Expired,
}

/// Which list holds a timer's item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Level { level: usize, slot: usize },
    Overflow,
    Expired,
}

#[derive(Debug)]
struct Entry<T> {
    deadline: u64,
    /// Arming order, as in the entry's item: it tells the item of this timer from a stale one left in
    /// the same slot by an earlier timer.
    seq: u64,
    /// Handed out by `poll`: its item is in no list any more, and the owner is about to remove it.
    due: bool,
    value: T,
}

/// The entry an item stands for, unless that timer was removed (the item is stale). The sequence number
/// settles it even when the slab has reused the entry's slot so often that its generation came round
/// again: no two timers share one.
fn live_entry<'w, T>(entries: &'w Slab<Entry<T>>, item: &Item) -> Option<&'w Entry<T>> {
    entries.get(item.key).filter(|entry| entry.seq == item.seq)
}

/// A hierarchical timer wheel holding a `T` per timer, with microsecond deadlines.
///
/// Generic on purpose: it knows nothing about tasks or wakers, so it can be tested (and read) on its
/// own. The executor stores a [`std::task::Waker`] per timer. See the [module docs](self) for the
/// structure, the numbers and the rules.
#[derive(Debug)]
pub struct Wheel<T> {
    /// Every slot that starts at or before `elapsed` has been processed.
    elapsed: u64,
    levels: [Level; LEVELS],
    overflow: List,
    expired: List,
    entries: Slab<Entry<T>>,
    next_seq: u64,
    /// No timer is due before this time (µs): a `poll` for an earlier time has nothing to hand out
    /// and returns at once. Lowered by `insert`, raised by `poll` and `next_deadline`. An executor on
    /// virtual time polls the wheel three times per deadline (the turn that fires a timer, the turn
    /// that polls the woken task, the turn that polls its awaiter), and two of those stop here.
    nothing_before: u64,
    /// The batch `poll` is collecting, kept between polls so that collecting allocates nothing.
    batch: Vec<Item>,
    /// Emptied list buffers, for the next list that fills: timers flow down the levels, and their
    /// buffers flow with them, so a wheel in steady use allocates nothing.
    spare_buffers: Vec<Vec<Item>>,
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Wheel<T> {
    /// An empty wheel standing at time 0.
    pub fn new() -> Wheel<T> {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(Level::new),
            overflow: List::default(),
            expired: List::default(),
            entries: Slab::default(),
            next_seq: 0,
            nothing_before: u64::MAX,
            batch: Vec::new(),
            spare_buffers: Vec::new(),
        }
    }

    /// How many timers the wheel holds, due ones not yet removed included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the wheel holds no timer.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// The time up to which the wheel has been polled, in microseconds.
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Arms a timer due at `deadline` (µs) carrying `value`. O(1).
    ///
    /// ```
    /// # use minimalist_async::time::wheel::Wheel;
    /// let mut wheel = Wheel::new();
    /// let key = wheel.insert(5, ());
    /// assert!(wheel.contains(key));
    /// ```
    pub fn insert(&mut self, deadline: u64, value: T) -> TimerKey {
        self.nothing_before = self.nothing_before.min(deadline);
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = self.entries.insert(Entry {
            deadline,
            seq,
            due: false,
            value,
        });
        self.link(Item { deadline, seq, key });
        TimerKey(key)
    }

    /// Whether the timer is still in the wheel (armed, or due and not yet removed).
    pub fn contains(&self, key: TimerKey) -> bool {
        self.entries.get(key.0).is_some()
    }

    /// The value of a timer still in the wheel, to update it (the executor swaps in a new waker).
    pub fn get_mut(&mut self, key: TimerKey) -> Option<&mut T> {
        self.entries.get_mut(key.0).map(|entry| &mut entry.value)
    }

    /// The deadline and value of a timer still in the wheel.
    pub fn get(&self, key: TimerKey) -> Option<(u64, &T)> {
        self.entries
            .get(key.0)
            .map(|entry| (entry.deadline, &entry.value))
    }

    /// Every non-empty list with its timers (deadline, value) in list order: the occupied slots level
    /// by level, then the overflow and expired lists. Due timers not yet removed are in no list. For
    /// snapshots; it walks the whole wheel.
    pub fn lists(&self) -> Vec<(SlotId, Vec<(u64, &T)>)> {
        let mut lists = Vec::new();
        for (level_index, level) in self.levels.iter().enumerate() {
            for slot in 0..SLOTS {
                let list = level.list(slot);
                if !list.is_empty() {
                    let id = SlotId::Level {
                        level: level_index,
                        slot,
                    };
                    lists.push((id, self.entries_of(list)));
                }
            }
        }
        for (id, list) in [
            (SlotId::Overflow, &self.overflow),
            (SlotId::Expired, &self.expired),
        ] {
            if !list.is_empty() {
                lists.push((id, self.entries_of(list)));
            }
        }
        lists
    }

    fn entries_of(&self, list: &List) -> Vec<(u64, &T)> {
        list.items
            .iter()
            .filter_map(|item| live_entry(&self.entries, item))
            .map(|entry| (entry.deadline, &entry.value))
            .collect()
    }

    /// Takes a timer out, armed or due, and returns its value; `None` if it was removed already. This is
    /// both *cancel* (the owner gave up) and the second half of *fire* (the owner took a due entry).
    /// O(1), amortized.
    ///
    /// ```
    /// # use minimalist_async::time::wheel::Wheel;
    /// let mut wheel = Wheel::new();
    /// let key = wheel.insert(5, "x");
    /// assert_eq!(wheel.remove(key), Some("x"));
    /// assert_eq!(wheel.remove(key), None);
    /// let mut due = Vec::new();
    /// wheel.poll(10, &mut due);
    /// assert!(due.is_empty(), "a removed timer never comes due");
    /// ```
    pub fn remove(&mut self, key: TimerKey) -> Option<T> {
        let entry = self.entries.remove(key.0)?;
        if !entry.due {
            self.forget_item(entry.deadline);
        }
        Some(entry.value)
    }

    /// A timer due at `deadline` was cancelled: its item, in the list that `deadline` and `elapsed`
    /// name, is now stale. The list forgets its earliest deadline if that may have been this one, and
    /// is swept once stale items make up half of it, so they never take more room than live ones.
    fn forget_item(&mut self, deadline: u64) {
        let place = self.place_for(deadline);
        let list = match place {
            Place::Level { level, slot } => self.levels[level].list_mut(slot),
            Place::Overflow => &mut self.overflow,
            Place::Expired => &mut self.expired,
        };
        list.stale += 1;
        if list.min == Some(deadline) {
            list.min = None;
        }
        if list.is_empty() {
            list.items.clear();
            list.stale = 0;
        } else if list.stale * 2 >= list.items.len() {
            let entries = &self.entries;
            list.items
                .retain(|item| live_entry(entries, item).is_some());
            list.stale = 0;
        }
        if let Place::Level { level, slot } = place {
            self.levels[level].sync_occupied(slot);
        }
    }

    /// Removes every timer whose value fails `keep`, returning the removed values. Walks the whole wheel.
    pub fn remove_unless(&mut self, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
        let doomed: Vec<Key> = self
            .entries
            .iter()
            .filter(|(_, entry)| !keep(&entry.value))
            .map(|(key, _)| key)
            .collect();
        doomed
            .into_iter()
            .filter_map(|key| self.remove(TimerKey(key)))
            .collect()
    }

    /// The earliest deadline among the armed timers (due ones excluded), exactly, in microseconds.
    ///
    /// Level 0 slots are one microsecond wide, so their start *is* the deadline. A higher slot's list
    /// keeps its earliest deadline as items are appended, so this is one look per level. Only when a
    /// list's earliest timer was cancelled is the list walked, once, to find the new earliest (which is
    /// why this takes `&mut self`: it remembers what the walk found). A virtual clock jumps straight
    /// to this value; the real clock sleeps until it.
    pub fn next_deadline(&mut self) -> Option<u64> {
        let mut best = self.list_min(Place::Expired);
        for level in 0..LEVELS {
            let Some(exp) = self.levels[level].next_expiration(self.elapsed) else {
                continue;
            };
            if best.is_some_and(|best| best <= exp.deadline) {
                continue;
            }
            let earliest = if exp.level == 0 {
                exp.deadline
            } else {
                self.list_min(Place::Level {
                    level: exp.level,
                    slot: exp.slot,
                })
                .expect("an occupied slot has live timers")
            };
            best = Some(best.map_or(earliest, |best| best.min(earliest)));
        }
        if best.is_none() {
            best = self.list_min(Place::Overflow);
        }
        self.nothing_before = best.unwrap_or(u64::MAX);
        best
    }

    /// Advances the wheel to `now` (µs) and appends the keys of every timer due by then to `due`, sorted
    /// by deadline and, for equal deadlines, by arming order.
    ///
    /// The entries stay in the wheel, marked due, until [`Wheel::remove`] takes them: the caller decides
    /// when a due timer actually fires. `now` earlier than [`Wheel::elapsed`] is treated as `elapsed`.
    pub fn poll(&mut self, now: u64, due: &mut Vec<TimerKey>) {
        if now < self.nothing_before {
            // Nothing can be due. `elapsed` stays behind, as if this poll came later: moving it
            // without visiting the slots it passes would strand their timers (rule 6).
            return;
        }
        let now = now.max(self.elapsed);
        let mut batch = std::mem::take(&mut self.batch);
        loop {
            if !self.expired.is_empty() {
                let expired = std::mem::take(&mut self.expired);
                let buffer = self.hand_out(expired, now, &mut batch);
                if buffer.capacity() > 0 {
                    self.spare_buffers.push(buffer);
                }
            }
            if let Some(exp) = self.next_expiration()
                && exp.deadline <= now
            {
                // Everything in the slot is handed out or moves down a level, relative to the slot's
                // start. The whole list is detached first: a cascaded item may land in a level-0 slot
                // that this loop then visits.
                self.elapsed = exp.deadline;
                let list = self.levels[exp.level].take(exp.slot);
                let buffer = self.hand_out(list, now, &mut batch);
                if buffer.capacity() > 0 {
                    self.spare_buffers.push(buffer);
                }
                continue;
            }
            if !self.overflow.is_empty() && window(now) != window(self.elapsed) {
                self.enter_window_of(now);
                continue;
            }
            break;
        }
        self.elapsed = now;
        self.nothing_before = now.saturating_add(1);
        batch.sort_unstable_by_key(|item| (item.deadline, item.seq));
        // Marking each entry is also what brings the entries into the cache, in one tight loop where
        // the processor overlaps the misses, just before the executor fires them one by one.
        for item in batch.drain(..) {
            if let Some(entry) = self.entries.get_mut(item.key) {
                entry.due = true;
            }
            due.push(TimerKey(item.key));
        }
        self.batch = batch;
    }

    /// Walks a detached list: items due by `now` go to `batch`, the others are linked again relative to
    /// `elapsed`. Returns the list's emptied buffer, for reuse.
    ///
    /// A list with no stale items is walked without looking at a single entry: the items carry all
    /// that is needed. That is what keeps cascading cheap with a million timers.
    fn hand_out(&mut self, list: List, now: u64, batch: &mut Vec<Item>) -> Vec<Item> {
        let List {
            mut items, stale, ..
        } = list;
        for item in items.drain(..) {
            if stale > 0 && live_entry(&self.entries, &item).is_none() {
                continue;
            }
            if item.deadline <= now {
                batch.push(item);
            } else {
                self.link(item);
            }
        }
        items
    }

    /// The earliest deadline in the list at `place`, walking the list only if it is not known.
    fn list_min(&mut self, place: Place) -> Option<u64> {
        let entries = &self.entries;
        let list = match place {
            Place::Level { level, slot } => self.levels[level].list_mut(slot),
            Place::Overflow => &mut self.overflow,
            Place::Expired => &mut self.expired,
        };
        if list.is_empty() {
            return None;
        }
        if list.min.is_none() {
            list.min = list
                .items
                .iter()
                .filter(|item| live_entry(entries, item).is_some())
                .map(|item| item.deadline)
                .min();
        }
        list.min
    }

    /// The earliest occupied slot over all levels.
    fn next_expiration(&self) -> Option<Expiration> {
        self.levels
            .iter()
            .filter_map(|level| level.next_expiration(self.elapsed))
            .min_by_key(|exp| exp.deadline)
    }

    /// Moves `elapsed` to the start of the 2^36 µs window that holds the earliest overflow deadline (or
    /// `now`, if that comes first) and re-sorts the overflow list from there. Every level is empty at this
    /// point: all their entries were due before the window ends, and `poll` has handed them out.
    fn enter_window_of(&mut self, now: u64) {
        let earliest = self
            .list_min(Place::Overflow)
            .expect("overflow is not empty");
        let target = now.min(earliest);
        self.elapsed = self.elapsed.max(target & !(SPAN - 1));
        let List {
            mut items, stale, ..
        } = std::mem::take(&mut self.overflow);
        for item in items.drain(..) {
            if stale == 0 || live_entry(&self.entries, &item).is_some() {
                self.link(item);
            }
        }
        self.spare_buffers.push(items);
    }

    /// The list a timer due at `deadline` belongs in, given `elapsed`.
    ///
    /// This is also where a timer armed earlier *is*: `poll` processes every slot whose start has
    /// come before it moves `elapsed` past it, so an item's level and slot, computed when it was
    /// linked, stay what this computes now (tokio's wheel relies on the same fact to cancel).
    fn place_for(&self, deadline: u64) -> Place {
        if deadline <= self.elapsed {
            return Place::Expired;
        }
        match level_for(self.elapsed, deadline) {
            level if level < LEVELS => Place::Level {
                level,
                slot: slot_for(deadline, level),
            },
            _ => Place::Overflow,
        }
    }

    /// Appends `item` to the list its deadline belongs to.
    fn link(&mut self, item: Item) {
        let place = self.place_for(item.deadline);
        let list = match place {
            Place::Level { level, slot } => self.levels[level].list_mut(slot),
            Place::Overflow => &mut self.overflow,
            Place::Expired => &mut self.expired,
        };
        if list.items.capacity() == 0
            && let Some(buffer) = self.spare_buffers.pop()
        {
            list.items = buffer;
        }
        list.min = if list.is_empty() {
            Some(item.deadline)
        } else {
            // Unknown stays unknown: the walk that finds it will see this item too.
            list.min.map(|min| min.min(item.deadline))
        };
        list.items.push(item);
        if let Place::Level { level, slot } = place {
            self.levels[level].sync_occupied(slot);
        }
    }
}
