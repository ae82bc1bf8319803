//! The blocking mistake: with `--blocking` the examples wait with `std::thread::sleep`, as the
//! reference program's `--blocking` waits with `time.sleep`. The tasks then run one after the other,
//! stdout is still byte-identical to Python's, and the blocking detector names the culprits on stderr.
//!
//! The transcripts come from `tests/golden/blocking/regenerate.sh`. These runs really sleep.

mod common;

use std::process::Command;

use common::example_path;

#[test]
fn blocking_demos_print_what_python_prints_and_warn() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/blocking");
    let manifest = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let cases: Vec<Vec<&str>> = manifest
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let [mode, seed, tags, likelihood, file] = case[..] else {
            panic!("cases.txt: want MODE SEED TAGS LIKELIHOOD FILE, got {case:?}")
        };
        let example = format!("async_{mode}_example");
        let output = Command::new(example_path(&example))
            .args(["--seed", seed, "--tasks", tags, "--likelihood", likelihood, "--blocking"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{file}: {output:?}");
        let expected = std::fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "{file}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if expected.contains("retry needed") {
            assert!(stderr.contains("blocked the executor for"), "{file}: {stderr}");
            assert!(stderr.contains("std::thread::sleep"), "{file}: {stderr}");
        }
    }
}
