//! `join_all` returns the first failure it sees; of failures it sees at one poll, the lowest
//! index's, as its docs say (asyncio's `gather` raises the one that failed first).

use minimalist_async::{Executor, join_all, spawn, yield_now};

/// `b` fails on its first poll; `a` yields once and fails one turn later, before `join_all` runs
/// again: both failures are there at its next poll, and the lowest index's, `a`'s, is returned.
/// asyncio (3.11) raises `b`'s here:
///
/// ```python
/// async def a(): await asyncio.sleep(0); raise RuntimeError("a")
/// async def b(): raise RuntimeError("b")
/// await asyncio.gather(create_task(a()), create_task(b()))  # raises "b"
/// ```
#[test]
fn join_all_returns_the_lowest_index_of_the_failures_seen_at_one_poll() {
    let mut executor = Executor::with_virtual_time();
    let error = executor.block_on(async {
        let a = spawn(async {
            yield_now().await;
            panic!("a")
        });
        let b = spawn(async { panic!("b") });
        join_all([a, b]).await.map(|_: Vec<()>| ()).unwrap_err()
    });
    assert_eq!(error.panic_message(), Some("a"), "{error:?}");
}

/// A failure seen alone is returned at once, whatever its index.
#[test]
fn join_all_returns_a_failure_seen_alone_whatever_its_index() {
    let mut executor = Executor::with_virtual_time();
    let error = executor.block_on(async {
        let a = spawn(async {
            for _ in 0..3 {
                yield_now().await;
            }
            panic!("a")
        });
        let b = spawn(async { panic!("b") });
        join_all([a, b]).await.map(|_: Vec<()>| ()).unwrap_err()
    });
    assert_eq!(error.panic_message(), Some("b"), "{error:?}");
}
