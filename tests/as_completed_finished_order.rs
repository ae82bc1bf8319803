//! `as_completed` hands out results in the order the tasks finish after the call; those that had
//! ended before it come first, in the order of `handles`, as its docs say.

use minimalist_async::{Executor, as_completed, spawn, yield_now};

/// `b` ends on its first poll, `a` two turns later; both have ended before `as_completed` is called,
/// so they come in the order of `handles`, `a` (1) then `b` (2): the task table keeps no order of
/// completion (asyncio's `as_completed` takes a set and has no order here at all). `c`, which ends
/// after the call, comes after them.
#[test]
fn tasks_finished_before_the_call_come_first_in_the_order_given() {
    let mut executor = Executor::with_virtual_time();
    let order = executor.block_on(async {
        let a = spawn(async {
            yield_now().await;
            yield_now().await;
            1
        });
        let b = spawn(async { 2 });
        for _ in 0..4 {
            yield_now().await;
        }
        assert!(a.is_finished() && b.is_finished());
        let c = spawn(async { 3 });
        let mut done = as_completed([c, a, b]);
        let mut order = Vec::new();
        while let Some(result) = done.next().await {
            order.push(result.unwrap());
        }
        order
    });
    assert_eq!(order, [1, 2, 3]);
}
