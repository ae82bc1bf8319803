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
//! The 384 slots' lists, level by level, then the overflow and expired lists, sit in one array: one
//! index, computed from the deadline, names any list.
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
//!    The item's list is known without looking (rule 7), so the list counts its stale items; a walk of a
//!    list with stale items checks each item's key against the slab and drops the dead ones, and a list
//!    that is half stale is swept at once, so stale items never take more room than live ones. O(1),
//!    amortized.
//! 4. **Which slot is next** is one bit trick per level: each level keeps a `u64` bitmap of its occupied
//!    slots, and `trailing_zeros` gives the first one. The slots behind `elapsed`'s are always empty: a
//!    later deadline with a smaller field differs from `elapsed` in a higher field, so it sits higher.
//! 5. **The levels come in time order.** A timer on level k agrees with `elapsed` above that level's
//!    field and is ahead of it in the field, so it lies beyond the level-k slot that `elapsed` is in; a
//!    timer on level k − 1 lies inside that slot. So the next timer is in the first list that holds
//!    one, in this order: expired, the first occupied slot of level 0, of level 1, …, overflow. `poll`
//!    and `next_deadline` both start there.
//! 6. **Which deadline is next**, exactly, is that slot's start on level 0, and on higher levels the
//!    earliest deadline its list remembers (kept as items are appended; forgotten when that timer is
//!    cancelled, and found again by one walk when next asked).
//! 7. **Where a timer is** follows from its deadline and `elapsed` alone: `poll` processes every slot
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
//!   the overflow list, which `poll` treats as one more slot: one that starts where the 19-hour window
//!   holding its earliest deadline starts. When that time comes, the list is cascaded like any slot, and
//!   the deadlines in that window move onto the levels. Such deadlines are rare, so the walks this takes
//!   do not matter.
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
use level::{EXPIRED, Entry, Item, List, OVERFLOW, list_for, live_entry, slot_start};
pub use level::{LEVELS, SLOT_BITS, SLOTS, SPAN, SlotId};

/// Names one timer in a [`Wheel`]: returned by [`Wheel::insert`], used to [`Wheel::remove`] it.
///
/// A key stays valid until its entry is removed; after that it matches nothing, even when the slab
/// reuses the entry's storage for a new timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey(Key);

/// A hierarchical timer wheel holding a `T` per timer, with microsecond deadlines.
///
/// Generic on purpose: it knows nothing about tasks or wakers, so it can be tested (and read) on its
/// own. The executor stores a [`std::task::Waker`] per timer. See the [module docs](self) for the
/// structure, the numbers and the rules.
#[derive(Debug)]
pub struct Wheel<T> {
    /// Every slot that starts at or before `elapsed` has been processed.
    elapsed: u64,
    /// Every list, by index: level 0's 64 slots, then level 1's, and so on, then overflow, then expired.
    lists: [List; EXPIRED + 1],
    /// Bit `slot` of `occupied[level]` is set exactly when that slot's list holds a live timer.
    occupied: [u64; LEVELS],
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
            lists: std::array::from_fn(|_| List::default()),
            occupied: [0; LEVELS],
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
        let entry = self.entries.get(key.0)?;
        Some((entry.deadline, &entry.value))
    }

    /// Every non-empty list with its timers (deadline, value) in list order: the occupied slots level
    /// by level, then the overflow and expired lists. Due timers not yet removed are in no list. For
    /// snapshots; it walks the whole wheel.
    pub fn lists(&self) -> Vec<(SlotId, Vec<(u64, &T)>)> {
        let lists = self.lists.iter().enumerate();
        lists
            .filter(|(_, list)| !list.is_empty())
            .map(|(index, list)| {
                let items = list.items.iter();
                let live = items.filter_map(|item| live_entry(&self.entries, item));
                let timers = live.map(|entry| (entry.deadline, &entry.value));
                (SlotId::of(index), timers.collect())
            })
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
            // Its item, in the list that its deadline names (rule 7), is now stale.
            let index = list_for(self.elapsed, entry.deadline);
            self.lists[index].forget(entry.deadline, &self.entries);
            self.sync_occupied(index);
        }
        Some(entry.value)
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
    /// It is in the first list that holds a timer (rule 5). A level-0 slot is one microsecond wide, so
    /// its start *is* the deadline; any other list keeps its earliest deadline as items are appended.
    /// Only when a list's earliest timer was cancelled is the list walked, once, to find the new
    /// earliest (which is why this takes `&mut self`: it remembers what the walk found). A virtual
    /// clock jumps straight to this value; the real clock sleeps until it.
    pub fn next_deadline(&mut self) -> Option<u64> {
        let next = match self.first_list() {
            Some((index, start)) if index < SLOTS => Some(start),
            Some((index, _)) => self.lists[index].earliest(&self.entries),
            None => None,
        };
        self.nothing_before = next.unwrap_or(u64::MAX);
        next
    }

    /// Advances the wheel to `now` (µs) and appends the keys of every timer due by then to `due`, sorted
    /// by deadline and, for equal deadlines, by arming order.
    ///
    /// The entries stay in the wheel, marked due, until [`Wheel::remove`] takes them: the caller decides
    /// when a due timer actually fires. `now` earlier than [`Wheel::elapsed`] is treated as `elapsed`.
    pub fn poll(&mut self, now: u64, due: &mut Vec<TimerKey>) {
        // Below `nothing_before` nothing can be due, and most turns stop at this one comparison, so
        // it is kept apart, small enough for the caller to inline. `elapsed` stays behind, as if this
        // poll came later: moving it without visiting the slots it passes would strand their timers.
        if now >= self.nothing_before {
            self.hand_out(now, due);
        }
    }

    /// What [`Wheel::poll`] does once something may be due.
    fn hand_out(&mut self, now: u64, due: &mut Vec<TimerKey>) {
        let now = now.max(self.elapsed);
        while let Some((index, start)) = self.first_list()
            && start <= now
        {
            self.elapsed = start;
            self.cascade(index, now);
        }
        self.elapsed = now;
        self.nothing_before = now.saturating_add(1);
        self.batch
            .sort_unstable_by_key(|item| (item.deadline, item.seq));
        // Marking each entry is also what brings the entries into the cache, in one tight loop where
        // the processor overlaps the misses, just before the executor fires them one by one.
        for item in self.batch.drain(..) {
            if let Some(entry) = self.entries.get_mut(item.key) {
                entry.due = true;
            }
            due.push(TimerKey(item.key));
        }
    }

    /// The first list that holds a timer (rule 5), and its start: no timer in it is due earlier. The
    /// expired list starts at `elapsed`; the overflow list, at the 2^36 µs window of its earliest
    /// deadline.
    fn first_list(&mut self) -> Option<(usize, u64)> {
        if !self.lists[EXPIRED].is_empty() {
            return Some((EXPIRED, self.elapsed));
        }
        let level = self.occupied.iter().position(|&occupied| occupied != 0);
        if let Some(level) = level {
            let index = level * SLOTS + self.occupied[level].trailing_zeros() as usize;
            let start = slot_start(self.elapsed, index);
            debug_assert!(start > self.elapsed, "slot {index} lies behind elapsed");
            return Some((index, start));
        }
        let earliest = self.lists[OVERFLOW].earliest(&self.entries)?;
        Some((OVERFLOW, earliest & !(SPAN - 1)))
    }

    /// Empties the list at `index`, whose start has come: items due by `now` join the batch, the others
    /// are linked again relative to `elapsed`, now that start, which puts them on a lower level (or, from
    /// the overflow list, back in it if they lie beyond the window).
    ///
    /// The list is detached first, since its items may come back to it; its emptied buffer goes to the
    /// spares. A list with no stale items is walked without looking at a single entry: the items carry
    /// all that is needed. That is what keeps cascading cheap with a million timers.
    fn cascade(&mut self, index: usize, now: u64) {
        let mut list = std::mem::take(&mut self.lists[index]);
        self.sync_occupied(index);
        for item in list.items.drain(..) {
            if list.stale > 0 && live_entry(&self.entries, &item).is_none() {
                continue;
            }
            if item.deadline <= now {
                self.batch.push(item);
            } else {
                self.link(item);
            }
        }
        self.spare_buffers.push(list.items);
    }

    /// Appends `item` to the list its deadline belongs in, given `elapsed`.
    fn link(&mut self, item: Item) {
        let index = list_for(self.elapsed, item.deadline);
        self.lists[index].push(item, &mut self.spare_buffers);
        self.sync_occupied(index);
    }

    /// Keeps `occupied` in step with the list at `index` after a change (overflow and expired have no bit).
    fn sync_occupied(&mut self, index: usize) {
        if index < OVERFLOW {
            let bit = 1 << (index % SLOTS);
            if self.lists[index].is_empty() {
                self.occupied[index / SLOTS] &= !bit;
            } else {
                self.occupied[index / SLOTS] |= bit;
            }
        }
    }
}
