//! The one place where awaiting a handle differs from asyncio (NOTES.md, "Where asyncio and tokio
//! differ"): a done-callback gets `&Result`, `.await` moves the result out, so the awaiter of a task
//! that has ended waits until the callbacks queued at its end have run.

use std::cell::RefCell;
use std::rc::Rc;

use minimalist_async::{Executor, spawn};

type Log = Rc<RefCell<Vec<&'static str>>>;

/// Both tasks end in one turn; `cb1` runs, main takes `t1`'s result, then awaits `t2`, whose `cb2` is
/// still queued. CPython 3.11 gives `['cb1', 'main got t1', 'main got t2', 'cb2']`:
///
/// ```python
/// async def work(n): return n
/// async def main():
///     t1 = asyncio.create_task(work(1)); t2 = asyncio.create_task(work(2))
///     t1.add_done_callback(lambda f: log.append("cb1"))
///     t2.add_done_callback(lambda f: log.append("cb2"))
///     await t1; log.append("main got t1")
///     await t2; log.append("main got t2")
/// ```
///
/// Here main waits for `cb2`, which holds the result, and resumes the turn after it.
#[test]
fn awaiting_an_ended_task_waits_for_its_queued_callbacks() {
    let log: Log = Rc::default();
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let t1 = spawn(async { 1 });
            let t2 = spawn(async { 2 });
            let l = log.clone();
            t1.add_done_callback(move |_| l.borrow_mut().push("cb1"));
            let l = log.clone();
            t2.add_done_callback(move |_| l.borrow_mut().push("cb2"));
            t1.await.unwrap();
            log.borrow_mut().push("main got t1");
            t2.await.unwrap();
            log.borrow_mut().push("main got t2");
        }
    });
    assert_eq!(*log.borrow(), ["cb1", "main got t1", "cb2", "main got t2"]);
}
