//! Breaking a rule on purpose: `Executor::break_rule` with each `Rule`, on the tutorial's two demos.
//!
//! Each rule is one of those that make the port print what asyncio prints, so breaking it must change
//! the transcript for a seed where the rule matters, and only then. The transcripts under a broken
//! rule cannot come from CPython (asyncio has no switch for these), so they are pinned from this
//! executor: `tests/golden/what-if/`, rewritten by `WHAT_IF_REGENERATE=1 cargo test --test what_if`
//! and reviewed by reading their diff against the default transcript (NOTES.md, "Why each rule
//! exists"). The default transcripts stay pinned to CPython's by `tests/demos.rs`.

mod common;

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
        assert!(!changed.is_empty(), "breaking {rule:?} changed no transcript");
    }
}

#[test]
fn eager_spawn_prints_a_tasks_first_line_before_the_spawner_goes_on() {
    let eager = transcript("await", 7, Some(Rule::EagerSpawn));
    let first = eager.lines().next().unwrap();
    assert!(first.starts_with("task1 "), "{eager}");
    assert_eq!(transcript("await", 7, None).lines().next(), Some("Awaiting results..."));
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
    let round = |text: &str| text.lines().nth(3).unwrap().split(' ').next().unwrap().to_owned();
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `--what-if RULE` on each demo: stdout is the pinned transcript under the broken rule, stderr the
/// diff against asyncio's rules and why the rule exists.
#[test]
fn what_if_on_the_demos_prints_the_transcript_the_diff_and_the_reason() {
    for (program, mode) in
        [("async_await_example", "await"), ("async_callback_example", "callback")]
    {
        for rule in Rule::ALL {
            let args = ["--seed", "1", "--virtual-time", "--what-if", rule.name()];
            let output = common::run_example(program, &args, "");
            let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
            assert!(output.status.success(), "{program} {args:?}: {stderr}");
            assert_eq!(stdout, transcript(mode, 1, Some(rule)), "{program} {args:?}");
            assert!(stderr.contains(&format!("what if: {}", rule.name())), "{stderr}");
            if stdout != transcript(mode, 1, None) {
                assert!(stderr.contains("--- asyncio's rules\n+++ "), "{stderr}");
                assert!(stderr.contains("\n@@ -"), "{stderr}");
            }
            assert!(stderr.contains(rule.explanation()), "{stderr}");
        }
    }
}

#[test]
fn what_if_list_names_every_rule_and_a_wrong_one_gets_one_line() {
    let output = common::run_example("async_await_example", &["--what-if", "list"], "");
    assert!(output.status.success());
    let listed = text(&output.stdout);
    for rule in Rule::ALL {
        assert!(listed.contains(rule.name()), "{listed}");
    }
    let output = common::run_example("async_callback_example", &["--what-if", "fifo"], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("lifo-ties, inline-callbacks, eager-spawn"), "{stderr}");
}

#[test]
fn what_if_in_the_stepper_reports_at_the_end() {
    let args = ["--seed", "15", "--virtual-time", "--auto", "--what-if", "eager-spawn"];
    let output = common::run_example("step_through", &args, "");
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(output.status.success(), "{all}");
    assert!(all.contains("+++ eager-spawn broken"), "{all}");
    assert!(all.contains("-Awaiting results..."), "{all}");
}

/// With `EagerSpawn` broken, each spawn polls its task inside the spawner's poll: a chain of tasks
/// that each spawn the next would nest polls until the stack overflows. Past a hundred nested eager
/// polls a task is queued instead, so a chain of twenty thousand runs to its end; the first hundred
/// links still start eagerly, inside one another, before the spawner goes on.
#[test]
fn a_long_chain_of_eager_spawns_runs_without_overflowing_the_stack() {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;

    type Started = Rc<RefCell<Vec<u32>>>;
    fn link(n: u32, started: Started) -> Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(async move {
            started.borrow_mut().push(n);
            if n > 0 {
                drop(minimalist_async::spawn(link(n - 1, started)));
            }
        })
    }
    let started = Started::default();
    let mut executor = Executor::with_virtual_time();
    executor.break_rule(Rule::EagerSpawn);
    let first = Rc::clone(&started);
    let eager = executor.block_on(async move {
        drop(minimalist_async::spawn(link(20_000, Rc::clone(&first))));
        let eager = first.borrow().len();
        // Virtual time moves only once nothing is ready: after the whole chain ran.
        minimalist_async::sleep(std::time::Duration::from_millis(1)).await;
        eager
    });
    assert_eq!(eager, 100, "links started inside the first spawn");
    assert_eq!(started.borrow().len(), 20_001, "every link ran");
    assert_eq!(started.borrow().last(), Some(&0));
}
