//! The command lines' rough edges, one test each: what trying every flag of the examples found.
//!
//! Like `tests/demos.rs`, these run the example binaries that `cargo test` builds. Every run is on
//! virtual time except the stepper's, whose runs are quick anyway.

mod common;

use std::process::{Command, Output};

use common::run_example as run;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The one line a usage error prints on stderr, after checking exit status 2 and an empty stdout.
fn usage_error(name: &str, args: &[&str]) -> String {
    let output = run(name, args, "");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{name} {args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{name} {args:?} printed on stdout");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{name} {args:?}: want one line, got:\n{stderr}");
    lines[0].to_owned()
}

/// The command after "replay this run with: " on stderr.
fn replay_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|line| line.split_once("replay this run with: ").map(|(_, c)| c))
        .unwrap_or_else(|| panic!("no replay line on stderr:\n{stderr}"))
}

/// The words a POSIX shell makes of `command`: `sh` parses it and prints each word NUL-terminated.
/// Anything unquoted that the shell would act on (`;`, `$HOME`) changes the words, or runs.
fn shell_words(command: &str) -> Vec<String> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s\\0' {command}"))
        .output()
        .expect("run sh");
    assert!(output.status.success(), "sh could not parse: {command}");
    let mut words: Vec<String> = text(&output.stdout).split('\0').map(str::to_owned).collect();
    words.pop(); // after the last NUL
    words
}

/// Bug: the "replay this run with:" line was not shell-quoted, so `--tasks 'x;ls,y$HOME'` printed a
/// command that ran `ls` when pasted. Pasting it must replay exactly that run, whatever the tags.
#[test]
fn replay_line_is_shell_quoted_and_replays_the_run() {
    for tags in ["x;ls,y$HOME", "-x,it's,a b,\"q\",*", "task1,task2"] {
        let tasks = format!("--tasks={tags}");
        let first = run("async_await_example", &[&tasks, "--virtual-time"], "");
        assert!(first.status.success(), "{tags}: {}", text(&first.stderr));
        let stderr = text(&first.stderr);
        let replay = replay_line(&stderr);
        let words = shell_words(replay);
        let (cargo, args) = words.split_at(5);
        assert_eq!(cargo, ["cargo", "run", "--example", "async_await_example", "--"], "{replay}");
        let tags_given = args.iter().find_map(|word| word.strip_prefix("--tasks=")).or_else(|| {
            let at = args.iter().position(|word| word == "--tasks")?;
            args.get(at + 1).map(String::as_str)
        });
        assert_eq!(tags_given, Some(tags), "{replay}");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let again = run("async_await_example", &args, "");
        assert!(again.status.success(), "{replay}: {}", text(&again.stderr));
        assert_eq!(text(&again.stdout), text(&first.stdout), "{replay}");
    }
}

/// The stepper prints the same kind of replay line, with its `--mode` in it, and its `--auto`:
/// without it, the pasted command would start an interactive session instead.
#[test]
fn stepper_replay_line_is_shell_quoted() {
    let output = run(
        "step_through",
        &["--mode", "callback", "--tasks", "a b,c", "--virtual-time", "--auto"],
        "",
    );
    let stderr = text(&output.stderr);
    let replay = replay_line(&stderr);
    let words = shell_words(replay);
    assert!(words.windows(2).any(|w| w == ["--mode", "callback"]), "{replay}");
    assert!(words.windows(2).any(|w| w == ["--tasks", "a b,c"]), "{replay}");
    assert!(words.iter().any(|w| w == "--auto"), "{replay}");
}

/// Bug: a whitespace-only tag was accepted (`--tasks ' '` printed `The result of task=  was …`).
/// Blank tags are refused as empty ones are.
#[test]
fn blank_tags_are_refused() {
    for tasks in [" ", "a, ,b", "\t", "a,  "] {
        for example in ["async_await_example", "async_callback_example"] {
            let line = usage_error(example, &["--virtual-time", "--tasks", tasks]);
            assert!(line.contains("empty or blank tag"), "{tasks:?}: {line}");
        }
    }
    // A tag with spaces around other characters is still a tag.
    let output =
        run("async_await_example", &["--virtual-time", "--seed", "7", "--tasks", " a,b c"], "");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("The result of task= a was "));
}

/// Bug: `--likelihood -1` said "unexpected argument '-1' found" while `--likelihood=-1` got the range
/// message. Both spellings get the range message, for every negative spelling.
#[test]
fn negative_likelihood_gets_the_range_message_in_both_spellings() {
    for value in ["-1", "-0.5", "-1e3", "-inf", "-.5"] {
        let spaced = usage_error("async_await_example", &["--virtual-time", "--likelihood", value]);
        let joined = format!("--likelihood={value}");
        let equals = usage_error("async_await_example", &["--virtual-time", &joined]);
        assert_eq!(spaced, equals, "{value}");
        assert!(
            spaced.contains("likelihood must be a number greater than 0 and at most 1"),
            "{value}: {spaced}"
        );
    }
}

/// Bug: `--rng foo` and the stepper's `--mode foo` did not say which values are valid.
#[test]
fn invalid_choices_name_the_valid_values() {
    let line = usage_error("async_await_example", &["--virtual-time", "--rng", "foo"]);
    assert!(line.contains("'foo'") && line.contains("python, std"), "{line}");
    let line = usage_error("async_callback_example", &["--rng=bar"]);
    assert!(line.contains("'bar'") && line.contains("python, std"), "{line}");
    let line = usage_error("step_through", &["--mode", "foo"]);
    assert!(line.contains("'foo'") && line.contains("await, callback"), "{line}");
}

/// Bug: `blocking_worker --help` described another program ("the program's name says which", "prints
/// exactly what the Python tutorial prints") and promised the same output with `--virtual-time`, which
/// it does not print: there the clock waits for the worker thread. Its help is its own and says so.
#[test]
fn blocking_worker_help_describes_blocking_worker() {
    let output = run("blocking_worker", &["--help"], "");
    assert!(output.status.success());
    let help = text(&output.stdout);
    for wrong in [
        "the program's name says which",
        "prints exactly what the Python tutorial prints",
        "the output is the same",
    ] {
        assert!(!help.contains(wrong), "--help still says {wrong:?}:\n{help}");
    }
    for right in ["spawn_blocking", "worker thread", "--virtual-time"] {
        assert!(help.contains(right), "--help does not mention {right}:\n{help}");
    }
    // What the help says of --virtual-time holds: the worker's line moves.
    let real = run("blocking_worker", &["--seed", "7"], "");
    let virtual_time = run("blocking_worker", &["--seed", "7", "--virtual-time"], "");
    assert!(real.status.success() && virtual_time.status.success());
    let worker_line = |output: &Output| {
        text(&output.stdout)
            .lines()
            .position(|line| line.starts_with("worker thread:"))
            .expect("the worker's line")
    };
    assert!(
        worker_line(&virtual_time) < worker_line(&real),
        "the help says the worker's line comes earlier on virtual time"
    );
    let short = text(&run("blocking_worker", &["-h"], "").stdout);
    assert!(short.contains("spawn_blocking"), "{short}");
}

/// Bug: blocking_worker's timeline showed the worker's task as `Task-4 Task-4`. It is named.
#[test]
fn blocking_worker_timeline_names_the_worker_lane() {
    let output = run("blocking_worker", &["--seed", "7", "--virtual-time", "--timeline"], "");
    assert!(output.status.success());
    let stderr = text(&output.stderr);
    // A lane reads `name   Task-N  P─────D`.
    let lanes: Vec<&str> = stderr
        .lines()
        .filter(|line| {
            let id = line.split_whitespace().nth(1).unwrap_or("");
            id.starts_with("Task-")
        })
        .collect();
    assert_eq!(lanes.len(), 4, "main, two tasks and the worker:\n{stderr}");
    for lane in &lanes {
        let mut words = lane.split_whitespace();
        let (name, id) = (words.next().unwrap(), words.next().unwrap());
        assert_ne!(name, id, "an unnamed lane: {lane}");
    }
    assert!(lanes.iter().any(|lane| lane.starts_with("worker")), "{stderr}");
}

/// Bug: `q` in the stepper ended with an error-looking stderr line, "executor dropped with 1
/// unfinished task(s)". Quitting says where it stopped, and stderr stays quiet.
#[test]
fn stepper_quit_says_where_it_stopped_without_an_error() {
    let output = run("step_through", &["--seed", "7", "--virtual-time"], "\n\nq\n");
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("stopped at step 2 (turn 2, clock 0ms): the run was not finished"),
        "{stdout}"
    );
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("unfinished"), "{stderr}");
    assert!(!stderr.contains("dropped"), "{stderr}");
}
