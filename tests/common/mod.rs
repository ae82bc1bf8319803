//! Small fixtures shared by the scheduler tests.
#![allow(dead_code)] // each test file uses its own subset

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

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
    let counted = CountPolls {
        future: Box::pin(future),
        polls: polls.clone(),
    };
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
