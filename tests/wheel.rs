//! The timer wheel on its own, through its public API: no executor, just deadlines in microseconds. The
//! owner's records (which timers are still armed) are a map here, as the executor keeps them in its
//! task entries.

mod common;

use std::collections::BTreeMap;

use minimalist_async::time::wheel::{Armed, SPAN, Wheel};

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

/// The owner's records: every armed timer, by `(deadline, arming number)`, which is also the order in
/// which they must fire.
type Model = BTreeMap<(u64, u64), Armed<u64>>;

/// The record must be there and carry the same value: a timer moved by `replace` leaves a stale copy
/// with the old value behind.
fn live(model: &Model) -> impl FnMut(&Armed<u64>) -> bool + '_ {
    |timer| model.get(&(timer.deadline, timer.seq)) == Some(timer)
}

fn arm(wheel: &mut Wheel<u64>, model: &mut Model, deadline: u64, value: u64) -> Armed<u64> {
    let timer = wheel.insert(deadline, value);
    model.insert((deadline, timer.seq), timer);
    timer
}

/// Cancels as the executor does: the record goes first, then the wheel is told.
fn cancel(wheel: &mut Wheel<u64>, model: &mut Model, timer: Armed<u64>) {
    assert!(model.remove(&(timer.deadline, timer.seq)).is_some());
    wheel.forget(timer, live(model));
}

/// Polls up to `now` and returns the values handed out, dropping their records as the executor does
/// when it fires them. Every timer handed out must still be armed.
fn fire(wheel: &mut Wheel<u64>, model: &mut Model, now: u64) -> Vec<u64> {
    let mut due = Vec::new();
    wheel.poll(now, &mut due, live(model), |_| {});
    due.into_iter()
        .map(|timer| {
            let record = model.remove(&(timer.deadline, timer.seq));
            assert_eq!(record, Some(timer), "handed out a timer that is not armed");
            timer.value
        })
        .collect()
}

/// Polls at `now` and checks that the wheel hands out exactly the model's timers due by then, in order.
fn fire_and_check(wheel: &mut Wheel<u64>, model: &mut Model, now: u64) {
    let expected: Vec<u64> =
        model.values().take_while(|timer| timer.deadline <= now).map(|timer| timer.value).collect();
    assert_eq!(fire(wheel, model, now), expected, "poll({now})");
}

/// One slot of level 1 covers 64–127 µs. Jumping straight to 200 hands out both of its timers at
/// once; they come sorted by deadline, not in the order they sit in the slot.
#[test]
fn poll_over_several_deadlines_hands_them_out_sorted() {
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    arm(&mut wheel, &mut model, 120, 120);
    arm(&mut wheel, &mut model, 70, 70);
    arm(&mut wheel, &mut model, 500, 500);
    assert_eq!(fire(&mut wheel, &mut model, 200), [70, 120]);
    assert_eq!(wheel.next_deadline(live(&model)), Some(500));
}

#[test]
fn next_deadline_is_exact_on_every_level() {
    for deadline in [1, 63, 64, 65, 4_097, 262_145, 16_777_217, SPAN - 1, SPAN + 3, 5 * SPAN] {
        let (mut wheel, mut model) = (Wheel::new(), Model::new());
        arm(&mut wheel, &mut model, deadline + 10, 0);
        arm(&mut wheel, &mut model, deadline, 1);
        let next = wheel.next_deadline(live(&model));
        assert_eq!(next, Some(deadline), "deadline {deadline}");
        assert!(fire(&mut wheel, &mut model, deadline - 1).is_empty(), "never early");
        assert_eq!(fire(&mut wheel, &mut model, deadline), [1]);
    }
}

#[test]
fn deadline_already_passed_is_due_at_the_next_poll() {
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    assert!(fire(&mut wheel, &mut model, 1_000).is_empty());
    arm(&mut wheel, &mut model, 10, 10);
    arm(&mut wheel, &mut model, 1_000, 1_000);
    assert_eq!(wheel.next_deadline(live(&model)), Some(10));
    assert_eq!(fire(&mut wheel, &mut model, 1_000), [10, 1_000]);
}

/// Forgetting a timer that `poll` handed out changes nothing; forgetting one armed with a deadline
/// already past takes it out of the expired list, so that it is never handed out.
#[test]
fn forgetting_a_handed_out_or_expired_timer() {
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    let a = arm(&mut wheel, &mut model, 50, 50);
    let b = arm(&mut wheel, &mut model, 50, 51);
    let mut due = Vec::new();
    wheel.poll(50, &mut due, live(&model), |_| {});
    assert_eq!(due, [a, b]);
    assert!(wheel.is_empty(), "handed out, they left the wheel");
    cancel(&mut wheel, &mut model, a);
    assert_eq!(wheel.len(), 0);
    let late = arm(&mut wheel, &mut model, 40, 40);
    let kept = arm(&mut wheel, &mut model, 45, 45);
    cancel(&mut wheel, &mut model, late);
    assert_eq!(wheel.len(), 1);
    assert_eq!(wheel.next_deadline(live(&model)), Some(45));
    model.remove(&(b.deadline, b.seq));
    assert_eq!(fire(&mut wheel, &mut model, 60), [kept.value]);
}

/// `replace` keeps a timer's place among timers with the same deadline: it still fires first.
#[test]
fn a_replaced_timer_keeps_its_place_in_the_arming_order() {
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    let first = arm(&mut wheel, &mut model, 300, 1);
    arm(&mut wheel, &mut model, 300, 2);
    model.remove(&(first.deadline, first.seq));
    let moved = wheel.replace(first, 10, live(&model)).expect("still in the wheel");
    assert_eq!((moved.deadline, moved.seq, moved.value), (300, first.seq, 10));
    model.insert((moved.deadline, moved.seq), moved);
    assert_eq!(wheel.len(), 2);
    assert_eq!(fire(&mut wheel, &mut model, 300), [10, 2]);
}

/// A timer `poll` handed out is not armed again by `replace`: the owner's due copy stands for it.
#[test]
fn replacing_a_handed_out_timer_arms_nothing() {
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    let timer = arm(&mut wheel, &mut model, 30, 1);
    let mut due = Vec::new();
    wheel.poll(30, &mut due, live(&model), |_| {});
    assert_eq!(due, [timer]);
    model.remove(&(timer.deadline, timer.seq));
    assert_eq!(wheel.replace(timer, 2, live(&model)), None);
    assert!(wheel.is_empty());
    assert_eq!(wheel.next_deadline(live(&model)), None);
}

/// A deterministic random program of inserts, cancels and polls, checked against a `BTreeMap` keyed by
/// `(deadline, arming order)`: every poll hands out exactly the model's timers up to `now`, in order.
#[test]
fn random_operations_match_a_sorted_map_model() {
    let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
    let (mut wheel, mut model) = (Wheel::new(), Model::new());
    let mut now = 0u64;
    for value in 0..20_000 {
        match next() % 10 {
            0..=5 => {
                // Durations from 0 µs to beyond the span, biased short, with many exact ties.
                let magnitude = next() % 40;
                let duration = if magnitude < 4 { next() % 8 } else { next() % (1 << magnitude) };
                arm(&mut wheel, &mut model, now + duration, value);
            }
            6 => {
                if let Some(&timer) = model.values().nth((next() % 8) as usize) {
                    cancel(&mut wheel, &mut model, timer);
                }
                // And one moved to another record, in its place in the arming order.
                if let Some(&timer) = model.values().nth((next() % 8) as usize) {
                    model.remove(&(timer.deadline, timer.seq));
                    let moved = wheel.replace(timer, value, live(&model)).unwrap();
                    model.insert((moved.deadline, moved.seq), moved);
                }
            }
            _ => {
                let first = model.keys().next().map(|k| k.0);
                assert_eq!(wheel.next_deadline(live(&model)), first);
                now = match first {
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
/// each armed timer exactly once and nothing else. Cancelled timers stay behind, stale, in the
/// wheel's lists; this is what checks that they are never handed out, never hide a live timer, and
/// never make `next_deadline` stop at a time nothing is due.
#[test]
fn cancellations_anywhere_match_the_model() {
    for seed in [1u64, 2, 3, 0xDEAD_BEEF] {
        let mut next = xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (mut wheel, mut model) = (Wheel::new(), Model::new());
        let mut now = 0u64;
        for value in 0..6_000 {
            match next() % 12 {
                0..=5 => {
                    // Few distinct deadlines, so that slots hold many timers each.
                    let magnitude = next() % 30;
                    let deadline = now + (next() % (1 << magnitude)) / 1000 * 1000;
                    arm(&mut wheel, &mut model, deadline, value);
                }
                6..=8 if !model.is_empty() => {
                    // A burst of cancels at random places.
                    for _ in 0..=next() % 20 {
                        if model.is_empty() {
                            break;
                        }
                        let nth = (next() % model.len() as u64) as usize;
                        let timer = *model.values().nth(nth).unwrap();
                        cancel(&mut wheel, &mut model, timer);
                    }
                }
                9 => {
                    // Handed out, then cancelled before the owner fires it: the wheel is told, and
                    // has nothing to do.
                    let Some(deadline) = wheel.next_deadline(live(&model)) else {
                        continue;
                    };
                    now = deadline;
                    let mut due = Vec::new();
                    wheel.poll(now, &mut due, live(&model), |_| {});
                    let expected: Vec<Armed<u64>> =
                        model.values().take_while(|timer| timer.deadline <= now).copied().collect();
                    assert_eq!(due, expected);
                    for timer in due {
                        cancel(&mut wheel, &mut model, timer);
                    }
                }
                _ => {
                    let first = model.keys().next().map(|k| k.0);
                    assert_eq!(wheel.next_deadline(live(&model)), first);
                    now = match first {
                        Some(deadline) if next().is_multiple_of(2) => deadline,
                        _ => now + next() % 3_000_000,
                    };
                    fire_and_check(&mut wheel, &mut model, now);
                }
            }
            assert_eq!(wheel.len(), model.len());
            let mut listed: Vec<u64> = wheel
                .lists(live(&model))
                .into_iter()
                .flat_map(|(_, timers)| timers.into_iter().map(|timer| timer.value))
                .collect();
            listed.sort_unstable();
            let mut armed_now: Vec<u64> = model.values().map(|timer| timer.value).collect();
            armed_now.sort_unstable();
            assert_eq!(listed, armed_now, "lists() shows exactly the armed timers");
        }
    }
}

// The edges: deadlines already past, times near `u64::MAX`, jumps far beyond the 2^36 µs span (the
// overflow list), `forget` and `replace` on timers that were handed out or armed late.

/// A random program over a wide range of times, checked after every step: `poll` hands out exactly
/// the model's timers due by `max(now, every earlier poll)` in `(deadline, seq)` order, `next_deadline`
/// is exactly the earliest armed deadline, `len` counts the armed timers, `lists` shows each once,
/// `forget` returns whether the timer was still armed, and `replace` returns `None` exactly for a
/// timer handed out.
fn run_edges(seed: u64, base: u64, steps: usize) {
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
                assert!(wheel.forget(timer, live(&model)), "{context}: forget {timer:?} armed");
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
                wheel.poll(now, &mut due, live(&model), |_| {});
                let expected: Vec<Armed<u64>> =
                    model.values().take_while(|t| t.deadline <= polled).copied().collect();
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
        run_edges(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 0, 3000);
    }
}

#[test]
fn model_near_u64_max() {
    for seed in 1..20u64 {
        run_edges(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), u64::MAX - (1 << 40), 3000);
    }
}

#[test]
fn model_across_the_span() {
    for seed in 1..20u64 {
        run_edges(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), SPAN * 5 - 1000, 3000);
    }
}

/// A random mix of inserts, reserved arming numbers armed later and out of order (or never, as for
/// a timeout whose future was ready), bursts of cancels and polls: what `timeout` does with
/// `Wheel::reserve` and `Wheel::insert_reserved`. After every step the wheel holds what the model
/// holds, lists no empty list, and hands out exactly the model's due timers, in `(deadline, seq)`
/// order.
#[test]
fn reserved_and_cancelled_timers_match_the_model() {
    for seed in 1..=u64::from(common::budget(8, 40)) {
        let mut next = xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (mut wheel, mut model) = (Wheel::new(), Model::new());
        let mut now = 0;
        // Arming numbers reserved and not armed yet, with the deadline each will get.
        let mut reserved: Vec<(u64, u64)> = Vec::new();
        for value in 0..8_000 {
            // Deadlines from the next microsecond to about nine minutes ahead, most on a
            // millisecond, so that ties are common.
            let ahead =
                |next: &mut dyn FnMut() -> u64| (next() % (1 << (next() % 30))) / 1000 * 1000;
            match next() % 14 {
                0..=3 => {
                    let deadline = now + ahead(&mut next) + next() % 2;
                    arm(&mut wheel, &mut model, deadline, value);
                }
                4..=5 => {
                    let deadline = now + 1 + ahead(&mut next);
                    reserved.push((wheel.reserve(), deadline));
                }
                6..=7 if !reserved.is_empty() => {
                    let (seq, deadline) =
                        reserved.swap_remove((next() % reserved.len() as u64) as usize);
                    if next().is_multiple_of(3) {
                        continue; // a timeout whose future was ready: its number is never used
                    }
                    let timer = wheel.insert_reserved(deadline, seq, value);
                    model.insert((deadline, seq), timer);
                }
                8..=9 if !model.is_empty() => {
                    for _ in 0..=next() % 30 {
                        let Some(nth) = (!model.is_empty()).then(|| next() % model.len() as u64)
                        else {
                            break;
                        };
                        let timer = *model.values().nth(nth as usize).expect("in range");
                        cancel(&mut wheel, &mut model, timer);
                    }
                }
                _ => {
                    let first = model.keys().next().map(|(deadline, _)| *deadline);
                    assert_eq!(wheel.next_deadline(live(&model)), first, "seed {seed}");
                    now = match first {
                        Some(deadline) if next().is_multiple_of(2) => deadline.max(now),
                        _ => now + next() % 3_000_000,
                    };
                    let expected: Vec<Armed<u64>> =
                        model.values().take_while(|timer| timer.deadline <= now).copied().collect();
                    let mut due = Vec::new();
                    wheel.poll(now, &mut due, live(&model), |_| {});
                    assert_eq!(due, expected, "seed {seed}, poll at {now}");
                    due.iter().for_each(|timer| _ = model.remove(&(timer.deadline, timer.seq)));
                }
            }
            assert_eq!(wheel.len(), model.len(), "seed {seed}");
            let lists = wheel.lists(live(&model));
            assert!(
                lists.iter().all(|(_, timers)| !timers.is_empty()),
                "seed {seed}: an empty list"
            );
            let listed: usize = lists.iter().map(|(_, timers)| timers.len()).sum();
            assert_eq!(listed, model.len(), "seed {seed}");
        }
    }
}
