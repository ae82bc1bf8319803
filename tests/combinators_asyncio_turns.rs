//! The combinators above the core (`as_completed`, `wait_first`, `timeout`) against CPython 3.11's
//! asyncio: what they return, and on which turn the awaiting task resumes, each pinned by the asyncio
//! program that shows it and that program's output.

use minimalist_async::{Executor, as_completed};

/// A handle whose executor was dropped counts as finished, cancelled (`JoinHandle::is_finished`), and
/// `as_completed` hands it out at once, as `join_all` and `wait_first` do: it gets no done-callback,
/// which the dropped executor would refuse ("it will never run"). asyncio has no counterpart to
/// follow: its `as_completed` refuses a task of another loop, closed or not.
///
/// ```python
/// gone = asyncio.new_event_loop(); orphan = gone.create_task(one()); gone.close()
/// async def main():
///     for f in asyncio.as_completed([orphan]): await f
/// asyncio.run(main())
/// # CPython 3.11: ValueError: The future belongs to a different loop than the one specified as the loop argument
/// ```
#[test]
fn as_completed_hands_out_a_handle_whose_executor_is_gone() {
    let orphan = {
        let gone = Executor::with_virtual_time();
        gone.spawn(async { 1 })
    };
    assert!(orphan.is_finished());
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async move {
        let mut completed = as_completed([orphan]);
        completed.next().await.map(|result| result.unwrap_err().is_cancelled())
    });
    executor.run_until_stalled();
    assert!(
        task.is_finished(),
        "as_completed(...).next() never returned for a handle of a dropped executor"
    );
    assert_eq!(executor.block_on(task).unwrap(), Some(true));
}
