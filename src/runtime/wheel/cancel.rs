//! Cancelling a timer and moving it to another record (rule 3 of the wheel's docs): the wheel leaves
//! the timer where it is, stale, and counts it out of its list.

use super::level::{EXPIRED, SLOTS, list_for};
use super::{Armed, Wheel};

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
        self.forget(timer, live).then(|| self.arm(Armed { value, ..timer }))
    }
}
