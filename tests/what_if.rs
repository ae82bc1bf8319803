//! Breaking a rule on purpose: `Executor::break_rule` with each `Rule`, on the tutorial's two demos.
//!
//! Each rule is one of those that make the port print what asyncio prints, so breaking it must change
//! the transcript for a seed where the rule matters, and only then. The transcripts under a broken
//! rule cannot come from CPython (asyncio has no switch for these), so they are pinned from this
//! executor: `tests/golden/what-if/`, rewritten by `WHAT_IF_REGENERATE=1 cargo test --test what_if`
//! and reviewed by reading their diff against the default transcript (NOTES.md, "Why each rule
//! exists"). The default transcripts stay pinned to CPython's by `tests/demos.rs`.

use minimalist_async::demo::{
    Capture, Likelihood, RngKind, Seed, Tutorial, TutorialRng, await_main, callback_main,
};
use minimalist_async::{Executor, Rule};

/// Runs one demo on virtual time with `rule` broken (or none), and returns its stdout.
fn transcript(mode: &str, seed: u64, rule: Option<Rule>) -> String {
    let capture = Capture::default();
    let rng = TutorialRng::new(RngKind::Python, &Seed::from_u64(seed)).expect("python rng");
    let tutorial = Tutorial::new(rng, capture.clone());
    let tags = vec!["task1".to_owned(), "task2".to_owned()];
    let likelihood = Likelihood::new(0.1).unwrap();
    let mut executor = Executor::with_virtual_time();
    if let Some(rule) = rule {
        executor.break_rule(rule);
    }
    match mode {
        "await" => executor.block_on(await_main(tutorial, tags, likelihood)),
        _ => executor.block_on(callback_main(tutorial, tags, likelihood)),
    }
    capture.text()
}

/// The pinned transcript of `mode` and `seed` with `rule` broken.
fn pinned(rule: Rule, mode: &str, seed: u64) -> String {
    let path = format!(
        "{}/tests/golden/what-if/{}-{mode}-{seed}.txt",
        env!("CARGO_MANIFEST_DIR"),
        rule.name()
    );
    let got = transcript(mode, seed, Some(rule));
    if std::env::var_os("WHAT_IF_REGENERATE").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(got, want, "{path}");
    got
}

/// Seed 1 shows all three rules; 7 the await demo's seed (inline callbacks cannot matter there:
/// task2 ends last in its turn); 15 where only an eager spawn changes anything; 31 no tie matters.
const SEEDS: [u64; 4] = [7, 1, 15, 31];

#[test]
fn each_broken_rule_changes_a_demo_and_is_pinned() {
    for rule in Rule::ALL {
        let mut changed = Vec::new();
        for mode in ["await", "callback"] {
            for seed in SEEDS {
                if pinned(rule, mode, seed) != transcript(mode, seed, None) {
                    changed.push(format!("{mode} {seed}"));
                }
            }
        }
        assert!(
            !changed.is_empty(),
            "breaking {rule:?} changed no transcript"
        );
    }
}

#[test]
fn eager_spawn_prints_a_tasks_first_line_before_the_spawner_goes_on() {
    let eager = transcript("await", 7, Some(Rule::EagerSpawn));
    let first = eager.lines().next().unwrap();
    assert!(first.starts_with("task1 "), "{eager}");
    assert_eq!(
        transcript("await", 7, None).lines().next(),
        Some("Awaiting results...")
    );
}

#[test]
fn inline_callbacks_print_a_result_right_after_its_tasks_last_line() {
    for seed in SEEDS {
        let inline = transcript("callback", seed, Some(Rule::InlineCallbacks));
        let lines: Vec<&str> = inline.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if let Some(tag) = line.strip_suffix(" Done.") {
                assert_eq!(
                    lines[i + 1],
                    format!(
                        "The result of task={tag} was {}",
                        &lines[i + 1][lines[i + 1].find(" was ").unwrap() + 5..]
                    ),
                    "{inline}"
                );
            }
        }
    }
}

#[test]
fn lifo_ties_wake_the_tasks_of_one_turn_in_reverse() {
    // Seed 7's second round of retries: asyncio wakes task1 first (it slept first).
    let default = transcript("await", 7, None);
    let lifo = transcript("await", 7, Some(Rule::LifoTies));
    let round = |text: &str| {
        text.lines()
            .nth(3)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(round(&default), "task1", "{default}");
    assert_eq!(round(&lifo), "task2", "{lifo}");
}

#[test]
fn rule_names_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::from_name(rule.name()), Some(rule));
        assert!(!rule.explanation().is_empty());
    }
    assert_eq!(Rule::from_name("fifo"), None);
}
