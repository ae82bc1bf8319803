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
//!
//! With `--virtual-time` the worker's line comes earlier: the virtual clock does not jump while a
//! worker thread runs (see [`spawn_blocking`]), so the tasks' next round waits for the worker.

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
    // spawn_blocking's task, which waits for the thread, has no name of its own: give its lane one.
    common::record::name_task(worker.id(), "worker");

    tutorial.print("Awaiting results...");
    match worker.await {
        Ok(sum) => tutorial.print(&format!("worker thread: 1 + 2 + ... + 1000000 = {sum}")),
        Err(error) => tutorial.print(&format!("worker thread failed: {error}")),
    }
    for (tag, task) in tags.iter().zip(tasks) {
        match task.await {
            Ok(result) => {
                tutorial.print(&format!("The result of task={tag} was {}.", PyFloat(result)))
            }
            Err(error) => tutorial.print(&error.to_string()),
        }
    }
}

const HELP: common::Help = common::Help {
    about: "Blocking work done right: spawn_blocking runs it on a worker thread while the tutorial's \
            retry tasks keep rolling.",
    details: "The tutorial's await demo with one more piece of work: a worker thread, started with \
              spawn_blocking, sleeps 250 ms and then sums 1..=1000000, and main awaits it before the \
              tasks' results. On the real clock the tasks keep printing a line every 100 ms meanwhile, \
              and the worker's line lands between their rounds at 200 ms and 300 ms: the executor was \
              never blocked.\n\n\
              With --virtual-time the output is not the same: the virtual clock does not jump while a \
              worker thread runs (the thread takes real time, and its result could change what \
              happens next), so the tasks' second round waits for the worker, and its line comes \
              right after their first round.\n\n\
              Informational lines (wall time, a freshly drawn seed, warnings) go to stderr.",
    virtual_time: Some(
        "Run on virtual time: sleeps take no real time, but the clock waits for the worker thread, \
         so the worker's line comes earlier than on the real clock",
    ),
};

fn main() {
    common::run("blocking_worker", &HELP, async_main);
}
