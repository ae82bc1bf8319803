//! The timer wheel's documented rules against a plain reference (a `BTreeMap` keyed by
//! `(deadline, arming number)`), on the edges the other wheel tests leave out: deadlines already past,
//! times near `u64::MAX`, jumps far beyond the 2^36 µs span (the overflow list), `forget` and `replace`
//! on timers that were handed out or armed late.

use std::collections::BTreeMap;

use minimalist_async::time::wheel::{Armed, SPAN, Wheel};

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

type Model = BTreeMap<(u64, u64), Armed<u64>>;

fn live(model: &Model) -> impl FnMut(&Armed<u64>) -> bool + '_ {
    |timer| model.get(&(timer.deadline, timer.seq)) == Some(timer)
}

/// A random program over a wide range of times, checked after every step: `poll` hands out exactly
/// the model's timers due by `max(now, every earlier poll)` in `(deadline, seq)` order, `next_deadline`
/// is exactly the earliest armed deadline, `len` counts the armed timers, `lists` shows each once,
/// `forget` returns whether the timer was still armed, and `replace` returns `None` exactly for a
/// timer handed out.
fn run(seed: u64, base: u64, steps: usize) {
    let mut next = xorshift(seed);
    let mut wheel: Wheel<u64> = Wheel::new();
    let mut model = Model::new();
    let mut handed_out: Vec<Armed<u64>> = Vec::new();
    // The wheel starts at 0; the first poll moves it to `base`.
    let mut now = 0u64;
    let mut polled = 0u64;
    let pick = |next: &mut dyn FnMut() -> u64, now: u64| -> u64 {
        let magnitude = next() % 64;
        let offset = next() >> (63 - magnitude);
        match next() % 8 {
            0 => now.saturating_sub(offset % 1000), // already past (or now)
            1 => u64::MAX - next() % 4,
            2 => now.saturating_add(SPAN - 2 + next() % 4),
            _ => now.saturating_add(offset),
        }
    };
    for value in 0..steps as u64 {
        let context = format!("seed {seed:#x} base {base:#x} step {value} now {now}");
        match next() % 12 {
            0..=4 => {
                let deadline = pick(&mut next, now);
                let timer = wheel.insert(deadline, value);
                assert_eq!(timer.deadline, deadline);
                model.insert((deadline, timer.seq), timer);
            }
            5 => {
                if model.is_empty() {
                    continue;
                }
                let nth = (next() % model.len() as u64) as usize;
                let timer = *model.values().nth(nth).unwrap();
                model.remove(&(timer.deadline, timer.seq));
                assert!(
                    wheel.forget(timer, live(&model)),
                    "{context}: forget {timer:?} armed"
                );
            }
            6 => {
                if let Some(&timer) = handed_out.get((next() % 8) as usize) {
                    assert!(
                        !wheel.forget(timer, live(&model)),
                        "{context}: forget handed out {timer:?}"
                    );
                    let moved = wheel.replace(timer, value, live(&model));
                    assert_eq!(moved, None, "{context}: replace handed out {timer:?}");
                }
            }
            7 => {
                if model.is_empty() {
                    continue;
                }
                let nth = (next() % model.len() as u64) as usize;
                let timer = *model.values().nth(nth).unwrap();
                model.remove(&(timer.deadline, timer.seq));
                let moved = wheel
                    .replace(timer, value + 1_000_000, live(&model))
                    .unwrap_or_else(|| panic!("{context}: replace armed {timer:?}"));
                assert_eq!((moved.deadline, moved.seq), (timer.deadline, timer.seq));
                model.insert((moved.deadline, moved.seq), moved);
            }
            _ => {
                let first = model.keys().next().map(|k| k.0);
                assert_eq!(wheel.next_deadline(live(&model)), first, "{context}");
                now = if value == 0 {
                    base
                } else {
                    match (first, next() % 4) {
                        (Some(d), 0) => d.max(now),
                        (Some(d), 1) => d.saturating_sub(1).max(now),
                        (_, 2) => now.saturating_add(next() >> (next() % 64)),
                        _ => now.saturating_add(next() % 200_000),
                    }
                };
                polled = polled.max(now);
                let mut due = Vec::new();
                wheel.poll(now, &mut due, live(&model));
                let expected: Vec<Armed<u64>> = model
                    .values()
                    .take_while(|t| t.deadline <= polled)
                    .copied()
                    .collect();
                assert_eq!(due, expected, "{context}: poll({now})");
                for t in &due {
                    model.remove(&(t.deadline, t.seq));
                }
                handed_out.extend(due);
                if handed_out.len() > 8 {
                    handed_out.drain(..handed_out.len() - 8);
                }
            }
        }
        assert_eq!(wheel.len(), model.len(), "{context}: len");
        let mut listed: Vec<(u64, u64)> = wheel
            .lists(live(&model))
            .into_iter()
            .flat_map(|(_, ts)| ts.into_iter().map(|t| (t.deadline, t.seq)))
            .collect();
        listed.sort_unstable();
        let armed: Vec<(u64, u64)> = model.keys().copied().collect();
        assert_eq!(listed, armed, "{context}: lists");
    }
}

#[test]
fn model_from_zero() {
    for seed in 1..20u64 {
        run(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 0, 3000);
    }
}

#[test]
fn model_near_u64_max() {
    for seed in 1..20u64 {
        run(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            u64::MAX - (1 << 40),
            3000,
        );
    }
}

#[test]
fn model_across_the_span() {
    for seed in 1..20u64 {
        run(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            SPAN * 5 - 1000,
            3000,
        );
    }
}
