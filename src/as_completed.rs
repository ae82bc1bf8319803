//! `as_completed`: results in the order the tasks finish.

use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

use crate::ended::{Ended, check_untaken};
use crate::join::JoinHandle;
use crate::join_error::JoinError;

/// Hands out the results of `handles` in the order the tasks finish: asyncio's `as_completed`.
///
/// Each handle gets a done-callback that notes its index. Callbacks run in completion order (they are
/// queued as each task ends), so that order is exactly the order of completion, for the tasks that
/// end after the call. Those that had ended before it come first, in the order of `handles` (their
/// callbacks are queued at the call); asyncio's `as_completed` takes a set, so it has no order there
/// at all. A handle whose executor was dropped counts as finished (with a cancelled error): it gets
/// no callback, which that executor would refuse, and comes first of all, without waiting for a turn.
///
/// # Panics
///
/// If a handle's result was already taken by awaiting it through `&mut` (it adds done-callbacks).
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, as_completed, sleep, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let order = executor.block_on(async {
///     let handles = [30, 10, 20].map(|ms| {
///         spawn(async move { sleep(Duration::from_millis(ms)).await; ms })
///     });
///     let mut done = as_completed(handles);
///     let mut order = Vec::new();
///     while let Some(result) = done.next().await {
///         order.push(result.unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [10, 20, 30]);
/// ```
#[track_caller]
pub fn as_completed<T: 'static>(
    handles: impl IntoIterator<Item = JoinHandle<T>>,
) -> AsCompleted<T> {
    let ended = Rc::new(Ended::default());
    // A loop, not a closure: `#[track_caller]` does not reach into closures.
    let mut followed = Vec::new();
    for (index, handle) in handles.into_iter().enumerate() {
        check_untaken(&handle, "as_completed()");
        // As asyncio's `as_completed`, it never takes its callbacks back.
        ended.follow(index, &handle);
        followed.push(Some(handle));
    }
    AsCompleted { handles: followed, ended, handed_out: 0 }
}

/// Returned by [`as_completed`]; call [`next`](AsCompleted::next) until it returns `None`.
#[must_use = "as_completed does nothing unless you call next().await"]
pub struct AsCompleted<T> {
    /// `None` once its result has been handed out.
    handles: Vec<Option<JoinHandle<T>>>,
    /// The indices of the handles whose tasks have ended, in completion order (`src/ended.rs`).
    ended: Rc<Ended>,
    /// How many of them have been handed out.
    handed_out: usize,
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted").field("remaining", &self.remaining()).finish()
    }
}

impl<T> AsCompleted<T> {
    /// How many results have not been handed out yet.
    pub fn remaining(&self) -> usize {
        self.handles.iter().filter(|handle| handle.is_some()).count()
    }
}

impl<T: 'static> AsCompleted<T> {
    /// The next task to finish: its result, or `None` once every result has been handed out.
    pub async fn next(&mut self) -> Option<Result<T, JoinError>> {
        if self.remaining() == 0 {
            return None;
        }
        let index = poll_fn(|cx| match self.ended.nth(self.handed_out) {
            Some(index) => Poll::Ready(index),
            None => {
                self.ended.wake_me(cx);
                Poll::Pending
            }
        })
        .await;
        self.handed_out += 1;
        let handle = self.handles[index].take().expect("each index is noted once");
        Some(handle.await)
    }
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        // The callbacks hold `ended`; nothing else needs undoing: the tasks keep running.
        self.ended.forget_waker();
    }
}
