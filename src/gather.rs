//! `join_all` and `gather`: wait for several tasks, results in input order.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::spawn::spawn;

/// Waits for every handle and returns their values in input order: asyncio's `gather` on tasks.
///
/// The first failure to be seen is returned as soon as it is seen; the other tasks are **not**
/// cancelled (asyncio's default, `return_exceptions=False`): they keep running, and their results are
/// dropped with this future.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, join_all, sleep, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let values = executor.block_on(async {
///     let slow = spawn(async { sleep(Duration::from_millis(30)).await; "slow" });
///     let fast = spawn(async { sleep(Duration::from_millis(10)).await; "fast" });
///     join_all([slow, fast]).await
/// });
/// assert_eq!(values.unwrap(), ["slow", "fast"]);
/// ```
pub fn join_all<T: 'static>(handles: impl IntoIterator<Item = JoinHandle<T>>) -> JoinAll<T> {
    let handles: Vec<Option<JoinHandle<T>>> = handles.into_iter().map(Some).collect();
    let results = handles.iter().map(|_| None).collect();
    JoinAll { handles, results }
}

/// Spawns every future as a task and waits for them all, values in input order: asyncio's
/// `gather(*coroutines)`. See [`join_all`] for failures.
///
/// # Panics
///
/// Outside a running executor (it spawns).
///
/// ```
/// use minimalist_async::{Executor, gather};
///
/// let mut executor = Executor::with_virtual_time();
/// let squares = executor.block_on(async { gather((1..=4).map(|n| async move { n * n })).await });
/// assert_eq!(squares.unwrap(), [1, 4, 9, 16]);
/// ```
#[track_caller]
pub fn gather<F>(futures: impl IntoIterator<Item = F>) -> JoinAll<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    join_all(futures.into_iter().map(spawn).collect::<Vec<_>>())
}

/// The future returned by [`join_all`] and [`gather`].
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct JoinAll<T> {
    /// `None` once that handle's value is in `results`.
    handles: Vec<Option<JoinHandle<T>>>,
    results: Vec<Option<T>>,
}

/// The values are never pinned (they are only moved out), so `JoinAll` is `Unpin` whatever `T` is.
impl<T> Unpin for JoinAll<T> {}

impl<T: 'static> Future for JoinAll<T> {
    type Output = Result<Vec<T>, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        for (slot, result) in this.handles.iter_mut().zip(this.results.iter_mut()) {
            let Some(handle) = slot else { continue };
            if let Poll::Ready(outcome) = Pin::new(handle).poll(cx) {
                *slot = None;
                *result = Some(outcome?);
            }
        }
        if this.handles.iter().any(Option::is_some) {
            return Poll::Pending;
        }
        Poll::Ready(Ok(this
            .results
            .iter_mut()
            .map(|result| result.take().expect("every handle delivered"))
            .collect()))
    }
}
