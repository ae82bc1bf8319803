//! The edges of the examples' command lines, where the Rust examples and the tutorial's Python
//! programs must still print the same bytes.
//!
//! README: "Bad flags get one line on stderr and exit status 2, in both languages", and the two
//! programs print the same bytes for the same flags. Python's line for a bad value is
//! `error: argument --seed: REASON`, Rust's `error: invalid value 'X' for '--seed <N>': REASON`;
//! `.ci/parity` compares the reasons, and so do these tests. Pinned here:
//!
//! - characters that do not show as themselves, in a bad value or an unknown argument, escaped the
//!   same way on both sides (Python's `repr` style: `\x01`, `\t`, `\u2028`), and a word of the
//!   command line that is not UTF-8 refused with the same line;
//! - a value given to a flag that takes none (`-h2`, `--blocking=1`), refused in argparse's words,
//!   and only where it is a flag: the word after `--seed` or `--likelihood` is their value, whatever
//!   it looks like;
//! - a flag without its value (last, before `--`, or before a word that reads as a flag), refused
//!   with argparse's line on both sides, and a value given with `=` taken as the value, `--` too;
//! - `--version` and `-V`, the same line on both sides.
//!
//! The tests that run Python skip, with a note on stderr, where python3 is missing.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::example_path;
use minimalist_async::demo::py_text::HIDDEN;

/// Runs a Rust example with `args`, stdin empty.
fn rust<S: AsRef<OsStr>>(example: &str, args: &[S]) -> Output {
    Command::new(example_path(example))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("run the example")
}

/// The Python program of `mode` ("await" or "callback"), or `None`, with a note, without python3.
/// UTF-8 mode makes Python read a word that is not UTF-8 as it does in a UTF-8 locale, whatever the
/// locale of the machine running the tests.
fn python<S: AsRef<OsStr>>(mode: &str, args: &[S]) -> Option<Output> {
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/minimalist_package");
    let output = Command::new("python3")
        .arg("-m")
        .arg(format!("minimalist_package.minimalist_async.async_{mode}_example"))
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUTF8", "1")
        .current_dir(package)
        .stdin(Stdio::null())
        .output();
    if output.is_err() {
        eprintln!("python3 not found: skipping the comparison with Python");
    }
    output.ok()
}

/// What python3 prints for a snippet run from the package's directory, or `None`, with a note.
fn python_prints(code: &str) -> Option<String> {
    let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/minimalist_package");
    let output = Command::new("python3")
        .args(["-c", code])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(package)
        .output();
    let Ok(output) = output else {
        eprintln!("python3 not found: skipping the comparison with Python");
        return None;
    };
    assert!(
        output.status.success(),
        "python3 -c {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("python3 prints UTF-8"))
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr).lines().map(str::to_owned).collect()
}

/// Rust's one line for `args`, after checking that the example refused them: status 2, nothing on
/// stdout, one line on stderr. `--virtual-time` goes first, so that the last word of `args` stays
/// the last.
fn rust_refusal<S: AsRef<OsStr>>(example: &str, args: &[S]) -> String {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--virtual-time")];
    all.extend(args.iter().map(AsRef::as_ref));
    let output = rust(example, &all);
    let lines = stderr_lines(&output);
    assert_eq!(
        (output.status.code(), lines.len(), output.stdout.len()),
        (Some(2), 1, 0),
        "{example} {all:?}: want status 2, one line on stderr and nothing on stdout; got {lines:?}"
    );
    lines[0].clone()
}

/// Python's one line for `args` (the await program), after the same checks, or `None` without
/// python3.
fn python_refusal<S: AsRef<OsStr>>(args: &[S]) -> Option<String> {
    let output = python("await", args)?;
    let lines = stderr_lines(&output);
    let shown: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    assert_eq!(
        (output.status.code(), lines.len(), output.stdout.len()),
        (Some(2), 1, 0),
        "python {shown:?}: want status 2, one line on stderr and nothing on stdout; got {:?}",
        &lines[..lines.len().min(4)]
    );
    Some(lines[0].clone())
}

/// What follows `error: argument --flag: ` in Python's line.
fn reason(python_line: &str) -> &str {
    python_line.splitn(3, ": ").last().unwrap_or_default()
}

/// Both programs refuse `args` with one line and status 2, and Rust's line ends with Python's reason,
/// as `.ci/parity` compares them. Returns Rust's line.
fn assert_same_refusal<S: AsRef<OsStr>>(args: &[S]) -> String {
    let rust_line = rust_refusal("async_await_example", args);
    if let Some(python_line) = python_refusal(args) {
        let shown: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
        assert!(
            rust_line.ends_with(&format!(": {}", reason(&python_line))),
            "{shown:?}: different reasons\n  python: {python_line}\n  rust:   {rust_line}"
        );
    }
    rust_line
}

/// A control character in a bad value is written as Python's `repr` writes it (`\x01`), in the
/// reason and in the value Rust's line quotes first (clap quoted it without its control character:
/// `'a'`).
#[test]
fn a_control_character_in_a_bad_value_is_shown_as_python_shows_it() {
    assert_eq!(
        assert_same_refusal(&["--seed", "a\u{1}"]),
        r"error: invalid value 'a\x01' for '--seed <N>': invalid seed 'a\x01': expected a whole number such as 7 or -12"
    );
    assert_same_refusal(&["--tasks", "a\u{1},a\u{1}"]);
    assert_same_refusal(&["--likelihood", "\u{200b}0.5"]);
}

/// Every class of character that does not show as itself is escaped, and the characters around
/// them are not: the first and last character of every range of `HIDDEN` (NUL cannot be in a
/// command line, nor a surrogate in UTF-8: U+0001 and U+E000 stand for them), and the one before
/// and after each range. Python and Rust give the same reason; Rust's line quotes the same text.
#[test]
fn every_hidden_character_is_escaped_as_python_escapes_it() {
    let mut value = String::from("x");
    for &(first, last) in &HIDDEN {
        for code in [first.saturating_sub(1), first, last, last + 1] {
            let code = match code {
                0 => 1,
                0xD800..=0xDFFF => 0xE000,
                code => code,
            };
            value.extend(char::from_u32(code));
        }
    }
    let rust_line = assert_same_refusal(&[format!("--seed={value}")]);
    let quoted = minimalist_async::demo::shown(&value);
    assert!(
        rust_line.starts_with(&format!("error: invalid value '{quoted}' for '--seed <N>': ")),
        "{rust_line}"
    );
    for (c, escaped) in [
        ('\t', r"\t"),
        ('\n', r"\n"),
        ('\r', r"\r"),
        ('\u{7f}', r"\x7f"),
        ('\u{85}', r"\x85"),
        ('\u{9f}', r"\x9f"),
        ('\u{2028}', r"\u2028"),
        ('\u{202e}', r"\u202e"),
        ('\u{e0001}', r"\U000e0001"),
    ] {
        let line = rust_refusal("async_await_example", &[format!("--seed=x{c}")]);
        assert!(line.contains(&format!("'x{escaped}'")), "{c:?}: {line}");
    }
}

/// Python's `_HIDDEN` is Rust's `HIDDEN`; and, where Python's Unicode is the table's (14.0.0, as in
/// Python 3.11), it is every character of the categories it names, except the space U+0020.
#[test]
fn python_and_rust_hide_the_same_characters() {
    let Some(printed) = python_prints(
        "import unicodedata\n\
         from minimalist_package.minimalist_async import _HIDDEN\n\
         print(_HIDDEN)\n\
         print(unicodedata.unidata_version)\n\
         hidden = {'Cc', 'Cf', 'Zs', 'Zl', 'Zp', 'Co', 'Cs'}\n\
         table = {c for a, b in _HIDDEN for c in range(a, b + 1)}\n\
         print(sum(1 for c in range(0x110000)\n\
                   if (c != 32 and unicodedata.category(chr(c)) in hidden) != (c in table)))",
    ) else {
        return;
    };
    let lines: Vec<&str> = printed.lines().collect();
    let rust_table = format!("{:?}", HIDDEN.to_vec());
    assert_eq!(lines[0], rust_table, "python's _HIDDEN (left), Rust's HIDDEN (right)");
    if lines[1] == "14.0.0" {
        assert_eq!(lines[2], "0", "characters the table and Unicode 14 disagree on");
    } else {
        eprintln!(
            "python3 has Unicode {}, the table is Unicode 14.0.0: skipping the category check",
            lines[1]
        );
    }
}

/// An unknown argument is quoted escaped too, so that a newline in it cannot make a second line.
#[test]
fn an_unknown_argument_with_a_newline_is_one_line() {
    let line = rust_refusal("async_await_example", &["x\ny"]);
    assert_eq!(line, r"error: unexpected argument 'x\ny' found");
    if let Some(line) = python_refusal(&["x\ny"]) {
        assert_eq!(line, r"error: unrecognized arguments: x\ny");
    }
}

/// A word that is not UTF-8 is refused by both programs with the same line, each bad byte shown as
/// Python shows it (`\udcNN`, Python's "surrogateescape"): whatever the flag, before any other
/// check. (Rust gave clap's "invalid UTF-8 was detected in one or more arguments"; Python ran a tag
/// `--tasks $'\xff'` it could not print, or named a seed's bad byte.)
#[cfg(unix)]
#[test]
fn a_word_that_is_not_utf8_gets_the_same_line_in_both_languages() {
    use std::os::unix::ffi::OsStrExt;

    for (word, line) in [
        (&b"--seed=caf\xe9"[..], r"error: argument '--seed=caf\udce9' is not valid UTF-8"),
        (
            b"--tasks=a,\xff\xfe,\x01",
            r"error: argument '--tasks=a,\udcff\udcfe,\x01' is not valid UTF-8",
        ),
        (b"\xe2\x82", r"error: argument '\udce2\udc82' is not valid UTF-8"),
    ] {
        let word = OsStr::from_bytes(word);
        for example in ["async_await_example", "async_callback_example", "step_through"] {
            assert_eq!(rust_refusal(example, &[word]), line, "{example} {word:?}");
        }
        if let Some(python_line) = python_refusal(&[word]) {
            assert_eq!(python_line, line, "python {word:?}");
        }
    }
}

/// The word after `--seed` or `--likelihood` is their value even when it reads like a flag with a
/// value stuck to it: `--seed -h2` is a bad seed, with Python's reason. (The check for `-h2` looked
/// at every word, so Rust said "argument -h: ignored explicit argument '2'".)
#[test]
fn a_seed_or_likelihood_that_looks_like_a_stuck_help_flag_is_a_bad_value() {
    for args in [
        ["--seed", "-h2"],
        ["--seed", "-Vx"],
        ["--seed", "-hV"],
        ["--likelihood", "-h2"],
        ["--likelihood", "-V1"],
    ] {
        let line = assert_same_refusal(&args);
        assert!(line.starts_with("error: invalid value"), "{args:?}: {line}");
    }
}

/// The flags of `example` that take no value, each as argparse names it (`-h/--help`), read from
/// its `--help`: a line `  -h, --help` or `      --blocking`, with no `<VALUE>` after the names.
fn flags_without_a_value(example: &str) -> Vec<(String, String)> {
    let help = rust(example, &["--help"]);
    assert!(help.status.success(), "{example} --help");
    let flags: Vec<(String, String)> = String::from_utf8_lossy(&help.stdout)
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            let names: Vec<&str> = line.split(", ").collect();
            let is_flag = |name: &&str| {
                name.strip_prefix("--").or_else(|| name.strip_prefix('-')).is_some_and(|word| {
                    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
            };
            names.iter().all(is_flag).then(|| (names[names.len() - 1].to_owned(), names.join("/")))
        })
        .collect();
    assert!(
        flags.iter().any(|(long, _)| long == "--help"),
        "{example}: no flags found in --help: {flags:?}"
    );
    flags
}

/// A value given to a flag that takes none gets argparse's words in every example, for every such
/// flag (`--blocking=1`: "argument --blocking: ignored explicit argument '1'"; clap said "unexpected
/// value '1' for '--blocking' found; no more were expected"), and the same line as Python's for the
/// flags Python has.
#[test]
fn a_value_given_to_a_flag_that_takes_none_gets_argparse_words() {
    for example in ["async_await_example", "async_callback_example", "step_through"] {
        let flags = flags_without_a_value(example);
        for (long, names) in &flags {
            for value in ["1", "", "a\u{1}"] {
                let line = rust_refusal(example, &[format!("{long}={value}")]);
                let want = format!(
                    "error: argument {names}: ignored explicit argument '{}'",
                    minimalist_async::demo::shown(value)
                );
                assert_eq!(line, want, "{example} {long}={value:?}");
            }
        }
        for (short, names) in [("-h", "-h/--help"), ("-V", "-V/--version")] {
            let line = rust_refusal(example, &[format!("{short}2")]);
            assert_eq!(line, format!("error: argument {names}: ignored explicit argument '2'"));
        }
        let expected = ["--blocking", "--virtual-time", "--timeline", "--help", "--version"];
        let auto = (example == "step_through").then_some("--auto");
        for name in expected.into_iter().chain(auto) {
            assert!(
                flags.iter().any(|(long, _)| long == name),
                "{example}: {name} not among {flags:?}"
            );
        }
    }
    for args in [["--blocking=1"], ["--help=1"], ["-h2"], ["--blocking="]] {
        let rust_line = rust_refusal("async_await_example", &args);
        if let Some(python_line) = python_refusal(&args) {
            assert_eq!(rust_line, python_line, "{args:?}: rust (left), python (right)");
        }
    }
}

/// Both programs run `args` (Rust on virtual time, Python's rolls) and print the same bytes on
/// stdout, with exit status 0. Returns Rust's stdout.
fn assert_same_run(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--rng", "python", "--virtual-time"]);
    let rust_output = rust("async_await_example", &all);
    let stdout = String::from_utf8_lossy(&rust_output.stdout).into_owned();
    assert_eq!(
        rust_output.status.code(),
        Some(0),
        "rust {args:?}: {}",
        String::from_utf8_lossy(&rust_output.stderr)
    );
    if let Some(python_output) = python("await", args) {
        assert_eq!(
            python_output.status.code(),
            Some(0),
            "python {args:?}: {}",
            String::from_utf8_lossy(&python_output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&python_output.stdout),
            stdout,
            "{args:?}: python (left), rust (right)"
        );
    }
    stdout
}

/// A flag that takes a value with none after it gets argparse's line on both sides, the same
/// bytes: at the end, before `--` (which ends the flags: `--seed --` gave Python a traceback, and
/// Rust a bad seed '--'), or before a word that looks like a flag (`--tasks -x`; clap said
/// "unexpected argument '-x' found", or "a value is required for '--tasks <A,B,C>' but none was
/// supplied"). A bad value before it is reported first, an unknown argument after it, as argparse
/// reads words in order and reports unknown ones last.
#[test]
fn a_flag_without_its_value_gets_the_same_line_in_both_languages() {
    for args in [
        &["--seed", "--"][..],
        &["--likelihood", "--"],
        &["--tasks", "--"],
        &["--seed"],
        &["--likelihood"],
        &["--tasks"],
        &["--tasks", "-x"],
        &["--tasks", "-1e3"],
        &["--tasks", "--help"],
        &["--tasks", "-h2"],
        &["--tasks", "-V"],
        &["--tasks", "--seed=1"],
        &["--bogus", "--tasks"],
        &["--seed", "1", "--tasks", "--", "x"],
    ] {
        let flag =
            args.iter().rev().find(|word| ["--seed", "--likelihood", "--tasks"].contains(word));
        let want = format!("error: argument {}: expected one argument", flag.expect("a flag"));
        for example in ["async_await_example", "async_callback_example"] {
            assert_eq!(rust_refusal(example, args), want, "{example} {args:?}");
        }
        if let Some(line) = python_refusal(args) {
            assert_eq!(line, want, "python {args:?}");
        }
    }
    // A bad value before it comes first.
    let line = assert_same_refusal(&["--seed", "abc", "--tasks"]);
    assert!(line.contains("invalid seed 'abc'"), "{line}");
}

/// A value given with `=` is the value, `--` too: `--seed=--` and `--likelihood=--` are bad values
/// with the same reason on both sides (Python gave a traceback, or exited 0 after one), and
/// `--tasks=--` runs a task tagged `--` on both (Python, whose argparse drops that `--`, ran none).
#[test]
fn two_hyphens_given_with_equals_are_the_value() {
    let line = assert_same_refusal(&["--seed=--"]);
    assert!(line.ends_with(": invalid seed '--': expected a whole number such as 7 or -12"));
    let line = assert_same_refusal(&["--likelihood=--"]);
    assert!(line.ends_with(", got '--'"), "{line}");
    let stdout = assert_same_run(&["--seed", "1", "--likelihood", "1", "--tasks=--"]);
    assert!(stdout.contains("The result of task=-- was "), "{stdout}");
    let stdout = assert_same_run(&["--seed", "1", "--likelihood", "1", "--tasks=a,--,b"]);
    assert!(stdout.contains("The result of task=-- was "), "{stdout}");
}

/// The word after `--tasks` is its value when argparse would not read it as a flag: `-` alone, a
/// negative number, a word with a space. Rust ran them as argparse does (clap said "unexpected
/// argument '-1' found").
#[test]
fn a_tag_that_starts_with_a_hyphen_but_is_not_a_flag_is_a_value() {
    for tags in ["-", "-1", "-2.5", "-.5", "-a b", "-1 ,x"] {
        let stdout = assert_same_run(&["--seed", "1", "--likelihood", "1", "--tasks", tags]);
        let first = tags.split(',').next().unwrap_or_default();
        assert!(stdout.contains(&format!("The result of task={first} was ")), "{tags:?}: {stdout}");
    }
}

/// `--version` and `-V` print the same line on both sides, exit status 0 (Python exited 2 with
/// "unrecognized arguments"); a value given to them gets the same line too.
#[test]
fn version_is_the_same_in_both_languages() {
    let want = format!("minimalist-async {}\n", env!("CARGO_PKG_VERSION"));
    for flag in ["--version", "-V"] {
        for example in ["async_await_example", "async_callback_example", "step_through"] {
            let output = rust(example, &[flag]);
            assert_eq!(output.status.code(), Some(0), "{example} {flag}");
            assert_eq!(String::from_utf8_lossy(&output.stdout), want, "{example}");
            assert!(output.stderr.is_empty(), "{example} {flag}");
        }
        for mode in ["await", "callback"] {
            let Some(output) = python(mode, &[flag]) else {
                return;
            };
            assert_eq!(
                output.status.code(),
                Some(0),
                "python {mode} {flag}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&output.stdout), want, "python {mode}");
            assert!(output.stderr.is_empty(), "python {mode} {flag}");
        }
    }
    for args in [["-V2"], ["--version=1"], ["--version="]] {
        let rust_line = rust_refusal("async_await_example", &args);
        if let Some(python_line) = python_refusal(&args) {
            assert_eq!(rust_line, python_line, "{args:?}: rust (left), python (right)");
        }
    }
}

/// A stdout that cannot take the output (a full disk, here `/dev/full`): one line on stderr, the
/// same on both sides, and status 1; not a traceback per task on the Python side, where only a
/// reader that has gone (a broken pipe) used to be handled.
#[test]
fn a_full_stdout_gets_one_line_and_status_1_on_both_sides() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full here: skipping");
        return;
    };
    let args = ["--seed", "7", "--likelihood", "1"];
    for mode in ["await", "callback"] {
        let rust = Command::new(example_path(&format!("async_{mode}_example")))
            .args(args)
            .arg("--virtual-time")
            .stdin(Stdio::null())
            .stdout(full.try_clone().expect("clone /dev/full"))
            .output()
            .expect("run the example");
        let package = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/minimalist_package");
        let Ok(python) = Command::new("python3")
            .arg("-m")
            .arg(format!("minimalist_package.minimalist_async.async_{mode}_example"))
            .args(args)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(package)
            .stdin(Stdio::null())
            .stdout(full.try_clone().expect("clone /dev/full"))
            .output()
        else {
            eprintln!("python3 not found: skipping the comparison with Python");
            return;
        };
        for (side, output) in [("rust", &rust), ("python", &python)] {
            let lines = stderr_lines(output);
            assert_eq!(output.status.code(), Some(1), "{side} {mode}: {lines:?}");
            assert_eq!(
                lines,
                ["error: cannot write to stdout: No space left on device (os error 28)"],
                "{side} {mode}"
            );
        }
    }
}
