//! `KeptWaker`: the waker of a task that waits for a callback to run, for the futures built on
//! callbacks (`join_all`, `as_completed` and `wait_first` on done-callbacks, `timeout` with a zero
//! limit on its `call_soon`).

use std::cell::RefCell;
use std::task::{Context, Waker};

use crate::runtime::join_error::wake_contained;

/// At most one waker, kept by a poll and woken by a callback.
#[derive(Debug, Default)]
pub(crate) struct KeptWaker(RefCell<Option<Waker>>);

impl KeptWaker {
    /// Keeps the waker of `cx`; the one kept already stays if it wakes the same task.
    pub(crate) fn keep(&self, cx: &Context<'_>) {
        let same = (self.0.borrow().as_ref()).is_some_and(|kept| kept.will_wake(cx.waker()));
        if !same {
            // The old waker is dropped after the borrow: a waker's drop may be anyone's code.
            let old = self.0.replace(Some(cx.waker().clone()));
            drop(old);
        }
    }

    /// Wakes the waker kept, if any, which is then gone. It runs inside a callback, but a panic in it
    /// is the waker's (anyone's: a foreign executor's, a hand-made one), so it is reported as a
    /// waker's wake, not under the callback's name and the library line that scheduled it.
    pub(crate) fn wake(&self) {
        let waker = self.0.borrow_mut().take();
        if let Some(waker) = waker {
            wake_contained(waker);
        }
    }

    /// Drops the waker kept: a callback that runs from now on wakes nobody.
    pub(crate) fn forget(&self) {
        let old = self.0.borrow_mut().take();
        drop(old);
    }
}
