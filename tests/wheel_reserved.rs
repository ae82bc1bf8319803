//! The wheel against a plain model (a map ordered by deadline, then arming number) under a random mix
//! of inserts, reserved arming numbers armed later and out of order (or never), bursts of cancels,
//! and polls: what `timeout` does with `Wheel::reserve` and `Wheel::insert_reserved`. After every
//! step the wheel holds what the model holds, lists no empty list, and hands out exactly the model's
//! due timers, in `(deadline, seq)` order.

mod common;

use std::collections::BTreeMap;

use minimalist_async::time::wheel::{Armed, Wheel};

/// A small deterministic generator, so that a failing seed replays.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// The armed timers, by `(deadline, seq)`.
type Model = BTreeMap<(u64, u64), Armed<u64>>;

/// The owner's answer to "is this timer still armed?": whether the model holds it.
fn live(model: &Model) -> impl FnMut(&Armed<u64>) -> bool + '_ {
    |timer| model.get(&(timer.deadline, timer.seq)) == Some(timer)
}

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
                    let timer = wheel.insert(deadline, value);
                    model.insert((deadline, timer.seq), timer);
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
                        model.remove(&(timer.deadline, timer.seq));
                        assert!(wheel.forget(timer, live(&model)), "seed {seed}: not in the wheel");
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
