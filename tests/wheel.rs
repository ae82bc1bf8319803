//! The timer wheel on its own, through its public API: no executor, just deadlines in microseconds.

use std::collections::BTreeMap;

use minimalist_async::time::wheel::{SPAN, TimerKey, Wheel};

/// A small deterministic generator (xorshift64) for the random programs below; `seed` must not be 0.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Polls up to `now` and returns the values handed out, removing them as the executor does.
fn fire(wheel: &mut Wheel<u64>, now: u64) -> Vec<u64> {
    let mut due = Vec::new();
    wheel.poll(now, &mut due);
    due.into_iter()
        .map(|key| wheel.remove(key).unwrap())
        .collect()
}

/// Polls at `now` and checks that the wheel hands out exactly the model's timers due by then, in order,
/// and drops them from the model.
fn fire_and_check(wheel: &mut Wheel<u64>, model: &mut BTreeMap<(u64, u64), TimerKey>, now: u64) {
    let expected: Vec<u64> = model
        .keys()
        .take_while(|k| k.0 <= now)
        .map(|k| k.1)
        .collect();
    model.retain(|k, _| k.0 > now);
    assert_eq!(fire(wheel, now), expected, "poll({now})");
}

/// One slot of level 1 covers 64–127 µs. Jumping straight to 200 hands out both of its entries at
/// once; they come sorted by deadline, not in the order they sit in the slot.
#[test]
fn poll_over_several_deadlines_hands_them_out_sorted() {
    let mut wheel = Wheel::new();
    wheel.insert(120, 120);
    wheel.insert(70, 70);
    wheel.insert(500, 500);
    assert_eq!(fire(&mut wheel, 200), [70, 120]);
    assert_eq!(wheel.next_deadline(), Some(500));
}

#[test]
fn next_deadline_is_exact_on_every_level() {
    for deadline in [
        1,
        63,
        64,
        65,
        4_097,
        262_145,
        16_777_217,
        SPAN - 1,
        SPAN + 3,
        5 * SPAN,
    ] {
        let mut wheel = Wheel::new();
        wheel.insert(deadline + 10, 0);
        wheel.insert(deadline, 1);
        assert_eq!(wheel.next_deadline(), Some(deadline), "deadline {deadline}");
        assert!(fire(&mut wheel, deadline - 1).is_empty(), "never early");
        assert_eq!(fire(&mut wheel, deadline), [1]);
    }
}

#[test]
fn deadline_already_passed_is_due_at_the_next_poll() {
    let mut wheel = Wheel::new();
    assert!(fire(&mut wheel, 1_000).is_empty());
    wheel.insert(10, 10);
    wheel.insert(1_000, 1_000);
    assert_eq!(wheel.next_deadline(), Some(10));
    assert_eq!(fire(&mut wheel, 1_000), [10, 1_000]);
}

#[test]
fn removed_timer_is_never_handed_out_even_when_already_due() {
    let mut wheel = Wheel::new();
    let a = wheel.insert(50, 50);
    let b = wheel.insert(50, 51);
    let mut due = Vec::new();
    wheel.poll(50, &mut due);
    assert_eq!(due, [a, b]);
    assert_eq!(wheel.remove(a), Some(50));
    assert_eq!(wheel.remove(a), None);
    assert!(!wheel.contains(a));
    assert_eq!(wheel.len(), 1);
}

/// A deterministic random program of inserts, removes and polls, checked against a `BTreeMap` keyed by
/// `(deadline, arming order)`: every poll hands out exactly the model's entries up to `now`, in order.
#[test]
fn random_operations_match_a_sorted_map_model() {
    let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
    let mut wheel = Wheel::new();
    let mut model: BTreeMap<(u64, u64), TimerKey> = BTreeMap::new();
    let mut now = 0u64;
    let mut armed = 0u64;
    for _ in 0..20_000 {
        match next() % 10 {
            0..=5 => {
                // Durations from 0 µs to beyond the span, biased short, with many exact ties.
                let magnitude = next() % 40;
                let duration = if magnitude < 4 {
                    next() % 8
                } else {
                    next() % (1 << magnitude)
                };
                let deadline = now + duration;
                let key = wheel.insert(deadline, armed);
                model.insert((deadline, armed), key);
                armed += 1;
            }
            6 => {
                if let Some((&entry, &key)) = model.iter().nth((next() % 8) as usize) {
                    model.remove(&entry);
                    assert_eq!(wheel.remove(key), Some(entry.1));
                }
            }
            _ => {
                assert_eq!(wheel.next_deadline(), model.keys().next().map(|k| k.0));
                now = match wheel.next_deadline() {
                    Some(deadline) if next().is_multiple_of(2) => deadline.max(now),
                    _ => now + next() % 100_000,
                };
                fire_and_check(&mut wheel, &mut model, now);
            }
        }
        assert_eq!(wheel.len(), model.len());
    }
}

/// Cancellations anywhere in the wheel (not just near the front), bursts of them, and due timers that
/// are cancelled before they are fired, against the same model; after every step, `lists()` shows
/// each armed timer exactly once and nothing else. Cancelled timers leave stale items behind in the
/// wheel's lists; this is what checks that they are never handed out, never hide a live timer, and
/// never make `next_deadline` stop at a time nothing is due.
#[test]
fn cancellations_anywhere_match_the_model() {
    for seed in [1u64, 2, 3, 0xDEAD_BEEF] {
        let mut next = xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut wheel = Wheel::new();
        let mut model: BTreeMap<(u64, u64), TimerKey> = BTreeMap::new();
        let mut now = 0u64;
        let mut armed = 0u64;
        for _ in 0..6_000 {
            match next() % 12 {
                0..=5 => {
                    // Few distinct deadlines, so that slots hold many timers each.
                    let magnitude = next() % 30;
                    let deadline = now + (next() % (1 << magnitude)) / 1000 * 1000;
                    let key = wheel.insert(deadline, armed);
                    model.insert((deadline, armed), key);
                    armed += 1;
                }
                6..=8 if !model.is_empty() => {
                    // A burst of cancels at random places.
                    for _ in 0..=next() % 20 {
                        if model.is_empty() {
                            break;
                        }
                        let nth = (next() % model.len() as u64) as usize;
                        let (&entry, &key) = model.iter().nth(nth).unwrap();
                        model.remove(&entry);
                        assert_eq!(wheel.remove(key), Some(entry.1));
                    }
                }
                9 => {
                    // Handed out, then cancelled before the owner fires it.
                    let Some(deadline) = wheel.next_deadline() else {
                        continue;
                    };
                    now = deadline;
                    let mut due = Vec::new();
                    wheel.poll(now, &mut due);
                    let expected: Vec<(u64, u64)> =
                        model.keys().take_while(|k| k.0 <= now).copied().collect();
                    assert_eq!(due.len(), expected.len());
                    for (key, entry) in due.into_iter().zip(expected) {
                        assert_eq!(wheel.get(key).map(|(d, v)| (d, *v)), Some(entry));
                        model.remove(&entry);
                        assert_eq!(wheel.remove(key), Some(entry.1));
                    }
                }
                _ => {
                    assert_eq!(wheel.next_deadline(), model.keys().next().map(|k| k.0));
                    now = match wheel.next_deadline() {
                        Some(deadline) if next().is_multiple_of(2) => deadline,
                        _ => now + next() % 3_000_000,
                    };
                    fire_and_check(&mut wheel, &mut model, now);
                }
            }
            assert_eq!(wheel.len(), model.len());
            let mut listed: Vec<u64> = wheel
                .lists()
                .into_iter()
                .flat_map(|(_, timers)| timers.into_iter().map(|(_, value)| *value))
                .collect();
            listed.sort_unstable();
            let mut armed_now: Vec<u64> = model.keys().map(|k| k.1).collect();
            armed_now.sort_unstable();
            assert_eq!(listed, armed_now, "lists() shows exactly the armed timers");
        }
    }
}
