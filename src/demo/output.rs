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
        self.lines
            .borrow()
            .iter()
            .map(|line| format!("{line}\n"))
            .collect()
    }
}

impl Output for Capture {
    fn print(&self, line: &str) {
        self.lines.borrow_mut().push(line.to_owned());
    }
}
