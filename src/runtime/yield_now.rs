//! `yield_now`: give the other ready tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::runtime::handle::with_current;

/// Lets every task that is already ready run before this one continues: asyncio's `await asyncio.sleep(0)`.
///
/// The first poll wakes its own task and returns `Pending`. The wake puts the task at the back of the
/// ready queue, so it runs again on the next turn, after everything queued before it.
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

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.yielded, true) {
            return Poll::Ready(());
        }
        // Speed: polled by its executor with the waker it lent, the task is queued by key, without
        // the waker's two thread-local looks (yield_many: 393 → 369 instructions per yield).
        let own =
            with_current(|handle| handle.own_task(cx.waker()).map(|key| handle.wake(key, false)));
        if own.flatten().is_none() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}
