//! What the wheel is made of, and the arithmetic of its levels: the armed timers in the lists; the
//! lists, and how each keeps track of its timers; which list a deadline belongs in, and where a slot
//! starts.
//!
//! Nothing here knows what a timer carries, or when the wheel moves: keeping the arithmetic this small
//! and apart is what makes it easy to test exhaustively.

/// Slots per level. A power of two, so that a slot index is a bit field of the time.
pub const SLOTS: usize = 64;

/// Bits of the time that pick the slot within one level: `log2(SLOTS)`.
pub const SLOT_BITS: u32 = 6;

/// Levels in the wheel. With 64 slots of 1 µs at the bottom, six levels span 2^36 µs ≈ 19.1 hours.
pub const LEVELS: usize = 6;

/// Microseconds the levels span; later deadlines wait in the overflow list.
pub const SPAN: u64 = 1 << (SLOT_BITS as usize * LEVELS);

/// The wheel's lists are numbered level by level, slot by slot; the overflow list comes next.
pub(super) const OVERFLOW: usize = LEVELS * SLOTS;

/// The expired list comes last.
pub(super) const EXPIRED: usize = OVERFLOW + 1;

/// One list of the wheel, as [`super::Wheel::lists`] reports it.
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

impl SlotId {
    /// The name of the wheel's list number `index`.
    pub(super) fn of(index: usize) -> SlotId {
        match index {
            OVERFLOW => SlotId::Overflow,
            EXPIRED => SlotId::Expired,
            _ => SlotId::Level { level: index / SLOTS, slot: index % SLOTS },
        }
    }
}

/// One armed timer, as the wheel holds it in a list and hands it out: its deadline, its place in the
/// arming order, and the owner's value (a small `Copy` name for whatever the timer wakes).
///
/// The wheel keeps no other record of a timer. Its owner keeps one (the executor: in the task's own
/// entry), and tells the wheel whether a timer is still armed whenever the wheel needs to know, through
/// a `live` function; `seq` is what lets the owner tell this timer from an earlier one of the same
/// value, since no two timers share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Armed<T> {
    /// When it is due, in microseconds.
    pub deadline: u64,
    /// Arming order: the tie-break between equal deadlines, and the timer's identity.
    pub seq: u64,
    /// What the owner stored with it.
    pub value: T,
}

/// One slot's timers, in the order they arrived, and what the wheel knows about them.
#[derive(Debug)]
pub(super) struct List<T> {
    pub(super) items: Vec<Armed<T>>,
    /// Items whose timer was cancelled meanwhile: they stay until the list is next walked, since
    /// finding them would cost a walk.
    pub(super) stale: usize,
    /// The earliest deadline among the live items; `None` when unknown (empty, or its earliest timer
    /// was cancelled and nobody has needed the new earliest since). Kept so that asking for the next
    /// deadline does not walk the list every time: see `Wheel::next_deadline`.
    min: Option<u64>,
}

impl<T: Copy> List<T> {
    /// A list with no timers and no buffer: what every list starts as, and what a cascade leaves.
    pub(super) const EMPTY: List<T> = List { items: Vec::new(), stale: 0, min: None };

    /// Whether the list holds no live timer.
    pub(super) fn is_empty(&self) -> bool {
        self.items.len() == self.stale
    }

    /// Appends `item`, into a spare buffer if the list has none.
    ///
    /// Memory: a full list of more than `KEPT_BUFFER` timers grows by a quarter of its length, where
    /// `Vec::push` would double it. A burst fills a few high slots with tens of thousands of timers
    /// each, and a list grown by doubling holds up to twice the room its timers need (44 % more on
    /// average over list lengths), a quarter more at most growing this way, for as long as the burst
    /// waits. The price is four times the copying while a list grows. Measured (1M sleepers): peak
    /// 201 → 199 B per task (timers_virtual_ms 201 → 198); timers_virtual 3,255 → 3,268
    /// instructions per op at 20k tasks, the copies; paired 3-round times within the noise.
    pub(super) fn push(&mut self, item: Armed<T>, spare_buffers: &mut Vec<Vec<Armed<T>>>) {
        if self.items.capacity() == 0 {
            self.items = spare_buffers.pop().unwrap_or_default();
        }
        let len = self.items.len();
        if len == self.items.capacity() {
            // Small lists double, as a `Vec` does: their slack is small, their reallocations many.
            self.items.reserve_exact(if len < super::KEPT_BUFFER { len.max(4) } else { len / 4 });
        }
        // Into an empty list, the item is the earliest; otherwise unknown stays unknown: the walk
        // that finds it will see this item too.
        let merged = self.min.map(|min| min.min(item.deadline));
        self.min = if self.is_empty() { Some(item.deadline) } else { merged };
        self.items.push(item);
    }

    /// One of the items, due at `deadline`, was cancelled: it is stale now. The list forgets its
    /// earliest deadline if that may have been this one, and is swept once stale items make up half of
    /// it, so that they never take more room than live ones.
    pub(super) fn forget(&mut self, deadline: u64, live: &mut impl FnMut(&Armed<T>) -> bool) {
        self.stale += 1;
        self.min = self.min.filter(|&min| min != deadline);
        if self.stale * 2 >= self.items.len() {
            self.items.retain(|item| live(item));
            self.stale = 0;
        }
    }

    /// The earliest deadline among the live items, walking the list only if it is not known.
    pub(super) fn earliest(&mut self, live: &mut impl FnMut(&Armed<T>) -> bool) -> Option<u64> {
        if self.min.is_none() {
            self.min = self.items.iter().filter(|item| live(item)).map(|item| item.deadline).min();
        }
        self.min
    }
}

/// The slot of `level` that time `t` falls in: bits `6·level .. 6·level+6` of `t`.
pub(super) fn slot_for(t: u64, level: usize) -> usize {
    ((t >> (SLOT_BITS as usize * level)) as usize) & (SLOTS - 1)
}

/// The level a timer due at `deadline` belongs to when the wheel stands at `elapsed`: the level whose
/// bit field holds the highest bit in which the two times differ. Below it the times agree, so the timer
/// sits in the right slot of that level; above it they agree too, so it is in this turn of the level.
/// May return a level the wheel does not have: such a deadline lies beyond the wheel's span.
pub(super) fn level_for(elapsed: u64, deadline: u64) -> usize {
    // OR-ing in the low slot bits makes equal times land on level 0 instead of "no bit differs".
    let masked = (elapsed ^ deadline) | (SLOTS as u64 - 1);
    let highest_differing_bit = 63 - masked.leading_zeros();
    (highest_differing_bit / SLOT_BITS) as usize
}

/// The number of the list a timer due at `deadline` belongs in when the wheel stands at `elapsed`.
pub(super) fn list_for(elapsed: u64, deadline: u64) -> usize {
    match level_for(elapsed, deadline) {
        _ if deadline <= elapsed => EXPIRED,
        level if level < LEVELS => level * SLOTS + slot_for(deadline, level),
        _ => OVERFLOW,
    }
}

/// Where the slot numbered `index` starts when the wheel stands at `elapsed`: in this turn of its level,
/// the one `elapsed` is in.
pub(super) fn slot_start(elapsed: u64, index: usize) -> u64 {
    let shift = SLOT_BITS as usize * (index / SLOTS);
    let level_start = elapsed & (u64::MAX << (shift + SLOT_BITS as usize));
    level_start | ((index % SLOTS) as u64) << shift
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Above the level under test, both times share this pattern; below it, the deadline has noise.
    const HIGH: u64 = 0b1011 << 60;

    #[test]
    fn level_for_is_the_level_of_the_highest_differing_field() {
        for level in 0..10 {
            let shift = SLOT_BITS as usize * level;
            let below = 0x2AAA_AAAA_AAAA_AAAA & ((1u64 << shift) - 1);
            for field in 1..SLOTS as u64 {
                let deadline = HIGH | field << shift | below;
                assert_eq!(
                    level_for(HIGH, deadline),
                    level,
                    "elapsed {HIGH:#066b}\ndeadline {deadline:#066b}"
                );
            }
        }
    }

    #[test]
    fn level_for_equal_times_is_level_zero() {
        for t in [0, 1, 63, 64, u64::MAX] {
            assert_eq!(level_for(t, t), 0);
        }
    }

    #[test]
    fn slot_for_reads_the_level_bit_field() {
        for level in 0..10 {
            let shift = SLOT_BITS as usize * level;
            let below = 0x2AAA_AAAA_AAAA_AAAA & ((1u64 << shift) - 1);
            for slot in 0..SLOTS {
                let t = HIGH | (slot as u64) << shift | below;
                assert_eq!(slot_for(t, level), slot, "t = {t:#066b}, level {level}");
            }
        }
    }

    #[test]
    fn list_for_names_the_slot_of_the_highest_differing_field() {
        for level in 0..10 {
            let shift = SLOT_BITS as usize * level;
            let below = 0x2AAA_AAAA_AAAA_AAAA & ((1u64 << shift) - 1);
            for field in 1..SLOTS {
                let deadline = HIGH | (field as u64) << shift | below;
                let expected = if level < LEVELS { level * SLOTS + field } else { OVERFLOW };
                assert_eq!(list_for(HIGH, deadline), expected, "deadline {deadline:#066b}");
            }
        }
        for (elapsed, deadline) in
            [(0, 0), (64, 64), (100, 99), (u64::MAX, 0), (u64::MAX, u64::MAX)]
        {
            assert_eq!(list_for(elapsed, deadline), EXPIRED);
        }
    }

    /// A timer's slot starts after `elapsed` and no later than its deadline, within one slot width of
    /// it; and from that start the deadline lies on a lower level, or has come: cascading moves down.
    #[test]
    fn a_slot_starts_between_elapsed_and_the_deadlines_it_holds() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..100_000 {
            let elapsed = next() >> (next() % 64);
            let deadline = elapsed.saturating_add(next() >> (next() % 64));
            let index = list_for(elapsed, deadline);
            if index >= OVERFLOW {
                continue;
            }
            let level = index / SLOTS;
            let start = slot_start(elapsed, index);
            let context = format!("elapsed {elapsed}, deadline {deadline}, level {level}");
            assert!(elapsed < start && start <= deadline, "{context}: start {start}");
            assert!(deadline - start < 1 << (SLOT_BITS as usize * level), "{context}");
            let lower = list_for(start, deadline);
            assert!(lower == EXPIRED || lower / SLOTS < level, "{context}: then {lower}");
        }
    }
}
