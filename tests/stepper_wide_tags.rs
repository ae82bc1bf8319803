//! The stepper's promise "Every line printed fits in 80 columns" (`examples/step_through.rs`), with
//! tags written in a script whose characters take two terminal columns each.

mod common;

use common::run_example as run;

/// Terminal columns of `c`: two for the CJK ideographs and full-width forms this test uses (East
/// Asian Width "W"/"F", as wcwidth counts them), one otherwise.
fn columns(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60 => {
            2
        }
        _ => 1,
    }
}

/// A line holding the tag 任务一任务二任务三任务四 (12 characters, 24 columns) must be broken by
/// columns, not characters. (`fit` and `columns` in `examples/step_through.rs` used to count
/// characters, letting such lines through at 90 columns and more, which wrap in an 80-column
/// terminal.)
#[test]
fn lines_with_wide_characters_fit_in_80_columns() {
    let output = run(
        "step_through",
        &[
            "--seed",
            "3",
            "--virtual-time",
            "--auto",
            "--tasks",
            "任务一任务二任务三任务四,b",
        ],
        "",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let widest = stdout
        .lines()
        .map(|line| (line.chars().map(columns).sum::<usize>(), line))
        .max()
        .expect("the stepper printed something");
    assert!(
        widest.0 <= 80,
        "a line of {} columns:\n{}",
        widest.0,
        widest.1
    );
}
