//! `Tagged`: a key and what it names, in one word, for the ready queue and an entry's awaiter.

use std::num::NonZeroU64;

use crate::runtime::slab::Key;

/// Where a [`Tagged`] key's tag sits: above every bit a key uses (generations stay below 2^30).
const TAG_SHIFT: u32 = 62;

/// A key and a tag of two bits (what the key names: a task to poll or a callback to run, a task or a
/// kept waker) in one word, where an enum of keys would take two: the ready queue holds one per task
/// queued, 8 bytes, not 16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tagged(NonZeroU64);

impl Tagged {
    pub(crate) fn new(key: Key, tag: u8) -> Tagged {
        debug_assert!(tag < 4, "a tag has two bits");
        Tagged(key.0 | u64::from(tag) << TAG_SHIFT)
    }

    #[inline]
    pub(crate) fn key(self) -> Key {
        match self.tag() {
            // Tag 0 leaves the key as it is: read where the tag is known (a task to poll, the
            // commonest queue entry), nothing is masked or checked.
            0 => Key(self.0),
            _ => Key::from_bits(self.0.get() & !(3 << TAG_SHIFT)),
        }
    }

    pub(crate) fn tag(self) -> u8 {
        (self.0.get() >> TAG_SHIFT) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::slab::RETIRED;

    #[test]
    fn a_tag_leaves_the_key_whole() {
        let key = Key::new(u32::MAX - 1, RETIRED - 1);
        for tag in 0..4 {
            let tagged = Tagged::new(key, tag);
            assert_eq!((tagged.key(), tagged.tag()), (key, tag));
        }
    }
}
