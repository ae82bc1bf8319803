//! `yield_now`: give the other ready tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::runtime::handle::with_current;

/// Lets every task that is already ready run before this one continues: asyncio's `await asyncio.sleep(0)`.
///
/// The first poll returns `Pending`, and the task goes to the back of the ready queue when that poll
/// ends, as asyncio queues a task's next step when the step ends: it runs again on the next turn,
/// after everything queued before it. Polled with some other waker (a combinator's own), it wakes
/// that waker at once.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use minimalist_async::{Executor, spawn, yield_now};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut executor = Executor::with_virtual_time();
/// executor.block_on({
///     let log = log.clone();
///     async move {
///         let other = spawn({
///             let log = log.clone();
///             async move { log.borrow_mut().push("other task") }
///         });
///         log.borrow_mut().push("main, before yield");
///         yield_now().await;
///         log.borrow_mut().push("main, after yield");
///         other.await.unwrap();
///     }
/// });
/// assert_eq!(*log.borrow(), ["main, before yield", "other task", "main, after yield"]);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    /// Speed: `inline`, so that the task's own future takes it in, as a call of its own it cost twice
    /// a frame per yield (yield_many 307 -> 272 instructions per yield).
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.yielded, true) {
            return Poll::Ready(());
        }
        // Polled with the waker its executor lent, the task is queued when this poll ends (the poll's
        // end looks at the entry anyway, `settle_pending`). Speed: no wake through the waker's two
        // thread-local looks, nor a look at the entry of its own (yield_many: 359 → 325
        // instructions per yield).
        let own =
            with_current(|handle| handle.own_task(cx.waker()).map(|_| handle.yielded.set(true)));
        if own.flatten().is_none() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}
