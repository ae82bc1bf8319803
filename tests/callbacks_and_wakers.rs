//! A task's handle reached from inside the task's own done-callback, `wait_first`'s tie rule (the
//! first callback's task wins), and a panicking waker.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use minimalist_async::{Executor, JoinHandle, sleep, spawn, wait_first};

/// A task whose handle its own done-callback can reach (a handle kept in shared state, as a callback
/// that wants the owned result, or that asks `with_result`, would hold it).
type Shared = Rc<RefCell<Option<JoinHandle<String>>>>;

fn task_reachable_from_its_callback(executor: &Executor) -> (JoinHandle<String>, Shared) {
    let handle = executor.spawn(async { "seven".to_owned() });
    (handle, Rc::new(RefCell::new(None)))
}

/// Inside the task's own done-callback, the callback holds the result (it is lent to it, out of its
/// slot), so `with_result` on the task's handle says `None`, as its docs say; the callback's own
/// argument is the result. Nothing is lost: the handle still yields it afterwards.
#[test]
fn with_result_inside_the_tasks_own_done_callback_is_none_the_callback_holds_the_result() {
    let mut executor = Executor::with_virtual_time();
    let (handle, shared) = task_reachable_from_its_callback(&executor);
    let seen = Rc::new(RefCell::new(None));
    handle.add_done_callback({
        let (shared, seen) = (shared.clone(), seen.clone());
        move |result| {
            let shared = shared.borrow();
            let looked = shared.as_ref().unwrap().with_result(|r| r.as_ref().unwrap().clone());
            *seen.borrow_mut() = Some((result.as_ref().unwrap().clone(), looked));
        }
    });
    *shared.borrow_mut() = Some(handle);
    executor.run_until_stalled();
    assert_eq!(*seen.borrow(), Some(("seven".to_owned(), None)));
    let handle = shared.borrow_mut().take().unwrap();
    assert_eq!(handle.with_result(|r| r.as_ref().unwrap().clone()).as_deref(), Some("seven"));
    assert_eq!(executor.block_on(handle).unwrap(), "seven");
}

/// Polling the handle from inside the task's last done-callback (`now_or_never`-style, to take the
/// result by value): the handle hands its result over once every callback has run, and this one is
/// still running (it holds the result), so the poll is `Pending`; the value is still there for the
/// handle afterwards. (Before, the callback was counted out before it ran: the poll took the result
/// from the slot the callback had emptied, panicked inside the executor, and the value was lost.)
#[test]
fn polling_the_handle_inside_its_last_done_callback_waits_for_the_callback() {
    let mut executor = Executor::with_virtual_time();
    let (handle, shared) = task_reachable_from_its_callback(&executor);
    let seen = Rc::new(RefCell::new(None));
    handle.add_done_callback({
        let (shared, seen) = (shared.clone(), seen.clone());
        move |_| {
            let mut kept = shared.borrow_mut();
            let handle = kept.as_mut().unwrap();
            let polled = Pin::new(handle).poll(&mut Context::from_waker(Waker::noop()));
            *seen.borrow_mut() = Some(polled.map(|r| r.unwrap()));
        }
    });
    *shared.borrow_mut() = Some(handle);
    executor.run_until_stalled();
    assert_eq!(*seen.borrow(), Some(Poll::Pending));
    let handle = shared.borrow_mut().take().unwrap();
    assert_eq!(executor.block_on(handle).unwrap(), "seven");
}

/// `wait_first`'s tie rule: the task whose done-callback ran first wins. Two tasks end in one turn,
/// index 1 first; index 0 also has a user's callback, registered before `wait_first`'s. Each task's
/// callbacks are queued as it ends, so index 1's runs first, and it wins, though index 0 is the
/// lower. asyncio's `wait` returns both in `done`; its callbacks run in the same order (CPython 3.11):
///
/// ```python
/// import asyncio
/// async def main():
///     loop = asyncio.get_running_loop(); log = []
///     async def end(tag): log.append(f"{tag} ends")
///     second = asyncio.create_task(end("second")); first = asyncio.create_task(end("first"))
///     first.add_done_callback(lambda f: None)
///     name = {first: "first", second: "second"}
///     soon = loop.call_soon
///     def call_soon(cb, *args, context=None):
///         if getattr(cb, "__name__", "") == "_on_completion": log.append(f"wait's callback on {name[args[0]]}")
///         return soon(cb, *args, context=context)
///     loop.call_soon = call_soon
///     done, pending = await asyncio.wait([first, second], return_when=asyncio.FIRST_COMPLETED)
///     print(log, len(done), len(pending))
/// asyncio.run(main())
/// # ['second ends', "wait's callback on second", 'first ends', "wait's callback on first"] 2 0
/// ```
#[test]
fn wait_first_the_task_whose_callback_ran_first_wins_a_tie() {
    let mut executor = Executor::with_virtual_time();
    let (winner, turns, rest_finished) = executor.block_on(async {
        let second = spawn(async { minimalist_async::inspect::turn() });
        let first = spawn(async { minimalist_async::inspect::turn() });
        first.add_done_callback(|_| {});
        let (index, result, rest) = wait_first([first, second]).await;
        let rest_finished = rest[0].is_finished();
        let other = rest.into_iter().next().unwrap().await;
        (index, (result.unwrap(), other.unwrap()), rest_finished)
    });
    assert_eq!(turns.0, turns.1, "both tasks ended in one turn");
    assert_eq!(winner, 1, "the task that ended first should win");
    assert!(rest_finished, "the other one comes back in `rest`, finished");
}

/// Wakes the task it wraps, then panics (a user's waker with a bug in it).
struct PanickingWaker(Waker);

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.0.wake_by_ref();
        panic!("a waker panicked");
    }
}

/// Polls its future with a waker of its own that wraps the task's, as a hand-written combinator does.
struct WithWaker<F>(Pin<Box<F>>);

impl<F: Future> Future for WithWaker<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let waker = Waker::from(Arc::new(PanickingWaker(cx.waker().clone())));
        self.0.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

/// A task's sleep polled with a user's waker that panics when woken: the timer's firing
/// (`Turn::fire_due_timers` → `Handle::fire` → `waker.wake()`) runs it outside any `catch_unwind`,
/// so the panic unwinds out of `block_on` and takes the (innocent) main future with it. Callbacks,
/// futures and destructors are all contained; a waker is the one piece of user code that is not.
#[test]
fn a_panicking_waker_does_not_unwind_out_of_block_on() {
    let mut executor = Executor::with_virtual_time();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        executor.block_on(async {
            drop(spawn(WithWaker(Box::pin(sleep(Duration::from_millis(10))))));
            sleep(Duration::from_millis(20)).await;
            "main finished"
        })
    }));
    assert_eq!(ran.map_err(|_| "block_on unwound"), Ok("main finished"));
}
