//! The tutorial's second demo, `async_callback_example.py`: each result is handled by a done-callback
//! as soon as its task ends.
//!
//! ```text
//! cargo run --example async_callback_example -- --seed 3
//! python3 ../shared/reference/tutorial_demos.py callback --seed 3     # the same lines
//! ```

mod common;

use minimalist_async::demo::{Likelihood, PyFloat, Tutorial};
use minimalist_async::{JoinError, JoinHandle, spawn_named};

/// The tutorial's `handle_return_callback(tag, future)`. The closure that calls it captures the tag,
/// which is what `functools.partial(handle_return_callback, tag)` does in Python.
fn handle_return_callback(tutorial: &Tutorial, tag: &str, result: &Result<f64, JoinError>) {
    match result {
        Ok(value) => tutorial.print(&format!(
            "The result of task={tag} was {}.",
            PyFloat(*value)
        )),
        Err(_) => tutorial.print(&format!("Problem with task={tag}.")),
    }
}

async fn async_main(tutorial: Tutorial, tags: Vec<String>, likelihood: Likelihood) {
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

fn main() {
    common::run("async_callback_example", async_main);
}
