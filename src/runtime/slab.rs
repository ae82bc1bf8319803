//! A slab: a `Vec` of slots reused through a free list, addressed by keys that carry a generation.
//!
//! The executor keeps tables that grow and shrink all the time: the tasks, the results, the queued
//! callbacks, the records of timers that are not a task's own. Each needs O(1) insert and remove and a
//! small `Copy` key that can travel through the ready queue (which only carries plain data, so that
//! wakers on other threads can send into it).
//!
//! A key is an index plus the generation of the slot at the time of insertion. Removing a value bumps
//! the slot's generation, so a key that outlived its value (a wake for a task that already finished, a
//! cancel for a callback that already ran) simply finds nothing, instead of hitting whoever reuses the
//! slot next.
//!
//! The slots are one `Vec`, so a lookup is one bounds check and one load. Past 4,096 slots it grows
//! by a sixteenth, not by doubling ([`grow`]): doubling left up to half the room unused, and 600,000
//! sleeping tasks peaked at 249 bytes each (1,048,576 slots of 64 bytes). The price is more moves:
//! glibc's `realloc` extends a block in place or remaps a mapped one when it can, and copies it
//! otherwise, about 16 times the final size in all where doubling copies it about once. Fixed pieces
//! instead (no copy, no slack) cost every lookup a second load: 2–20 % more instructions on every
//! workload.

use std::mem::ManuallyDrop;
use std::num::NonZeroU64;

/// Where a value lives in a [`Slab`]: the slot's index (the low 32 bits) and the generation it had when
/// the value went in (the high 32), in one word. One word, not two `u32` fields: a key is moved on every
/// poll and wake (a task's poll returns one), and a value written as two halves and read back as one
/// word stalls the processor's store-to-load forwarding (with two fields, `perf annotate` put a quarter
/// of the poll loop's samples on the load right after a task's poll returned).
///
/// Generations start at 1, so no key is 0, and an `Option<Key>` is one word too. They stay below
/// 2^30, which leaves a key's top two bits free for a tag (`tagged.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key(pub(crate) NonZeroU64);

/// The generation a slot is retired at: it is never filled again, so no generation is ever used twice
/// in one slot, and a key that outlived its value never matches, however often its slot was reused.
/// A slot reused a billion times costs its size, for good.
pub(crate) const RETIRED: u32 = 1 << 30;

impl Key {
    /// Speed: `#[inline]`, or it is a call in every insert (spawn_join 1,219 -> 1,213 instructions
    /// per op with `ReadyQueue::nothing_sent` inlined too, timers_virtual 3,241 -> 3,225).
    #[inline]
    pub(crate) fn new(index: u32, generation: u32) -> Key {
        debug_assert!(
            (1..RETIRED).contains(&generation),
            "slot {index} has generation {generation}"
        );
        Key::from_bits(u64::from(generation) << 32 | u64::from(index))
    }

    /// The slot's index.
    pub(crate) fn index(self) -> u32 {
        self.0.get() as u32
    }

    fn generation(self) -> u32 {
        (self.0.get() >> 32) as u32
    }

    /// The key as one number, for a waker to keep in an atomic.
    pub(crate) fn to_bits(self) -> u64 {
        self.0.get()
    }

    /// The key [`Key::to_bits`] made `bits` from.
    #[inline]
    pub(crate) fn from_bits(bits: u64) -> Key {
        Key(NonZeroU64::new(bits).expect("a key is never 0: its generation is not"))
    }
}

/// A slot: its generation and what it holds.
struct Slot<T> {
    /// Moves on each time the slot's value is removed: a key reaches the value only with the
    /// generation the slot had when the value went in.
    generation: u32,
    /// `Ok(value)`, or `Err(next)` while the slot is empty: `next` is the next empty slot (`u32::MAX`:
    /// none). The empty slots form a stack threaded through the table itself, so reusing one
    /// allocates nothing, where a separate `Vec` of free indices would grow (and copy) with them; and
    /// the link takes room the value leaves, so a slot is no bigger for it (a stored `u64` result
    /// takes 16 bytes, its own size, beside the generation). `ManuallyDrop`, so that dropping the slab need not
    /// read every slot (see its `Drop`).
    value: ManuallyDrop<Result<T, u32>>,
}

/// A table of `T` with stable keys, checked against each slot's generation.
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    /// The slot emptied last, which the next insert reuses (`u32::MAX`: none).
    free_head: u32,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free_head: u32::MAX, len: 0 }
    }
}

impl<T> Slab<T> {
    /// Stores `value`, reusing the slot emptied last when there is one, and returns its key.
    pub(crate) fn insert(&mut self, value: T) -> Key {
        self.len += 1;
        let index = self.free_head;
        if let Some(slot) = self.slots.get_mut(index as usize) {
            // The free list holds empty slots only. (A panic for the other case, a `let ... else`,
            // cost spawn_join 23 instructions per op: `insert` inlined differently.)
            if let Err(next) = *slot.value {
                self.free_head = next;
            }
            slot.value = ManuallyDrop::new(Ok(value));
            return Key::new(index, slot.generation);
        }
        let index = u32::try_from(self.slots.len()).expect("a slab holds at most u32::MAX values");
        if self.slots.len() == self.slots.capacity() {
            grow(&mut self.slots);
        }
        self.slots.push(Slot { generation: 1, value: ManuallyDrop::new(Ok(value)) });
        Key::new(index, 1)
    }

    /// The key the next `insert` returns: for a value that must name its own key.
    pub(crate) fn vacant_key(&self) -> Key {
        match self.slots.get(self.free_head as usize) {
            Some(slot) => Key::new(self.free_head, slot.generation),
            None => Key::new(self.slots.len() as u32, 1),
        }
    }

    // `#[inline]` on the lookups a task's life goes through (`get`, `get_mut`, `remove`): without
    // it, rustc left some of them calls of their own (measured when a slot's generation was a type
    // parameter: spawn_join 1,277 instructions per op, not 1,239).

    /// The value under `key`, unless it was removed since.
    #[inline]
    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        let slot = self.slots.get(key.index() as usize)?;
        if slot.generation == key.generation() { slot.value.as_ref().ok() } else { None }
    }

    /// The value under `key`, mutably, unless it was removed since.
    #[inline]
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation == key.generation() { slot.value.as_mut().ok() } else { None }
    }

    /// The value in slot `index`, whatever its generation, with its key: for a caller that can tell
    /// the value it is after by other means (a timer's arming number, see `timers.rs`).
    pub(crate) fn at(&self, index: u32) -> Option<(Key, &T)> {
        let slot = self.slots.get(index as usize)?;
        slot.value.as_ref().ok().map(|value| (Key::new(index, slot.generation), value))
    }

    /// The value in slot `index`, mutably, whatever its generation.
    pub(crate) fn at_mut(&mut self, index: u32) -> Option<(Key, &mut T)> {
        let slot = self.slots.get_mut(index as usize)?;
        slot.value.as_mut().ok().map(|value| (Key::new(index, slot.generation), value))
    }

    /// Takes the value out; the slot's generation moves on so that `key` never matches again (and at
    /// `RETIRED`, the slot leaves the free list for good).
    #[inline]
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() || slot.value.is_err() {
            return None;
        }
        let mut next = u32::MAX;
        slot.generation += 1;
        if slot.generation < RETIRED {
            next = std::mem::replace(&mut self.free_head, key.index());
        }
        self.len -= 1;
        std::mem::replace(&mut *slot.value, Err(next)).ok()
    }

    /// Takes every value out, with its key, as `remove` would one at a time: each slot's generation
    /// moves on, so no key made before matches a value stored afterwards. For the executor's
    /// teardown, whose destructors may store new values while old keys are still held.
    pub(crate) fn drain(&mut self) -> Vec<(Key, T)> {
        // `take` ends the walk at the last value: after a run of a million tasks, the slab has a
        // million slots, most of them empty.
        let keys: Vec<Key> = self.iter().map(|(key, _)| key).take(self.len).collect();
        keys.into_iter().map(|key| (key, self.remove(key).expect("a key just read"))).collect()
    }

    /// The stored values with their keys, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Key, &T)> + '_ {
        (0..self.slots.len() as u32).filter_map(|index| self.at(index))
    }

    /// The stored values, consuming the slab.
    pub(crate) fn into_values(mut self) -> impl Iterator<Item = T> {
        // `take` ends the walk at the last value, as `drain` does.
        let (slots, len) = (std::mem::take(&mut self.slots), self.len);
        let values = slots.into_iter().filter_map(|slot| ManuallyDrop::into_inner(slot.value).ok());
        values.take(len)
    }

    /// How many values are stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// Drops the values still stored, walking the slots only if there are any. Speed: the slots' values
/// are `ManuallyDrop`, so that a slab emptied value by value (the task table at the end of a run)
/// frees its slots without reading them all again: a million slots of 64 bytes, read from memory
/// for nothing.
impl<T> Drop for Slab<T> {
    fn drop(&mut self) {
        if self.len > 0 {
            // The assignment drops the value it replaces.
            self.slots.iter_mut().for_each(|slot| *slot.value = Err(u32::MAX));
        }
    }
}

/// Makes room for more elements in a table that grows one element at a time (every slab's slots, and
/// the spawn parents in `table.rs`): doubling up to 4,096 (a small table moves little), then a
/// sixteenth more, so that a large one holds at most 1/16 unused room (see the module doc). Cold: past
/// its first few thousand, a table grows once per hundreds of inserts.
#[cold]
pub(crate) fn grow<T>(table: &mut Vec<T>) {
    let len = table.len();
    table.reserve_exact(if len < 4096 { len.max(4) } else { len / 16 });
    debug_assert!(table.capacity() > len, "no room made past {len} elements");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_key_never_matches_the_reused_slot() {
        let mut slab: Slab<_> = Slab::default();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(a.index(), b.index(), "the vacant slot is reused");
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn iteration_skips_empty_slots_and_reuse_is_last_emptied_first() {
        let mut slab: Slab<_> = Slab::default();
        let keys: Vec<Key> = (0..4).map(|i| slab.insert(i)).collect();
        slab.remove(keys[1]);
        slab.remove(keys[2]);
        assert_eq!(slab.len(), 2);
        let stored: Vec<(Key, i32)> = slab.iter().map(|(key, value)| (key, *value)).collect();
        assert_eq!(stored, [(keys[0], 0), (keys[3], 3)]);
        assert_eq!(slab.insert(20).index(), keys[2].index());
        assert_eq!(slab.insert(10).index(), keys[1].index());
        assert_eq!(slab.insert(4).index(), 4);
        assert_eq!(slab.into_values().collect::<Vec<_>>(), [0, 10, 20, 3, 4]);
    }

    #[test]
    fn drained_keys_never_match_what_is_stored_afterwards() {
        let mut slab: Slab<_> = Slab::default();
        let old: Vec<Key> = (0..3).map(|i| slab.insert(i)).collect();
        slab.remove(old[1]);
        assert_eq!(slab.drain(), [(old[0], 0), (old[2], 2)]);
        assert_eq!(slab.len(), 0);
        let new: Vec<Key> = (10..13).map(|i| slab.insert(i)).collect();
        for key in &old {
            assert_eq!(slab.get(*key), None, "{key:?} outlived its value");
        }
        assert_eq!(new.iter().filter_map(|key| slab.get(*key)).count(), 3);
    }

    #[test]
    fn the_values_left_are_dropped_with_the_slab_and_only_they() {
        let value = std::rc::Rc::new(());
        let mut slab: Slab<_> = Slab::default();
        let keys: Vec<Key> = (0..3).map(|_| slab.insert(value.clone())).collect();
        slab.remove(keys[1]);
        assert_eq!(std::rc::Rc::strong_count(&value), 3);
        drop(slab);
        assert_eq!(std::rc::Rc::strong_count(&value), 1, "the two left were dropped");
    }

    #[test]
    fn a_large_slab_holds_at_most_a_sixteenth_more_room_than_it_uses() {
        let mut slab: Slab<u64> = Slab::default();
        for i in 0..100_000 {
            slab.insert(i);
            let (len, room) = (slab.slots.len(), slab.slots.capacity());
            assert!(len < 4096 || room <= len + len / 16 + 1, "{room} slots for {len}");
        }
    }

    #[test]
    fn a_slot_is_retired_before_its_generation_could_repeat() {
        let mut slab: Slab<_> = Slab::default();
        let first = slab.insert(0);
        slab.remove(first);
        slab.slots[0].generation = RETIRED - 1;
        let last = slab.insert(1);
        assert_eq!(slab.remove(last), Some(1));
        let next = slab.insert(2);
        assert_ne!(next.index(), first.index(), "a retired slot is not reused");
        assert_eq!((slab.get(first), slab.get(last)), (None, None));
    }

    #[test]
    fn a_stored_result_is_its_value_plus_eight_bytes() {
        // A stored `u64` result: the result's tag has room for the empty slot's, its payload for
        // the link; the generation is the eight.
        type Stored = Option<Result<u64, Box<u8>>>;
        assert_eq!(std::mem::size_of::<Slot<Stored>>(), 24);
    }

    #[test]
    fn a_slot_is_its_value_plus_eight_bytes() {
        // 64 bytes with a niche (the `Box`): `Result` needs no tag of its own, and an empty slot's
        // link fits beside the niche.
        struct Entry {
            _fields: [u64; 7],
            _future: Box<u8>,
        }
        assert_eq!(std::mem::size_of::<Slot<Entry>>(), 72);
    }
}
