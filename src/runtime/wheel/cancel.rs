//! Cancelling a timer and moving it to another record (rule 3 of the wheel's docs): the wheel leaves
//! the timer where it is, stale, and counts it out of its list.

use super::level::{EXPIRED, List, SLOTS, list_for};
use super::{Armed, KEPT_BUFFER, Wheel};

impl<T: Copy> Wheel<T> {
    /// Cancels `timer`, whose owner has dropped its record already (`live` says no to it): it will
    /// never be handed out. Returns whether it was still in the wheel: a timer `poll` handed out is
    /// not, and nothing is done. O(1), amortized.
    ///
    /// Once per armed timer: the wheel does not walk the list to find the timer (only the short
    /// expired list, to tell whether `poll` handed it out), so a second `forget` of the same timer
    /// (or of one it never held) would count it out twice.
    ///
    /// ```
    /// # use minimalist_async::time::wheel::Wheel;
    /// let mut wheel = Wheel::new();
    /// let timer = wheel.insert(5, ());
    /// wheel.forget(timer, |_| false);
    /// let mut due = Vec::new();
    /// wheel.poll(10, &mut due, |_| false, |_| {});
    /// assert!(due.is_empty(), "a cancelled timer never comes due");
    /// assert!(wheel.is_empty());
    /// ```
    pub fn forget(&mut self, timer: Armed<T>, mut live: impl FnMut(&Armed<T>) -> bool) -> bool {
        // In the list that its deadline names (rule 7), where it is now stale. A deadline at or
        // before `elapsed` names the expired list, where the timer waits if it was armed after the
        // last poll with a deadline already past; otherwise `poll` has handed it out. The expired
        // list is short (every poll empties it), so a walk tells the two apart. A stale copy
        // `replace` left there shares the timer's arming number, but it is there only if the timer
        // is too: both came after the last poll.
        let index = list_for(self.elapsed, timer.deadline);
        if index == EXPIRED && !self.lists[EXPIRED].items.iter().any(|item| item.seq == timer.seq) {
            return false;
        }
        self.lists[index].forget(timer.deadline, &mut live);
        if self.lists[index].is_empty() {
            self.occupied[index / SLOTS] &= !(1 << (index % SLOTS));
            // An emptied list is never handed out, so it gives its buffer back here, as `poll` does
            // for the lists it empties; kept, each slot a stream of cancelled timers passed through
            // would hold its room until a timer lands there again (a 10 ms timeout cancelled every
            // turn on the real clock: 1.7 KB per task, against tokio's 0.5).
            let list = std::mem::replace(&mut self.lists[index], List::EMPTY);
            debug_assert_eq!(list.items.len(), 0, "list {index} is empty but not swept");
            if (1..=KEPT_BUFFER).contains(&list.items.capacity()) {
                self.spare_buffers.push(list.items);
            }
        }
        self.len -= 1;
        true
    }

    /// The same timer, in the same place in the arming order, carrying `value` instead: for an owner
    /// that moves a timer to another record. The owner has dropped the old record first (`live` says
    /// no to `timer`), and keeps a record of the one returned. `None` if `poll` had handed the timer
    /// out already: it is not armed again, and the owner's due copy stands for it.
    ///
    /// `value` must differ from the timer's: the old copy stays in its list, stale (as `forget`
    /// leaves it), and `live` tells the two apart by their values only, since they share the arming
    /// number. (Debug builds assert it.)
    pub fn replace(
        &mut self,
        timer: Armed<T>,
        value: T,
        live: impl FnMut(&Armed<T>) -> bool,
    ) -> Option<Armed<T>>
    where
        T: PartialEq,
    {
        debug_assert!(
            value != timer.value,
            "Wheel::replace of timer {} with the value it has: its stale copy would be live again",
            timer.seq
        );
        self.forget(timer, live).then(|| self.insert_reserved(timer.deadline, timer.seq, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of timers cancelled before they are due, each batch in the slot ahead of the last
    /// (timeouts that never fire): every emptied list gives its buffer back, and the next reuses it.
    #[test]
    fn a_list_emptied_by_cancels_gives_its_buffer_back() {
        let mut wheel = Wheel::new();
        for slot in 1..50 {
            let deadline = slot * SLOTS as u64 * SLOTS as u64;
            let timers: Vec<_> = (0..100).map(|_| wheel.insert(deadline, ())).collect();
            // Cancelled in arming order: those armed after `timer` are still live.
            for timer in timers {
                assert!(wheel.forget(timer, |other| other.seq > timer.seq));
            }
        }
        assert!(wheel.is_empty());
        let kept: usize = wheel.lists.iter().map(|list| list.items.capacity()).sum();
        assert_eq!(kept, 0, "emptied lists keep room for {kept} timers");
        assert_eq!(wheel.spare_buffers.len(), 1, "one buffer served every batch");
    }
}
