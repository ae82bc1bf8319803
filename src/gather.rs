//! `join_all` and `gather`: wait for several tasks, results in input order.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::ended::{Ended, check_untaken};
use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::spawn::spawn;

/// Waits for every handle and returns their values in input order: asyncio's `gather` on tasks.
///
/// The first failure to be seen is returned as soon as it is seen; the other tasks are **not**
/// cancelled (asyncio's default, `return_exceptions=False`): they keep running, and their results are
/// dropped with this future. As in asyncio, each task gets a done-callback, so the failure returned
/// is the one that happened first, and the awaiting task resumes the turn after that callback ran.
///
/// # Panics
///
/// If a handle's result was already taken by awaiting it through `&mut` (it adds done-callbacks).
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
#[track_caller]
pub fn join_all<T: 'static>(handles: impl IntoIterator<Item = JoinHandle<T>>) -> JoinAll<T> {
    JoinAll(Waiting::new(handles, "join_all()"))
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

/// Waits for every handle, failures included, and returns every outcome in input order: asyncio's
/// `gather(..., return_exceptions=True)`.
///
/// Unlike [`join_all`], a failure does not end the wait: each task's `Result` takes its place in the
/// list, so a panic or a cancel in one task hides nothing about the others.
///
/// # Panics
///
/// As [`join_all`]: if a handle's result was already taken by awaiting it through `&mut`.
///
/// ```
/// use minimalist_async::{Executor, join_all_settled, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let outcomes = executor.block_on(async {
///     let ok = spawn(async { 1 });
///     let boom = spawn(async { panic!("boom") });
///     let cancelled = spawn(async { 3 });
///     cancelled.cancel();
///     join_all_settled([ok, boom, cancelled]).await
/// });
/// assert_eq!(*outcomes[0].as_ref().unwrap(), 1);
/// assert!(outcomes[1].as_ref().unwrap_err().is_panic());
/// assert!(outcomes[2].as_ref().unwrap_err().is_cancelled());
/// ```
#[track_caller]
pub fn join_all_settled<T: 'static>(
    handles: impl IntoIterator<Item = JoinHandle<T>>,
) -> JoinAllSettled<T> {
    JoinAllSettled(Waiting::new(handles, "join_all_settled()"))
}

/// Handles still pending, and the outcomes of those that are not, in input order.
///
/// Each handle gets a done-callback, as asyncio's `gather` gives each child one: it notes the
/// handle's index in `ended` and wakes whoever awaits this future (`src/ended.rs`). So the outcomes
/// are taken in the order the tasks ended (the first failure is the one that happened first), and
/// the awaiting task resumes when asyncio's would: the turn after the last callback (or the failing
/// one) ran.
#[derive(Debug)]
struct Waiting<T> {
    /// `None` once that handle's outcome is in `outcomes` (its task's entry can go then).
    handles: Vec<Option<JoinHandle<T>>>,
    outcomes: Vec<Option<Result<T, JoinError>>>,
    ended: Rc<Ended>,
    /// How many of the indices in `ended` have been taken in.
    taken: usize,
}

impl<T: 'static> Waiting<T> {
    /// `combinator` names the function the user called, for the panic of a taken handle.
    #[track_caller]
    fn new(handles: impl IntoIterator<Item = JoinHandle<T>>, combinator: &str) -> Waiting<T> {
        let handles: Vec<JoinHandle<T>> = handles.into_iter().collect();
        let ended = Rc::new(Ended::default());
        for (index, handle) in handles.iter().enumerate() {
            check_untaken(handle, combinator);
            // The callbacks stay when the wait is over, as `gather`'s do.
            ended.follow(index, handle);
        }
        let outcomes = handles.iter().map(|_| None).collect();
        Waiting { handles: handles.into_iter().map(Some).collect(), outcomes, ended, taken: 0 }
    }

    /// Takes in the outcomes of the tasks whose callbacks ran since the last poll, in that order;
    /// returns the index of the first failure among them, if any.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Option<usize> {
        self.ended.wake_me(cx);
        let mut failed = None;
        while let Some(index) = self.ended.nth(self.taken) {
            let handle = self.handles[index].as_mut().expect("each index ends once");
            // Its callbacks have run (this future's was the last registered): the result is there.
            let Poll::Ready(result) = Pin::new(handle).poll(cx) else {
                break;
            };
            self.taken += 1;
            self.handles[index] = None;
            if result.is_err() && failed.is_none() {
                failed = Some(index);
            }
            self.outcomes[index] = Some(result);
        }
        failed
    }

    /// Every outcome is in: each index ends once.
    fn all_done(&self) -> bool {
        self.taken == self.handles.len()
    }

    fn take_outcomes(&mut self) -> impl Iterator<Item = Result<T, JoinError>> + '_ {
        self.outcomes.iter_mut().map(|outcome| outcome.take().expect("every handle delivered"))
    }
}

/// The future returned by [`join_all`] and [`gather`].
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct JoinAll<T>(Waiting<T>);

/// The outcomes are never pinned (they are only moved out), so `JoinAll` is `Unpin` whatever `T` is.
impl<T> Unpin for JoinAll<T> {}

impl<T: 'static> Future for JoinAll<T> {
    type Output = Result<Vec<T>, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let waiting = &mut self.0;
        if let Some(index) = waiting.poll_pending(cx) {
            let failure = waiting.outcomes[index].take().expect("just stored");
            return Poll::Ready(Err(failure.err().expect("a failure")));
        }
        if !waiting.all_done() {
            return Poll::Pending;
        }
        Poll::Ready(waiting.take_outcomes().collect())
    }
}

/// The future returned by [`join_all_settled`].
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct JoinAllSettled<T>(Waiting<T>);

/// As for [`JoinAll`]: nothing in it is pinned.
impl<T> Unpin for JoinAllSettled<T> {}

impl<T: 'static> Future for JoinAllSettled<T> {
    type Output = Vec<Result<T, JoinError>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let waiting = &mut self.0;
        waiting.poll_pending(cx);
        if !waiting.all_done() {
            return Poll::Pending;
        }
        Poll::Ready(waiting.take_outcomes().collect())
    }
}
