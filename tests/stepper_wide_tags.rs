//! The stepper's promise "Every line printed fits in 80 columns" (`examples/step_through.rs`), with
//! tags written in a script whose characters take two terminal columns each.

mod common;

use std::path::Path;
use std::process::Command;

use common::run_example as run;
use minimalist_async::demo::columns::{WIDE, columns as line_columns, width};

/// Terminal columns of `c`, as the stepper counts them.
fn columns(c: char) -> usize {
    width(c)
}

/// A line holding the tag 任务一任务二任务三任务四 (12 characters, 24 columns) must be broken by
/// columns, not characters. (`fit` and `columns` in `examples/step_through.rs` used to count
/// characters, letting such lines through at 90 columns and more, which wrap in an 80-column
/// terminal.)
#[test]
fn lines_with_wide_characters_fit_in_80_columns() {
    let output = run(
        "step_through",
        &["--seed", "3", "--virtual-time", "--auto", "--tasks", "任务一任务二任务三任务四,b"],
        "",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let widest = stdout
        .lines()
        .map(|line| (line.chars().map(columns).sum::<usize>(), line))
        .max()
        .expect("the stepper printed something");
    assert!(widest.0 <= 80, "a line of {} columns:\n{}", widest.0, widest.1);
}

/// Tags of emoji (🚀 U+1F680, 🪐 U+1FA90, ⌚ U+231A, 🛸 U+1F6F8, 🥟 U+1F95F), CJK and Hangul: two
/// columns a character, where `width` counted the emoji outside U+1F300..1F64F and U+1F900..1F9FF
/// as one. Every line fits in 80 columns, and the columns of the task table and the timeline's
/// lanes line up whatever the tags (they were padded by characters, not columns).
#[test]
fn emoji_and_cjk_tags_keep_the_columns_in_line() {
    let tags = "🚀🛸🥟,🪐任务,⌚x,한국어,a";
    let output = run(
        "step_through",
        &[
            "--seed",
            "3",
            "--virtual-time",
            "--auto",
            "--timeline",
            "--likelihood",
            "0.5",
            "--tasks",
            tags,
        ],
        "",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        assert!(line_columns(line) <= 80, "a line of {} columns: {line}", line_columns(line));
    }
    // The task table: the parent of each task (main) under "spawned by".
    let mut tables = 0;
    let mut header_at = None;
    for line in stdout.lines() {
        if let Some(at) = line.find("spawned by") {
            header_at = Some(line_columns(&line[..at]));
            tables += 1;
        } else if let (Some(want), Some(at)) = (header_at, line.find("  main  ")) {
            if line.contains("Task-1") {
                continue;
            }
            assert_eq!(line_columns(&line[..at + 2]), want, "{line}");
        } else if line.starts_with("timer wheel") {
            header_at = None;
        }
    }
    assert!(tables > 5, "{stdout}");
    // The timeline's lanes: the id after the name, and the marks after the label, in line.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lanes: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|line| {
            let id = line.find(" Task-")? + 1;
            let marks = id + line[id..].find(' ')?;
            let marks = marks + line[marks..].len() - line[marks..].trim_start().len();
            Some((line_columns(&line[..id]), line_columns(&line[..marks])))
        })
        .collect();
    assert_eq!(lanes.len(), 6, "{stderr}");
    assert!(lanes.iter().all(|lane| *lane == lanes[0]), "{lanes:?}\n{stderr}");
}

/// `WIDE` is Unicode 14's East Asian Width W and F: where Python's Unicode is 14.0.0 (Python 3.11),
/// every assigned character it calls W or F is in the table, and every other character in the table
/// is unassigned, in a block that EastAsianWidth.txt marks W by default.
#[test]
fn the_wide_table_is_unicode_14s() {
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/minimalist_package");
    let table = format!("{:?}", WIDE.to_vec());
    let code = format!(
        "import unicodedata\n\
         print(unicodedata.unidata_version)\n\
         table = {table}\n\
         wide = {{c for a, b in table for c in range(a, b + 1)}}\n\
         default = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFD), (0x30000, 0x3FFFD)]\n\
         def want(c):\n\
         \x20   if unicodedata.category(chr(c)) == 'Cn':\n\
         \x20       return any(a <= c <= b for a, b in default)\n\
         \x20   return unicodedata.east_asian_width(chr(c)) in 'WF'\n\
         print([hex(c) for c in range(0x110000) if want(c) != (c in wide)][:10])"
    );
    let Ok(output) = Command::new("python3").args(["-c", &code]).current_dir(package).output()
    else {
        eprintln!("python3 not found: skipping the comparison with Python's Unicode");
        return;
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    if lines[0] != "14.0.0" {
        eprintln!("python3 has Unicode {}, the table is Unicode 14.0.0: skipping", lines[0]);
        return;
    }
    assert_eq!(lines[1], "[]", "characters the table and Unicode 14 disagree on");
    for (c, want) in [
        ('🚀', 2),
        ('🪐', 2),
        ('⌚', 2),
        ('任', 2),
        ('한', 2),
        ('Ａ', 2),
        ('a', 1),
        ('é', 1),
        ('☃', 1),
    ] {
        assert_eq!(width(c), want, "{c}");
    }
}
