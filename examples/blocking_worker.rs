//! Blocking work done right: a worker thread computes while the retry tasks keep rolling.
//!
//! `spawn_blocking` runs a blocking closure on a thread of its own and hands its result back to the
//! task that awaits it. The retry tasks keep printing their lines every 100 ms in the meantime; the
//! worker's line lands between them when it is done (after about 250 ms on the real clock).
//!
//! ```text
//! cargo run --example blocking_worker -- --seed 7
//! ```
//!
//! Compare with `std::thread::sleep` inside a task, which would stop every task until it returns.

mod common;

use std::time::Duration;

use minimalist_async::demo::{Likelihood, PyFloat, Tutorial};
use minimalist_async::{JoinHandle, spawn_blocking, spawn_named};

async fn async_main(tutorial: Tutorial, tags: Vec<String>, likelihood: Likelihood) {
    let tasks: Vec<JoinHandle<f64>> = tags
        .iter()
        .map(|tag| spawn_named(tag, tutorial.unlikely_to_return(tag, likelihood)))
        .collect();

    // The blocking part goes to a worker thread: this task waits without blocking the executor.
    let worker = spawn_blocking(|| {
        std::thread::sleep(Duration::from_millis(250));
        (1..=1_000_000u64).sum::<u64>()
    });

    tutorial.print("Awaiting results...");
    match worker.await {
        Ok(sum) => tutorial.print(&format!("worker thread: 1 + 2 + ... + 1000000 = {sum}")),
        Err(error) => tutorial.print(&format!("worker thread failed: {error}")),
    }
    for (tag, task) in tags.iter().zip(tasks) {
        match task.await {
            Ok(result) => tutorial.print(&format!(
                "The result of task={tag} was {}.",
                PyFloat(result)
            )),
            Err(error) => tutorial.print(&error.to_string()),
        }
    }
}

fn main() {
    common::run("blocking_worker", async_main);
}
