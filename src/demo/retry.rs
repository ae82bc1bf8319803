//! The tutorial's retry future, `unlikely_to_return`, and the shared RNG it rolls.
//!
//! The Python original:
//!
//! ```python
//! async def unlikely_to_return(tag: str, likelihood: float = 0.1) -> float:
//!     while True:
//!         a = random.uniform(0.0, 1.0)
//!         if a < likelihood:
//!             print(f"{tag} Done.")
//!             return a
//!         else:
//!             print(f"{tag} retry needed (roll = {a} > {likelihood})")
//!             await asyncio.sleep(0.1)
//! ```
//!
//! Every task rolls from one generator, as the tutorial's tasks share Python's global `random`: which
//! task gets which roll depends on the order the executor polls them in. That is why a wrong scheduling
//! decision shows up as different output, and why a seed replays a whole run.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::str::FromStr;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::output::Output;
use super::{PyFloat, PyRandom, Seed, parse_py_float, shown};
use crate::time::sleep;

/// The chance that one roll succeeds: a number in (0, 1].
///
/// Zero or less would retry forever, and above one is not a probability, so both are refused here, by
/// the library, with an error value: no panic, no silent default.
///
/// ```
/// use minimalist_async::demo::Likelihood;
///
/// let p: Likelihood = "0.1".parse().unwrap();
/// assert_eq!(p.get(), 0.1);
/// assert_eq!(p.to_string(), "0.1");
/// assert_eq!("1".parse::<Likelihood>().unwrap().to_string(), "1.0", "printed as Python prints floats");
/// assert!(Likelihood::new(0.0).is_err());
/// assert!(Likelihood::new(f64::NAN).is_err());
/// assert!("abc".parse::<Likelihood>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Likelihood(f64);

impl Likelihood {
    /// Checks that `p` lies in (0, 1].
    pub fn new(p: f64) -> Result<Likelihood, LikelihoodError> {
        if p > 0.0 && p <= 1.0 {
            Ok(Likelihood(p))
        } else {
            Err(LikelihoodError(PyFloat(p).to_string()))
        }
    }

    /// The probability as a float.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// Parses what Python's `float()` accepts, then checks the range.
impl FromStr for Likelihood {
    type Err = LikelihoodError;

    fn from_str(text: &str) -> Result<Likelihood, LikelihoodError> {
        match parse_py_float(text) {
            Some(p) => Likelihood::new(p),
            // Escaped as the Python program escapes it: the message stays on one line whatever the
            // text holds.
            None => Err(LikelihoodError(format!("'{}'", shown(text)))),
        }
    }
}

/// Prints as Python prints the float, so `0.1` stays `0.1` and `1` becomes `1.0`.
impl fmt::Display for Likelihood {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        PyFloat(self.0).fmt(f)
    }
}

/// A likelihood that is not a number in (0, 1].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LikelihoodError(String);

impl fmt::Display for LikelihoodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "likelihood must be a number greater than 0 and at most 1, got {}", self.0)
    }
}

impl std::error::Error for LikelihoodError {}

/// Which generator the tutorial's rolls come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RngKind {
    /// CPython's Mersenne Twister: the same seed prints the same rolls as the Python tutorial.
    #[default]
    Python,
    /// rand's [`StdRng`]: different rolls, the same scheduling; the executor does not care.
    Std,
}

/// A seeded generator of the kind chosen, rolling uniformly in [0, 1).
#[derive(Debug)]
pub enum TutorialRng {
    /// See [`RngKind::Python`].
    Python(PyRandom),
    /// See [`RngKind::Std`].
    Std(Box<StdRng>),
}

impl TutorialRng {
    /// Seeds a generator of `kind`. `None` for [`RngKind::Std`] with a seed over 256 bits, which
    /// `StdRng` cannot take (CPython's generator takes any integer).
    pub fn new(kind: RngKind, seed: &Seed) -> Option<TutorialRng> {
        match kind {
            RngKind::Python => Some(TutorialRng::Python(PyRandom::from_seed_value(seed))),
            RngKind::Std => {
                Some(TutorialRng::Std(Box::new(StdRng::from_seed(seed.to_std_seed()?))))
            }
        }
    }

    /// `random.uniform(0.0, 1.0)`.
    pub fn uniform(&mut self) -> f64 {
        match self {
            TutorialRng::Python(rng) => rng.uniform(0.0, 1.0),
            TutorialRng::Std(rng) => 0.0 + (1.0 - 0.0) * rng.random::<f64>(),
        }
    }
}

/// The tutorial's world: the generator all tasks share (Python's global `random`) and where `print`
/// writes. Clones share both.
///
/// ```
/// use minimalist_async::demo::{Capture, Likelihood, RngKind, Seed, Tutorial, TutorialRng};
/// use minimalist_async::Executor;
///
/// let capture = Capture::default();
/// let rng = TutorialRng::new(RngKind::Python, &Seed::from_u64(7)).unwrap();
/// let tutorial = Tutorial::new(rng, capture.clone());
/// let mut executor = Executor::with_virtual_time();
/// let roll = executor.block_on(tutorial.unlikely_to_return("task1", Likelihood::new(0.5).unwrap()));
/// assert!(roll < 0.5);
/// assert_eq!(capture.lines().last().unwrap(), "task1 Done.");
/// ```
#[derive(Clone)]
pub struct Tutorial {
    rng: Rc<RefCell<TutorialRng>>,
    out: Rc<dyn Output>,
    /// The tutorial's warning made real: wait with `std::thread::sleep` instead of `sleep().await`.
    blocking: bool,
}

impl fmt::Debug for Tutorial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tutorial")
            .field("rng", &self.rng)
            .field("blocking", &self.blocking)
            .finish_non_exhaustive()
    }
}

impl Tutorial {
    /// A tutorial rolling from `rng` and printing to `out`.
    pub fn new(rng: TutorialRng, out: impl Output + 'static) -> Tutorial {
        Tutorial { rng: Rc::new(RefCell::new(rng)), out: Rc::new(out), blocking: false }
    }

    /// Makes `unlikely_to_return` wait with `std::thread::sleep` (the blocking mistake the tutorial
    /// warns about) instead of `sleep().await`: each task then holds the whole executor for its every
    /// retry, and the tasks run one after the other. The reference program's `--blocking` does the
    /// same with `time.sleep`.
    pub fn blocking(mut self, blocking: bool) -> Tutorial {
        self.blocking = blocking;
        self
    }

    /// Python's `print(line)`.
    pub fn print(&self, line: &str) {
        self.out.print(line);
    }

    /// `print(line())`, where `line` runs only if the output keeps lines (see [`Output::is_silent`]):
    /// formatting a line nobody reads costs more than the executor's whole share of a retry.
    pub fn print_with(&self, line: impl FnOnce() -> String) {
        if !self.out.is_silent() {
            self.out.print(&line());
        }
    }

    /// One roll of the shared generator: `random.uniform(0.0, 1.0)`.
    pub fn roll(&self) -> f64 {
        self.rng.borrow_mut().uniform()
    }

    /// The retry future: roll; below `likelihood` print `<tag> Done.` and return the roll; otherwise
    /// print `<tag> retry needed (roll = <roll> > <likelihood>)`, sleep 100 ms and roll again.
    ///
    /// Must run inside an executor (it sleeps). The future owns a clone of the tutorial, so it can be
    /// spawned.
    pub fn unlikely_to_return(
        &self,
        tag: &str,
        likelihood: Likelihood,
    ) -> impl Future<Output = f64> + 'static + use<> {
        let tutorial = self.clone();
        let tag = tag.to_owned();
        async move {
            loop {
                let a = tutorial.roll();
                if a < likelihood.get() {
                    tutorial.print_with(|| format!("{tag} Done."));
                    return a;
                }
                tutorial.print_with(|| {
                    format!("{tag} retry needed (roll = {} > {likelihood})", PyFloat(a))
                });
                if tutorial.blocking {
                    std::thread::sleep(Duration::from_millis(100));
                } else {
                    sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
