//! Tests of the visual tools: the stepper (`examples/step_through.rs`), `--timeline`, `--timeline-svg`
//! and `--replay-html` on both demos and the stepper.
//!
//! Like `tests/demos.rs`, these run the example binaries that `cargo test` builds into
//! `target/<profile>/examples/`. Everything runs on virtual time, so the whole file takes a second or
//! two; only the `--blocking` test waits real time (half a second: blocking is the point). The stepper is
//! driven three ways: `--auto`, lines on a pipe, and keys typed into a real terminal (tmux).
//!
//! The replay page is also tested in a real browser, by `.ci/browser` (headless Chromium).

mod common;

use common::{example_path, run_example};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

// Running the examples.

fn run(name: &str, args: &[&str]) -> Output {
    run_example(name, args, "")
}

/// Runs and checks the exit status; returns (stdout, stderr).
fn run_ok(name: &str, args: &[&str], stdin: &str) -> (String, String) {
    let output = run_example(name, args, stdin);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{name} {args:?} exited with {}\nstderr: {stderr}",
        output.status
    );
    (stdout, stderr)
}

const SEED7: [&str; 3] = ["--seed", "7", "--virtual-time"];

fn golden(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(mode, seed, tags, likelihood, file)` for each line of `tests/golden/cases.txt`.
fn golden_cases() -> Vec<[String; 5]> {
    let cases: Vec<[String; 5]> = golden("cases.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
            fields.try_into().ok()
        })
        .collect();
    assert!(cases.len() >= 10, "cases.txt changed shape: found {} cases", cases.len());
    cases
}

/// A file in the temporary directory, unique to this test process, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(
            std::env::temp_dir()
                .join(format!("minimalist-async-tools-{}-{name}", std::process::id())),
        )
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }

    fn read(&self) -> String {
        std::fs::read_to_string(&self.0).unwrap_or_else(|e| panic!("{}: {e}", self.0.display()))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// Reading the stepper's output.

/// The demo lines the stepper printed step by step (`  +N │ line`), in order.
fn printed_during_steps(stepper: &str) -> String {
    stepper
        .lines()
        .filter(|line| line.starts_with("  +"))
        .filter_map(|line| line.split_once("│ ").map(|(_, text)| format!("{text}\n")))
        .collect()
}

/// The demo's whole output as the stepper lists it at the end, after `demo output (N lines):`.
fn final_listing(stepper: &str) -> String {
    let (_, listing) =
        stepper.split_once("demo output (").expect("the stepper ends with the demo's output");
    listing
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once("│ ").map(|(_, text)| format!("{text}\n")))
        .collect()
}

/// The numbers of the steps shown, in order (`── step N · …`).
fn step_numbers(stepper: &str) -> Vec<usize> {
    stepper
        .lines()
        .filter_map(|line| line.strip_prefix("── step "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect()
}

// The stepper.

#[test]
fn stepper_auto_shows_every_step_and_the_golden_output() {
    let (out, _) = run_ok("step_through", &["--seed", "7", "--virtual-time", "--auto"], "");
    let steps = step_numbers(&out);
    assert_eq!(steps, (0..=17).collect::<Vec<_>>(), "seed 7 takes 17 steps:\n{out}");
    for part in ["did: ", "ready queue", "tasks ", "timer wheel", "level 2 slot 24: task1 @ 100ms"]
    {
        assert!(out.contains(part), "no {part:?} in:\n{out}");
    }
    // The task that just ran is marked as running.
    assert!(
        out.contains("▶ Task-2   task1  main        running (this step) → sleeping until 100ms")
    );
    assert!(out.contains("virtual time jumped to 100ms"));
    assert!(out.contains("fired 2 due timers"));
    assert!(out.contains("the run is over after 17 steps and 11 turns, clock 400ms"));
    let transcript = golden("await-7-task1,task2-0.1.txt");
    assert_eq!(printed_during_steps(&out), transcript);
    assert_eq!(final_listing(&out), transcript);
    assert!(!out.contains('\x1b'), "no terminal escapes when stdout is not a terminal");
}

/// The stepper runs the demos' mains (`minimalist_async::demo::{await_main, callback_main}`) step by step: every golden transcript checks it.
#[test]
fn stepper_prints_every_golden_transcript() {
    for [mode, seed, tags, likelihood, file] in golden_cases() {
        let args = [
            "--mode",
            &mode,
            "--seed",
            &seed,
            "--tasks",
            &tags,
            "--likelihood",
            &likelihood,
            "--virtual-time",
            "--auto",
        ];
        let (out, _) = run_ok("step_through", &args, "");
        let transcript = golden(&file);
        assert_eq!(printed_during_steps(&out), transcript, "step_through {args:?}");
        assert_eq!(final_listing(&out), transcript, "step_through {args:?}");
    }
}

#[test]
fn stepper_callback_mode_shows_the_callbacks() {
    let (out, _) = run_ok(
        "step_through",
        &["--mode", "callback", "--seed", "7", "--virtual-time", "--auto"],
        "",
    );
    assert!(out.contains("queued a done-callback of task2 for the next turn"), "{out}");
    assert!(out.contains("[callback of task2]"), "{out}");
    assert!(out.contains("did: ran a done-callback of task2 (Task-3)"), "{out}");
    assert_eq!(final_listing(&out), golden("callback-7-task1,task2-0.1.txt"));
}

#[test]
fn stepper_reads_commands_from_piped_lines() {
    // q quits at once, cleanly.
    let (out, stderr) = run_ok("step_through", &SEED7, "q\n");
    assert_eq!(step_numbers(&out), [0]);
    assert!(
        out.contains("stopped at step 0 (turn 0, clock 0ms): the run was not finished"),
        "{out}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Enter steps once each.
    let (out, _) = run_ok("step_through", &SEED7, "\n\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2]);
    assert!(out.contains("stopped at step 2"));

    // t runs to the end of the turn: turn 1 is main's one poll, turn 2 polls both tasks.
    let (out, _) = run_ok("step_through", &SEED7, "t\nt\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2, 3]);
    assert!(out.contains("stopped at step 3 (turn 2"), "{out}");

    // From the end of a turn that left only timers, t moves the clock and runs the turn that follows.
    let (out, _) = run_ok("step_through", &SEED7, "t\nt\nt\nq\n");
    assert_eq!(step_numbers(&out), [0, 1, 2, 3, 4, 5]);

    // c runs to the end.
    let (out, _) = run_ok("step_through", &SEED7, "c\n");
    assert_eq!(step_numbers(&out).last(), Some(&17));
    assert_eq!(final_listing(&out), golden("await-7-task1,task2-0.1.txt"));

    // The end of input continues to the end, as documented; an unknown command is explained.
    let (out, _) = run_ok("step_through", &SEED7, "x\n");
    assert!(out.contains("unknown command \"x\""), "{out}");
    assert!(out.contains("the run is over after 17 steps"), "{out}");
    let (out, _) = run_ok("step_through", &SEED7, "");
    assert!(out.contains("the run is over after 17 steps"), "{out}");
}

#[test]
fn stepper_help_and_bad_flags() {
    let (help, _) = run_ok("step_through", &["--help"], "");
    for part in [
        "--mode",
        "--auto",
        "--seed",
        "--blocking",
        "--timeline",
        "--timeline-svg",
        "--replay-html",
        "Enter",
    ] {
        assert!(help.contains(part), "--help does not mention {part}:\n{help}");
    }
    for bad in [&["--mode", "bogus"][..], &["--auto", "extra"], &["--likelihood", "2"]] {
        let output = run("step_through", bad);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 1, "{bad:?}");
    }
}

/// The stepper in a real terminal: tmux gives it a terminal for stdin and stdout, keys are typed with
/// `send-keys` and the screen read with `capture-pane`. Skipped, with a note, where tmux is missing.
#[test]
fn stepper_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping the real-terminal test of the stepper");
        return;
    }
    let tmux = Tmux::new();
    let status = TempFile::new("tmux-status");
    let command = format!(
        "'{}' --seed 7 --virtual-time; echo \"exit $?\" > '{}'",
        example_path("step_through").display(),
        status.arg()
    );
    tmux.run(&["new-session", "-d", "-s", "stepper", "-x", "80", "-y", "50", &command]);
    let screen = tmux.wait_for("· h · q >");
    assert!(screen.contains("── step 0 "), "{screen}");
    assert!(screen.contains("[main]"), "{screen}");

    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("── step 1 ");
    assert!(screen.contains("▶ Task-1"), "{screen}");
    assert!(screen.contains("running (this step) → awaiting task1"), "{screen}");
    assert!(screen.contains("Awaiting results..."), "{screen}");
    // Regression: the count read `(1 lines)`.
    assert!(screen.contains("output so far (1 line):"), "{screen}");
    assert!(!screen.contains("── step 0 "), "the screen is redrawn, not scrolled:\n{screen}");

    tmux.keys(&["t", "Enter"]);
    let screen = tmux.wait_for("── step 3 ");
    assert!(screen.contains("step   2: polled task1 (Task-2)"), "{screen}");
    assert!(screen.contains("task2 retry needed"), "{screen}");

    // b goes back by replaying, and says so; on an 80-column terminal nothing wraps.
    tmux.keys(&["b", "Enter"]);
    let screen = tmux.wait_for("replayed from the start to step 2");
    assert!(screen.contains("── step 2 "), "{screen}");
    assert!(screen.contains("going back replays the run from the start"), "{screen}");
    // g, u and / from the prompt.
    tmux.keys(&["g 4", "Enter"]);
    tmux.wait_for("── step 4 ");
    tmux.keys(&["u task1", "Enter"]);
    tmux.wait_for("u: task1 (Task-2) changed at step 5");
    tmux.keys(&["/Done", "Enter"]);
    let screen = tmux.wait_for("/: step 7 printed line 5");
    assert!(screen.contains("── step 7 "), "{screen}");
    tmux.keys(&["h", "Enter"]);
    tmux.wait_for("until an output line contains TEXT");

    tmux.keys(&["q", "Enter"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !status.0.exists() || status.read().is_empty() {
        assert!(Instant::now() < deadline, "the stepper did not quit on q");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(status.read().trim(), "exit 0");
}

/// A tmux server of this test's own (`-L`), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Tmux {
        Tmux { socket: format!("minimalist-async-tools-{}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "stepper"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// The screen, once it shows `text` (within ten seconds).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.run(&["capture-pane", "-p", "-t", "stepper"]);
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "the screen never showed {text:?}:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

// The timeline in the terminal.

/// The chart's lanes from stderr: lane name → its cells. The cells start where the ruler's first time
/// label (`0ms`) does; columns are counted in characters (`─` and `·` are several bytes).
fn lanes(stderr: &str) -> Vec<(String, Vec<char>)> {
    let chart = &stderr[stderr.find("timeline of ").expect("a chart on stderr")..];
    let ruler = chart.lines().find(|line| line.trim_start().starts_with("0ms")).expect("a ruler");
    let offset = ruler.chars().take_while(|c| *c == ' ').count();
    chart
        .lines()
        .filter(|line| line.contains(" Task-"))
        .map(|line| {
            let name = line.split_whitespace().next().unwrap_or_default().to_owned();
            (name, line.chars().skip(offset).collect())
        })
        .collect()
}

/// The columns of a lane that hold a poll or done mark.
fn mark_columns(cells: &[char]) -> Vec<usize> {
    cells.iter().enumerate().filter(|(_, c)| "PD".contains(**c)).map(|(i, _)| i).collect()
}

#[test]
fn timeline_shows_both_tasks_running_concurrently() {
    let (stdout, stderr) =
        run_ok("async_await_example", &["--seed", "7", "--virtual-time", "--timeline"], "");
    assert_eq!(stdout, golden("await-7-task1,task2-0.1.txt"), "stdout stays the tutorial's");
    let lanes = lanes(&stderr);
    let names: Vec<&str> = lanes.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["main", "task1", "task2"], "{stderr}");
    let task1 = mark_columns(&lanes[1].1);
    let task2 = mark_columns(&lanes[2].1);
    assert_eq!(task1, [0, 10, 20, 30, 40], "{stderr}");
    assert_eq!(task2, [0, 10], "{stderr}");
    // Both lanes are polled in the same early columns, and asleep together in between.
    assert!(lanes[1].1[1..10].iter().chain(&lanes[2].1[1..10]).all(|c| *c == '─'), "{stderr}");
    for part in
        ["legend:", "P poll that returned Pending", "─ asleep", "one column = 10ms", "400ms"]
    {
        assert!(stderr.contains(part), "no {part:?}:\n{stderr}");
    }
    assert!(
        stderr
            .contains("reading: task1 and task2 were in flight at the same time from 0ms until task2 finished at 100ms"),
        "{stderr}"
    );
    // Off by default: no chart without the flag.
    let (_, plain) = run_ok("async_await_example", &SEED7, "");
    assert!(!plain.contains("timeline of"));
}

#[test]
fn timeline_marks_callbacks_and_matches_the_stepper() {
    let args = ["--seed", "7", "--virtual-time", "--timeline"];
    let (_, demo) = run_ok("async_callback_example", &args, "");
    let lanes_demo = lanes(&demo);
    assert!(lanes_demo[2].1.iter().collect::<String>().starts_with("P─────────Dc"), "{demo}");
    // The stepper runs the same schedule through step(): the same chart.
    let (_, stepper) = run_ok(
        "step_through",
        &["--mode", "callback", "--auto", "--seed", "7", "--virtual-time", "--timeline"],
        "",
    );
    assert_eq!(lanes(&stepper), lanes_demo);
}

/// With `--blocking` each task holds the executor for its whole run: long polls one after the other,
/// the second task queued until the first is done, never both in flight.
#[test]
fn blocking_timeline_shows_serialization() {
    let (_, stderr) = run_ok(
        "async_await_example",
        &["--seed", "7", "--virtual-time", "--blocking", "--timeline"],
        "",
    );
    let lanes = lanes(&stderr);
    let (task1, task2) = (&lanes[1].1, &lanes[2].1);
    let busy = |cells: &[char]| -> Vec<usize> {
        (0..cells.len()).filter(|&i| cells[i] == '█').collect()
    };
    let (busy1, busy2) = (busy(task1), busy(task2));
    assert!(busy1.len() >= 25 && busy2.len() >= 15, "task1 blocks ~300ms, task2 ~200ms:\n{stderr}");
    let task1_done = task1.iter().position(|c| *c == 'D').expect("task1 is done");
    assert!(busy1.iter().all(|&i| i < task1_done), "{stderr}");
    assert!(busy2.iter().all(|&i| i >= task1_done), "task2 runs after task1 ends:\n{stderr}");
    assert!(task2[..task1_done].iter().all(|c| *c == '░'), "task2 waits queued:\n{stderr}");
    assert!(stderr.contains("reading: the tasks ran one at a time"), "{stderr}");
}

// The SVG picture.

/// An element's name and attributes.
type Element = (String, Vec<(String, String)>);

/// Checks that `text` is well-formed XML and returns its elements as (name, attributes), in document
/// order. Enough of XML for SVG: a declaration, comments, elements, attributes, text and entities.
fn parse_xml(text: &str) -> Result<Vec<Element>, String> {
    fn entities_ok(text: &str) -> bool {
        text.split('&').skip(1).all(|rest| {
            let Some((name, _)) = rest.split_once(';') else {
                return false;
            };
            matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix('#')
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
    }
    let is_name =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "-_:.".contains(c));
    let mut rest =
        text.strip_prefix("<?xml").map_or(text, |r| r.split_once("?>").map_or("", |(_, r)| r));
    let (mut stack, mut elements, mut roots) = (Vec::<String>::new(), Vec::new(), 0);
    while let Some(open) = rest.find('<') {
        let between = &rest[..open];
        if !entities_ok(between) || (stack.is_empty() && !between.trim().is_empty()) {
            return Err(format!("bad text {between:?}"));
        }
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.split_once("-->").ok_or("unclosed comment")?.1;
        } else if let Some(close) = rest.strip_prefix('/') {
            let (name, after) = close.split_once('>').ok_or("unclosed end tag")?;
            if stack.pop().as_deref() != Some(name.trim()) {
                return Err(format!("</{name}> does not close the open element"));
            }
            rest = after;
        } else {
            let end = rest.find('>').ok_or("unclosed tag")?;
            let (tag, after) = (&rest[..end], &rest[end + 1..]);
            let (tag, self_closing) = tag.strip_suffix('/').map_or((tag, false), |t| (t, true));
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            let (name, mut attrs_text) = (&tag[..name_end], tag[name_end..].trim());
            if !is_name(name) {
                return Err(format!("bad element name {name:?}"));
            }
            let mut attrs: Vec<(String, String)> = Vec::new();
            while !attrs_text.is_empty() {
                let (key, value) = attrs_text
                    .split_once('=')
                    .ok_or(format!("attribute without value in <{name}>"))?;
                let value = value.trim_start();
                let quote = value
                    .chars()
                    .next()
                    .filter(|q| *q == '"' || *q == '\'')
                    .ok_or("unquoted attribute")?;
                let (value, after) = value[1..].split_once(quote).ok_or("unclosed attribute")?;
                let key = key.trim();
                if !is_name(key) || !entities_ok(value) || attrs.iter().any(|(k, _)| k == key) {
                    return Err(format!("bad attribute {key}={value:?} in <{name}>"));
                }
                attrs.push((key.to_owned(), value.to_owned()));
                attrs_text = after.trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name.to_owned());
            }
            elements.push((name.to_owned(), attrs));
            rest = after;
        }
    }
    match (stack.is_empty(), roots, rest.trim().is_empty()) {
        (true, 1, true) => Ok(elements),
        _ => Err(format!("unclosed elements {stack:?}, {roots} roots, trailing {rest:?}")),
    }
}

#[test]
fn xml_checker_rejects_what_is_not_well_formed() {
    assert!(parse_xml(r#"<svg a="1"><g/><text>a &amp; b</text></svg>"#).is_ok());
    for bad in [
        "<svg><g></svg>",
        "<svg a=1/>",
        "<svg>a & b</svg>",
        "<svg/><svg/>",
        "<svg a='1' a='2'/>",
        "<svg>",
    ] {
        assert!(parse_xml(bad).is_err(), "{bad}");
    }
}

#[test]
fn timeline_svg_is_well_formed_with_a_lane_per_task() {
    let file = TempFile::new("timeline.svg");
    let (stdout, stderr) = run_ok(
        "async_await_example",
        &["--seed", "7", "--virtual-time", "--timeline-svg", file.arg()],
        "",
    );
    assert_eq!(stdout, golden("await-7-task1,task2-0.1.txt"));
    assert!(!stderr.contains("timeline of"), "--timeline-svg alone prints no chart");
    let svg = file.read();
    let elements = parse_xml(&svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    let attr = |attrs: &[(String, String)], key: &str| {
        attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    assert_eq!(elements[0].0, "svg");
    assert_eq!(attr(&elements[0].1, "xmlns").as_deref(), Some("http://www.w3.org/2000/svg"));
    let lanes: Vec<String> = elements
        .iter()
        .filter(|(name, attrs)| name == "g" && attr(attrs, "class").as_deref() == Some("lane"))
        .filter_map(|(_, attrs)| attr(attrs, "data-name"))
        .collect();
    assert_eq!(lanes, ["main", "task1", "task2"]);
    let count = |class: &str| {
        elements.iter().filter(|(_, a)| attr(a, "class").as_deref() == Some(class)).count()
    };
    assert_eq!(
        count("mark poll"),
        1 + 4 + 1 + 1,
        "main once, task1 4 times, task2 once, and the legend's"
    );
    assert_eq!(count("mark done"), 3 + 1, "three tasks done, and the legend's");
    assert!(count("sleep") >= 5);
    assert!(!svg.contains("href"), "no external reference");
}

// The replay page.

#[test]
fn replay_html_is_self_contained_with_one_entry_per_step() {
    let file = TempFile::new("replay.html");
    let (stdout, _) = run_ok(
        "async_await_example",
        &["--seed", "7", "--virtual-time", "--replay-html", file.arg()],
        "",
    );
    assert_eq!(
        stdout,
        golden("await-7-task1,task2-0.1.txt"),
        "stepping keeps stdout the tutorial's"
    );
    let html = file.read();
    for outside in ["http:", "https:", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(outside), "the page refers outside itself: {outside}");
    }
    for part in [
        "id=\"prev\"",
        "id=\"next\"",
        "id=\"slider\"",
        "ArrowRight",
        "<svg id=\"timeline\"",
        "#selftest",
        "id=\"search\"",
        "id=\"veil\"",
        "<g class=\"grid\"",
        "hashchange",
        "#step=",
    ] {
        assert!(html.contains(part), "no {part}");
    }
    let data = html
        .split_once(r#"<script type="application/json" id="data">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .expect("the embedded JSON")
        .0;
    // One entry per step: record 0 (before the first step), then the 17 steps the stepper shows.
    let numbers: Vec<usize> = data
        .split("{\"n\":")
        .skip(1)
        .map(|rest| rest.split(',').next().unwrap().parse().unwrap())
        .collect();
    let (stepper, _) = run_ok("step_through", &["--seed", "7", "--virtual-time", "--auto"], "");
    assert_eq!(numbers, step_numbers(&stepper));
    // Each step's "what it did" is the stepper's line for that step.
    let did: Vec<&str> = stepper.lines().filter_map(|l| l.strip_prefix("did: ")).collect();
    for line in did {
        assert!(data.contains(&format!("\"did\":\"{}\"", line.replace('>', "\\u003e"))), "{line}");
    }
    // The output lines, embedded once, are the transcript.
    assert!(data.contains(r#""output":["Awaiting results...","task1 retry needed (roll = 0.32383276483316237 \u003e 0.1)""#));
    assert!(data.contains(r#""out":10,"#));
}

#[test]
fn stepper_writes_all_three_pictures() {
    let (svg, html) = (TempFile::new("stepper.svg"), TempFile::new("stepper.html"));
    let args = [
        "--mode",
        "callback",
        "--seed",
        "3",
        "--virtual-time",
        "--auto",
        "--timeline",
        "--timeline-svg",
        svg.arg(),
        "--replay-html",
        html.arg(),
    ];
    let (_, stderr) = run_ok("step_through", &args, "");
    assert!(stderr.contains("timeline of async_callback_example --seed 3"), "{stderr}");
    parse_xml(&svg.read()).expect("a well-formed SVG");
    assert!(html.read().contains("\"did\":\"ran a done-callback of task2 (Task-3)\""));
}
