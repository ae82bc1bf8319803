//! `Wheel::replace` for an owner whose records are arming numbers, as in the wheel's own module
//! example (`armed.contains(&t.seq)`): "The same timer, in the same place in the arming order" — one
//! timer, handed out once; its value must differ from the old one, as its docs say.

use std::collections::HashSet;

use minimalist_async::time::wheel::{Armed, Wheel};

/// Four timers in one level-1 slot (100..=103 µs); the first is moved to another value, its record
/// dropped before and kept again after, as the docs ask. The poll hands out four timers, each once,
/// and leaves the wheel empty.
#[test]
fn a_replaced_timer_is_handed_out_once() {
    let mut wheel: Wheel<u8> = Wheel::new();
    let timers: Vec<Armed<u8>> = (0..4).map(|i| wheel.insert(100 + i, 7)).collect();
    let mut armed: HashSet<(u64, u8)> = timers.iter().map(|t| (t.seq, t.value)).collect();
    let live = |armed: &HashSet<(u64, u8)>, t: &Armed<u8>| armed.contains(&(t.seq, t.value));
    armed.remove(&(timers[0].seq, 7)); // the record goes first
    let moved = wheel.replace(timers[0], 8, |t| live(&armed, t)).unwrap();
    armed.insert((moved.seq, moved.value)); // and the owner keeps the one returned
    assert_eq!(wheel.len(), 4);
    let mut due = Vec::new();
    wheel.poll(1_000, &mut due, |t| live(&armed, t), |_| {});
    let seqs: Vec<u64> = due.iter().map(|t| t.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "each timer once, in deadline order");
    assert!(wheel.is_empty());
}

/// With the value it has, the moved timer and its stale copy would be the same to `live`, and the
/// cascade would hand it out twice (and, in debug builds, underflow the wheel's count): `replace`
/// documents that `value` must differ, and debug builds say so at the call.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "with the value it has")]
fn a_replace_with_the_same_value_is_refused_in_debug_builds() {
    let mut wheel: Wheel<u8> = Wheel::new();
    let timer = wheel.insert(100, 7);
    let _ = wheel.replace(timer, 7, |_| false);
}
