//! The ready queue: a crossbeam channel of `Runnable`s, and where a turn begins and ends.
//!
//! Everything that is ready to run waits here in one FIFO: tasks that were woken or spawned, the
//! `block_on` future, queued callbacks, and work sent from other threads. One queue for all of them is what keeps asyncio's order: a
//! done-callback queued before a task was woken runs before that task, exactly as asyncio's `call_soon`
//! list does.
//!
//! Why a channel and not a `VecDeque`: a [`std::task::Waker`] must be `Send + Sync`, so it may be woken
//! from any thread. The sending half of an unbounded crossbeam channel is cheap to clone into every waker
//! and safe to use from anywhere; the receiving half stays with the executor.
//!
//! A *turn* is fixed when it starts: the executor takes everything waiting in the channel into its
//! batch and runs exactly that many items. Anything pushed meanwhile (a wake, a spawn, a callback) lands behind them and waits for the next
//! turn, so a task that keeps waking itself cannot starve the others.

use std::time::Instant;

use crossbeam_channel::{Receiver, Select, Sender};

use crate::slab::Key;

/// One entry of the ready queue. `Send`, so any thread can send it.
pub(crate) enum Runnable {
    /// Poll the task stored under this key (or, if it was cancelled, drop it).
    Task(Key),
    /// Run the callback stored under this key.
    Callback(Key),
    /// Poll the future given to `block_on`; the number tells one `block_on` call from the next.
    Main(u64),
    /// Work sent by another thread through a [`Remote`](crate::Remote): run it on this thread.
    Remote(Box<dyn FnOnce() + Send>),
}

impl std::fmt::Debug for Runnable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Runnable::Task(key) => f.debug_tuple("Task").field(key).finish(),
            Runnable::Callback(key) => f.debug_tuple("Callback").field(key).finish(),
            Runnable::Main(generation) => f.debug_tuple("Main").field(generation).finish(),
            Runnable::Remote(_) => f.write_str("Remote(..)"),
        }
    }
}

/// Both ends of the ready queue.
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    sender: Sender<Runnable>,
    receiver: Receiver<Runnable>,
}

impl ReadyQueue {
    pub(crate) fn new() -> ReadyQueue {
        let (sender, receiver) = crossbeam_channel::unbounded();
        ReadyQueue { sender, receiver }
    }

    /// A sending end for a waker.
    pub(crate) fn sender(&self) -> Sender<Runnable> {
        self.sender.clone()
    }

    pub(crate) fn push(&self, runnable: Runnable) {
        self.sender
            .send(runnable)
            .expect("the queue's own receiver is alive");
    }

    /// Takes every entry waiting in the channel, in order: the batch of the turn that starts now.
    pub(crate) fn drain(&self) -> impl Iterator<Item = Runnable> + '_ {
        self.receiver.try_iter()
    }

    /// Empties the queue, dropping every entry: for the executor's teardown, so that work sent from
    /// other threads is dropped (and its senders told) rather than left in the channel.
    pub(crate) fn clear(&self) {
        while self.receiver.try_recv().is_ok() {}
    }

    /// Blocks the thread until an item arrives or `deadline` passes (forever without one). Nothing is
    /// taken off the queue: the item waits for the next turn like any other.
    pub(crate) fn wait(&self, deadline: Option<Instant>) {
        let mut select = Select::new();
        select.recv(&self.receiver);
        match deadline {
            Some(deadline) => {
                let _ = select.ready_deadline(deadline);
            }
            None => {
                select.ready();
            }
        }
    }
}
