//! The waker: how a pending future asks to be polled again.
//!
//! Each task gets one `TaskWaker` at spawn, shared through an `Arc` (that is what
//! [`std::task::Wake`] turns into a [`std::task::Waker`], no hand-written vtable needed). Waking is one flag swap
//! and, only if the flag was clear, one channel send:
//!
//! ```text
//! wake() ──► queued.swap(true) ──was false──► sender.send(Runnable::Task(key))
//!                              ╰─was true───► nothing: the task is already in the queue
//! ```
//!
//! The flag is what makes a task woken ten times before it runs get polled once. The executor clears it
//! just before polling, so a wake that arrives *during* the poll queues the task again (that is how
//! `yield_now` works). A wake for a task that already finished still sends its key; the executor finds no
//! task under it and skips it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Wake;

use crossbeam_channel::Sender;

use crate::queue::Runnable;

/// The state behind a task's [`std::task::Waker`].
#[derive(Debug)]
pub(crate) struct TaskWaker {
    runnable: Runnable,
    /// True from the moment the task is put in the ready queue until the executor starts polling it.
    queued: AtomicBool,
    /// Works from any thread; fails only once the executor is gone, and then there is nothing to wake.
    sender: Sender<Runnable>,
}

impl TaskWaker {
    /// A waker for `runnable` that counts as already queued: the caller pushes it once right away.
    pub(crate) fn new_queued(runnable: Runnable, sender: Sender<Runnable>) -> Arc<TaskWaker> {
        Arc::new(TaskWaker {
            runnable,
            queued: AtomicBool::new(true),
            sender,
        })
    }

    /// Called by the executor right before a poll: from now on a wake queues the task again.
    pub(crate) fn clear_queued(&self) {
        self.queued.store(false, Ordering::Release);
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            // A closed channel means the executor was dropped: nobody is left to poll the task.
            let _ = self.sender.send(self.runnable);
        }
    }
}
