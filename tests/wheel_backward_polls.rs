//! `Wheel::poll` and `Wheel::elapsed` when the time asked for goes backwards, or moves while nothing
//! is due. The docs promise: "`now` earlier than [`Wheel::elapsed`] is treated as `elapsed`"
//! (`poll`); "A deadline at or before `elapsed` goes to the expired list and is handed out by the next
//! `poll`, whatever time that poll is for" (module docs, *Already due*); and `elapsed` is "the time
//! up to which the wheel has been polled".

use minimalist_async::time::wheel::Wheel;

/// Polled up to 20, the wheel stands at 20; a timer armed for 15 is already due, so the next poll hands
/// it out even though it asks for 12 (treated as 20).
#[test]
fn a_timer_armed_behind_elapsed_is_due_at_the_next_poll_even_one_for_an_earlier_time() {
    let mut wheel: Wheel<char> = Wheel::new();
    let first = wheel.insert(10, 'a');
    let mut due = Vec::new();
    wheel.poll(20, &mut due, |t| t.seq == first.seq, |_| {});
    assert_eq!(due, [first]);
    assert_eq!(wheel.elapsed(), 20);

    let late = wheel.insert(15, 'b');
    let mut due = Vec::new();
    wheel.poll(12, &mut due, |t| t.seq == late.seq, |_| {});
    assert_eq!(due, [late], "poll(12) after poll(20) is a poll at 20: 15 is due");
    assert!(wheel.is_empty());
}

/// A poll moves the wheel to the time it was polled for, even when nothing was due: `elapsed` is
/// "the time up to which the wheel has been polled".
#[test]
fn elapsed_is_the_time_polled_up_to_even_when_nothing_was_due() {
    let mut wheel: Wheel<char> = Wheel::new();
    let mut due = Vec::new();
    wheel.poll(100, &mut due, |_| true, |_| {});
    assert_eq!(wheel.elapsed(), 100, "polled up to 100 on an empty wheel");

    let later = wheel.insert(1_000, 'x');
    wheel.poll(500, &mut due, |t| t.seq == later.seq, |_| {});
    assert!(due.is_empty());
    assert_eq!(wheel.elapsed(), 500, "polled up to 500, nothing due before 1000");
}

/// Once polled up to 100, a timer for 50 has already passed: the next poll hands it out, whatever
/// time it asks for (here 40, which is treated as 100).
#[test]
fn a_deadline_before_the_last_poll_is_already_due() {
    let mut wheel: Wheel<char> = Wheel::new();
    let mut due = Vec::new();
    wheel.poll(100, &mut due, |_| true, |_| {});
    let past = wheel.insert(50, 'c');
    wheel.poll(40, &mut due, |t| t.seq == past.seq, |_| {});
    assert_eq!(due, [past], "50 is at or before the time polled up to (100)");
}
