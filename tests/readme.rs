//! README.md against the repository: its library example is compiled code, its commands write only
//! under `target/`, and no file of the repository points outside it.
//!
//! `.ci/readme` runs every command README.md shows in a fresh clone; these are the checks that need no
//! clone and run with `cargo test`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::example_path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// The fenced blocks of a Markdown text: (info string, body).
fn fenced_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "README.md: a fenced block is not closed");
    blocks
}

/// The README's example is `examples/hello_executor.rs` word for word, so `cargo test` compiles it.
#[test]
fn readme_library_example_is_the_compiled_example() {
    let blocks = fenced_blocks(&readme());
    let shown: Vec<&String> = blocks
        .iter()
        .filter(|(info, _)| info == "rust file=src/main.rs")
        .map(|(_, body)| body)
        .collect();
    assert_eq!(shown.len(), 1, "want one `rust file=src/main.rs` block in README.md");
    let example = std::fs::read_to_string(root().join("examples/hello_executor.rs")).unwrap();
    assert_eq!(
        *shown[0], example,
        "README.md's library example differs from examples/hello_executor.rs"
    );
}

/// It prints what README.md says it prints, and its two sleeps overlap.
#[test]
fn readme_library_example_prints_what_readme_says() {
    let started = Instant::now();
    let output = Command::new(example_path("hello_executor")).output().unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("42 in 0."), "{stdout}");
    assert!(readme().contains("# prints: 42 in 0.2 s"));
    assert!(wall >= 0.2, "the sleeps took no time: {wall} s");
}

/// Bug: README's `--replay-html replay.html` left an untracked file in the repository root. Every
/// file a README command writes goes under `target/`, which git ignores.
#[test]
fn readme_commands_write_only_under_target() {
    let mut checked = 0;
    for (info, body) in fenced_blocks(&readme()) {
        if info != "sh" {
            continue;
        }
        for line in body.lines() {
            let command = line.split(" #").next().unwrap_or("");
            let words: Vec<&str> = command.split_whitespace().collect();
            for pair in words.windows(2) {
                let writes = ["--replay-html", "--timeline-svg", ">", "2>", ">>"];
                if writes.contains(&pair[0]) {
                    checked += 1;
                    assert!(
                        pair[1].starts_with("target/"),
                        "README.md writes {} outside target/: {line}",
                        pair[1]
                    );
                }
            }
        }
    }
    assert!(checked > 0, "no README command writes a file: is the parser right?");
    let ignored = std::fs::read_to_string(root().join(".gitignore")).unwrap();
    assert!(ignored.lines().any(|line| line == "/target"), "{ignored}");
}

/// Nothing in the repository may depend on anything beside it: no file names the directory next to
/// the clone that the reference program and the tutorial text used to live in.
#[test]
fn no_file_refers_outside_the_repository() {
    let outside = concat!("..", "/shared");
    let mut files = Vec::new();
    collect_files(root(), &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    for file in files {
        if let Ok(text) = std::fs::read_to_string(&file) {
            assert!(!text.contains(outside), "{} refers to {outside}", file.display());
        }
    }
}

/// Every file under `dir`, except build output and version control.
fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if matches!(name.as_ref(), "target" | ".git" | "__pycache__") {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}
