//! The tutorial's second demo, `async_callback_example.py`: each result is handled by a done-callback
//! as soon as its task ends.
//!
//! The async main itself is [`minimalist_async::demo::callback_main`] (`src/demo/mains.rs`), shared
//! with the stepper; this program runs it with the flags of the tutorial's Python program.
//!
//! ```text
//! cargo run --example async_callback_example -- --seed 3
//! cd python/minimalist_package && python3 -m minimalist_package.minimalist_async.async_callback_example --seed 3   # the same lines
//! ```

mod common;

const HELP: common::Help = common::Help {
    about: "The asyncio tutorial's second demo on minimalist-async's executor: a done-callback prints \
            each task's result as soon as the task ends.",
    details: "Prints exactly what the tutorial's Python program prints for the same --seed, --tasks and \
              --likelihood (with --rng python); from python/minimalist_package: python3 -m \
              minimalist_package.minimalist_async.async_callback_example --seed 3. Informational lines \
              (wall time, a freshly drawn seed, warnings) go to stderr.",
    virtual_time: None,
};

fn main() {
    common::run("async_callback_example", &HELP, minimalist_async::demo::callback_main);
}
