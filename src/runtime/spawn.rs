//! `spawn` and `spawn_named`: a future becomes a task, stored and queued, never run on the spot.

use std::future::Future;
use std::rc::Rc;

use crate::runtime::handle::{Handle, current, try_current};
use crate::runtime::join::JoinHandle;
use crate::runtime::poll::poll_task;
use crate::runtime::queue::TASK;
use crate::runtime::rules::Rule;
use crate::runtime::slab::Key;

impl Handle {
    /// Stores the task (its future in its one box) and queues it; it first runs when the queue reaches
    /// it, never inside `spawn`.
    #[inline]
    pub(crate) fn spawn<F: Future<Output: 'static> + 'static>(
        self: &Rc<Self>,
        name: Option<Box<str>>,
        future: F,
    ) -> JoinHandle<F::Output> {
        let id = self.next_task_id();
        let parent = self.polling.get().map(|polling| polling.id);
        self.record(|sink, at| sink.spawned(at, id, name.as_deref(), parent));
        let key = self.tasks.borrow_mut().insert(id, Some(Box::pin(Some(future))), parent, name);
        if !(self.rules.get().is_broken(Rule::EagerSpawn) && self.spawn_eagerly(key)) {
            self.push(key, TASK);
        }
        JoinHandle::new(key, Rc::clone(self))
    }

    /// A broken rule (`Rule::EagerSpawn`): polls the new task right here, inside the spawner's step,
    /// then gives the spawner back its own "who is polling". `false` when spawned from outside the
    /// running executor: the task is queued as usual then. Out of line: with the rules kept, `spawn`
    /// stays small.
    ///
    /// Each eager poll runs inside its spawner's, so a chain of tasks that each spawn the next would
    /// grow the stack until it overflows: past `EAGER_DEPTH` nested eager polls, a task is queued as
    /// usual instead (Python's eager task factory meets its recursion limit there).
    #[cold]
    #[inline(never)]
    fn spawn_eagerly(self: &Rc<Self>, key: Key) -> bool {
        const EAGER_DEPTH: u32 = 100;
        let running = try_current().is_some_and(|running| Rc::ptr_eq(&running, self));
        if !running || self.eager_depth.get() >= EAGER_DEPTH {
            return false;
        }
        let (polling, noted, yielded) = (self.polling.get(), self.noted.get(), self.yielded.get());
        self.eager_depth.set(self.eager_depth.get() + 1);
        poll_task(self, key);
        self.eager_depth.set(self.eager_depth.get() - 1);
        self.polling.set(polling);
        self.noted.set(noted);
        self.yielded.set(yielded);
        true
    }
}

/// Spawns a task on the running executor and returns its [`JoinHandle`]: asyncio's `create_task`.
///
/// The task does not run inside `spawn`: it is queued, and first runs when the spawner yields and the
/// queue reaches it (on the next turn). The future need not be `Send`.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::spawn`](crate::Executor::spawn) there.
///
/// ```
/// use minimalist_async::{Executor, spawn};
///
/// let mut executor = Executor::with_virtual_time();
/// let doubled = executor.block_on(async { spawn(async { 21 * 2 }).await.unwrap() });
/// assert_eq!(doubled, 42);
/// ```
#[track_caller]
pub fn spawn<F: Future<Output: 'static> + 'static>(future: F) -> JoinHandle<F::Output> {
    current("spawn()").spawn(None, future)
}

/// [`spawn`] with a name, which snapshots, the trace and warnings show next to the task's id:
/// asyncio's `create_task(coro, name=...)`.
///
/// # Panics
///
/// Outside a running executor; use [`Executor::spawn_named`](crate::Executor::spawn_named) there.
///
/// ```
/// use minimalist_async::{Executor, spawn_named};
///
/// let mut executor = Executor::with_virtual_time();
/// let name = executor.block_on(async { spawn_named("task1", async {}).name() });
/// assert_eq!(name, "task1");
/// ```
#[track_caller]
pub fn spawn_named<F: Future<Output: 'static> + 'static>(
    name: &str,
    future: F,
) -> JoinHandle<F::Output> {
    current("spawn_named()").spawn(Some(name.into()), future)
}
