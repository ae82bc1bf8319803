//! The replay page (`--replay-html`, `examples/common/replay.rs`) is its template with `{{TITLE}}`,
//! `{{SVG}}` and `{{DATA}}` filled in. Text the user gave, such as a task tag, is filled in too, and
//! must never be read for placeholders: a tag `{{DATA}}` had the run's JSON pasted into it, and a
//! tag `{{SVG}}` the chart, because the page was filled with one `str::replace` after another.

mod common;

use std::path::PathBuf;

use common::run_example;

/// The replay page of `--seed 7 --likelihood 1` with `tags`, from `example` (and, for the stepper,
/// `--auto`).
fn page(example: &str, tags: &str) -> String {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "minimalist-async-placeholders-{}-{example}-{}.html",
        std::process::id(),
        tags.len()
    ));
    let file = path.to_str().expect("a UTF-8 temporary path").to_owned();
    let mut args = vec![
        "--seed",
        "7",
        "--likelihood",
        "1",
        "--virtual-time",
        "--tasks",
        tags,
        "--replay-html",
        &file,
    ];
    if example == "step_through" {
        args.push("--auto");
    }
    let output = run_example(example, &args, "");
    assert!(
        output.status.success(),
        "{example} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&path).expect("the replay page");
    let _ = std::fs::remove_file(&path);
    without_real_durations(&html)
}

/// `page` without the step notes that give a poll's real duration, shown when it reaches a
/// millisecond: they depend on the machine's load, not on the run (on a loaded machine a debug
/// build's poll often takes that long), so two runs of the same flags differ there.
fn without_real_durations(page: &str) -> String {
    const NOTE: &str = "\"the poll ran for ";
    const END: &str = " of real time: every other task waited\"";
    let (mut kept, mut rest) = (String::new(), page);
    while let Some(start) = rest.find(NOTE) {
        let end = start + rest[start..].find(END).expect("a note ends") + END.len();
        // The note is one string of a JSON list: its comma goes with it.
        let (start, end) = match (rest[..start].strip_suffix(','), rest[end..].starts_with(',')) {
            (Some(before), _) => (before.len(), end),
            (None, true) => (start, end + 1),
            (None, false) => (start, end),
        };
        kept.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    kept + rest
}

/// With tags that are the placeholders, the page is the page of plain tags of the same lengths,
/// with those tags written as the placeholders: nothing else was filled in. (On a loaded machine a
/// poll can pass the blocking detector's threshold, or be drawn long on the chart, in one of the two
/// runs: the pair is then made again, up to 5 times.)
#[test]
fn a_tag_that_is_a_placeholder_is_not_filled_in() {
    let placeholders = ["{{TITLE}}", "{{SVG}}", "{{DATA}}", "{{NOPE}}"];
    let plain = ["__TITLE__", "__SVG__", "__DATA__", "__NOPE__"];
    for example in ["async_await_example", "step_through"] {
        let mut sizes = Vec::new();
        for _ in 0..5 {
            let mut odd = page(example, &placeholders.join(","));
            let plain_page = page(example, &plain.join(","));
            for (placeholder, plain) in placeholders.iter().zip(plain) {
                assert!(
                    odd.contains(placeholder),
                    "{example}: the tag {placeholder} is not on the page"
                );
                odd = odd.replace(placeholder, plain);
            }
            if odd == plain_page {
                break;
            }
            sizes.push((odd.len(), plain_page.len()));
        }
        assert!(
            sizes.len() < 5,
            "{example}: the page of the placeholder tags is not the page of plain tags with the \
             tags changed (bytes, placeholders and plain, each try: {sizes:?})"
        );
    }
}

/// A tag with braces that are not a placeholder, or half of one, stays as it is too.
#[test]
fn braces_in_a_tag_stay_as_they_are() {
    let html = page("async_await_example", "{{,}},{{TITLE,a}}b");
    for tag in ["{{", "}}", "{{TITLE", "a}}b"] {
        assert!(html.contains(&format!("The result of task={tag} was ")), "{tag}");
    }
}
