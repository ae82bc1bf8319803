//! The ready queue: a local queue for the executor's own thread, a channel for every other thread.
//!
//! Everything that is ready to run waits here in FIFO order: tasks that were woken or spawned, the
//! `block_on` future, queued callbacks, and work sent from other threads. Keeping them in one order is
//! what keeps asyncio's: a done-callback queued before a task was woken runs before that task, exactly
//! as asyncio's ready deque does.
//!
//! # Two doors
//!
//! A [`std::task::Waker`] must be `Send + Sync`: anyone may wake a task, from any thread. So every waker
//! holds an [`Inbox`]: the sending end of an unbounded crossbeam channel, cheap to clone and safe to use
//! from anywhere. The receiving end stays with the executor, whose thread parks when it has nothing to
//! do; a send unparks it.
//!
//! Most pushes, though, come from the executor's own thread (a spawn, a timer firing, one task waking
//! another). Those skip the channel and go straight into a local `Vec` (`Handle::wake` decides
//! which door). A channel send and receive cost more than the rest of a wake, so this shortcut is most
//! of what makes a wake cheap. tokio splits its local run queue from its inject queue the same way.
//!
//! Order: everything pushed on the executor's thread keeps its order in the local queue; messages from
//! other threads join at the next turn boundary, behind the local entries.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::Thread;
use std::time::Instant;

use crossbeam_channel::{Receiver, SendError, Sender};

use crate::runtime::slab::Key;
use crate::runtime::tagged::Tagged;

/// What a ready-queue entry asks for, as the tag of its [`Tagged`] key: one word per entry, so that a
/// burst of a million spawns queues 8 MB, not 16. The turn (and a snapshot) reads the tag straight
/// from the queued word.
///
/// Poll the task stored under the key (or, if it was cancelled, drop it). The `block_on` future is a
/// task here: its entry's turn comes as a `TASK`.
pub(crate) const TASK: u8 = 0;
/// Run the next done-callback of the finished task under the key.
pub(crate) const DONE: u8 = 1;
/// Run the queued call (a `call_soon`) under the key.
pub(crate) const CALL: u8 = 2;
/// Run the work another thread sent, queued under the key with the calls.
pub(crate) const REMOTE: u8 = 3;

/// What other threads send through the channel. `Send`: it carries only plain data and `Send` work.
pub(crate) enum Message {
    /// Wake the task under this key; see `waker.rs`.
    Wake {
        key: Key,
        /// Whether the wake came from another thread (a wake on this thread outside a running
        /// executor also comes through the channel).
        other_thread: bool,
    },
    /// Cancel the task under this key.
    Cancel(Key),
    /// Run this on the executor's thread.
    Run(Box<dyn FnOnce() + Send>),
}

/// Entries a drained buffer keeps room for, whatever the turns before needed: 32 KiB.
const KEPT_CAPACITY: usize = 4096;

/// The length below which a turn's batch of `capacity` entries gives room back as it drains (0:
/// never): half of it, once it is more than four times `KEPT_CAPACITY`.
pub(crate) fn drain_floor(capacity: usize) -> usize {
    if capacity > 4 * KEPT_CAPACITY { capacity / 2 } else { 0 }
}

/// The executor's side of the ready queue.
pub(crate) struct ReadyQueue {
    /// Only pushed to: a turn takes it whole (and reads it front to back, `Turn::next`). A `Vec`,
    /// whose push the compiler inlines, where a `VecDeque`'s was not always (a call per wake).
    local: RefCell<Vec<Tagged>>,
    inbox: Inbox,
    /// Taken out (and so dropped) when the executor is dropped: senders then learn that nobody is
    /// left to run what they send.
    receiver: RefCell<Option<Receiver<Message>>>,
}

/// What wakers and [`Remote`](crate::Remote)s hold: a way into the ready queue from anywhere.
#[derive(Clone, Debug)]
pub(crate) struct Inbox {
    /// Which executor this inbox belongs to, to recognise it on the current thread.
    pub(crate) executor: u64,
    /// Shared by all of the executor's inboxes, so that cloning one is one reference-count increment.
    shared: Arc<InboxShared>,
}

#[derive(Debug)]
struct InboxShared {
    sender: Sender<Message>,
    /// Raised after every send, so that a turn looks at the channel only when something was sent: a
    /// check of an empty channel costs more than the rest of a turn's start.
    sent: AtomicBool,
    /// The executor's thread, unparked after every send so that an idle executor wakes at once.
    thread: Thread,
}

impl Inbox {
    /// Sends `message` through the channel. Fails only when the executor is gone, handing it back.
    pub(crate) fn send(&self, message: Message) -> Result<(), Message> {
        self.shared.sender.send(message).map_err(SendError::into_inner)?;
        // Raised after the send, so the executor that sees the flag finds the message.
        self.shared.sent.store(true, Ordering::Release);
        self.unpark();
        Ok(())
    }

    /// Wakes the executor's thread if it sleeps in `ReadyQueue::wait`, sending nothing: for a thread
    /// whose end matters to the executor even when it has nobody to wake (a `spawn_blocking` worker
    /// that stops holding virtual time still). An unpark that comes before the thread sleeps makes
    /// its next sleep return at once, so none is missed.
    pub(crate) fn unpark(&self) {
        self.shared.thread.unpark();
    }

    /// Whether the calling thread is not the executor's.
    pub(crate) fn on_other_thread(&self) -> bool {
        std::thread::current().id() != self.shared.thread.id()
    }
}

impl Default for ReadyQueue {
    fn default() -> ReadyQueue {
        static NEXT_EXECUTOR: AtomicU64 = AtomicU64::new(1);
        let (sender, receiver) = crossbeam_channel::unbounded();
        let shared = InboxShared { sender, sent: false.into(), thread: std::thread::current() };
        let executor = NEXT_EXECUTOR.fetch_add(1, Ordering::Relaxed);
        let inbox = Inbox { executor, shared: Arc::new(shared) };
        ReadyQueue { local: RefCell::default(), inbox, receiver: RefCell::new(Some(receiver)) }
    }
}

impl ReadyQueue {
    /// A way in for a waker or a `Remote`.
    pub(crate) fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Queues `key`, tagged with what to do with it (`TASK`, `DONE`, `CALL`, `REMOTE`), from the
    /// executor's own thread.
    #[inline]
    pub(crate) fn push(&self, key: Key, tag: u8) {
        self.local.borrow_mut().push(Tagged::new(key, tag));
    }

    /// Moves the local entries into `batch`, which is empty: a turn's start swaps the two buffers
    /// instead of copying the entries.
    ///
    /// The buffer the last turn emptied becomes the local queue. If a burst (a million spawns at
    /// once) left it far larger than this turn's batch, its memory goes back: 8 bytes per task of
    /// the burst, held for nothing for the rest of the run otherwise. The next burst grows it again.
    #[inline]
    pub(crate) fn take_local(&self, batch: &mut Vec<Tagged>) {
        let mut local = self.local.borrow_mut();
        std::mem::swap(batch, &mut *local);
        // Speed: the usual buffer, no larger than what is kept anyway, answers at the first test
        // (ping_pong 478 -> 474 instructions per hit, timers_virtual 3,187 -> 3,175).
        if local.capacity() > 4 * KEPT_CAPACITY && local.capacity() > 4 * batch.len() {
            local.shrink_to(batch.len().max(KEPT_CAPACITY));
        }
    }

    /// The messages other threads sent since the last call, oldest first, once a sender raised the
    /// flag.
    pub(crate) fn received(&self) -> Vec<Message> {
        self.inbox.shared.sent.swap(false, Ordering::Acquire);
        self.receiver.borrow().iter().flat_map(Receiver::try_iter).collect()
    }

    /// Whether nothing at all was sent: the turn's cheap check before it asks for messages.
    #[inline]
    pub(crate) fn nothing_sent(&self) -> bool {
        !self.inbox.shared.sent.load(Ordering::Relaxed)
    }

    /// The local entries, in the order the next turn takes them: for snapshots.
    pub(crate) fn local(&self) -> std::cell::Ref<'_, Vec<Tagged>> {
        self.local.borrow()
    }

    /// Empties the local queue, closes the channel and returns the messages still in it, for the
    /// executor's teardown: later sends fail, so their senders learn that nothing will run what they
    /// send. (Local entries are plain keys: what they name is dropped with the tables.)
    pub(crate) fn close(&self) -> Vec<Message> {
        self.local.borrow_mut().clear();
        self.receiver.take().iter().flat_map(Receiver::try_iter).collect()
    }

    /// Whether `close` has run: the executor is gone, and nothing will run what is queued here.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.receiver.borrow().is_none()
    }

    /// Parks the thread until something is sent through the channel or `deadline` passes (forever
    /// without one). May return early (a spurious unpark): the caller simply looks again. Called only
    /// when nothing local is ready: nothing on this thread can add to the local queue while it sleeps.
    /// And only by the executor that runs, never once it is dropped (`close`).
    ///
    /// `std::thread::park` is used rather than the channel's own blocking receive, which spins and
    /// yields the thread for a while before it sleeps: cheap for a busy channel, but a waste of CPU
    /// for an executor that sleeps between timers several hundred times a second.
    pub(crate) fn wait(&self, deadline: Option<Instant>) {
        // A sender raises the flag after its send and then unparks: either the flag is seen here,
        // or the unpark arrives after this check and `park` returns at once. So a message in the
        // channel needs no look of its own.
        if self.inbox.shared.sent.load(Ordering::Acquire) {
            return;
        }
        let Some(deadline) = deadline else { return std::thread::park() };
        // A deadline already past parks for no time: the call returns at once.
        std::thread::park_timeout(deadline.saturating_duration_since(Instant::now()));
    }
}
