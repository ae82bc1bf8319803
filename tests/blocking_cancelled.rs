//! A cancelled `spawn_blocking` task must not leave `block_on` parked for ever on virtual time.

use std::sync::mpsc;
use std::time::Duration;

use minimalist_async::{Executor, sleep, spawn_blocking};

/// On virtual time, `block_on` parks with no deadline while a `spawn_blocking` thread runs (the clock
/// is held). If that blocking task was cancelled before its first poll, its result slot holds no
/// waker, so the thread's end sends nothing and never unparks the executor: the main future's 10 ms
/// sleep never ends, although the thread finished long ago.
#[test]
fn cancelled_blocking_task_does_not_hang_block_on() {
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut executor = Executor::with_virtual_time();
        executor.block_on(async {
            let job = spawn_blocking(|| std::thread::sleep(Duration::from_millis(100)));
            assert!(job.cancel(), "the job's task had not run yet");
            sleep(Duration::from_millis(10)).await;
        });
        let _ = done_tx.send(executor.now());
    });
    let now = done_rx.recv_timeout(Duration::from_secs(5));
    assert_eq!(
        now,
        Ok(Duration::from_millis(10)),
        "block_on still parked 5 s after the 100 ms blocking job ended"
    );
}
