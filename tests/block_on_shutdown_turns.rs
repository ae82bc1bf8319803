//! What `block_on` runs after its future returns, against CPython 3.11's `asyncio.run`.
//!
//! `asyncio.run` (3.11, `Runner.close`): after the stop turn it runs `_cancel_all_tasks` (only if a
//! task is pending: cancel, then `run_until_complete(gather(...))`), then
//! `run_until_complete(loop.shutdown_asyncgens())` and
//! `run_until_complete(loop.shutdown_default_executor())`. Each `run_until_complete` of a coroutine
//! runs two turns (the task's step, then the stop). Each test's Python program, run with CPython
//! 3.11, gave the log its doc quotes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use minimalist_async::{Executor, call_soon, sleep, spawn, yield_now};

fn tick(count: Rc<Cell<u32>>) {
    count.set(count.get() + 1);
    call_soon(move || tick(count));
}

/// `asyncio.run` after main returns: the stop turn, then (if tasks are pending) the cancel-and-gather
/// turns, then `run_until_complete(shutdown_asyncgens())` and
/// `run_until_complete(shutdown_default_executor())`, two turns each. A `call_soon` chain shows how
/// many turns ran:
///
/// ```python
/// def tick(n): log.append(n); asyncio.get_running_loop().call_soon(tick, n + 1)
/// async def main(): asyncio.get_running_loop().call_soon(tick, 0)
/// asyncio.run(main())   # CPython 3.11: log == [0, 1, 2, 3, 4]
/// ```
#[test]
fn block_on_runs_as_many_turns_after_main_as_asyncio_run_with_no_pending_task() {
    let count = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let count = count.clone();
        async move {
            call_soon(move || tick(count));
        }
    });
    assert_eq!(count.get(), 5, "call_soon chain runs after main returned");
}

/// The same with one task still sleeping when main returns:
///
/// ```python
/// async def sleeper(): await asyncio.sleep(10)
/// async def main2():
///     asyncio.create_task(sleeper()); asyncio.get_running_loop().call_soon(tick, 0)
/// asyncio.run(main2())   # CPython 3.11: log == [0, 1, 2, 3, 4, 5, 6, 7]
/// ```
#[test]
fn block_on_runs_as_many_turns_after_main_as_asyncio_run_with_a_pending_task() {
    let count = Rc::new(Cell::new(0));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let count = count.clone();
        async move {
            let _sleeper = spawn(sleep(Duration::from_secs(10)));
            call_soon(move || tick(count));
        }
    });
    assert_eq!(count.get(), 8, "call_soon chain runs after main returned");
}

/// A task spawned by a cancelled task's done-callback at shutdown. CPython 3.11 runs it to its end
/// in the shutdown turns that follow (`shutdown_asyncgens`, `shutdown_default_executor`):
///
/// ```python
/// async def cleanup():
///     log.append("cleanup step 1"); await asyncio.sleep(0)
///     log.append("cleanup step 2"); await asyncio.sleep(0)
///     log.append("cleanup step 3"); await asyncio.sleep(0)
///     log.append("cleanup step 4"); await asyncio.sleep(0)
///     log.append("cleanup step 5")
/// async def main():
///     t = asyncio.create_task(asyncio.sleep(10))
///     t.add_done_callback(lambda f: (log.append("callback"),
///                                    asyncio.get_running_loop().create_task(cleanup())))
/// asyncio.run(main())
/// # ['callback', 'cleanup step 1', 'cleanup step 2', 'cleanup step 3', 'cleanup step 4', 'cleanup step 5']
/// ```
#[test]
fn a_task_spawned_by_a_shutdown_callback_gets_asyncio_s_turns() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut executor = Executor::with_virtual_time();
    executor.block_on({
        let log = log.clone();
        async move {
            let t = spawn(async { sleep(Duration::from_secs(10)).await });
            t.add_done_callback(move |_| {
                log.borrow_mut().push("callback".into());
                let log = log.clone();
                let _cleanup = spawn(async move {
                    for step in 1..=5 {
                        if step > 1 {
                            yield_now().await;
                        }
                        log.borrow_mut().push(format!("cleanup step {step}"));
                    }
                });
            });
        }
    });
    assert_eq!(
        *log.borrow(),
        [
            "callback",
            "cleanup step 1",
            "cleanup step 2",
            "cleanup step 3",
            "cleanup step 4",
            "cleanup step 5"
        ]
    );
}
