//! The tutorial's first demo, `async_await_example.py`: start every task, then await them in order.
//!
//! Results print in the order of the awaits, even when a later task finished first. The async main
//! itself is [`minimalist_async::demo::await_main`] (`src/demo/mains.rs`), shared with the stepper; this
//! program runs it with the reference program's flags.
//!
//! ```text
//! cargo run --example async_await_example -- --seed 7
//! python3 ../shared/reference/tutorial_demos.py await --seed 7     # the same lines
//! cargo run --example async_await_example -- --seed 7 --timeline  # and a chart of the run on stderr
//! ```

mod common;

fn main() {
    common::run("async_await_example", minimalist_async::demo::await_main);
}
