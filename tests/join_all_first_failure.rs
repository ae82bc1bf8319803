//! `join_all` as asyncio's `gather`: the failure returned is the one that happened first, and the
//! awaiting task resumes in the turn asyncio's would.

use std::cell::RefCell;
use std::rc::Rc;

use minimalist_async::{Executor, join_all, spawn, yield_now};

/// `b` fails on its first poll; `a` yields once and fails one turn later, before the awaiting task
/// runs again. asyncio (3.11) raises `b`'s:
///
/// ```python
/// async def a(): await asyncio.sleep(0); raise RuntimeError("a")
/// async def b(): raise RuntimeError("b")
/// await asyncio.gather(create_task(a()), create_task(b()))  # raises "b"
/// ```
#[test]
fn join_all_returns_the_failure_that_happened_first() {
    let mut executor = Executor::with_virtual_time();
    let error = executor.block_on(async {
        let a = spawn(async {
            yield_now().await;
            panic!("a")
        });
        let b = spawn(async { panic!("b") });
        join_all([a, b]).await.map(|_: Vec<()>| ()).unwrap_err()
    });
    assert_eq!(error.panic_message(), Some("b"), "{error:?}");
}

/// A child that ends in turn k: asyncio's `gather` runs its done-callback in turn k + 1, and the
/// awaiting task in turn k + 2. The same program in asyncio prints
/// `['tick0', 'child ends', 'tick1', 'tick2', 'gathered', 'tick3']`.
#[test]
fn the_awaiting_task_resumes_when_asyncio_s_would() {
    let log = Rc::new(RefCell::new(Vec::<&str>::new()));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let ticks = log.clone();
            let ticker = spawn(async move {
                for tick in ["tick0", "tick1", "tick2", "tick3"] {
                    ticks.borrow_mut().push(tick);
                    yield_now().await;
                }
            });
            let child_log = log.clone();
            let child = spawn(async move { child_log.borrow_mut().push("child ends") });
            join_all([child]).await.unwrap();
            log.borrow_mut().push("gathered");
            ticker.await.unwrap();
        }
    });
    assert_eq!(*log.borrow(), ["tick0", "child ends", "tick1", "tick2", "gathered", "tick3"]);
}
