//! User code that panics with a payload whose own `Drop` panics (`std::panic::panic_any(Bomb)`).
//!
//! The executor catches the panic of a callback, a destructor or a waker, reports it on stderr, and
//! drops the caught payload itself: a value the user wrote. Its `Drop` panicking is caught too
//! (`report_panic` in `src/runtime/join_error.rs`), so nothing unwinds out of `block_on`, and the run
//! goes on as after any other contained panic.

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use minimalist_async::{Executor, call_soon, sleep, spawn, yield_now};

/// A panic payload whose drop panics (once: not while already unwinding).
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("the panic payload's drop panicked");
        }
    }
}

fn outcome<T>(run: impl FnOnce() -> T) -> Result<T, &'static str> {
    catch_unwind(AssertUnwindSafe(run)).map_err(|_| "a panic unwound out of block_on")
}

#[test]
fn a_call_soon_callback_panicking_with_a_payload_that_panics_on_drop_is_contained() {
    let mut executor = Executor::with_virtual_time();
    let ran = outcome(|| {
        executor.block_on(async {
            call_soon(|| panic_any(Bomb));
            yield_now().await;
            yield_now().await;
            "main finished"
        })
    });
    assert_eq!(ran, Ok("main finished"));
}

#[test]
fn a_done_callback_panicking_with_a_payload_that_panics_on_drop_is_contained() {
    let mut executor = Executor::with_virtual_time();
    let ran = outcome(|| {
        executor.block_on(async {
            let task = spawn(async { 7 });
            task.add_done_callback(|_| panic_any(Bomb));
            // The awaiter must still be woken once the callback has run.
            task.await.unwrap()
        })
    });
    assert_eq!(ran, Ok(7));
}

#[test]
fn a_destructor_panicking_with_a_payload_that_panics_on_drop_is_contained() {
    struct PanicsOnDrop;
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic_any(Bomb)
        }
    }
    let mut executor = Executor::with_virtual_time();
    let ran = outcome(|| {
        executor.block_on(async {
            let held = PanicsOnDrop;
            let task = spawn(async move {
                let _held = held;
                sleep(Duration::from_secs(1)).await;
            });
            task.cancel();
            task.await.unwrap_err().is_cancelled()
        })
    });
    assert_eq!(ran, Ok(true));
}

/// Wakes the task it wraps, then panics with a `Bomb`.
struct BombWaker(Waker);

impl Wake for BombWaker {
    fn wake(self: Arc<Self>) {
        self.0.wake_by_ref();
        panic_any(Bomb);
    }
}

struct WithWaker<F>(Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for WithWaker<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let waker = Waker::from(Arc::new(BombWaker(cx.waker().clone())));
        self.0.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

#[test]
fn a_waker_panicking_with_a_payload_that_panics_on_drop_is_contained() {
    let mut executor = Executor::with_virtual_time();
    let ran = outcome(|| {
        executor.block_on(async {
            drop(spawn(WithWaker(Box::pin(sleep(Duration::from_millis(10))))));
            sleep(Duration::from_millis(20)).await;
            "main finished"
        })
    });
    assert_eq!(ran, Ok("main finished"));
}
