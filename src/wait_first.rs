//! `wait_first`: the first of several tasks to finish, cancelling nothing.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::join::JoinHandle;
use crate::join_error::JoinError;

/// Waits until the first of `handles` finishes: asyncio's `wait(tasks, return_when=FIRST_COMPLETED)`.
///
/// Returns the index of that handle, its result, and the other handles, in their original order. Those
/// tasks are not cancelled: they keep running, and their handles can be awaited (or passed to
/// `wait_first` again). If several finish in the same turn, the lowest index wins.
///
/// # Panics
///
/// When `handles` is empty: there would be nothing to wait for.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, spawn, wait_first};
///
/// let mut executor = Executor::with_virtual_time();
/// let (index, result, rest) = executor.block_on(async {
///     let handles = [300, 100, 200].map(|ms| {
///         spawn(async move { sleep(Duration::from_millis(ms)).await; ms })
///     });
///     wait_first(handles).await
/// });
/// assert_eq!((index, result.unwrap(), rest.len()), (1, 100, 2));
/// ```
#[track_caller]
pub fn wait_first<T: 'static>(handles: impl IntoIterator<Item = JoinHandle<T>>) -> WaitFirst<T> {
    let handles: Vec<JoinHandle<T>> = handles.into_iter().collect();
    assert!(!handles.is_empty(), "wait_first needs at least one handle");
    WaitFirst {
        handles: Some(handles),
    }
}

/// The future returned by [`wait_first`].
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct WaitFirst<T> {
    handles: Option<Vec<JoinHandle<T>>>,
}

/// What [`wait_first`] yields: the winner's index and result, and the handles still running.
pub type First<T> = (usize, Result<T, JoinError>, Vec<JoinHandle<T>>);

impl<T: 'static> Future for WaitFirst<T> {
    type Output = First<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<First<T>> {
        let handles = self
            .handles
            .as_mut()
            .expect("WaitFirst polled after it completed");
        // The lowest index among the tasks that have ended wins, even if its handle still holds its
        // result back until the task's done-callbacks have run: then this waits for them (the handle
        // wakes its awaiter after the last one).
        let (index, result) = match handles.iter().position(JoinHandle::is_finished) {
            Some(index) => match Pin::new(&mut handles[index]).poll(cx) {
                Poll::Ready(result) => (index, result),
                Poll::Pending => return Poll::Pending,
            },
            None => {
                // None has ended: each handle notes this waker, to wake it when its task ends.
                for handle in handles.iter_mut() {
                    let polled = Pin::new(handle).poll(cx);
                    debug_assert!(
                        polled.is_pending(),
                        "a task that has not ended has no result"
                    );
                }
                return Poll::Pending;
            }
        };
        let mut rest = self.handles.take().expect("checked above");
        // The winner's handle has handed over its result; the rest keep running.
        drop(rest.remove(index));
        Poll::Ready((index, result, rest))
    }
}
