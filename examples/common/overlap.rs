//! The sentence under the timeline that says what it shows: whether the tasks ran concurrently (the
//! tutorial's claim: both tasks are in flight until one finishes) or one at a time (`--blocking`).
//!
//! A task is in flight from its first poll to its end. Two spans that only touch, one task ending as
//! the next begins, do not overlap: that is exactly what blocking looks like.

use std::time::Duration;

use super::view::time;

/// Whether the tasks were in flight at the same time, said in one sentence. `spans` holds each task's
/// name and when it was in flight, in µs: from its first poll to its end.
pub fn reading(spans: &[(&str, u64, u64)]) -> String {
    // To the millisecond: enough to read the chart, and stable from run to run on the real clock.
    let time = |us: u64| time(Duration::from_millis((us + 500) / 1000));
    if spans.len() < 2 {
        return "only one task besides main: nothing to overlap".to_owned();
    }
    // A task that finishes in its first poll is never in flight beside another.
    if spans.iter().filter(|s| s.2 > s.1).count() < 2 {
        return "at most one task ever waited, the others finished in their first poll: nothing to overlap"
            .to_owned();
    }
    // Sweep through the starts and ends (at one instant, ends first: touching spans do not overlap)
    // to find the most tasks in flight at once, and the first stretch of time with that many.
    let mut changes: Vec<(u64, i32)> = spans.iter().flat_map(|s| [(s.1, 1), (s.2, -1)]).collect();
    changes.sort_by_key(|&(at, delta)| (at, delta));
    let (mut count, mut most, mut stretch) = (0, 0, (0, 0));
    for (index, &(at, delta)) in changes.iter().enumerate() {
        count += delta;
        if count > most {
            most = count;
            // It lasts until the next change that lowers the count.
            let until = changes[index + 1..].iter().find(|c| c.1 < 0).map_or(at, |c| c.0);
            stretch = (at, until);
        }
    }
    if most >= 2 && stretch.1 > stretch.0 {
        let (from, until) = stretch;
        let together: Vec<&str> =
            spans.iter().filter(|s| s.1 <= from && s.2 > from).map(|s| s.0).collect();
        let ended = spans.iter().find(|s| s.2 == until).map_or("one", |s| s.0);
        return format!(
            "{} were in flight at the same time from {} until {ended} finished at {}: they ran concurrently",
            and_list(&together),
            time(from),
            time(until)
        );
    }
    let order: Vec<String> =
        spans.iter().map(|s| format!("{} {}–{}", s.0, time(s.1), time(s.2))).collect();
    format!(
        "the tasks ran one at a time, never overlapping: {} (serialized)",
        order.join(", then ")
    )
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
