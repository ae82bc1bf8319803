//! `wait_first`: the first of several tasks to finish, cancelling nothing.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::callback::CallbackKey;
use crate::ended::{Ended, check_untaken};
use crate::join::JoinHandle;
use crate::join_error::JoinError;

/// Waits until the first of `handles` finishes: asyncio's `wait(tasks, return_when=FIRST_COMPLETED)`.
///
/// Returns the index of that handle, its result, and the other handles, in their original order. Those
/// tasks are not cancelled: they keep running, and their handles can be awaited (or passed to
/// `wait_first` again); a task that finished too comes back among them, as asyncio's `done` set holds
/// every task finished by then.
///
/// As asyncio's `wait`, at its first poll it gives each task a done-callback, and it takes them back
/// (`remove_done_callback`) when it returns or is dropped. The winner is the task whose callback ran
/// first: when several finish in the same turn, the one that finished first, since each task's
/// callbacks are queued as it ends. The awaiting task resumes on the turn after that callback ran,
/// as asyncio's does. Tasks that had finished before the first poll get their callbacks queued
/// then, in the order of `handles`, so the first of them wins; a handle whose executor was dropped
/// counts as finished at once (a cancelled error), with no callback and no turn to wait.
///
/// # Panics
///
/// When `handles` is empty: there would be nothing to wait for. If a handle's result was already
/// taken by awaiting it through `&mut`: the done-callbacks added at the first poll would have no
/// result to see. Both at the call, not at the first poll.
///
/// ```
/// use std::time::Duration;
/// use minimalist_async::{Executor, sleep, spawn, wait_first, yield_now};
///
/// let mut executor = Executor::with_virtual_time();
/// let (index, result, rest) = executor.block_on(async {
///     let handles = [300, 100, 200].map(|ms| {
///         spawn(async move { sleep(Duration::from_millis(ms)).await; ms })
///     });
///     wait_first(handles).await
/// });
/// assert_eq!((index, result.unwrap(), rest.len()), (1, 100, 2));
///
/// // A tie: both end in one turn, `second` first (it was spawned first): its callback runs first.
/// let (index, _, rest) = executor.block_on(async {
///     let second = spawn(async { yield_now().await });
///     let first = spawn(async { yield_now().await });
///     wait_first([first, second]).await
/// });
/// assert_eq!(index, 1);
/// assert!(rest[0].is_finished(), "the other one is done too");
/// ```
#[track_caller]
pub fn wait_first<T: 'static>(handles: impl IntoIterator<Item = JoinHandle<T>>) -> WaitFirst<T> {
    let handles: Vec<JoinHandle<T>> = handles.into_iter().collect();
    assert!(!handles.is_empty(), "wait_first needs at least one handle");
    // Checked now, where the caller's line is known; until the first poll the handles are this
    // future's, so none can be taken in between.
    for handle in &handles {
        check_untaken(handle, "wait_first()");
    }
    WaitFirst { handles: Some(handles), following: None }
}

/// The future returned by [`wait_first`].
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct WaitFirst<T> {
    /// `None` once it has returned.
    handles: Option<Vec<JoinHandle<T>>>,
    /// `None` until the first poll gives the handles their callbacks.
    following: Option<Following>,
}

/// The callbacks given to the handles, and the order they ran in (`src/ended.rs`).
#[derive(Debug)]
struct Following {
    ended: Rc<Ended>,
    /// Each handle's callback; `None` for a handle whose executor is gone (it has none).
    keys: Vec<Option<CallbackKey>>,
}

impl Following {
    /// Takes the callbacks back, as asyncio's `wait` does in its `finally`: a task still running
    /// will not run one. One whose task has ended is queued already and runs anyway (as in asyncio),
    /// but wakes nobody.
    fn take_back<T>(&self, handles: &[JoinHandle<T>]) {
        self.ended.forget_waker();
        for (handle, key) in handles.iter().zip(&self.keys) {
            if let Some(key) = key {
                handle.remove_done_callback(*key);
            }
        }
    }
}

/// What [`wait_first`] yields: the winner's index and result, and the other handles.
pub type First<T> = (usize, Result<T, JoinError>, Vec<JoinHandle<T>>);

impl<T: 'static> Future for WaitFirst<T> {
    type Output = First<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<First<T>> {
        let this = &mut *self;
        let handles = this.handles.as_mut().expect("WaitFirst polled after it completed");
        // asyncio's `_wait`, a coroutine, adds its callbacks when it first runs.
        let following = this.following.get_or_insert_with(|| {
            let ended = Rc::new(Ended::default());
            let keys = (handles.iter().enumerate())
                .map(|(index, handle)| ended.follow(index, handle))
                .collect();
            Following { ended, keys }
        });
        let Some(index) = following.ended.nth(0) else {
            following.ended.wake_me(cx);
            return Poll::Pending;
        };
        // The winner's callback has run. Its handle hands over the result once the callbacks queued
        // behind it have run too (those added after this future's); until then it waits, and the
        // handle wakes it after the last one.
        let Poll::Ready(result) = Pin::new(&mut handles[index]).poll(cx) else {
            return Poll::Pending;
        };
        following.take_back(handles);
        let mut rest = this.handles.take().expect("checked above");
        // The winner's handle has handed over its result; the rest keep running.
        drop(rest.remove(index));
        Poll::Ready((index, result, rest))
    }
}

impl<T> Drop for WaitFirst<T> {
    fn drop(&mut self) {
        // Dropped before it returned: its callbacks go, as asyncio's do when its `wait` is cancelled.
        if let (Some(handles), Some(following)) = (&self.handles, &self.following) {
            following.take_back(handles);
        }
    }
}
