//! The tutorial's first demo, `async_await_example.py`: start every task, then await them in order.
//!
//! Results print in the order of the awaits, even when a later task finished first.
//!
//! ```text
//! cargo run --example async_await_example -- --seed 7
//! python3 ../shared/reference/tutorial_demos.py await --seed 7     # the same lines
//! ```

mod common;

use minimalist_async::demo::{Likelihood, PyFloat, Tutorial};
use minimalist_async::{JoinHandle, spawn_named};

async fn async_main(tutorial: Tutorial, tags: Vec<String>, likelihood: Likelihood) {
    let mut tasks: Vec<JoinHandle<f64>> = Vec::new();

    // Start all tasks before awaiting them, otherwise the code will not be concurrent. `spawn` only
    // queues each task: they first run when this function reaches its first `.await`.
    for tag in &tags {
        tasks.push(spawn_named(
            tag,
            tutorial.unlikely_to_return(tag, likelihood),
        ));
    }

    // The results come IN THE ORDER OF THE AWAIT, even if the other task ends first.
    tutorial.print("Awaiting results...");
    for (tag, task) in tags.iter().zip(tasks) {
        match task.await {
            Ok(result) => tutorial.print(&format!(
                "The result of task={tag} was {}.",
                PyFloat(result)
            )),
            // The tutorial's main() prints the exception that escapes asyncio.run and stops.
            Err(error) => {
                tutorial.print(&error.to_string());
                return;
            }
        }
    }
}

fn main() {
    common::run("async_await_example", async_main);
}
