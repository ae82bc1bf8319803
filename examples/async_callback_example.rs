//! The tutorial's second demo, `async_callback_example.py`: each result is handled by a done-callback
//! as soon as its task ends.
//!
//! The async main itself is [`minimalist_async::demo::callback_main`] (`src/demo/mains.rs`), shared
//! with the stepper; this program runs it with the reference program's flags.
//!
//! ```text
//! cargo run --example async_callback_example -- --seed 3
//! python3 ../shared/reference/tutorial_demos.py callback --seed 3     # the same lines
//! ```

mod common;

fn main() {
    common::run(
        "async_callback_example",
        minimalist_async::demo::callback_main,
    );
}
