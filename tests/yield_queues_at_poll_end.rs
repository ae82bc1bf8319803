//! `yield_now` puts its task at the back of the ready queue when the poll it was polled in ends, not
//! at the moment it returned `Pending`: what asyncio does, whose task queues its next step when the
//! step ends (`Task.__step` calls `call_soon` after the coroutine yielded). The difference shows
//! only when the same poll goes on after the yield, here a hand-made combinator that polls a
//! `yield_now` and then spawns a task: the spawned task is queued first, so it runs first.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use minimalist_async::{Executor, YieldNow, spawn, yield_now};

/// Polls `first`, then (on the first poll only) runs `then`, in the same poll.
struct ThenInSamePoll<F> {
    first: YieldNow,
    then: Option<F>,
}

impl<F: FnOnce() + Unpin> Future for ThenInSamePoll<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let polled = Pin::new(&mut self.first).poll(cx);
        if let Some(then) = self.then.take() {
            then();
        }
        polled
    }
}

#[test]
fn a_task_spawned_after_a_yield_in_the_same_poll_runs_first() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut executor = Executor::with_virtual_time();
    let in_main = Rc::clone(&log);
    executor.block_on(async move {
        let in_spawned = Rc::clone(&in_main);
        let spawn_other = move || {
            drop(spawn(async move { in_spawned.borrow_mut().push("spawned task") }));
        };
        ThenInSamePoll { first: yield_now(), then: Some(spawn_other) }.await;
        in_main.borrow_mut().push("main, after its yield");
        yield_now().await;
    });
    assert_eq!(*log.borrow(), ["spawned task", "main, after its yield"]);
}
