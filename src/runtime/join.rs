//! The join handle: a key to a task's entry, its result, its done-callbacks.
//!
//! A task ends once; what it produced waits in its entry (see `table.rs`) until nobody can ask for it:
//!
//! ```text
//! Running ──returns, panics or is cancelled──► Done(result) ──the handle's .await takes it──► Taken
//! ```
//!
//! When a task ends, every done-callback registered so far is queued, one ready-queue entry each, in
//! registration order, and the task awaiting the handle (if any) is woken, behind them. Nothing runs
//! inside the step that ended the task: this is asyncio's `Future.set_result` → `call_soon(callback)`
//! for each callback.
//!
//! Callbacks are registered through `JoinHandle::add_done_callback` (in `src/callback.rs`, with the other
//! callback API); their storage and scheduling are here and in `table.rs`.
//!
//! A callback receives `&Result<T, JoinError>` while `.await` on the handle moves the result out, so
//! the handle hands the result over only once every callback queued before has run; asyncio's
//! awaiter does not wait for them. NOTES.md says when that shows (not in the tutorial's order).

use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::runtime::events::Outcome;
use crate::runtime::handle::Handle;
use crate::runtime::join_error::{JoinError, report_panic, report_unretrieved, wake_contained};
use crate::runtime::queue::DONE;
use crate::runtime::results::typed;
use crate::runtime::slab::Key;
use crate::runtime::table::{Awaiter, Entry, Stage};
use crate::runtime::task::TaskId;

/// An owned permission to await a spawned task's result, returned by [`spawn`](fn@crate::spawn).
///
/// Awaiting it gives `Ok(value)` when the task returned and `Err(JoinError)` when it panicked or was
/// cancelled. Like asyncio's `Task` (and tokio's `JoinHandle`), dropping the handle does **not** stop
/// the task: it keeps running, and only its result is thrown away. A task that awaits its own handle
/// would wait for ever: it panics instead, in its poll, as asyncio raises "Task cannot await on
/// itself".
///
/// The handle is small, 16 bytes: the task's key in the executor's task table and a reference to the
/// executor, like a file descriptor is a number in a process's table. The task's id is read from its
/// entry, which lives as long as the handle does (after the executor was dropped, from the note its
/// teardown keeps, `Handle::gone`).
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let answer = executor.block_on(async {
///     let handle = spawn(async { 6 * 7 });
///     assert!(!handle.is_finished(), "spawn never runs the task on the spot");
///     handle.await
/// });
/// assert_eq!(answer.unwrap(), 42);
/// ```
#[must_use = "dropping a JoinHandle does not cancel the task, but its result is lost; await it or add a done-callback"]
pub struct JoinHandle<T> {
    pub(crate) key: Key,
    /// Strong, not weak: a handle that outlives its executor still finds its task's id.
    pub(crate) handle: Rc<Handle>,
    /// The output type, which the entry does not record: it picks the results table to read.
    output: PhantomData<fn() -> T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(key: Key, handle: Rc<Handle>) -> JoinHandle<T> {
        JoinHandle { key, handle, output: PhantomData }
    }

    /// Runs `look` with the executor and this task's key, unless the executor is gone (or going:
    /// its teardown has begun).
    pub(crate) fn with_entry<R>(&self, look: impl FnOnce(&Rc<Handle>, Key) -> R) -> Option<R> {
        (!self.handle.queue.is_closed()).then(|| look(&self.handle, self.key))
    }

    /// The task's id, from its entry, or once the executor is gone from its teardown's note.
    pub(crate) fn task_id(&self) -> TaskId {
        match self.handle.tasks.borrow().entries.get(self.key) {
            Some(entry) => entry.id,
            None => *self.handle.gone.borrow().get(&self.key).expect("noted when the entry went"),
        }
    }

    /// Cancels the task: asyncio's `Task.cancel()`, tokio's `abort()`. Returns whether the task was
    /// still running.
    ///
    /// The task's future is dropped before it would be polled again (never polled at all if it had not
    /// started yet), which drops its sleeps and so disarms their timers. The handle then yields a
    /// cancelled [`JoinError`], and the done-callbacks see the same error on a later turn, never inside
    /// `cancel`. Cancelling a finished task changes nothing.
    ///
    /// Two rules to know, where asyncio and tokio differ:
    /// - A cancel that lands during the very poll in which the task returns wins, as in asyncio: the
    ///   value is dropped and the handle reports cancelled (tokio keeps the value).
    /// - Cancelling a task that is awaiting another task's handle leaves that other task running, as
    ///   in tokio (asyncio cancels the awaited task too, unless it is shielded).
    ///
    /// ```
    /// use std::time::Duration;
    /// use minimalist_async::{Executor, sleep, spawn};
    ///
    /// let mut executor = Executor::with_virtual_time();
    /// let error = executor.block_on(async {
    ///     let task = spawn(async { sleep(Duration::from_secs(60)).await });
    ///     assert!(task.cancel());
    ///     task.await.unwrap_err()
    /// });
    /// assert!(error.is_cancelled());
    /// assert_eq!(executor.now(), Duration::ZERO, "the minute-long sleep was disarmed");
    /// ```
    pub fn cancel(&self) -> bool {
        self.with_entry(|handle, key| handle.cancel(key)) == Some(true)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let (handle, key) = (&self.handle, self.key);
        if handle.queue.is_closed() {
            handle.gone.borrow_mut().remove(&key);
            return;
        }
        let mut tasks = handle.tasks.borrow_mut();
        let Some(entry) = tasks.entries.get_mut(key) else { return };
        entry.handle_alive = false;
        // The usual end of a task: its result taken, no callback left. One look removes it.
        if entry.stage == Stage::Taken && entry.callbacks == 0 {
            tasks.remove_taken(key);
        } else {
            drop(tasks);
            handle.release_if_unclaimed(key);
        }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let handle = &self.handle;
        let mut tasks = handle.tasks.borrow_mut();
        let Some(entry) = tasks.entries.get_mut(self.key) else {
            // The executor is gone (or going) and took the task with it.
            drop(tasks);
            return Poll::Ready(Err(JoinError::cancelled(self.task_id())));
        };
        // Speed: asked with `matches!`, one comparison each, where a `match` decoded the stage first
        // (instructions per op: spawn_join 1,155 -> 1,146, timers_virtual 3,132 -> 3,110).
        if matches!(entry.stage, Stage::Done(_)) && entry.callbacks == 0 {
            let result = entry.result();
            entry.stage = Stage::Taken;
            // The emptied box, kept since the task ended: freed here, in the order handles are
            // awaited.
            let spent = entry.future.take();
            drop(tasks);
            drop(spent);
            let table = handle.outputs.table_of::<T>();
            let result = handle.outputs.with(table, |t| typed::<T>(t).take(result));
            return Poll::Ready(result.expect("a Done entry's result is in its table"));
        }
        let id = entry.id;
        assert!(entry.stage != Stage::Taken, "{id} JoinHandle polled after it returned its result");
        // Not ended yet, or its callbacks have not all run (a handle never names a `block_on`
        // future's entry). The awaiting task of this executor is noted by key; any other waker is
        // kept. Noted anew at every such poll: the handle may have moved to another task since.
        drop(tasks);
        wait_for(handle, self.key, handle.own_task(cx.waker()), cx);
        Poll::Pending
    }
}

impl Handle {
    /// Queues the next done-callback of the ended task under `key`.
    pub(crate) fn queue_done_callback(&self, key: Key, id: TaskId) {
        self.record(|sink, at| sink.callback_queued(at, Some(id)));
        self.push(key, DONE);
    }

    /// Runs the oldest queued done-callback of the task under `key` (one ready-queue entry). After the
    /// last one, the task awaiting the handle may take the result: it is woken.
    pub(crate) fn run_done_callback(&self, key: Key) -> Option<TaskId> {
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.entries.get(key)?;
        let (Stage::Done(outcome), Some(spent)) = (entry.stage, &entry.future) else { return None };
        let (id, result, table) = (entry.id, entry.result(), spent.table(&self.outputs));
        // One queue entry per callback: callbacks are removed only before the task ends.
        let rare = tasks.cold.rare.get_mut(&key.index())?;
        let (_, callback) = rare.callbacks.pop_front()?;
        rare.seen_failure |= outcome == Outcome::Panicked;
        drop(tasks);
        self.record(|sink, at| sink.callback_ran(at, Some(id)));
        let results = self.outputs.table(table);
        // A panicking callback must not take the loop down, nor skip the callbacks behind it.
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| callback(&*results, result))) {
            report_panic(format_args!("a done-callback of {id}"), panic);
        }
        // Counted out once it has run: while it runs, it holds the result, and the handle waits for
        // it (a poll of the handle inside the callback is `Pending`). It may have added another one.
        let mut tasks = self.tasks.borrow_mut();
        let entry =
            tasks.entries.get_mut(key).expect("an entry stays until its callbacks have run");
        entry.callbacks -= 1;
        if entry.callbacks == 0 {
            let awaiter = tasks.take_waiter(key);
            drop(tasks);
            if let Some(awaiter) = awaiter {
                self.wake_awaiter(awaiter);
            }
            self.release_if_unclaimed(key);
        }
        Some(id)
    }

    /// Wakes `awaiter`, taken out of an entry.
    pub(crate) fn wake_awaiter(&self, awaiter: Awaiter) {
        match awaiter {
            Awaiter::Task(waiting) => self.wake(waiting, false),
            Awaiter::Waker(waker) => wake_contained(waker),
        }
    }

    /// Removes the entry of an ended task once nobody can ask for its result: its handle is gone and
    /// its callbacks have run. A panic nobody saw is reported then, as asyncio reports "Task exception
    /// was never retrieved".
    pub(crate) fn release_if_unclaimed(&self, key: Key) {
        let mut tasks = self.tasks.borrow_mut();
        let unclaimed = |e: &&Entry| !e.handle_alive && e.callbacks == 0 && e.is_done();
        let Some(entry) = tasks.entries.get(key).filter(unclaimed) else { return };
        // Asked only of a panicked task (a lookup in an empty set hashes nothing, unlike a removal).
        let unseen = entry.stage == Stage::Done(Outcome::Panicked)
            && !tasks.cold.rare.get(&key.index()).is_some_and(|rare| rare.seen_failure);
        let entry = tasks.remove(key).expect("the entry was just read");
        drop(tasks);
        // `Taken`: the handle took the result, nothing is left to report or drop.
        if let (Stage::Done(_), Some(spent)) = (entry.stage, &entry.future) {
            let result = entry.result();
            let results = self.outputs.table(spent.table(&self.outputs));
            if unseen && let Some(error) = results.error_text(result) {
                report_unretrieved(&error);
            }
            // Dropped with nothing borrowed: the value's `Drop` may call back into the executor.
            results.discard(result, entry.id);
        }
    }
}

/// Notes a new awaiter of the task under `key`: the polled task of this executor by its key (`own`),
/// anyone else by a clone of the waker. A waker is user code: it is cloned, and the old one dropped,
/// with the table not borrowed. Out of line: an await that finds its task ended never comes here
/// (inlined into `JoinHandle::poll`, measured: spawn_join 1,241 → 1,252 instructions per op,
/// ping_pong 528 → 544).
#[inline(never)]
fn wait_for(handle: &Handle, key: Key, own: Option<Key>, cx: &Context<'_>) {
    // The task polled now awaits its own handle, with its own waker: only its end could wake it,
    // so it would wait for ever. A panic in its poll, as asyncio raises "Task cannot await on
    // itself" in the task. (A combinator's waker may have another way out, a timeout say.)
    if own == Some(key) {
        let id = handle.polling.get().map(|polling| polling.id);
        panic!("{} awaits its own JoinHandle: it would wait for ever", id.expect("a poll is on"));
    }
    let awaiter = own.map_or_else(|| Awaiter::Waker(cx.waker().clone()), Awaiter::Task);
    let old = handle.tasks.borrow_mut().set_waiter(key, awaiter);
    drop(old);
}

#[cfg(test)]
mod tests {
    /// The caller keeps one handle per task (the benchmarks keep a million in a `Vec`): 16 bytes, the
    /// key and the executor, with the task's id read from the entry, not copied into the handle.
    #[test]
    fn a_join_handle_is_16_bytes() {
        assert_eq!(std::mem::size_of::<super::JoinHandle<u64>>(), 16);
    }
}
