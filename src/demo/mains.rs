//! The tutorial's two programs: their `async_main`s, line for line.
//!
//! `examples/async_await_example.rs` and `examples/async_callback_example.rs` run them with the flags
//! of the tutorial's Python programs; the stepper (`examples/step_through.rs`) runs either one step by
//! step. Here is the Python they port, from the tutorial's package in `python/minimalist_package`
//! (`minimalist_package/minimalist_async/async_await_example.py`, comments left out):
//!
//! ```python
//! async def async_main(tags: List[str], likelihood: float = 0.1, blocking: bool = False) -> None:
//!     tasks: List[asyncio.Task] = []
//!     for task_tag in tags:
//!         task = asyncio.create_task(
//!             unlikely_to_return(tag=task_tag, likelihood=likelihood, blocking=blocking)
//!         )
//!         tasks.append(task)
//!     print("Awaiting results...")
//!     for (tag, task) in zip(tags, tasks):
//!         result = await task
//!         print(f"The result of task={tag} was {result}.")
//! ```

use super::{Likelihood, PyFloat, Tutorial};
use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::spawn::spawn_named;

/// The first demo: start every task, then await them in order. Results print in the order of the
/// awaits, even when a later task finished first.
///
/// ```
/// use minimalist_async::Executor;
/// use minimalist_async::demo::{Capture, Likelihood, RngKind, Seed, Tutorial, TutorialRng, await_main};
///
/// let capture = Capture::default();
/// let rng = TutorialRng::new(RngKind::Python, &Seed::from_u64(7)).unwrap();
/// let tutorial = Tutorial::new(rng, capture.clone());
/// let tags = vec!["task1".to_owned(), "task2".to_owned()];
/// Executor::with_virtual_time().block_on(await_main(tutorial, tags, Likelihood::new(0.1).unwrap()));
/// let lines = capture.lines();
/// assert_eq!(lines[0], "Awaiting results...");
/// assert_eq!(lines[4], "task2 Done.", "task2 finished first...");
/// assert!(lines[8].starts_with("The result of task=task1"), "...but task1's result prints first");
/// ```
pub async fn await_main(tutorial: Tutorial, tags: Vec<String>, likelihood: Likelihood) {
    let mut tasks: Vec<JoinHandle<f64>> = Vec::new();

    // Start all tasks before awaiting them, otherwise the code will not be concurrent. `spawn` only
    // queues each task: they first run when this function reaches its first `.await`.
    for tag in &tags {
        tasks.push(spawn_named(tag, tutorial.unlikely_to_return(tag, likelihood)));
    }

    // The results come IN THE ORDER OF THE AWAIT, even if the other task ends first.
    tutorial.print("Awaiting results...");
    for (tag, task) in tags.iter().zip(tasks) {
        match task.await {
            Ok(result) => {
                tutorial.print(&format!("The result of task={tag} was {}.", PyFloat(result)))
            }
            // The tutorial's main() prints the exception that escapes asyncio.run, and stops.
            Err(error) => {
                tutorial.print(&error.to_string());
                return;
            }
        }
    }
}

/// The tutorial's `handle_return_callback(tag, future)`. The closure that calls it captures the tag,
/// which is what `functools.partial(handle_return_callback, tag)` does in Python.
fn handle_return_callback(tutorial: &Tutorial, tag: &str, result: &Result<f64, JoinError>) {
    match result {
        Ok(value) => tutorial.print(&format!("The result of task={tag} was {}.", PyFloat(*value))),
        Err(_) => tutorial.print(&format!("Problem with task={tag}.")),
    }
}

/// The second demo: each task gets a done-callback that prints its result as soon as the task ends.
pub async fn callback_main(tutorial: Tutorial, tags: Vec<String>, likelihood: Likelihood) {
    let mut tasks: Vec<JoinHandle<f64>> = Vec::new();

    // Start all tasks before adding the callback.
    for tag in &tags {
        let task = spawn_named(tag, tutorial.unlikely_to_return(tag, likelihood));
        let (tutorial, tag) = (tutorial.clone(), tag.clone());
        task.add_done_callback(move |result| handle_return_callback(&tutorial, &tag, result));
        tasks.push(task);
    }

    // The results are handled by the callbacks AS "SOON" AS THEY ARE AVAILABLE. We still await every
    // task, only so that main does not return (and end the run) before they are done.
    tutorial.print("Awaiting results...");
    for task in tasks {
        if let Err(error) = task.await {
            tutorial.print(&error.to_string());
            return;
        }
    }
}
