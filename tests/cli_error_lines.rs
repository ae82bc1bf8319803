//! The examples' usage errors, against the rule "bad input gets one clear line on stderr and a
//! non-zero exit", and against the tutorial's Python programs, which must accept and refuse the same
//! flags ("Bad flags get one line on stderr and exit status 2, in both languages", README).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::run_example as run;

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A flag given without its value: clap's message, and no "; valid values: " naming nothing.
/// (`one_line`, `examples/common/mod.rs`, used to append the list whenever clap attached one, empty
/// for a free-form flag.)
#[test]
fn a_missing_value_does_not_end_in_an_empty_list_of_valid_values() {
    for flag in ["--seed", "--likelihood", "--tasks", "--what-if", "--timeline-svg"] {
        let output = run("async_await_example", &[flag], "");
        assert_eq!(output.status.code(), Some(2), "{flag}");
        let stderr = stderr_of(&output);
        let line = stderr.trim_end();
        assert!(
            !line.trim_end().ends_with("valid values:"),
            "{flag}: the line lists no valid values after promising them: {line:?}"
        );
    }
}

/// A value with a newline in it still gets one line that names the flag and the reason, as the
/// Python program's "error: argument --seed: invalid seed 'a\nb': expected a whole number such as 7
/// or -12" does. (clap quotes the raw value, and `one_line` keeps only the first line: it used to
/// leave "error: invalid value 'a"; it escapes the value now.)
#[test]
fn a_value_with_a_newline_still_gets_its_reason() {
    for (flag, value, reason) in [
        ("--seed", "a\nb", "expected a whole number"),
        ("--likelihood", "a\nb", "likelihood must be a number"),
        ("--tasks", "a,\n,", "empty or blank tag"),
    ] {
        let output = run("async_await_example", &[flag, value, "--virtual-time"], "");
        assert_eq!(output.status.code(), Some(2), "{flag} {value:?}");
        let stderr = stderr_of(&output);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{flag} {value:?}: {stderr:?}");
        assert!(
            lines[0].contains(flag) && lines[0].contains(reason),
            "{flag} {value:?}: the one line names neither the flag nor the reason: {:?}",
            lines[0]
        );
    }
}

/// Exit status of the tutorial's Python program with these flags, or `None` without python3.
fn python_status(args: &[&str]) -> Option<i32> {
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/minimalist_package");
    let output = Command::new("python3")
        .args(["-m", "minimalist_package.minimalist_async.async_await_example"])
        .args(args)
        .current_dir(package)
        .output()
        .ok()?;
    output.status.code()
}

/// Both programs refuse and accept the same values around the ASCII separators U+001C..U+001F:
/// Python's `str.strip()` counts them as whitespace, while Python's own `int()`/`float()` and Rust's
/// `str::trim` do not. (The Python program used to strip them: it ran `--seed $'\x1f7'` and
/// `--likelihood $'\x1f0.5'`, which Rust refuses, and refused `--tasks $'\x1f'` as blank; it strips
/// `int()`'s own set now, `_SPACE` in `python/.../minimalist_async/__init__.py`.)
#[test]
fn rust_and_python_refuse_the_same_separator_characters() {
    let cases: [&[&str]; 3] = [
        &["--seed", "\x1f7", "--likelihood", "1"],
        &["--seed", "1", "--likelihood", "\x1f0.5"],
        &["--seed", "1", "--likelihood", "1", "--tasks", "\x1f"],
    ];
    for args in cases {
        let Some(python) = python_status(args) else {
            eprintln!("python3 not found: skipping the comparison");
            return;
        };
        let mut rust_args = args.to_vec();
        rust_args.push("--virtual-time");
        let rust = run("async_await_example", &rust_args, "");
        assert_eq!(
            rust.status.code(),
            Some(python),
            "{args:?}: Rust exits {:?}, Python {python}; Rust said {:?}",
            rust.status.code(),
            stderr_of(&rust)
        );
    }
}

/// `-h2`: a value stuck to the help flag, which takes none. argparse (the Python programs) refuses
/// it with exit status 2; clap would act on the `-h` and print the help, so the examples refuse it
/// first, in Python's words.
#[test]
fn a_value_stuck_to_the_help_flag_is_refused() {
    for example in ["async_await_example", "async_callback_example", "step_through"] {
        let output = run(example, &["-h2"], "");
        assert_eq!(output.status.code(), Some(2), "{example} -h2");
        assert!(output.stdout.is_empty(), "{example} -h2 printed on stdout");
        assert_eq!(
            stderr_of(&output),
            "error: argument -h/--help: ignored explicit argument '2'\n",
            "{example} -h2"
        );
    }
}

/// A file the flags name that cannot be written is refused before the run, as a bad flag is: one
/// line, status 2, and no output of a run the user would have waited for in vain. The usage line
/// names the program itself (`--version` keeps the crate's name, as the Python side prints).
#[test]
fn an_unwritable_output_file_is_refused_before_the_run() {
    let missing = std::env::temp_dir().join("minimalist-async-no-such-dir").join("chart.svg");
    let missing = missing.to_str().expect("a UTF-8 temp dir");
    for (example, flag) in [
        ("async_await_example", "--timeline-svg"),
        ("async_callback_example", "--replay-html"),
        ("step_through", "--timeline-svg"),
    ] {
        let args = [flag, missing, "--seed", "7", "--virtual-time", "--auto"];
        let args = if example == "step_through" { &args[..] } else { &args[..5] };
        let output = run(example, args, "");
        assert_eq!(output.status.code(), Some(2), "{example} {flag}");
        assert!(output.stdout.is_empty(), "{example} ran anyway: {:?}", output.stdout);
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().count(), 1, "{example}: {stderr:?}");
        assert!(stderr.contains("cannot write") && stderr.contains("chart.svg"), "{stderr:?}");
    }
    let help = run("async_await_example", &["--help"], "");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    assert!(help.contains("Usage: async_await_example "), "{help}");
}
