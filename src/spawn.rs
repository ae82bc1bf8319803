//! Putting work on the executor: `spawn`, `spawn_named`, and the executor's own methods for doing so
//! from outside it (`Executor::spawn`, `call_soon`, `call_later`, `remote`).

use std::future::Future;
use std::time::Duration;

use crate::callback::{CallbackHandle, PlainCallback};
use crate::executor::Executor;
use crate::handle::current;
use crate::join::JoinHandle;
use crate::remote::Remote;

/// Spawns a task on the running executor and returns its [`JoinHandle`]: asyncio's `create_task`.
///
/// The task does not run inside `spawn`: it is queued, and first runs when the spawner yields and the
/// queue reaches it (on the next turn). The future need not be `Send`.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::spawn`] there.
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let doubled = executor.block_on(async { spawn(async { 21 * 2 }).await.unwrap() });
/// assert_eq!(doubled, 42);
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    current("spawn()").spawn(None, future)
}

/// [`spawn`] with a name, which snapshots, the trace and warnings show next to the task's id:
/// asyncio's `create_task(coro, name=...)`.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::spawn_named`] there.
///
/// ```
/// use minimalist_async::{Executor, spawn_named};
///
/// let mut executor = Executor::with_virtual_time();
/// let name = executor.block_on(async { spawn_named("task1", async {}).name() });
/// assert_eq!(name, "task1");
/// ```
#[track_caller]
pub fn spawn_named<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    current("spawn_named()").spawn(Some(name.into()), future)
}

impl Executor {
    /// Spawns a task from outside the executor, for instance before [`block_on`](Executor::block_on).
    /// It runs once the executor runs. Inside async code use the free function [`spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.handle.spawn(None, future)
    }

    /// [`Executor::spawn`] with a name: see [`spawn_named`].
    pub fn spawn_named<F>(&self, name: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.handle.spawn(Some(name.into()), future)
    }

    /// Schedules `callback` for the next turn, from outside the executor: see
    /// [`call_soon`](crate::call_soon).
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> CallbackHandle {
        self.handle.call_soon(PlainCallback::new(callback))
    }

    /// Schedules `callback` after `delay`, from outside the executor: see
    /// [`call_later`](crate::call_later).
    #[track_caller]
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
        self.handle.call_later(delay, PlainCallback::new(callback))
    }

    /// A `Send` handle through which other threads spawn tasks and queue callbacks on this executor.
    pub fn remote(&self) -> Remote {
        Remote::new(self.handle.queue.inbox())
    }
}
