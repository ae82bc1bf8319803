//! `as_completed`: results in the order the tasks finish.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use crate::join::JoinHandle;
use crate::join_error::JoinError;

/// Hands out the results of `handles` in the order the tasks finish: asyncio's `as_completed`.
///
/// Each handle gets a done-callback that notes its index. Callbacks run in completion order (they are
/// queued as each task ends), so that order is exactly the order of completion, for the tasks that
/// end after the call. Those that had ended before it come first, in the order of `handles` (their
/// callbacks are queued at the call); asyncio's `as_completed` takes a set, so it has no order there
/// at all.
///
/// # Panics
///
/// Outside a running executor (it adds done-callbacks).
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
pub fn as_completed<T: 'static>(
    handles: impl IntoIterator<Item = JoinHandle<T>>,
) -> AsCompleted<T> {
    let finished = Rc::new(RefCell::new(Finished::default()));
    let handles: Vec<Option<JoinHandle<T>>> = handles
        .into_iter()
        .enumerate()
        .map(|(index, handle)| {
            let finished = finished.clone();
            handle.add_done_callback(move |_| {
                let mut finished = finished.borrow_mut();
                finished.order.push_back(index);
                if let Some(waker) = finished.waker.take() {
                    waker.wake();
                }
            });
            Some(handle)
        })
        .collect();
    AsCompleted { handles, finished }
}

#[derive(Default)]
struct Finished {
    /// Indices of finished tasks, in completion order, not yet handed out.
    order: VecDeque<usize>,
    /// The task waiting in `next`.
    waker: Option<Waker>,
}

/// Returned by [`as_completed`]; call [`next`](AsCompleted::next) until it returns `None`.
#[must_use = "as_completed does nothing unless you call next().await"]
pub struct AsCompleted<T> {
    handles: Vec<Option<JoinHandle<T>>>,
    finished: Rc<RefCell<Finished>>,
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.remaining())
            .finish()
    }
}

impl<T> AsCompleted<T> {
    /// How many results have not been handed out yet.
    pub fn remaining(&self) -> usize {
        self.handles
            .iter()
            .filter(|handle| handle.is_some())
            .count()
    }
}

impl<T: 'static> AsCompleted<T> {
    /// The next task to finish: its result, or `None` once every result has been handed out.
    pub async fn next(&mut self) -> Option<Result<T, JoinError>> {
        if self.remaining() == 0 {
            return None;
        }
        let index = poll_fn(|cx| {
            let mut finished = self.finished.borrow_mut();
            match finished.order.pop_front() {
                Some(index) => Poll::Ready(index),
                None => {
                    finished.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await;
        let handle = self.handles[index]
            .take()
            .expect("each index is noted once");
        Some(handle.await)
    }
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        // The callbacks hold `finished`; nothing else needs undoing: the tasks keep running.
        self.finished.borrow_mut().waker.take();
    }
}
