//! `CallbackHandle::cancel` on a callback scheduled too far ahead for the clock.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use minimalist_async::{Executor, call_later, yield_now};

/// `CallbackHandle::cancel` "returns whether it was still pending (it had neither run nor been
/// cancelled)". A `call_later` whose delay is too long for the clock has not run (it never will) and
/// has not been cancelled: the first `cancel` returns `true`, the second `false`, as asyncio's
/// `loop.call_later(1e300, f).cancel()` cancels a pending handle. (`cancel` used to answer `false`
/// for such a callback unconditionally.)
#[test]
fn cancelling_a_callback_delayed_beyond_the_clock_reports_it_pending_once() {
    let ran = Rc::new(Cell::new(false));
    let mut executor = Executor::with_virtual_time();
    let (first, second) = executor.block_on({
        let ran = ran.clone();
        async move {
            let handle = call_later(Duration::MAX, move || ran.set(true));
            yield_now().await;
            (handle.cancel(), handle.cancel())
        }
    });
    assert!(!ran.get());
    assert_eq!(
        (first, second),
        (true, false),
        "never run, never cancelled: the first cancel finds it pending, the second does not"
    );
}
