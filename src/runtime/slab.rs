//! A slab: a `Vec` of slots reused through a free list, addressed by keys that carry a generation.
//!
//! The executor keeps three tables that grow and shrink all the time: the tasks, the queued callbacks and
//! the timer entries. Each needs O(1) insert and remove and a small `Copy` key that can travel through the
//! ready queue (which only carries plain data, so that wakers on other threads can send into it).
//!
//! A key is an index plus the generation of the slot at the time of insertion. Removing a value bumps
//! the slot's generation, so a key that outlived its value (a wake for a task that already finished, a
//! cancel for a timer that already fired) simply finds nothing, instead of hitting whoever reuses the
//! slot next.

/// Where a value lives in a [`Slab`]: the slot's index and the generation it had when the value went in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) index: u32,
    generation: u32,
}

impl Key {
    /// The key as one number, for a waker to keep in an atomic.
    pub(crate) fn to_bits(self) -> u64 {
        u64::from(self.generation) << 32 | u64::from(self.index)
    }

    /// The key [`Key::to_bits`] made `bits` from.
    pub(crate) fn from_bits(bits: u64) -> Key {
        Key {
            index: bits as u32,
            generation: (bits >> 32) as u32,
        }
    }
}

#[derive(Debug)]
enum Slot<T> {
    Occupied {
        generation: u32,
        value: T,
    },
    /// `next_free` links the vacant slots into a stack; `u32::MAX` ends it.
    Vacant {
        generation: u32,
        next_free: u32,
    },
}

/// A table of `T` with stable, generation-checked keys.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    free_head: u32,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free_head: u32::MAX,
            len: 0,
        }
    }
}

impl<T> Slab<T> {
    /// The key the next insert takes: the top of the free list, or a new slot at the end.
    fn next_key(&self) -> Key {
        match self.slots.get(self.free_head as usize) {
            Some(Slot::Vacant { generation, .. }) => Key {
                index: self.free_head,
                generation: *generation,
            },
            _ => Key {
                index: u32::try_from(self.slots.len())
                    .expect("a slab holds at most u32::MAX values"),
                generation: 0,
            },
        }
    }

    /// Stores `value`, reusing a vacant slot when there is one, and returns its key.
    pub(crate) fn insert(&mut self, value: T) -> Key {
        let key = self.next_key();
        let occupied = Slot::Occupied {
            generation: key.generation,
            value,
        };
        match self.slots.get_mut(key.index as usize) {
            Some(slot) => {
                let Slot::Vacant { next_free, .. } = std::mem::replace(slot, occupied) else {
                    unreachable!("next_key picks a vacant slot")
                };
                self.free_head = next_free;
            }
            None => self.slots.push(occupied),
        }
        self.len += 1;
        key
    }

    /// The value under `key`, unless it was removed since.
    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        match self.slots.get(key.index as usize) {
            Some(Slot::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    /// The value under `key`, mutably, unless it was removed since.
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        match self.slots.get_mut(key.index as usize) {
            Some(Slot::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    /// Takes the value out; the slot's generation moves on so that `key` never matches again.
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        match slot {
            Slot::Occupied { generation, .. } if *generation == key.generation => {}
            _ => return None,
        }
        let vacant = Slot::Vacant {
            generation: key.generation.wrapping_add(1),
            next_free: self.free_head,
        };
        let Slot::Occupied { value, .. } = std::mem::replace(slot, vacant) else {
            unreachable!("checked occupied above")
        };
        self.free_head = key.index;
        self.len -= 1;
        Some(value)
    }

    /// The keys of the stored values, in slot order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| match slot {
                Slot::Occupied { generation, .. } => Some(Key {
                    index: index as u32,
                    generation: *generation,
                }),
                Slot::Vacant { .. } => None,
            })
    }

    /// The stored values with their keys, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Key, &T)> + '_ {
        self.keys()
            .zip(self.slots.iter().filter_map(|slot| match slot {
                Slot::Occupied { value, .. } => Some(value),
                Slot::Vacant { .. } => None,
            }))
    }

    /// The stored values, consuming the slab.
    pub(crate) fn into_values(self) -> impl Iterator<Item = T> {
        self.slots.into_iter().filter_map(|slot| match slot {
            Slot::Occupied { value, .. } => Some(value),
            Slot::Vacant { .. } => None,
        })
    }

    /// How many values are stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_key_never_matches_the_reused_slot() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(a.index, b.index, "the vacant slot is reused");
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.len(), 1);
    }
}
