//! Across threads: spawning and queueing callbacks from other threads, and `spawn_blocking`.

mod common;

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use common::run_logged;
use minimalist_async::{Executor, sleep, spawn, spawn_blocking};

#[test]
fn remote_spawn_runs_on_the_executor_and_joins_from_the_thread() {
    let mut executor = Executor::new();
    let remote = executor.remote();
    let executor_thread = std::thread::current().id();
    let worker = std::thread::spawn(move || {
        remote.spawn(async move { std::thread::current().id() == executor_thread }).join()
    });
    executor.block_on(async { sleep(Duration::from_millis(100)).await });
    assert!(worker.join().unwrap().unwrap(), "the task ran on the executor's thread");
}

/// An idle executor (nothing queued, no timer: blocked on its ready queue) wakes at once when another
/// thread submits work.
#[test]
fn call_soon_threadsafe_wakes_an_idle_executor() {
    let mut executor = Executor::new();
    let remote = executor.remote();
    let state: Arc<Mutex<(bool, Option<Waker>)>> = Arc::default();
    let from_thread = state.clone();
    let started = Instant::now();
    executor.block_on(async move {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            // The callback runs on the executor's thread and wakes the waiting main future.
            remote.call_soon_threadsafe(move || {
                let mut state = from_thread.lock().unwrap();
                state.0 = true;
                if let Some(waker) = state.1.take() {
                    waker.wake();
                }
            });
        });
        std::future::poll_fn(|cx| {
            let mut state = state.lock().unwrap();
            if state.0 {
                Poll::Ready(())
            } else {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    });
    assert!(started.elapsed() >= Duration::from_millis(20));
}

/// If the executor is gone before it gets to a remote spawn, the handle says cancelled instead of
/// hanging.
#[test]
fn remote_spawn_after_the_executor_is_gone_is_cancelled() {
    let executor = Executor::new();
    let remote = executor.remote();
    let pending = remote.spawn(async { 1 });
    drop(executor);
    assert!(pending.join().unwrap_err().is_cancelled());
    assert!(remote.spawn(async { 2 }).join().unwrap_err().is_cancelled());
    assert!(!remote.call_soon_threadsafe(|| {}));
}

/// The retry tasks keep running while a worker thread does blocking work.
#[test]
fn spawn_blocking_runs_off_the_executor_thread_while_tasks_run() {
    let entries = run_logged(|log| async move {
        let ticker_log = log.clone();
        let ticker = spawn(async move {
            for i in 0..3 {
                ticker_log.push(format!("tick {i}"));
                sleep(Duration::from_millis(10)).await;
            }
        });
        let executor_thread = std::thread::current().id();
        let other_thread = spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(5));
            std::thread::current().id() != executor_thread
        });
        log.push(format!("blocking work on another thread: {}", other_thread.await.unwrap()));
        ticker.await.unwrap();
    });
    assert_eq!(entries[0], "tick 0");
    assert!(entries.contains(&"blocking work on another thread: true".to_owned()));
    assert_eq!(entries.len(), 4);
}

#[test]
fn spawn_blocking_panic_becomes_a_join_error() {
    let mut executor = Executor::new();
    let error = executor.block_on(async { spawn_blocking(|| panic!("worker exploded")).await });
    assert_eq!(error.unwrap_err().panic_message(), Some("worker exploded"));
}

/// On virtual time the clock does not jump while a `spawn_blocking` thread runs: an hour-long timeout
/// around a 50 ms blocking job does not expire (tokio holds its paused clock the same way).
#[test]
fn virtual_time_waits_for_blocking_threads() {
    let mut executor = Executor::with_virtual_time();
    let result = executor.block_on(async {
        minimalist_async::timeout(
            Duration::from_secs(3600),
            spawn_blocking(|| std::thread::sleep(Duration::from_millis(50))),
        )
        .await
    });
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(executor.now(), Duration::ZERO);
}

/// `block_on` returns only once the `spawn_blocking` threads have finished, as `asyncio.run` waits
/// for its default executor.
#[test]
fn block_on_waits_for_blocking_threads() {
    let finished = Arc::new(Mutex::new(false));
    let flag = finished.clone();
    Executor::new().block_on(async move {
        drop(spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(50));
            *flag.lock().unwrap() = true;
        }));
    });
    assert!(*finished.lock().unwrap());
}
