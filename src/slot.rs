//! A value handed from one thread to another: filled once, then awaited or waited for by blocking.
//! `Remote::spawn`'s result and `spawn_blocking`'s both travel this way.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

pub(crate) struct Slot<T> {
    state: Mutex<State<T>>,
    filled: Condvar,
}

struct State<T> {
    value: Option<T>,
    /// Who awaits the value, woken when it arrives.
    waker: Option<Waker>,
    /// The receiving side is gone (`abandon`): nobody will take the value.
    abandoned: bool,
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Slot<T> {
        Slot {
            state: Mutex::new(State { value: None, waker: None, abandoned: false }),
            filled: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the value and wakes whoever waits for it, asynchronously or by blocking.
    pub(crate) fn fill(&self, value: T) {
        self.fill_watched(value, |_| {});
    }

    /// As `fill`; if the receiving side was abandoned already, `unclaimed` sees the value first.
    /// Between this and `abandon`, whichever comes second calls `unclaimed`, under the lock, so it
    /// runs once at most, whatever the threads' timing.
    pub(crate) fn fill_watched(&self, value: T, unclaimed: impl FnOnce(&T)) {
        let waker = {
            let mut state = self.lock();
            if state.abandoned {
                unclaimed(&value);
            }
            state.value = Some(value);
            state.waker.take()
        };
        self.filled.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Notes that nobody will take the value: the receiving side is being dropped. If the value has
    /// arrived untaken, `unclaimed` sees it now; otherwise `fill_watched` will show it.
    pub(crate) fn abandon(&self, unclaimed: impl FnOnce(&T)) {
        let mut state = self.lock();
        state.abandoned = true;
        if let Some(value) = &state.value {
            unclaimed(value);
        }
    }

    /// Whether the value has arrived and not been taken.
    pub(crate) fn is_filled(&self) -> bool {
        self.lock().value.is_some()
    }

    /// Takes the value if it has arrived; otherwise keeps `cx`'s waker for `fill` to wake.
    pub(crate) fn poll_take(&self, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.lock();
        match state.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                if !state.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    state.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }

    /// Blocks the calling thread until the value arrives, and takes it.
    pub(crate) fn wait_take(&self) -> T {
        let mut state = self.lock();
        loop {
            if let Some(value) = state.value.take() {
                return value;
            }
            state = self.filled.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
