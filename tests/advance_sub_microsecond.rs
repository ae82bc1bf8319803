//! `Executor::advance` "Moves virtual time forward by `by`", and `sleep` "never completes early". The
//! clock counts whole microseconds; an advance of less than one must not move it a whole one.

use std::time::Duration;

use minimalist_async::{Executor, sleep};

/// Ten advances of 1 ns ask for 10 ns of virtual time: the clock may read 0 (or keep the 10 ns), but
/// not 10 µs, a thousand times what was asked. Today each advance rounds `by` up to a microsecond
/// (`deadline_after` uses `micros_ceil`), so the clock reads 10µs.
#[test]
fn advances_of_a_nanosecond_do_not_add_up_to_microseconds() {
    let mut executor = Executor::with_virtual_time();
    for _ in 0..10 {
        executor.advance(Duration::from_nanos(1));
    }
    assert!(
        executor.now() <= Duration::from_nanos(10),
        "advanced 10 × 1 ns, clock reads {:?}",
        executor.now()
    );
}

/// A 1 µs sleep must not be over after 1 ns of virtual time: that would be early. Today it is.
#[test]
fn a_microsecond_sleep_is_not_over_after_a_nanosecond() {
    let mut executor = Executor::with_virtual_time();
    let task = executor.spawn(async { sleep(Duration::from_micros(1)).await });
    executor.advance(Duration::from_nanos(1));
    assert!(!task.is_finished(), "only 1 ns of the 1 µs passed");
}
