//! Which of several tasks have ended, in the order their done-callbacks ran: what `join_all`,
//! `as_completed` and `wait_first` wait on, as asyncio's `gather`, `as_completed` and `wait` wait on
//! the done-callbacks they give each task.
//!
//! Following the callbacks, rather than asking each handle whether its task has ended, gives
//! asyncio's order twice over: the tasks come in the order they ended (the task table keeps no order
//! of completion), and the awaiting task resumes when asyncio's does, on the turn after the callback
//! woke it, itself one turn after the task ended.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::Context;

use crate::callback::CallbackKey;
use crate::join::JoinHandle;
use crate::kept_waker::KeptWaker;
use crate::runtime::table::Stage;

/// Panics if `handle`'s result was already taken by `.await`, naming `combinator` (`"join_all()"`)
/// and, through `#[track_caller]`, the line that called it. Otherwise the done-callback the
/// combinator adds would panic inside the library, naming `add_done_callback`, which the user never
/// called.
#[track_caller]
pub(crate) fn check_untaken<T>(handle: &JoinHandle<T>, combinator: &str) {
    let taken = handle.with_entry(|executor, key| {
        let tasks = executor.tasks.borrow();
        tasks.entries.get(key).filter(|entry| entry.stage == Stage::Taken).map(|entry| entry.id)
    });
    if let Some(task) = taken.flatten() {
        panic!(
            "{combinator} given the JoinHandle of {task}, whose result was already taken by .await"
        );
    }
}

/// The indices of the handles whose tasks have ended, in the order their callbacks ran, and the
/// waker of whoever waits for the next one. Shared with the callbacks.
#[derive(Debug, Default)]
pub(crate) struct Ended {
    order: RefCell<Vec<usize>>,
    waker: KeptWaker,
}

impl Ended {
    /// Gives `handle`, the one at `index` of those waited on, a done-callback that notes `index` and
    /// wakes the waiter. A handle whose executor is gone gets none (the executor refuses it): its
    /// index is noted at once, since awaiting it gives a cancelled error at once; `None` then.
    pub(crate) fn follow<T: 'static>(
        self: &Rc<Ended>,
        index: usize,
        handle: &JoinHandle<T>,
    ) -> Option<CallbackKey> {
        if handle.handle.queue.is_closed() {
            self.order.borrow_mut().push(index);
            return None;
        }
        let ended = Rc::clone(self);
        let key = handle.add_done_callback(move |_| {
            ended.order.borrow_mut().push(index);
            ended.waker.wake();
        });
        Some(key)
    }

    /// The index of the handle that ended `nth` (the first is 0), if that many have ended.
    pub(crate) fn nth(&self, nth: usize) -> Option<usize> {
        self.order.borrow().get(nth).copied()
    }

    /// Keeps the waker of `cx`, for the next callback to wake (`KeptWaker::keep`).
    pub(crate) fn wake_me(&self, cx: &Context<'_>) {
        self.waker.keep(cx);
    }

    /// Drops the waker kept: a callback that runs from now on wakes nobody.
    pub(crate) fn forget_waker(&self) {
        self.waker.forget();
    }
}
