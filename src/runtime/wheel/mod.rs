//! The hierarchical timer wheel: where every pending `sleep` waits for its deadline.
//!
//! # The picture
//!
//! ```text
//!  level 5 │ 64 slots × 17.9 min  (span 19.1 h)           ┐
//!  level 4 │ 64 slots × 16.8 s    (span 17.9 min)         │ a timer sits in the level whose
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
//! rounded by more than the clock itself rounds it, which matters on the real clock (the operating
//! system wakes a sleeping thread with roughly 50 µs of slack anyway). A slot's list is a `Vec` of
//! timers, each its deadline, its arming order and a small value (the executor's: where the timer's
//! record is, a `TimerRef` of 8 bytes), so 24 bytes. The wheel keeps nothing else about a timer:
//! whether it is still armed is its owner's to know (the executor keeps that in the task's own entry,
//! see `runtime/timers.rs`), and the wheel asks the owner through a `live` function whenever it needs
//! to. The 384 slots' lists, level by level, then the overflow and expired lists, sit in one array:
//! one index, computed from the deadline, names any list.
//!
//! # The rules
//!
//! 1. **Insert** computes the level and slot from `deadline` and `elapsed` (the time the wheel has been
//!    processed up to) and appends the timer to that slot's list: O(1).
//! 2. **Poll** (`poll(now)`) visits, in time order, every occupied slot whose start has come. A level-0
//!    slot is exactly one microsecond, so everything in it is due. A higher slot is *cascaded*: each timer
//!    is re-inserted relative to the slot's start, which puts it on a lower level, closer to its
//!    deadline, or hands it out if its deadline has come. A timer moves down at most once per level, so
//!    expiry costs O(1) per timer. A cascade reads only the list, one timer after the other in memory,
//!    and asks the owner's records only where the list has stale timers: with a million timers that is
//!    the difference between a walk the processor can run ahead on and a chain of cache misses.
//! 3. **Cancel** (`forget`) leaves the timer where it is, *stale*: finding it in its list would cost a
//!    walk. asyncio does the same with cancelled timer handles in its heap. The owner has already
//!    dropped its record, so `live` says no from then on. The timer's list is known without looking
//!    (rule 7), so the list counts its stale timers; a walk of a list with stale timers asks `live`
//!    about each and drops the dead ones, and a list that is half stale is swept at once, so stale
//!    timers never take more room than live ones. O(1), amortized.
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
//! - **Ties.** Timers with equal deadlines must fire in the order they were armed (their arming
//!   numbers). Timers inserted in that order are appended in it, and cascading walks lists front to
//!   back; but `insert_reserved` arms a timer behind ones numbered after it, and `replace` re-appends
//!   one, so what orders ties is the sort of each batch `poll` hands out, by `(deadline, seq)` (next
//!   case).
//! - **Several deadlines in one poll.** When the clock jumps past many deadlines at once (the real
//!   clock after a long poll), a higher slot's timers are handed out in list order, not deadline order.
//!   So each batch `poll` hands out is sorted by `(deadline, seq)`.
//! - **Beyond the span.** A deadline that differs from `elapsed` above bit 35 has no level. It waits in
//!   the overflow list, which `poll` treats as one more slot: one that starts where the 19-hour window
//!   holding its earliest deadline starts. When that time comes, the list is cascaded like any slot, and
//!   the deadlines in that window move onto the levels. Such deadlines are rare, so the walks this takes
//!   do not matter.
//! - **Already due.** A deadline at or before the time last polled for is handed out by the next
//!   `poll`, whatever time that poll is for (one at or before `elapsed` waits in the expired list).
//!   Nothing is lost and nothing is early.
//! - **Never early.** `poll(now)` hands out a timer only when `deadline <= now`, or, for a `now`
//!   behind an earlier poll's, when it was due by that poll's time.
//! - **Handed out, not yet fired.** `poll` returns the due timers and forgets them: they are in no
//!   list any more. The executor fires them at the end of the turn, as asyncio runs its due timer
//!   handles after the callbacks that were already ready; a `Sleep` dropped in between drops its
//!   record, and the executor, asking its records before it fires each timer, fires nothing for it.
//!   That is how a dropped sleep never wakes anyone. `forget` on such a timer does nothing: a deadline
//!   at or before `elapsed` is in the expired list (it was armed late) or was handed out.
//!
//! # Examples
//!
//! The owner's record of what is armed is, here, a set of arming numbers.
//!
//! ```
//! use std::collections::HashSet;
//! use minimalist_async::time::wheel::Wheel;
//!
//! let mut wheel = Wheel::new();
//! let late = wheel.insert(250_000, "late"); // 250 ms, on level 2
//! let soon = wheel.insert(100, "soon"); // 100 µs, on level 1
//! let mut armed = HashSet::from([late.seq, soon.seq]);
//! assert_eq!(wheel.next_deadline(|t| armed.contains(&t.seq)), Some(100));
//!
//! let mut due = Vec::new();
//! wheel.poll(99, &mut due, |t| armed.contains(&t.seq), |_| {});
//! assert!(due.is_empty(), "nothing fires early");
//! wheel.poll(1_000, &mut due, |t| armed.contains(&t.seq), |_| {});
//! assert_eq!(due, [soon]);
//! armed.remove(&soon.seq); // fired
//!
//! armed.remove(&late.seq); // cancelled: the record goes first, then the wheel is told
//! wheel.forget(late, |t| armed.contains(&t.seq));
//! assert!(wheel.is_empty());
//! assert_eq!(wheel.next_deadline(|t| armed.contains(&t.seq)), None);
//! ```

mod cancel;
mod level;

pub use level::{Armed, LEVELS, SLOT_BITS, SLOTS, SPAN, SlotId};
use level::{EXPIRED, List, OVERFLOW, list_for, slot_start};

/// The largest emptied list buffer kept for reuse, in timers (24 KiB). A burst fills a few high
/// slots with huge lists (a million sleeps of up to 10 s: 38 lists of 26,000 timers); cascading
/// spreads each over 64 slots below, which need a fraction of its room. Kept, those buffers would
/// hold the burst's memory (30 bytes per timer) until the wheel is dropped, the lower lists growing
/// inside them; freed, the memory shrinks as the timers fire: timers_virtual's peak fell 261 → 252
/// bytes per task (its peak came as results piled up, half the timers fired).
const KEPT_BUFFER: usize = 1024;
/// The level whose slots `poll` shows its `soon` function as it cascades them: their timers move onto
/// levels 0 and 1, due within 4.1 ms. Showing the timers that move onto level 0 (64 µs ahead) did as
/// well for microsecond sleeps but nothing for whole-millisecond ones, which never pass through it.
const SOON_LEVEL: usize = 2;

/// A hierarchical timer wheel of timers that each carry a small `T`, with microsecond deadlines.
///
/// Generic on purpose: it knows nothing about tasks or wakers, so it can be tested (and read) on its
/// own. It keeps the timers and their order, not whether each is still armed: the methods that may
/// meet a cancelled timer ask the owner, through `live`. See the [module docs](self) for the
/// structure, the numbers and the rules.
#[derive(Debug)]
pub struct Wheel<T> {
    /// Every slot that starts at or before `elapsed` has been processed.
    elapsed: u64,
    /// The latest time a poll was for: a later poll for an earlier time is one for this time.
    /// `elapsed` may stay behind it (see `poll`).
    polled: u64,
    /// Every list, by index: level 0's 64 slots, then level 1's, and so on, then overflow, then expired.
    lists: [List<T>; EXPIRED + 1],
    /// Bit `index % 64` of `occupied[index / 64]` is set exactly when the list at `index` holds a
    /// live timer: one bitmap per level, then one whose bits 0 and 1 are the overflow and expired
    /// lists. Nothing reads that last one; it spares the writers a range check. A push makes a list
    /// occupied, a cascade empties it, and `forget` may (a list of stale timers only is swept).
    occupied: [u64; LEVELS + 1],
    /// Live timers in the lists.
    len: usize,
    /// The last arming number given; the first timer gets 1, so an owner may use 0 for "none".
    last_seq: u64,
    /// No timer is due before this time (µs): a `poll` for an earlier time has nothing to hand out
    /// and returns at once. Lowered by `insert`, raised by `poll` and `next_deadline`. An executor on
    /// virtual time polls the wheel three times per deadline (the turn that fires a timer, the turn
    /// that polls the woken task, the turn that polls its awaiter), and two of those stop here.
    nothing_before: u64,
    /// Emptied list buffers, for the next list that fills: timers flow down the levels, and their
    /// buffers flow with them, so a wheel in steady use allocates nothing. Only buffers of at most
    /// `KEPT_BUFFER` timers are kept (see there).
    spare_buffers: Vec<Vec<Armed<T>>>,
}

impl<T: Copy> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Wheel<T> {
    /// An empty wheel standing at time 0.
    pub fn new() -> Wheel<T> {
        Wheel {
            elapsed: 0,
            polled: 0,
            lists: [List::EMPTY; EXPIRED + 1],
            occupied: [0; LEVELS + 1],
            len: 0,
            last_seq: 0,
            nothing_before: u64::MAX,
            spare_buffers: Vec::new(),
        }
    }

    /// How many timers are armed: inserted, and neither forgotten nor handed out by `poll`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The latest time the wheel was polled for, in microseconds.
    #[allow(
        clippy::misnamed_getters,
        reason = "the field `elapsed` may lag behind the time polled for, which this returns"
    )]
    pub fn elapsed(&self) -> u64 {
        self.polled
    }

    /// Arms a timer due at `deadline` (µs) carrying `value`, and returns it: the owner keeps what it
    /// needs of it (the arming number tells this timer from any other). O(1).
    ///
    /// ```
    /// # use minimalist_async::time::wheel::Wheel;
    /// let mut wheel = Wheel::new();
    /// let timer = wheel.insert(5, 'x');
    /// assert_eq!((timer.deadline, timer.seq, timer.value), (5, 1, 'x'));
    /// assert_eq!(wheel.len(), 1);
    /// ```
    pub fn insert(&mut self, deadline: u64, value: T) -> Armed<T> {
        let seq = self.reserve();
        self.insert_reserved(deadline, seq, value)
    }

    /// Takes the next arming number without arming anything: for a timer whose place among equal
    /// deadlines is decided now but which may never be needed (a timeout around a future that turns
    /// out ready at once). [`Wheel::insert_reserved`] arms it later, in that place.
    ///
    /// ```
    /// # use minimalist_async::time::wheel::Wheel;
    /// let mut wheel = Wheel::new();
    /// let early = wheel.reserve();
    /// wheel.insert(5, 'b');
    /// wheel.insert_reserved(5, early, 'a');
    /// let mut due = Vec::new();
    /// wheel.poll(5, &mut due, |_| true, |_| {});
    /// assert_eq!(due.iter().map(|t| t.value).collect::<String>(), "ab", "reserved first, fires first");
    /// ```
    pub fn reserve(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Arms a timer with an arming number that [`Wheel::reserve`] gave (each is used once): of two
    /// timers due at the same time, it fires before any inserted after the reservation. O(1).
    pub fn insert_reserved(&mut self, deadline: u64, seq: u64, value: T) -> Armed<T> {
        debug_assert!((1..=self.last_seq).contains(&seq), "arming number {seq} was never reserved");
        // Every arming comes here (`insert` and `replace` too): the timer counts, it may be due
        // before `nothing_before`, and it goes to the list its deadline names, given `elapsed`.
        self.nothing_before = self.nothing_before.min(deadline);
        self.len += 1;
        let timer = Armed { deadline, seq, value };
        self.link_into(list_for(self.elapsed, deadline), timer);
        timer
    }

    /// Every non-empty list with its live timers in list order: the occupied slots level by level, then
    /// the overflow and expired lists. For snapshots; it walks the whole wheel.
    pub fn lists(&self, mut live: impl FnMut(&Armed<T>) -> bool) -> Vec<(SlotId, Vec<Armed<T>>)> {
        let occupied = self.lists.iter().enumerate().filter(|(_, list)| !list.is_empty());
        let mut live_items =
            |list: &List<T>| list.items.iter().copied().filter(|item| live(item)).collect();
        occupied.map(|(index, list)| (SlotId::of(index), live_items(list))).collect()
    }

    /// The earliest deadline among the armed timers, exactly, in microseconds.
    ///
    /// It is in the first list that holds a timer (rule 5). A level-0 slot is one microsecond wide, so
    /// its start *is* the deadline; any other list keeps its earliest deadline as timers are appended.
    /// Only when a list's earliest timer was cancelled is the list walked, once, to find the new
    /// earliest (which is why this takes `&mut self`: it remembers what the walk found). A virtual
    /// clock jumps straight to this value; the real clock sleeps until it.
    pub fn next_deadline(&mut self, mut live: impl FnMut(&Armed<T>) -> bool) -> Option<u64> {
        let next = self.first_list(&mut live).and_then(|(index, start)| {
            if index < SLOTS { Some(start) } else { self.lists[index].earliest(&mut live) }
        });
        self.nothing_before = next.unwrap_or(u64::MAX);
        next
    }

    /// Advances the wheel to `now` (µs) and appends every timer due by then to `due`, sorted by
    /// deadline and, for equal deadlines, by arming order. They leave the wheel: the caller decides
    /// when a due timer actually fires. `now` earlier than [`Wheel::elapsed`] (an earlier poll's time)
    /// is treated as that time: what was due then is due now.
    ///
    /// `soon` is shown the timers of each level-2 slot as it is cascaded, all at once: they move onto
    /// level 0 or 1, due within 4.1 ms (or are due now), so an owner may read what firing them will
    /// touch, and the memory is in the cache by then (the executor's `Timers::warm`, in
    /// `runtime/timers.rs`). Timers a cascade moves straight from a higher level onto level 0 or 1
    /// (those due in the first 4.1 ms of a higher slot, 1 in 64), and those armed there, are not shown.
    pub fn poll(
        &mut self,
        now: u64,
        due: &mut Vec<Armed<T>>,
        mut live: impl FnMut(&Armed<T>) -> bool,
        mut soon: impl FnMut(&[Armed<T>]),
    ) {
        let now = now.max(self.polled);
        self.polled = now;
        // Below `nothing_before` nothing can be due, and most turns stop at this one comparison, so
        // it is kept apart, small enough for the caller to inline. `elapsed` stays behind, as if this
        // poll came later: moving it without visiting the slots it passes would strand their timers.
        if now >= self.nothing_before {
            self.hand_out(now, due, &mut live, &mut soon);
        }
    }

    /// What [`Wheel::poll`] does once something may be due: it empties, in time order (rule 5),
    /// every list whose start has come, and sorts the batch of what comes due.
    ///
    /// The batch is collected in `due` itself, behind what it already holds, and only that part is
    /// sorted: `due` is the owner's buffer, kept between polls, so collecting allocates nothing.
    ///
    /// Emptying a list *cascades* it: `elapsed` moves to the list's start, timers due by `now` join
    /// the batch, and the others are linked again relative to that start, which puts them on a lower
    /// level (or, from the overflow list, back in it if they lie beyond the window). The list is
    /// detached first, since its timers may come back to it; its emptied buffer goes to the spares.
    /// A list with no stale timers is walked without asking `live` once: the list holds all that is
    /// needed. That is what keeps cascading cheap with a million timers.
    ///
    /// Never inlined: it would land in the executor's turn loop, whose registers are better spent on
    /// the loop itself, timers or none (measured: yield_many 328 → 327, ping_pong 527 → 518,
    /// timers_virtual_ms 2,529 → 2,513, timers_virtual 3,245 → 3,253 instructions per op).
    #[inline(never)]
    fn hand_out(
        &mut self,
        now: u64,
        due: &mut Vec<Armed<T>>,
        live: &mut impl FnMut(&Armed<T>) -> bool,
        soon: &mut impl FnMut(&[Armed<T>]),
    ) {
        let batch_start = due.len();
        while let Some((index, start)) = self.first_list(live).filter(|&(_, start)| start <= now) {
            self.elapsed = start;
            let mut list = std::mem::replace(&mut self.lists[index], List::EMPTY);
            self.occupied[index / SLOTS] &= !(1 << (index % SLOTS));
            if index / SLOTS == SOON_LEVEL {
                soon(&list.items);
            }
            for item in list.items.drain(..) {
                if list.stale > 0 && !live(&item) {
                    continue;
                }
                if item.deadline <= now {
                    due.push(item);
                } else {
                    self.link_into(list_for(self.elapsed, item.deadline), item);
                }
            }
            if list.items.capacity() <= KEPT_BUFFER {
                self.spare_buffers.push(list.items);
            }
        }
        // `poll` has made `now` at least `polled`, which `elapsed` never passes.
        self.elapsed = now;
        self.nothing_before = now.saturating_add(1);
        due[batch_start..].sort_unstable_by_key(|item| (item.deadline, item.seq));
        self.len -= due.len() - batch_start;
    }

    /// The first list that holds a timer (rule 5), and its start: no timer in it is due earlier. The
    /// expired list starts at `elapsed`; the overflow list, at the 2^36 µs window of its earliest
    /// deadline.
    fn first_list(&mut self, live: &mut impl FnMut(&Armed<T>) -> bool) -> Option<(usize, u64)> {
        if !self.lists[EXPIRED].is_empty() {
            return Some((EXPIRED, self.elapsed));
        }
        if let Some(level) = self.occupied[..LEVELS].iter().position(|&occupied| occupied != 0) {
            let index = level * SLOTS + self.occupied[level].trailing_zeros() as usize;
            let start = slot_start(self.elapsed, index);
            debug_assert!(start > self.elapsed, "slot {index} lies behind elapsed");
            return Some((index, start));
        }
        self.lists[OVERFLOW].earliest(live).map(|earliest| (OVERFLOW, earliest & !(SPAN - 1)))
    }

    /// Appends `item` to the list at `index`, the one `list_for` names for it: the list is occupied.
    fn link_into(&mut self, index: usize, item: Armed<T>) {
        self.lists[index].push(item, &mut self.spare_buffers);
        self.occupied[index / SLOTS] |= 1 << (index % SLOTS);
    }
}
