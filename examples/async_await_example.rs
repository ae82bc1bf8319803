//! The tutorial's first demo, `async_await_example.py`: start every task, then await them in order.
//!
//! Results print in the order of the awaits, even when a later task finished first. The async main
//! itself is [`minimalist_async::demo::await_main`] (`src/demo/mains.rs`), shared with the stepper; this
//! program runs it with the flags of the tutorial's Python program.
//!
//! ```text
//! cargo run --example async_await_example -- --seed 7
//! cargo run --example async_await_example -- --seed 7 --timeline  # and a chart of the run on stderr
//! cd python/minimalist_package && python3 -m minimalist_package.minimalist_async.async_await_example --seed 7   # the same lines
//! ```

mod common;

const HELP: common::Help = common::Help {
    about: "The asyncio tutorial's first demo on minimalist-async's executor: start every task, then \
            await them in order.",
    details: "The results print in the order of the awaits, even when a later task finished first. \
              Prints exactly what the tutorial's Python program prints for the same --seed, --tasks \
              and --likelihood (with --rng python); from python/minimalist_package: python3 -m \
              minimalist_package.minimalist_async.async_await_example --seed 7. Informational lines \
              (wall time, a freshly drawn seed, warnings) go to stderr.",
    virtual_time: None,
};

fn main() {
    common::run("async_await_example", &HELP, minimalist_async::demo::await_main);
}
