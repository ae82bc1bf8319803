//! Small fixtures shared by the scheduler tests.
#![allow(dead_code)] // each test file uses its own subset

use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The environment variable that asks for the long test budgets: `MINIMALIST_ASYNC_LONG_TESTS=1`.
/// `.ci/run` sets it.
pub const LONG_TESTS: &str = "MINIMALIST_ASYNC_LONG_TESTS";

/// `long` when [`LONG_TESTS`] is set to `1`, else `short`: the random and stress tests run their
/// full budget in CI and a tenth of it in a plain `cargo test`, which stays quick.
pub fn budget(short: u32, long: u32) -> u32 {
    if std::env::var(LONG_TESTS).is_ok_and(|value| value == "1") { long } else { short }
}

/// An ordered record of what happened, shared by the futures of one test.
#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.borrow_mut().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.borrow().clone()
    }

    /// The entries so far, leaving the log empty.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// Counts the polls of the future it wraps: how tests see "polled once" and "never polled again".
pub struct CountPolls<F> {
    pub future: Pin<Box<F>>,
    pub polls: Rc<RefCell<usize>>,
}

pub fn count_polls<F: Future>(future: F) -> (CountPolls<F>, Rc<RefCell<usize>>) {
    let polls = Rc::new(RefCell::new(0));
    let counted = CountPolls { future: Box::pin(future), polls: polls.clone() };
    (counted, polls)
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        *self.polls.borrow_mut() += 1;
        self.future.as_mut().poll(cx)
    }
}

/// Counts how many times values of this type are dropped.
#[derive(Clone)]
pub struct DropCounter(pub Rc<RefCell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        *self.0.borrow_mut() += 1;
    }
}

/// The text of a caught panic (`panic!` makes a `&str` or a `String`).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Runs `main` to completion on a fresh virtual-time executor, handing it a [`Log`], and returns what
/// was logged.
pub fn run_logged<F: Future>(main: impl FnOnce(Log) -> F) -> Vec<String> {
    let log = Log::default();
    minimalist_async::Executor::with_virtual_time().block_on(main(log.clone()));
    log.entries()
}

/// Reads Python's `float.hex()` output: `[-]0x1.<13 hex digits>p<exp>` for
/// normal numbers, `0x0.<hex>p-1022` for subnormals, `0x0.0p+0` for zero,
/// and `inf`/`nan`. std can print hex floats but not read them.
pub fn parse_hex_float(text: &str) -> f64 {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = match unsigned {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let body = unsigned.strip_prefix("0x").unwrap();
            let (mantissa, exponent) = body.split_once('p').unwrap();
            let (lead, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
            let exponent: i64 = exponent.parse().unwrap();
            // The digits after the point are the top of the 52 stored bits.
            let fraction_bits =
                u64::from_str_radix(fraction, 16).unwrap() << (52 - 4 * fraction.len());
            if lead == "1" {
                f64::from_bits(((exponent + 1023) as u64) << 52 | fraction_bits)
            } else {
                assert_eq!(lead, "0", "{text}");
                // Subnormal or zero: the biased exponent field is 0.
                f64::from_bits(fraction_bits)
            }
        }
    };
    if negative { -magnitude } else { magnitude }
}

/// Runs the example `name` with `args` and `stdin` as its input, and waits for it. `RUST_BACKTRACE` is
/// removed so that its stderr does not depend on the developer's shell.
pub fn run_example(name: &str, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(example_path(name))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {name} {args:?}: {error}"));
    let mut input = child.stdin.take().expect("stdin is piped");
    // The stepper may quit before reading everything; a closed pipe is then expected.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("wait for the example")
}

/// The example binary next to this test binary (`target/<profile>/deps/tools-HASH`).
pub fn example_path(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary knows its own path");
    let profile_dir = test_binary.parent().and_then(Path::parent).expect("target/<profile>/deps/");
    let path = profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --examples` (a plain `cargo test` builds it too)",
        path.display()
    );
    path
}

/// Runs `scenario`, an ignored test of the calling test binary, in a child process (`--ignored
/// --exact`), so that its stderr can be read: whether it passed, and its stderr.
pub fn run_scenario(scenario: &str) -> (bool, String) {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", scenario, "--nocapture", "--test-threads=1"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8(output.stderr).unwrap())
}

/// The stderr of `scenario` (see [`run_scenario`]), which must pass.
pub fn stderr_of(scenario: &str) -> String {
    let (passed, stderr) = run_scenario(scenario);
    assert!(passed, "{scenario} failed: {stderr}");
    stderr
}

/// How many times `needle` occurs in `haystack`.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}
