//! Where the tutorial's lines go: standard output for the examples, a buffer for tests.
//!
//! Python's `print` always writes to `sys.stdout`; here the destination is a value handed to
//! [`Tutorial`](super::Tutorial), so a test can capture exactly what a run prints and compare it with the
//! reference transcript.

use std::cell::RefCell;
use std::io::{ErrorKind, Write};
use std::rc::Rc;

/// A destination for whole lines of output.
pub trait Output {
    /// Writes `line` and a newline, as Python's `print(line)` does.
    fn print(&self, line: &str);

    /// Whether this output throws every line away. [`Tutorial`](super::Tutorial) then skips formatting
    /// the lines at all: a run rolls and sleeps exactly as before, only faster. `false` unless a sink
    /// says otherwise.
    fn is_silent(&self) -> bool {
        false
    }
}

/// Throws every line away: for runs where only the schedule matters (benchmarks, long simulations).
///
/// ```
/// use minimalist_async::demo::{Capture, Likelihood, RngKind, Seed, Silent, Tutorial, TutorialRng};
/// use minimalist_async::Executor;
///
/// // The same run, printed and silent: the same roll, at the same (virtual) time.
/// let run = |out: Box<dyn Fn(TutorialRng) -> Tutorial>| {
///     let tutorial = out(TutorialRng::new(RngKind::Python, &Seed::from_u64(7)).unwrap());
///     let mut executor = Executor::with_virtual_time();
///     let roll = executor.block_on(tutorial.unlikely_to_return("task1", Likelihood::new(0.1).unwrap()));
///     (roll, executor.now())
/// };
/// let capture = Capture::default();
/// let printed = run(Box::new({
///     let capture = capture.clone();
///     move |rng| Tutorial::new(rng, capture.clone())
/// }));
/// assert_eq!(run(Box::new(|rng| Tutorial::new(rng, Silent))), printed);
/// assert_eq!(capture.lines().last().unwrap(), "task1 Done.");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Output for Silent {
    fn print(&self, _line: &str) {}

    fn is_silent(&self) -> bool {
        true
    }
}

/// Prints to standard output.
///
/// When the reader goes away (`cargo run --example … | head -3`), the process ends quietly with exit
/// status 0, as a Unix filter does, instead of panicking on the broken pipe. Any other write error ends
/// it with a one-line message and exit status 1.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stdout;

impl Output for Stdout {
    fn print(&self, line: &str) {
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = writeln!(stdout, "{line}") {
            if error.kind() == ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: cannot write to stdout: {error}");
            std::process::exit(1);
        }
    }
}

/// Keeps every printed line in memory, for tests. Clones share the same buffer.
///
/// ```
/// use minimalist_async::demo::{Capture, Output};
///
/// let capture = Capture::default();
/// capture.print("Awaiting results...");
/// assert_eq!(capture.text(), "Awaiting results...\n");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Capture {
    lines: Rc<RefCell<Vec<String>>>,
}

impl Capture {
    /// The lines printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.borrow().clone()
    }

    /// Everything printed so far, each line ending in a newline: what stdout would hold.
    pub fn text(&self) -> String {
        self.lines.borrow().iter().map(|line| format!("{line}\n")).collect()
    }
}

impl Output for Capture {
    fn print(&self, line: &str) {
        self.lines.borrow_mut().push(line.to_owned());
    }
}
