//! The tutorial's side: its retry future, and what it takes to print the bytes CPython prints.
//!
//! - [`retry`]: `unlikely_to_return`, the shared generator, the likelihood.
//! - [`mains`]: the tutorial's two programs, `await_main` and `callback_main`.
//! - [`py_random`]: CPython's Mersenne Twister, so a seed gives the rolls Python gives.
//! - [`seed`]: seeds as Python's `int()` reads them, any size, any sign.
//! - [`py_float`]: floats printed (and parsed) as Python prints (and parses) them.
//! - [`py_text`]: a bad value quoted in an error message, escaped as the Python programs escape it.
//! - [`output`]: where lines go: stdout, or a buffer for tests.
//! - [`columns`]: how many terminal columns a character takes (two for CJK and emoji), for the
//!   tools' tables and charts.
//!
//! Nothing in the executor uses this module: it is an ordinary user of the public API.

pub mod columns;
pub mod mains;
pub mod output;
pub mod py_float;
pub mod py_random;
pub mod py_text;
pub mod retry;
pub mod seed;

pub use mains::{await_main, callback_main};
pub use output::{Capture, Output, Silent, Stdout};
pub use py_float::{PyFloat, parse_py_float};
pub use py_random::PyRandom;
pub use py_text::{shown, shown_bytes};
pub use retry::{Likelihood, LikelihoodError, RngKind, Tutorial, TutorialRng};
pub use seed::{Seed, SeedError};
