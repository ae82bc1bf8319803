//! The stepper's debugger keys (`examples/step_through.rs`): `b`, `g N`, `u TASK`, `/TEXT`, `h`, driven
//! on a pipe (one key a line on stdin), and the 80-column rule for everything it prints.
//!
//! The keys in a real terminal are tried in `tests/tools.rs` (tmux).

mod common;

use common::run_example;

const SEED7: [&str; 3] = ["--seed", "7", "--virtual-time"];

/// Runs the stepper with `keys` on stdin; checks the exit status; returns stdout.
fn stepper(args: &[&str], keys: &str) -> String {
    let output = run_example("step_through", args, keys);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "step_through {args:?} with {keys:?} exited with {}\nstderr: {stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stdout
}

/// The numbers of the steps shown, in order (`── step N · …`).
fn step_numbers(out: &str) -> Vec<usize> {
    out.lines()
        .filter_map(|line| line.strip_prefix("── step "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Step `n` as shown (the last time it was): from its rule to its timer wheel, which ends the
/// snapshot; the notes that follow are not part of it. A poll's real duration, shown when it
/// reaches a millisecond, depends on the machine's load, not on the schedule: left out.
fn step_block(out: &str, n: usize) -> Vec<String> {
    let rule = format!("── step {n} ");
    let Some(start) = out.rfind(&rule) else {
        return Vec::new();
    };
    let mut block = Vec::new();
    let mut wheel = false;
    for line in out[start..].lines() {
        if wheel && !line.starts_with("              ") {
            break;
        }
        wheel |= line.starts_with("timer wheel");
        if !line.contains(" of real time: every other task waited") {
            block.push(line.to_owned());
        }
    }
    block
}

#[test]
fn b_steps_back_by_replaying_and_says_so_once() {
    let out = stepper(&SEED7, "\n\n\nb\nb\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2, 3, 2, 1]);
    assert_eq!(out.matches("going back replays the run from the start").count(), 1, "{out}");
    assert!(out.contains("replayed from the start to step 2"), "{out}");
    assert!(out.contains("replayed from the start to step 1"), "{out}");
    assert!(out.contains("stopped at step 1 (turn 1"), "{out}");
    // A step replayed is the step first shown: the run is a function of its seed and flags.
    let auto = stepper(&["--seed", "7", "--virtual-time", "--auto"], "");
    assert_eq!(step_block(&out, 1), step_block(&auto, 1));
    assert!(!step_block(&auto, 1).is_empty());

    // At step 0 there is nothing before.
    let out = stepper(&SEED7, "b\nq\n");
    assert_eq!(step_numbers(&out), [0]);
    assert!(out.contains("b: this is step 0"), "{out}");
}

#[test]
fn g_goes_to_a_step_back_and_forward() {
    let out = stepper(&SEED7, "g 6\ng 3\ng 3\ng 99\n");
    let auto = stepper(&["--seed", "7", "--virtual-time", "--auto"], "");
    let shown = step_numbers(&out);
    // Forward to 6 shows every step on the way; back to 3 shows step 3 alone; 99 runs to the end.
    assert_eq!(&shown[..8], [0, 1, 2, 3, 4, 5, 6, 3]);
    assert_eq!(shown.last(), Some(&17));
    assert!(out.contains("g 3: this is step 3"), "{out}");
    assert!(out.contains("g 99: the run ended at step 17"), "{out}");
    assert!(out.contains("the run is over after 17 steps"), "{out}");
    assert_eq!(step_block(&out, 3), step_block(&auto, 3));
    assert_eq!(step_block(&out, 6), step_block(&auto, 6));

    for (bad, why) in [
        ("g\n", "g needs a step number: g 5 goes to step 5"),
        ("g x\n", "g needs a step number, not \"x\""),
        ("g -1\n", "g needs a step number, not \"-1\""),
    ] {
        let out = stepper(&SEED7, &format!("{bad}q\n"));
        assert!(out.contains(why), "{bad:?}: {out}");
        assert_eq!(step_numbers(&out), [0], "{bad:?}");
    }
}

#[test]
fn b_and_g_back_are_refused_on_the_real_clock() {
    let out = stepper(&["--seed", "7"], "\n\nb\ng 0\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2]);
    assert_eq!(out.matches("cannot go back to step").count(), 2, "{out}");
    assert!(out.contains("run with --virtual-time to go back"), "{out}");
    assert!(out.contains("stopped at step 2"), "{out}");
}

#[test]
fn u_runs_until_a_task_changes_state() {
    // After step 1 task1 is queued; it is polled at step 2 and goes to sleep.
    let out = stepper(&SEED7, "\nu task1\nu Task-2\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2, 3, 4, 5], "{out}");
    assert!(
        out.contains("u: task1 (Task-2) changed at step 2: queued → sleeping until 100ms"),
        "{out}"
    );
    assert!(
        out.contains("u: task1 (Task-2) changed at step 5: sleeping until 100ms → queued"),
        "{out}"
    );

    // A task that is not there is named, with the ones that are.
    let out = stepper(&SEED7, "u task9\nu\nq\n");
    assert!(out.contains("u: no task \"task9\" at step 0; the tasks are: main (Task-1)"), "{out}");
    assert!(out.contains("u needs a task: u task1"), "{out}");
    assert_eq!(step_numbers(&out), [0]);

    // main waits for task1 until task1's last step wakes it.
    let out = stepper(&SEED7, "\n\nu main\nq\n");
    assert!(out.contains("u: main (Task-1) changed at step 16: awaiting task1 → queued"), "{out}");
    assert!(out.contains("stopped at step 16"), "{out}");
}

#[test]
fn slash_runs_until_a_line_contains_the_text() {
    let out = stepper(&SEED7, "/Done\n/Done\n/zzz\n");
    assert!(out.contains("/: step 7 printed line 5 with \"Done\": task2 Done."), "{out}");
    assert!(out.contains("/: step 16 printed line 8 with \"Done\": task1 Done."), "{out}");
    assert!(
        out.contains(
            "/: the run ended, and no line printed after the search began contains \"zzz\""
        ),
        "{out}"
    );
    assert_eq!(step_numbers(&out).last(), Some(&17));
    let out = stepper(&SEED7, "/\nq\n");
    assert!(out.contains("/ needs the text to look for"), "{out}");
}

#[test]
fn h_lists_the_keys() {
    let out = stepper(&SEED7, "h\nq\n");
    assert_eq!(step_numbers(&out), [0]);
    for key in ["Enter", "  t ", "  c ", "  q ", "  b ", "g N", "u TASK", "/TEXT", "  h "] {
        assert!(out.contains(key), "h does not list {key:?}:\n{out}");
    }
    let out = stepper(&SEED7, "zz\nq\n");
    assert!(out.contains("unknown command \"zz\": Enter steps; h (then Enter) lists the keys"));
}

#[test]
fn the_wheel_is_explained_once() {
    let out = stepper(&["--seed", "7", "--virtual-time", "--auto"], "");
    assert_eq!(out.matches("level L slot S: where a timer waits").count(), 1, "{out}");
    let note = out.find("level L slot S").unwrap();
    let first_slot = out.find("timer wheel   level ").unwrap();
    assert!(first_slot < note, "the note comes after the wheel first shows a slot");
}

#[test]
fn nothing_is_wider_than_80_columns() {
    let keys = "h\n\n\nt\nb\ng 1\nu task1\n/Done\nx\ng\nu nobody\n/\nc\n";
    let mut checked = 0;
    for seed in ["1", "2", "3", "7", "11"] {
        for mode in ["await", "callback"] {
            for (args, input) in [
                (vec!["--seed", seed, "--mode", mode, "--virtual-time", "--auto"], ""),
                (vec!["--seed", seed, "--mode", mode, "--virtual-time"], keys),
            ] {
                let out = stepper(&args, input);
                for line in out.lines() {
                    assert!(
                        line.chars().count() <= 80,
                        "{args:?}: a line of {} columns:\n{line}",
                        line.chars().count()
                    );
                    checked += 1;
                }
            }
        }
    }
    // --blocking waits real time (half a second), so one seed of it.
    for mode in ["await", "callback"] {
        let args = ["--seed", "7", "--mode", mode, "--virtual-time", "--blocking", "--auto"];
        for line in stepper(&args, "").lines() {
            assert!(line.chars().count() <= 80, "{args:?}: {line}");
            checked += 1;
        }
    }
    assert!(checked > 3000, "only {checked} lines checked");
}

/// Runs the stepper with `args`, its stdin from `stdin` (bytes, or a file); returns the output.
fn stepper_with(args: &[&str], stdin: std::process::Stdio, bytes: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(common::example_path("step_through"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the stepper");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(bytes);
    }
    child.wait_with_output().expect("wait for the stepper")
}

/// A line of input that is not UTF-8 is refused with one line, as an unknown key is, and the
/// stepper reads the next line. (It was taken for the end of input: the run went on to the end.)
#[test]
fn a_line_that_is_not_utf8_is_refused_and_the_next_one_read() {
    let output = stepper_with(&SEED7, std::process::Stdio::piped(), b"\ncaf\xe9\r\n\xff\nq\n");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(output.stderr.is_empty(), "{:?}", output.stderr);
    for line in [r"caf\udce9", r"\udcff"] {
        assert_eq!(
            stdout
                .lines()
                .filter(|l| *l
                    == format!(
                        "input '{line}' is not valid UTF-8: Enter steps; h (then Enter) lists \
                         the keys"
                    ))
                .count(),
            1,
            "{stdout}"
        );
    }
    assert_eq!(step_numbers(&stdout), [0, 1], "{stdout}");
    assert!(stdout.contains("stopped at step 1 (turn 1"), "{stdout}");
}

/// Input that cannot be read (stdin is a directory) is said on stderr, in one line, and the run
/// goes on to the end as at the end of input, instead of silently.
#[cfg(unix)]
#[test]
fn input_that_cannot_be_read_is_said_on_stderr() {
    let directory = std::fs::File::open("/").expect("open /");
    let output = stepper_with(&SEED7, directory.into(), b"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error: cannot read the input: ")
            && lines[0].ends_with("; going on to the end, as at the end of input"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("the run is over"), "{stderr}");
}
