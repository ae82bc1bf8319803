//! Timers on their records: arming, cancelling, re-pointing and firing them.
//!
//! The wheel (`wheel/`) holds only deadlines, arming numbers and where each timer's record is
//! (`TimerRef`); the record says the timer is still armed, and what firing it does. A sleep polled
//! with the waker its executor lent (the usual case, see `waker.rs`) keeps no waker: its record is the
//! arming number in the task's own entry (`Entry::timer`), and firing it queues the task in the same
//! look at the entry. A sleeping task thus costs no timer entry of its own, and a firing timer one
//! cache miss, not two (the entry's, which queueing the task needs anyway). The other timers have an
//! entry in `Timers::others`: a task's second timer while its first is still armed, a sleep polled
//! with any other waker (a combinator's own, which it keeps a clone of, as any future must), and a
//! `call_later`. The types are in `handle.rs`, with the rest of the executor's state.
//!
//! An *orphan* is an own timer whose task's entry went first: its `Sleep` outlived the task (returned
//! as the task's output, or still held by the `block_on` future when that call ends). Its arming
//! number moves to `Tasks::orphan_timers`; it stays armed, wakes nobody when it fires, and moves to
//! `others` the next time someone polls the sleep.
//!
//! Measured against a wheel with an entry of its own per timer (1M sleeping tasks on virtual time):
//! 302 → 260 peak heap bytes per task, arming about twice as fast, firing about 15 % faster.

use std::task::{Context, Waker};
use std::time::Duration;

use crate::runtime::handle::{Handle, Timer, TimerRef, Timers};
use crate::runtime::join_error::wake_contained;
use crate::runtime::slab::Key;
use crate::runtime::table::{Stage, Tasks};
use crate::runtime::wheel::{Armed, Wheel};

/// What the executor does with timers, on their records. The wheel asks whether a timer is armed
/// through `Timers::is_live`.
impl Handle {
    /// Arms a timer due at `deadline_us`, in the place among equal deadlines that `reserved` took
    /// (`Handle::reserve_timer`) or else last, and tells the sink which task armed it.
    pub(crate) fn arm(
        &self,
        deadline_us: u64,
        reserved: Option<u64>,
        timer: Timer,
    ) -> Armed<TimerRef> {
        self.record(|sink, at| {
            let deadline = Duration::from_micros(deadline_us);
            sink.timer_armed(at, self.polling.get().map(|polling| polling.id), deadline);
        });
        let mut timers = self.timers.borrow_mut();
        let seq = reserved.unwrap_or_else(|| timers.wheel.reserve());
        // A task's first timer goes in its entry; not an ended task's, whose entry holds its result
        // (a sleep that outlived its task, as the output, and is reset by whoever took it).
        if let Timer::Task(key) = timer
            && let Some(entry) = self.tasks.borrow_mut().entries.get_mut(key)
            && !entry.is_done()
            && entry.timer() == 0
        {
            let armed = timers.wheel.insert_reserved(deadline_us, seq, TimerRef::Task(key.index()));
            entry.set_timer(armed.seq);
            return armed;
        }
        let slot = timers.others.vacant_key();
        let armed = timers.wheel.insert_reserved(deadline_us, seq, TimerRef::Other(slot.index()));
        let key = timers.others.insert((armed, timer));
        debug_assert_eq!(key, slot, "the timer names its own slot");
        armed
    }

    /// An arming number for a timer to arm later with `arm`, which fires as if armed now.
    pub(crate) fn reserve_timer(&self) -> u64 {
        self.timers.borrow_mut().wheel.reserve()
    }

    /// Whether `timer` is still armed (not fired, not cancelled).
    pub(crate) fn is_armed(&self, timer: &Armed<TimerRef>) -> bool {
        Timers::is_live(&self.timers.borrow().others, &self.tasks.borrow(), timer)
    }

    /// Runs `f` on the wheel with the `live` function the wheel's methods take. The wheel and `others`
    /// share one `RefCell`; taking the struct apart lets `live` read `others` (and the task table)
    /// while the wheel is borrowed mutably. Speed: the task table is borrowed only if the wheel asks,
    /// which the clock's jumps rarely do (measured: timers_virtual 3,122 → 3,109 instructions per op).
    pub(crate) fn with_wheel<R>(
        &self,
        f: impl FnOnce(&mut Wheel<TimerRef>, &mut dyn FnMut(&Armed<TimerRef>) -> bool) -> R,
    ) -> R {
        let mut timers = self.timers.borrow_mut();
        let Timers { wheel, others, .. } = &mut *timers;
        f(wheel, &mut |t| Timers::is_live(others, &self.tasks.borrow(), t))
    }

    /// Takes the record of `timer` away, if it is still armed, and returns what firing it does. An
    /// orphan wakes nobody.
    pub(crate) fn take_record(&self, timer: &Armed<TimerRef>) -> Option<Timer> {
        match timer.value {
            TimerRef::Task(index) => {
                let mut tasks = self.tasks.borrow_mut();
                if let Some((key, _)) = tasks.take_own_timer(index, timer.seq) {
                    return Some(Timer::Task(key));
                }
                // Fired or cancelled already (the usual case when a finished sleep is dropped), or
                // an orphan. (A removal hashes even an empty set: asked only when there are any.)
                let orphans = &mut tasks.orphan_timers;
                (!orphans.is_empty() && orphans.remove(&timer.seq))
                    .then(|| Timer::Waker(Waker::noop().clone()))
            }
            TimerRef::Other(index) => {
                let mut timers = self.timers.borrow_mut();
                let (key, _) = timers.others.at(index).filter(|(_, (t, _))| t.seq == timer.seq)?;
                timers.others.remove(key).map(|(_, timer)| timer)
            }
        }
    }

    /// Fires `timer` if it is still armed, and says whether it did. An own timer's record is taken
    /// and its task queued in one look at the entry (one lookup fewer per fired timer than taking
    /// the record and then waking by key; measured when it came in: timers_virtual 3,469 → 3,406
    /// instructions per op). Any other record is taken first, so that nothing is borrowed while its
    /// waker or callback runs. Inlined into the turn's loop (out of line, measured: timers_virtual
    /// 3,264 → 3,276 instructions per op).
    #[inline]
    pub(crate) fn fire(&self, timer: &Armed<TimerRef>) -> bool {
        // For the sink: not computed without one.
        let deadline = || Duration::from_micros(timer.deadline);
        if let TimerRef::Task(index) = timer.value {
            // Before the table is borrowed: taking in wakes tasks too.
            self.take_in_if_sent();
            let mut tasks = self.tasks.borrow_mut();
            if let Some((key, entry)) = tasks.take_own_timer(index, timer.seq) {
                let (task, already_queued) = self.queue_woken(key, entry);
                drop(tasks);
                self.record(|sink, at| sink.timer_fired(at, Some(task), deadline()));
                self.record(|sink, at| sink.woken(at, task, false, already_queued));
                return true;
            }
        }
        let Some(record) = self.take_record(timer) else { return false };
        self.record(|sink, at| {
            let task = match &record {
                Timer::Task(task) => self.tasks.borrow().entries.get(*task).map(|entry| entry.id),
                Timer::Waker(_) | Timer::Call(_) => None,
            };
            sink.timer_fired(at, task, deadline());
        });
        match record {
            Timer::Task(task) => self.wake(task, false),
            Timer::Waker(waker) => wake_contained(waker),
            Timer::Call(call) => call(),
        }
        true
    }

    /// Cancels `timer` if it is still armed, and returns what it would have done, for the caller to
    /// drop (or to arm again) with nothing borrowed.
    pub(crate) fn disarm(&self, timer: Armed<TimerRef>) -> Option<Timer> {
        let record = self.take_record(&timer)?;
        self.with_wheel(|wheel, live| wheel.forget(timer, live));
        Some(record)
    }

    /// The earliest deadline among the armed timers.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.with_wheel(|wheel, live| wheel.next_deadline(live))
    }

    /// Points the armed `timer` at whoever polls now with `cx` (the polling task, when polled with its
    /// lent waker, or `cx`'s waker), unless its record names them already, keeping its place in the
    /// arming order. Returns the record it replaces, for the caller to drop with nothing borrowed. A
    /// timer leaves its task's entry only for `others`, never for another entry: so an arming number
    /// is recorded in one entry at most, ever, and a stale copy of it in the wheel never comes back to
    /// life.
    pub(crate) fn repoint(&self, timer: &mut Armed<TimerRef>, cx: &Context<'_>) -> Option<Timer> {
        let own = self.own_task(cx.waker());
        let unchanged = match timer.value {
            TimerRef::Task(index) => {
                own.is_some_and(|key| key.index() == index)
                    && self.tasks.borrow().has_own_timer(index, timer.seq)
            }
            TimerRef::Other(index) => match (own, self.timers.borrow().others.at(index)) {
                (Some(task), Some((_, (_, Timer::Task(noted))))) => task == *noted,
                (None, Some((_, (_, Timer::Waker(kept))))) => kept.will_wake(cx.waker()),
                _ => false,
            },
        };
        if unchanged {
            return None;
        }
        // Made with nothing borrowed: a waker's clone may be anyone's code.
        let fired = timer_for(own, cx);
        if let TimerRef::Other(index) = timer.value {
            // In `others` already: only the record changes, in its slot.
            let mut timers = self.timers.borrow_mut();
            let (_, (_, old)) = timers.others.at_mut(index).expect("the timer is armed");
            return Some(std::mem::replace(old, fired));
        }
        // A task's own timer (or an orphan) moves to `others`.
        let old = self.take_record(timer);
        let slot = self.timers.borrow().others.vacant_key();
        let value = TimerRef::Other(slot.index());
        let moved = self.with_wheel(|wheel, live| wheel.replace(*timer, value, live));
        let mut timers = self.timers.borrow_mut();
        *timer = moved.unwrap_or_else(|| {
            // Handed out as due, to fire at the end of this turn: its copy there is mended instead.
            let copy = timers.due.iter_mut().find(|due| due.seq == timer.seq);
            let copy = copy.expect("a timer handed out and still armed is due this turn");
            copy.value = value;
            *copy
        });
        let key = timers.others.insert((*timer, fired));
        debug_assert_eq!(key, slot, "the timer names its own slot");
        old
    }
}

/// What a timer armed by a poll with `cx` does: wake the polled task by its key (`own`, see
/// `Handle::own_task`), anyone else through a clone of the waker.
pub(crate) fn timer_for(own: Option<Key>, cx: &Context<'_>) -> Timer {
    own.map_or_else(|| Timer::Waker(cx.waker().clone()), Timer::Task)
}

/// Speed: reading ahead what firing a timer will touch (see `Wheel::poll`'s `soon`).
impl Timers {
    /// Reads the entries and the futures of the tasks whose own timers `timers` are, due within 4.1 ms
    /// (a level-2 slot's, `Wheel::poll`'s `soon`): firing a timer and polling its task read both, and
    /// with a million tasks each read is a cache miss, taken there one after the other. Read here, for
    /// a slot's timers together, the misses overlap. Measured (1M tasks, time over tokio's in the same
    /// run): timers_virtual 0.74–0.76 → 0.56–0.61, timers_virtual_ms 0.49–0.51 → 0.47–0.48; the price
    /// was 45 instructions per timer (timers_virtual 3,291 → 3,336 at 20k, where nothing misses).
    ///
    /// Speed: in two passes, the entries first, then the futures, whose addresses are in the entries:
    /// one pass per timer made each future's miss wait for its entry's, and the processor ran ahead
    /// over only a few timers' pairs at once. Measured against that (1M tasks, medians of 6 paired
    /// runs): timers_virtual 1,146 → 1,082 ns per op, timers_virtual_ms 1,005 → 854; 13 and 17
    /// instructions per op more at 20k.
    pub(crate) fn warm(tasks: &Tasks, timers: &[Armed<TimerRef>]) {
        let entry = |timer: &Armed<TimerRef>| match timer.value {
            TimerRef::Task(index) => tasks.entries.at(index).map(|(_, entry)| entry),
            TimerRef::Other(_) => None,
        };
        for timer in timers {
            std::hint::black_box(entry(timer).map(|entry| matches!(entry.stage, Stage::Running)));
        }
        for timer in timers {
            if let Some(entry) = entry(timer)
                && let (Stage::Running, Some(future)) = (entry.stage, &entry.future)
            {
                std::hint::black_box(future.is_spent());
            }
        }
    }
}
