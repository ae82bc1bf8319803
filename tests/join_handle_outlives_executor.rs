//! A `JoinHandle` kept after its executor was dropped: it still names its task, says it is finished,
//! and awaiting it gives that task's cancelled error. The handle holds no copy of the id (it is 16
//! bytes: a key and the executor), so these read the note the executor's teardown keeps.

use std::time::Duration;

use minimalist_async::{Executor, sleep};

#[test]
fn a_handle_names_its_task_after_the_executor_is_gone() {
    let executor = Executor::with_virtual_time();
    let pending = executor.spawn(async { sleep(Duration::from_secs(1)).await });
    let named = executor.spawn_named("worker", async { 7 });
    let (pending_id, named_id) = (pending.id(), named.id());
    assert_eq!((pending_id.to_string(), named_id.to_string()), ("Task-1".into(), "Task-2".into()));
    drop(executor);

    assert_eq!(pending.id(), pending_id);
    assert_eq!(named.id(), named_id);
    assert!(pending.is_finished() && named.is_finished());
    let mut other = Executor::with_virtual_time();
    let errors = other.block_on(async { (pending.await.unwrap_err(), named.await.unwrap_err()) });
    assert!(errors.0.is_cancelled() && errors.1.is_cancelled());
    assert_eq!(errors.0.to_string(), "Task-1 was cancelled");
    assert_eq!(errors.1.task_id(), named_id);
}

#[test]
fn a_handle_dropped_after_its_executor_leaves_nothing_behind() {
    let executor = Executor::with_virtual_time();
    let handles: Vec<_> = (0..3).map(|i| executor.spawn(async move { i })).collect();
    drop(executor);
    // Dropped in an order unlike their spawn order, each takes its own note with it.
    let mut handles = handles.into_iter();
    let first = handles.next().unwrap();
    let rest: Vec<_> = handles.collect();
    drop(rest);
    assert_eq!(first.id().to_string(), "Task-1");
}
