//! A `cancel` from the destructor of a task's own future, which runs after the future returned.
//!
//! In asyncio no user code runs between a coroutine's return and `set_result`, so a `cancel()` after
//! the return answers `False` and the task keeps its value. Here the future is dropped once the task
//! has ended (its result stored), and a `cancel` made by that drop says `false` too.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use minimalist_async::{Executor, JoinHandle};

/// Returns at once; when dropped, cancels the task it runs in (a guard holding its own task's handle).
struct CancelsItselfOnDrop {
    me: Rc<RefCell<Option<JoinHandle<i32>>>>,
    answered: Rc<Cell<Option<bool>>>,
}

impl Future for CancelsItselfOnDrop {
    type Output = i32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<i32> {
        Poll::Ready(7)
    }
}

impl Drop for CancelsItselfOnDrop {
    fn drop(&mut self) {
        let answered = self.me.borrow().as_ref().map(JoinHandle::cancel);
        self.answered.set(answered);
    }
}

/// `cancel` "returns whether the task was still running", and a cancel that says so wins. From the
/// future's destructor, after the return, the task is not running any more: `cancel` says `false`,
/// and the task keeps its value.
#[test]
fn a_cancel_that_answers_true_is_never_followed_by_an_ok_result() {
    let me: Rc<RefCell<Option<JoinHandle<i32>>>> = Rc::default();
    let answered = Rc::new(Cell::new(None));
    let mut executor = Executor::with_virtual_time();
    let handle = executor.spawn(CancelsItselfOnDrop { me: me.clone(), answered: answered.clone() });
    *me.borrow_mut() = Some(handle);
    executor.run_until_stalled();
    let handle = me.borrow_mut().take().expect("the handle");
    let result =
        handle.with_result(|result| result.as_ref().map(|v| *v).map_err(|e| e.is_cancelled()));
    let answered = answered.get();
    assert_eq!(answered, Some(false), "cancel() from the future's drop");
    assert_eq!(result, Some(Ok(7)), "the task keeps its value");
}
