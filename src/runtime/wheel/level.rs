//! One level of the wheel: 64 slots, a bitmap of the occupied ones, and the arithmetic that maps a
//! time to a slot.
//!
//! A level knows nothing of what it stores: each slot is a [`List`] of small items (deadline, arming
//! order, key into the wheel's entries). Keeping the level this small is what makes its arithmetic
//! easy to test exhaustively.

use crate::runtime::slab::Key;

/// Slots per level. A power of two, so that a slot index is a bit field of the time.
pub const SLOTS: usize = 64;

/// Bits of the time that pick the slot within one level: `log2(SLOTS)`.
pub const SLOT_BITS: u32 = 6;

/// What a list holds for one timer: enough to cascade it and to sort a batch without touching the
/// timer's entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub(super) deadline: u64,
    /// Arming order, the tie-break between equal deadlines.
    pub(super) seq: u64,
    pub(super) key: Key,
}

/// One slot's timers, in the order they arrived, and what the wheel knows about them.
#[derive(Debug, Default)]
pub(super) struct List {
    pub(super) items: Vec<Item>,
    /// Items whose timer was removed meanwhile (cancelled): they stay until the list is next walked,
    /// since finding them would cost a walk. Swept once they make up half the list (`Wheel::forget_item`).
    pub(super) stale: usize,
    /// The earliest deadline among the live items; `None` when unknown (empty, or its earliest entry
    /// was cancelled and nobody has needed the new earliest since). Kept so that asking for the next
    /// deadline does not walk the list every time: see `Wheel::next_deadline`.
    pub(super) min: Option<u64>,
}

impl List {
    /// Whether the list holds no live timer.
    pub(super) fn is_empty(&self) -> bool {
        self.items.len() == self.stale
    }
}

/// The next slot of a level that holds entries, and the first microsecond it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Expiration {
    pub(super) level: usize,
    pub(super) slot: usize,
    /// The slot's start: no entry in it is due earlier.
    pub(super) deadline: u64,
}

/// One level of [`super::Wheel`].
#[derive(Debug)]
pub(super) struct Level {
    /// Which level this is: slots here are `64^level` microseconds wide.
    level: usize,
    /// Bit `i` is set exactly when `slots[i]` holds a live timer. Finding the next occupied slot is then
    /// one rotate and one `trailing_zeros`, instead of a walk over 64 slots.
    occupied: u64,
    slots: [List; SLOTS],
}

impl Level {
    pub(super) fn new(level: usize) -> Level {
        Level {
            level,
            occupied: 0,
            slots: std::array::from_fn(|_| List::default()),
        }
    }

    pub(super) fn list(&self, slot: usize) -> &List {
        &self.slots[slot]
    }

    pub(super) fn list_mut(&mut self, slot: usize) -> &mut List {
        &mut self.slots[slot]
    }

    /// Keeps the bitmap in step with the list after a change to `slots[slot]`.
    pub(super) fn sync_occupied(&mut self, slot: usize) {
        if self.slots[slot].is_empty() {
            self.occupied &= !(1 << slot);
        } else {
            self.occupied |= 1 << slot;
        }
    }

    /// Empties `slot` and returns its list.
    pub(super) fn take(&mut self, slot: usize) -> List {
        self.occupied &= !(1 << slot);
        std::mem::take(&mut self.slots[slot])
    }

    /// The first occupied slot at or after the one that `elapsed` falls in, and the time it starts.
    ///
    /// Entries at this level always share every bit above this level with `elapsed` (that is how
    /// [`level_for`] chose the level), so the search never needs to wrap around to slots "behind"
    /// `elapsed`: those would belong to the next turn of the level, and nothing is placed there.
    pub(super) fn next_expiration(&self, elapsed: u64) -> Option<Expiration> {
        if self.occupied == 0 {
            return None;
        }
        let now_slot = slot_for(elapsed, self.level);
        let distance = self.occupied.rotate_right(now_slot as u32).trailing_zeros() as usize;
        let slot = (now_slot + distance) % SLOTS;
        debug_assert!(
            slot >= now_slot,
            "level {} wrapped: elapsed {elapsed}, occupied {:#066b}",
            self.level,
            self.occupied
        );
        let level_start = elapsed & !(level_range(self.level) - 1);
        Some(Expiration {
            level: self.level,
            slot,
            deadline: level_start + slot as u64 * slot_range(self.level),
        })
    }
}

/// Microseconds covered by one slot of `level`: 1 at level 0, 64 at level 1, 4096 at level 2, …
pub(crate) fn slot_range(level: usize) -> u64 {
    1 << (SLOT_BITS as usize * level)
}

/// Microseconds covered by all 64 slots of `level`.
pub(crate) fn level_range(level: usize) -> u64 {
    slot_range(level) << SLOT_BITS
}

/// The slot of `level` that time `t` falls in: bits `6·level .. 6·level+6` of `t`.
pub(crate) fn slot_for(t: u64, level: usize) -> usize {
    ((t >> (SLOT_BITS as usize * level)) as usize) & (SLOTS - 1)
}

/// The level an entry due at `deadline` belongs to when the wheel stands at `elapsed`: the level whose
/// bit field holds the highest bit in which the two times differ. Below it the times agree, so the entry
/// sits in the right slot of that level; above it they agree too, so it is in this turn of the level.
/// May return a level the wheel does not have: such a deadline lies beyond the wheel's span.
pub(crate) fn level_for(elapsed: u64, deadline: u64) -> usize {
    // OR-ing in the low slot bits makes equal times land on level 0 instead of "no bit differs".
    let masked = (elapsed ^ deadline) | (SLOTS as u64 - 1);
    let highest_differing_bit = 63 - masked.leading_zeros();
    (highest_differing_bit / SLOT_BITS) as usize
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
    fn next_expiration_finds_the_first_occupied_slot_at_or_after_elapsed() {
        for level in 0..4 {
            for occupied_slot in 0..SLOTS {
                for elapsed_slot in 0..=occupied_slot {
                    let mut l = Level::new(level);
                    l.slots[occupied_slot].items.push(Item {
                        deadline: 0,
                        seq: 0,
                        key: crate::runtime::slab::Slab::default().insert(()),
                    });
                    l.sync_occupied(occupied_slot);
                    let base = 7 * level_range(level);
                    let elapsed = base + elapsed_slot as u64 * slot_range(level);
                    let exp = l.next_expiration(elapsed).unwrap();
                    assert_eq!(exp.slot, occupied_slot);
                    assert_eq!(
                        exp.deadline,
                        base + occupied_slot as u64 * slot_range(level)
                    );
                }
            }
        }
    }
}
