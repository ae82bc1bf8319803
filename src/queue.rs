//! The ready queue, and where a turn begins and ends.
//!
//! Everything that is ready to run waits here in FIFO order: tasks that were woken or spawned, the
//! `block_on` future, queued callbacks, and work sent from other threads. Keeping them in one order is
//! what keeps asyncio's: a done-callback queued before a task was woken runs before that task, exactly as
//! asyncio's `call_soon` list does.
//!
//! # Two doors, one queue
//!
//! A [`std::task::Waker`] must be `Send + Sync`: anyone may wake a task, from any thread. So every waker
//! holds an `Inbox`: the sending end of an unbounded crossbeam channel, cheap to clone and safe to use
//! from anywhere. The receiving end stays with the executor, whose thread parks when it has nothing to
//! do; a send unparks it.
//!
//! Most wakes, though, come from the executor's own thread (a timer firing, one task waking another),
//! and most pushes are the executor's own (a spawn, a callback). Those skip the channel and go straight
//! into a local `VecDeque`: an `Inbox` sees, through the thread-local current executor, that it is on its
//! executor's thread and inside it. A channel send and receive cost more than the whole rest of a wake,
//! so this shortcut is most of what makes a wake cheap (NOTES.md, section 14, has the figures). It is the
//! same split tokio makes between its local run queue and its inject queue.
//!
//! Order: everything pushed on the executor's thread keeps its order in the local queue; entries from
//! other threads join at the next turn boundary. Between the two there is no order to keep: a wake from
//! another thread races with the executor anyway.
//!
//! # Turns
//!
//! A *turn* is fixed when it starts: the executor moves everything waiting (local queue first, then the
//! channel) into its batch and runs exactly that many entries. Anything pushed meanwhile (a wake, a
//! spawn, a callback) lands behind them and waits for the next turn, so a task that keeps waking itself
//! cannot starve the others.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::Thread;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use crate::handle::push_if_current;
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

/// The executor's side of the ready queue: the local queue, and the channel's receiving end.
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    local: RefCell<VecDeque<Runnable>>,
    /// Entries a snapshot took off the channel to list them; they join the next turn right after the
    /// local queue, exactly where they would have from the channel.
    arrived: RefCell<VecDeque<Runnable>>,
    inbox: Inbox,
    /// Taken out (and so dropped) when the executor is dropped: senders then learn that nobody is
    /// left to run what they send.
    receiver: RefCell<Option<Receiver<Runnable>>>,
}

/// What wakers and [`Remote`](crate::Remote)s hold: a way into the ready queue from anywhere.
#[derive(Clone, Debug)]
pub(crate) struct Inbox {
    /// Which executor this inbox belongs to, to recognise it on the current thread.
    executor: u64,
    /// Shared by all of the executor's inboxes, so that cloning one (once per spawned task) is a
    /// single reference-count increment.
    shared: Arc<InboxShared>,
}

#[derive(Debug)]
struct InboxShared {
    sender: Sender<Runnable>,
    /// Raised after every send through the channel, so that a turn looks at the channel only when
    /// something was sent: a check of an empty channel costs more than the rest of a turn's start.
    sent: AtomicBool,
    /// The executor's thread, unparked after every send so that an idle executor wakes at once.
    thread: Thread,
}

impl Inbox {
    /// Queues `runnable`: into the local queue when called inside this executor on its thread,
    /// otherwise through the channel. Fails only when the executor is gone, handing `runnable` back.
    pub(crate) fn send(&self, runnable: Runnable) -> Result<(), Runnable> {
        match push_if_current(self.executor, runnable) {
            Ok(()) => Ok(()),
            Err(runnable) => {
                let shared = &self.shared;
                shared
                    .sender
                    .send(runnable)
                    .map_err(|error| error.into_inner())?;
                // Raised after the send, so the executor that sees the flag finds the entry.
                shared.sent.store(true, Ordering::Release);
                shared.thread.unpark();
                Ok(())
            }
        }
    }
}

impl ReadyQueue {
    pub(crate) fn new() -> ReadyQueue {
        static NEXT_EXECUTOR: AtomicU64 = AtomicU64::new(1);
        let (sender, receiver) = crossbeam_channel::unbounded();
        ReadyQueue {
            local: RefCell::default(),
            arrived: RefCell::default(),
            inbox: Inbox {
                executor: NEXT_EXECUTOR.fetch_add(1, Ordering::Relaxed),
                shared: Arc::new(InboxShared {
                    sender,
                    sent: AtomicBool::new(false),
                    thread: std::thread::current(),
                }),
            },
            receiver: RefCell::new(Some(receiver)),
        }
    }

    /// Which executor this queue belongs to.
    pub(crate) fn executor(&self) -> u64 {
        self.inbox.executor
    }

    /// A way in for a waker or a `Remote`.
    pub(crate) fn inbox(&self) -> Inbox {
        self.inbox.clone()
    }

    /// Queues `runnable` from the executor's own thread.
    pub(crate) fn push(&self, runnable: Runnable) {
        self.local.borrow_mut().push_back(runnable);
    }

    /// Moves everything waiting, local entries first, to the back of `batch`.
    pub(crate) fn drain_into(&self, batch: &mut VecDeque<Runnable>) {
        let mut local = self.local.borrow_mut();
        if batch.is_empty() {
            // The usual case at a turn's start: swap the buffers instead of copying the entries.
            std::mem::swap(batch, &mut *local);
        } else {
            batch.append(&mut local);
        }
        let mut arrived = self.arrived.borrow_mut();
        if !arrived.is_empty() {
            batch.append(&mut arrived);
        }
        // With nothing else ready the channel is checked anyway: a sender raises the flag just after
        // its send, and an executor about to sleep must not miss an entry sent in between.
        let sent = &self.inbox.shared.sent;
        let flagged = sent.load(Ordering::Relaxed) && sent.swap(false, Ordering::Acquire);
        if (flagged || batch.is_empty())
            && let Some(receiver) = &*self.receiver.borrow()
        {
            batch.extend(receiver.try_iter());
        }
    }

    /// The entries waiting for the next turn, in the order it will take them (local queue, then what
    /// came from other threads), without changing that order: for snapshots. The channel cannot be read
    /// without taking from it, so its entries move to `arrived`, which the next turn takes from in
    /// their place.
    pub(crate) fn waiting(&self) -> Vec<std::cell::Ref<'_, VecDeque<Runnable>>> {
        if let Some(receiver) = &*self.receiver.borrow() {
            self.arrived.borrow_mut().extend(receiver.try_iter());
        }
        vec![self.local.borrow(), self.arrived.borrow()]
    }

    /// Drops every entry and closes the channel, for the executor's teardown: work sent from other
    /// threads is dropped (its senders told), and later sends fail.
    pub(crate) fn close(&self) {
        self.local.borrow_mut().clear();
        self.arrived.borrow_mut().clear();
        let receiver = self.receiver.borrow_mut().take();
        if let Some(receiver) = receiver {
            while receiver.try_recv().is_ok() {}
        }
    }

    /// Parks the thread until something is sent through the channel or `deadline` passes (forever
    /// without one). Nothing is taken off the queue. May return early (a spurious unpark): the caller
    /// simply looks again. Called only when nothing local is ready: nothing on this thread can add
    /// to the local queue while it sleeps.
    ///
    /// `std::thread::park` is used rather than the channel's own blocking receive, which spins and
    /// yields the thread for a while before it sleeps: cheap for a busy channel, but a waste of CPU
    /// for an executor that sleeps between timers several hundred times a second.
    pub(crate) fn wait(&self, deadline: Option<Instant>) {
        // A sender raises the flag after its send and then unparks: either the flag is seen here,
        // or the unpark arrives after this check and `park` returns at once.
        let pending = match &*self.receiver.borrow() {
            Some(receiver) => !receiver.is_empty(),
            None => return,
        };
        if pending || self.inbox.shared.sent.load(Ordering::Acquire) {
            return;
        }
        match deadline {
            Some(deadline) => {
                let now = Instant::now();
                if deadline > now {
                    std::thread::park_timeout(deadline - now);
                }
            }
            None => std::thread::park(),
        }
    }
}
