//! The stepper: run either demo one executor step at a time and watch the ready queue, the tasks and
//! the timer wheel change.
//!
//! ```text
//! cargo run --example step_through -- --seed 7 --virtual-time            # Enter steps, q quits
//! cargo run --example step_through -- --mode callback --seed 3 --virtual-time --auto > walk.txt
//! ```
//!
//! The demo's main runs as a task (`Executor::spawn`), and the stepper calls `Executor::step()` itself:
//! `block_on` is a loop over the same `step()`, so what is shown is exactly what runs. After each step it
//! shows what the step did (from the trace), the lines the demo printed, and the snapshot.

mod common;

use std::future::Future;
use std::io::{BufRead, ErrorKind, IsTerminal, Write};
use std::pin::Pin;

use clap::{Parser, ValueEnum};
use common::record::{Names, Record, Recorder};
use common::{DemoArgs, Lines, VisualArgs, view};
use minimalist_async::demo::columns::width;
use minimalist_async::demo::{Seed, Tutorial, shown_bytes};
use minimalist_async::demo::{await_main, callback_main};
use minimalist_async::inspect::{TaskInfo, TaskState};
use minimalist_async::time::wheel::SlotId;
use minimalist_async::{Snapshot, Step, TaskId};

/// Steps through a demo of the asyncio tutorial on minimalist-async's executor.
///
/// After each executor step it shows what the step did, what the demo printed, and the
/// executor's state: the ready queue, the tasks (the one that just ran marked ▶ running),
/// the timer wheel.
///
/// Keys. Input is read a line at a time: type the key, then Enter. No raw terminal mode,
/// so it works in any terminal and with piped input.
///   Enter   one step
///   t       run to the end of the current turn
///   c       continue to the end
///   q       quit (exit status 0)
///   b       back one step
///   g N     go to step N, back or forward
///   u TASK  run until the task's state changes (u task1, or u Task-2)
///   /TEXT   run until an output line contains TEXT
///   h       list the keys
///   end of input (Ctrl-D, or the end of piped input): continue to the end, as c does
///   (so does input that cannot be read, said on stderr; a line that is not UTF-8 is refused)
///
/// Going back replays the run from the start to the step asked for: on virtual time a run
/// is a pure function of its seed and flags, so the replay is exact. On the real clock it
/// would not be (sleeps take what they take), so b and g back are refused there.
/// Every line printed fits in 80 columns.
///
/// --auto runs to the end without reading input, printing every step: for CI, and for
/// saving a walkthrough to a file.
#[derive(Parser, Debug)]
#[command(version, verbatim_doc_comment)]
struct Args {
    /// Which demo: await (await the tasks in order) or callback (done-callbacks print the results).
    #[arg(long, value_enum, default_value_t = Mode::Await)]
    mode: Mode,

    /// Run to the end without reading input, printing every step.
    #[arg(long)]
    auto: bool,

    #[command(flatten)]
    demo: DemoArgs,

    #[command(flatten)]
    visual: VisualArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    Await,
    Callback,
}

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Command {
    Step,
    Turn,
    Continue,
    Quit,
    Back,
    Goto(usize),
    Until(String),
    Find(String),
    Help,
}

/// What the stepper is running towards, one step per pass of the main loop.
#[derive(Clone, Debug)]
enum Goal {
    /// One step.
    Step,
    /// The end of the current turn.
    Turn,
    /// The end of the run.
    Continue,
    /// Step `N`.
    Reach(usize),
    /// Until this task (its id, its name) is no longer in this state (and the state in words).
    Until(TaskId, String, TaskState, String),
    /// Until a line printed from now on contains the text.
    Find(String),
}

/// The keys, for `h` and the help text.
const KEYS: &str = "\
keys (type one, then Enter):
  Enter    one step                 t       to the end of the turn
  c        to the end of the run    q       quit
  b        back one step            g N     go to step N (back or forward)
  u TASK   until TASK's state changes (a name like task1, or an id like Task-2)
  /TEXT    until an output line contains TEXT
  h        this list
";

/// Said the first time the stepper goes back.
const REPLAY_NOTE: &str = "\
going back replays the run from the start: on virtual time a run is a pure
function of its seed and flags, so step N replayed is step N as first shown
(b is g N-1 from step N).";

/// Said the first time the timer wheel shows a timer in a slot.
const WHEEL_NOTE: &str = "\
level L slot S: where a timer waits. The wheel has 6 levels of 64 slots; a slot
on level L spans 64^L µs (4.1ms on level 2, 262ms on level 3). A timer sits in
the slot its deadline falls in and moves down a level as that time comes near.";

/// The widest line the stepper prints, so that nothing wraps in an 80-column terminal.
const WIDTH: usize = 80;

/// Columns a line takes in a terminal: each character's [`width`] (two for the East Asian Width W
/// and F characters, emoji among them), not counting escape sequences (`ESC [ … letter`).
fn columns(line: &str) -> usize {
    let mut count = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            count += width(c);
        }
    }
    count
}

/// Breaks every line wider than [`WIDTH`] at spaces, the rest indented under the line's own
/// indentation plus four.
fn fit(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive('\n') {
        let (line, newline) = match piece.strip_suffix('\n') {
            Some(line) => (line, "\n"),
            None => (piece, ""),
        };
        if columns(line) <= WIDTH {
            out.push_str(line);
            out.push_str(newline);
            continue;
        }
        let indent = " ".repeat(line.len() - line.trim_start_matches(' ').len() + 4);
        let mut rest = line.to_owned();
        while columns(&rest) > WIDTH {
            // The last space that keeps the head within the width; failing that, a hard break.
            // A cut after `;` or `:` is preferred, if it leaves a third of the line or more.
            let mut cut = None;
            let mut clause = None;
            let mut cols = 0;
            for (at, c) in rest.char_indices() {
                if c == ' ' && cols <= WIDTH && !rest[..at].trim().is_empty() {
                    cut = Some((at, at + 1));
                    if cols >= WIDTH / 3 && (rest[..at].ends_with(';') || rest[..at].ends_with(':'))
                    {
                        clause = cut;
                    }
                }
                if c != '\x1b' {
                    cols += width(c);
                }
                if cols > WIDTH {
                    break;
                }
            }
            let (head, tail) = clause.or(cut).unwrap_or_else(|| {
                // The first character that would go past the width starts the next line.
                let mut cols = 0;
                let past = rest.char_indices().find(|&(_, c)| {
                    cols += width(c);
                    cols > WIDTH
                });
                let at = past.map_or(rest.len(), |(i, _)| i);
                (at, at)
            });
            out.push_str(rest[..head].trim_end());
            out.push('\n');
            rest = format!("{indent}{}", rest[tail..].trim_start());
        }
        out.push_str(&rest);
        out.push_str(newline);
    }
    out
}

/// Writes to stdout, fitted to 80 columns; a closed stdout (`| head`) ends the program quietly, as
/// the demos do.
fn say(text: &str) {
    let text = fit(text);
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        if error.kind() != ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to stdout: {error}");
        }
        std::process::exit(if error.kind() == ErrorKind::BrokenPipe { 0 } else { 1 });
    }
}

/// How steps are shown: printed one after the other (a file, a pipe, `--auto`), or, in an
/// interactive terminal, as one screen redrawn after each command.
struct Display {
    screen: bool,
    virtual_time: bool,
    title: String,
}

impl Display {
    /// A step in full: what it did, what it printed, the snapshot.
    fn step(
        &self,
        record: &Record,
        names: &Names,
        lines: &[String],
        printed_before: usize,
    ) -> String {
        let mut out = view::step_text(record, names, self.virtual_time);
        let printed = &lines[printed_before..record.output_len];
        if !printed.is_empty() {
            out.push_str("printed:\n");
            out.push_str(&view::printed_text(printed, printed_before + 1));
        }
        out.push_str(&view::snapshot_text(&record.snapshot, record.ran(), names));
        out
    }

    /// The interactive screen: the last step in full, the ones before it since the last screen as one
    /// line each, and the output so far.
    fn screen(&self, recorder: &Recorder, shown_from: usize) -> String {
        let names = recorder.names();
        let records = recorder.records();
        let last = recorder.last();
        let lines = recorder.lines().all();
        let mut out = String::from("\x1b[H\x1b[2J");
        out.push_str(&format!("stepper · {}\n", self.title));
        let skipped = &records[shown_from.min(last.number)..last.number];
        for record in skipped.iter().rev().take(6).rev() {
            let did = view::headline(record.step.as_ref(), &names, self.virtual_time);
            out.push_str(&format!("   step {:>3}: {did}\n", record.number));
        }
        let before = records.get(last.number.saturating_sub(1)).map_or(0, |r| r.output_len);
        out.push_str(&self.step(last, &names, &lines, before.min(last.output_len)));
        let tail = 8;
        let from = lines.len().saturating_sub(tail);
        out.push_str(&format!("output so far ({}):\n", view::count(lines.len(), "line")));
        if from > 0 {
            out.push_str(&format!("   … {} earlier\n", view::count(from, "line")));
        }
        out.push_str(&view::output_text(&lines[from..], from + 1));
        out
    }
}

/// The prompt in a terminal: the keys, within 80 columns.
const PROMPT: &str =
    "Enter step · t turn · c to the end · b back · g N · u TASK · /TEXT · h · q > ";

/// A line typed at the prompt as a command, or why it is not one.
fn parse_command(line: &str) -> Result<Command, String> {
    let line = line.trim();
    if let Some(text) = line.strip_prefix('/') {
        return if text.is_empty() {
            Err("/ needs the text to look for: /Done runs until a line contains Done".to_owned())
        } else {
            Ok(Command::Find(text.to_owned()))
        };
    }
    let (key, rest) =
        line.split_once(char::is_whitespace).map_or((line, ""), |(key, rest)| (key, rest.trim()));
    match (key, rest) {
        ("" | "s" | "n", "") => Ok(Command::Step),
        ("t", "") => Ok(Command::Turn),
        ("c", "") => Ok(Command::Continue),
        ("q", "") => Ok(Command::Quit),
        ("b", "") => Ok(Command::Back),
        ("h" | "?" | "help", "") => Ok(Command::Help),
        ("g", "") => Err("g needs a step number: g 5 goes to step 5".to_owned()),
        ("g", n) => n
            .parse()
            .map(Command::Goto)
            .map_err(|_| format!("g needs a step number, not {n:?}: g 5 goes to step 5")),
        ("u", "") => Err("u needs a task: u task1 (a name) or u Task-2 (an id)".to_owned()),
        ("u", task) => Ok(Command::Until(task.to_owned())),
        _ => Err(format!("unknown command {line:?}: Enter steps; h (then Enter) lists the keys")),
    }
}

/// Reads one command from a line of stdin. End of input means continue to the end; so does input
/// that cannot be read, said on stderr. A line that is not UTF-8 is refused as an unknown command
/// is, with one line, its bad bytes shown as the command line's are (`\udcNN`).
fn read_command(input: &mut impl BufRead, prompt: bool) -> Command {
    loop {
        if prompt {
            say(PROMPT);
        }
        let mut bytes = Vec::new();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => return Command::Continue,
            Ok(_) => {}
            Err(error) => {
                eprintln!(
                    "error: cannot read the input: {error}; going on to the end, as at the end of input"
                );
                return Command::Continue;
            }
        }
        let line = match String::from_utf8(bytes) {
            Ok(line) => line,
            Err(error) => {
                let bytes = error.into_bytes();
                let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                say(&format!(
                    "input '{}' is not valid UTF-8: Enter steps; h (then Enter) lists the keys\n",
                    shown_bytes(line)
                ));
                continue;
            }
        };
        match parse_command(&line) {
            Ok(command) => return command,
            Err(why) => say(&format!("{why}\n")),
        }
    }
}

/// A fresh run of the demo the flags describe, on `seed`, with nothing run yet: the same run each
/// time, which is what going back relies on.
fn start(args: &Args, seed: &Seed) -> Recorder {
    let rng = args.demo.rng_for(seed);
    let lines = Lines::default();
    let tutorial = Tutorial::new(rng, lines.clone()).blocking(args.demo.blocking);
    let (tags, likelihood) = (args.demo.tags(), args.demo.likelihood);
    let main: Pin<Box<dyn Future<Output = ()>>> = match args.mode {
        Mode::Await => Box::pin(await_main(tutorial, tags, likelihood)),
        Mode::Callback => Box::pin(callback_main(tutorial, tags, likelihood)),
    };
    Recorder::start(args.demo.executor(), lines, main)
}

/// Takes one step; when nothing is then queued and no timer is armed, the next step can only find
/// the executor idle: takes it too, so the end of the run shows without one more prompt.
fn advance(recorder: &mut Recorder) {
    recorder.step();
    let snapshot = &recorder.last().snapshot;
    if snapshot.ready.is_empty() && snapshot.timers.is_empty() {
        recorder.step();
    }
}

/// A task in the snapshot, by name or by id.
fn find_task<'s>(snapshot: &'s Snapshot, wanted: &str) -> Option<&'s TaskInfo> {
    snapshot.tasks.iter().find(|task| task.name == wanted || task.id.to_string() == wanted)
}

/// A task's state in the snapshot, if it is there.
fn state_of(snapshot: &Snapshot, task: TaskId) -> Option<TaskState> {
    snapshot.tasks.iter().find(|info| info.id == task).map(|info| info.state)
}

/// A task's state in the words of the snapshot's rows: `sleeping until 100ms`.
fn state_words(snapshot: &Snapshot, names: &Names, task: TaskId) -> String {
    let id = task.to_string();
    view::task_rows(snapshot, None, names)
        .into_iter()
        .find(|row| row.id == id)
        .map_or_else(|| "gone".to_owned(), |row| row.state)
}

/// Whether the snapshot shows a timer in a slot of a level, which is what [`WHEEL_NOTE`] explains.
fn shows_a_level(snapshot: &Snapshot) -> bool {
    snapshot.timers.iter().any(|list| matches!(list.slot, Some(SlotId::Level { .. })))
}

fn main() {
    let args: Args = common::parse_or_exit();
    args.visual.writable_or_exit();
    let (program, flag) = match args.mode {
        Mode::Await => ("async_await_example", "--mode await "),
        Mode::Callback => ("async_callback_example", "--mode callback "),
    };
    // Drawn once (without --seed), so that replaying for `b` and `g` replays this very run. The
    // replay line keeps `--auto`: pasted, it must not turn into an interactive session.
    let flags = format!("{flag}{}", if args.auto { "--auto " } else { "" });
    let (_, seed) = args.demo.seeded_or_exit("step_through", &flags);
    let mut recorder = start(&args, &seed);
    let title = format!("{} (stepped)", args.demo.describe(program));
    let virtual_time = args.demo.virtual_time;
    let display = Display {
        screen: std::io::stdout().is_terminal() && !args.auto,
        virtual_time,
        title: title.clone(),
    };
    let prompt = std::io::stdin().is_terminal() && !args.auto;
    let mut input = std::io::stdin().lock();

    if !display.screen {
        say(&format!("stepper · {title}\n"));
    }
    let mut shown_from = 0;
    let mut printed = 0;
    let mut quit = false;
    let mut wheel_explained = false;
    let mut replay_explained = false;
    // Lines about the last command (where a search stopped, why a key was refused), shown after its
    // steps.
    let mut notes: Vec<String> = Vec::new();
    // What is being run towards; `None` when the next command must be read. Each pass of the loop
    // takes at most one step, so a walkthrough printed step by step appears as it happens (on the real
    // clock too), and the blocking detector's warnings land next to the step that caused them.
    let mut goal = args.auto.then_some(Goal::Continue);
    loop {
        // Record 0 is the state before the first step. In a terminal the screen is redrawn once a
        // command is done; otherwise every step is printed as it comes.
        if !display.screen {
            let names = recorder.names();
            let lines = recorder.lines().all();
            for record in &recorder.records()[shown_from..] {
                say(&display.step(record, &names, &lines, printed));
                printed = record.output_len;
                if !wheel_explained && shows_a_level(&record.snapshot) {
                    wheel_explained = true;
                    say(&format!("{WHEEL_NOTE}\n"));
                }
            }
            shown_from = recorder.records().len();
            for note in notes.drain(..) {
                say(&format!("{note}\n"));
            }
        } else if goal.is_none() || recorder.is_over() {
            let mut screen = display.screen(&recorder, shown_from);
            if !wheel_explained && shows_a_level(&recorder.last().snapshot) {
                wheel_explained = true;
                screen.push_str(&format!("{WHEEL_NOTE}\n"));
            }
            for note in notes.drain(..) {
                screen.push_str(&format!("{note}\n"));
            }
            say(&screen);
            shown_from = recorder.records().len();
        }
        if recorder.is_over() {
            if let Some(rule) = args.demo.broken_rule() {
                let asyncio = match args.mode {
                    Mode::Await => args.demo.asyncio_transcript(&seed, await_main),
                    Mode::Callback => args.demo.asyncio_transcript(&seed, callback_main),
                };
                common::what_if::report(rule, &asyncio, &recorder.lines().all());
            }
            break;
        }
        let current = recorder.last().number;
        let Some(now) = goal.take() else {
            let command = read_command(&mut input, prompt);
            let back_to = match command {
                Command::Step => Some(Goal::Step),
                Command::Turn => Some(Goal::Turn),
                Command::Continue => Some(Goal::Continue),
                Command::Quit => {
                    quit = true;
                    break;
                }
                Command::Help => {
                    notes.push(KEYS.trim_end().to_owned());
                    None
                }
                Command::Back if current == 0 => {
                    notes.push("b: this is step 0, the state before the first step".to_owned());
                    None
                }
                Command::Back => Some(Goal::Reach(current - 1)),
                Command::Goto(n) if n == current => {
                    notes.push(format!("g {n}: this is step {n}"));
                    None
                }
                Command::Goto(n) => Some(Goal::Reach(n)),
                Command::Until(wanted) => match find_task(&recorder.last().snapshot, &wanted) {
                    Some(task) => Some(Goal::Until(
                        task.id,
                        task.name.clone(),
                        task.state,
                        state_words(&recorder.last().snapshot, &recorder.names(), task.id),
                    )),
                    None => {
                        let known: Vec<String> = recorder
                            .last()
                            .snapshot
                            .tasks
                            .iter()
                            .map(|task| format!("{} ({})", task.name, task.id))
                            .collect();
                        notes.push(format!(
                            "u: no task {wanted:?} at step {current}; the tasks are: {}",
                            if known.is_empty() { "none yet".to_owned() } else { known.join(", ") }
                        ));
                        None
                    }
                },
                Command::Find(text) => Some(Goal::Find(text)),
            };
            goal = back_to;
            if let Some(Goal::Reach(n)) = goal
                && n < current
            {
                goal = None;
                if !virtual_time {
                    notes.push(format!(
                        "cannot go back to step {n} on the real clock: a rerun would sleep and \
                         time differently, not replay; run with --virtual-time to go back"
                    ));
                    continue;
                }
                if !replay_explained {
                    replay_explained = true;
                    notes.push(REPLAY_NOTE.to_owned());
                }
                // The old run is left as it is, unfinished: dropping it would report its tasks on
                // stderr as lost, as at a quit.
                std::mem::forget(std::mem::replace(&mut recorder, start(&args, &seed)));
                while recorder.last().number < n && !recorder.is_over() {
                    advance(&mut recorder);
                }
                notes.push(format!("replayed from the start to step {n}"));
                // Show step n alone, in full.
                shown_from = n;
                printed = recorder.records()[n.saturating_sub(1)].output_len;
                if n == 0 {
                    printed = 0;
                }
            }
            continue;
        };
        let lines_before = recorder.lines().len();
        recorder.step();
        let moved_clock = matches!(recorder.last().step, Some(Step::AdvancedClock { .. }));
        let last = recorder.last();
        goal = match now {
            Goal::Step => None,
            // To the end of the turn the step was in. A clock move is not a turn: go on into the
            // turn that follows it.
            Goal::Turn if moved_clock || !recorder.turn_over() => Some(Goal::Turn),
            Goal::Turn => None,
            Goal::Continue => Some(Goal::Continue),
            Goal::Reach(n) if last.number < n => Some(Goal::Reach(n)),
            Goal::Reach(_) => None,
            Goal::Until(task, name, before, words) => match state_of(&last.snapshot, task) {
                Some(after) if after == before => Some(Goal::Until(task, name, before, words)),
                _ => {
                    let now = state_words(&last.snapshot, &recorder.names(), task);
                    notes.push(format!(
                        "u: {name} ({task}) changed at step {}: {words} → {now}",
                        last.number
                    ));
                    None
                }
            },
            Goal::Find(text) => {
                let lines = recorder.lines().all();
                let from = lines_before.min(lines.len());
                match lines[from..].iter().position(|line| line.contains(&text)) {
                    Some(at) => {
                        notes.push(format!(
                            "/: step {} printed line {} with {text:?}: {}",
                            last.number,
                            from + at + 1,
                            lines[from + at]
                        ));
                        None
                    }
                    None => Some(Goal::Find(text)),
                }
            }
        };
        let snapshot = &recorder.last().snapshot;
        if snapshot.ready.is_empty() && snapshot.timers.is_empty() {
            recorder.step();
        }
        if recorder.is_over() {
            match &goal {
                Some(Goal::Until(task, name, ..)) => {
                    notes.push(format!("u: the run ended, and {name} ({task}) never changed state"))
                }
                Some(Goal::Find(text)) => notes.push(format!(
                    "/: the run ended, and no line printed after the search began contains {text:?}"
                )),
                Some(Goal::Reach(n)) => {
                    notes.push(format!("g {n}: the run ended at step {}", recorder.last().number))
                }
                _ => {}
            }
            goal = None;
        }
    }

    let last = recorder.last();
    let summary = if quit {
        format!(
            "stopped at step {} (turn {}, clock {}): the run was not finished\n",
            last.number,
            last.snapshot.turn,
            view::time(last.snapshot.now)
        )
    } else if recorder.main_finished() {
        format!(
            "═══ the run is over after {} and {}, clock {}: main returned, nothing is queued, no timer is armed\n",
            view::count(last.number, "step"),
            view::count(last.snapshot.turn as usize, "turn"),
            view::time(last.snapshot.now)
        )
    } else {
        format!(
            "═══ the executor is idle after {} but main has not returned: nothing is left that could wake it\n",
            view::count(last.number, "step")
        )
    };
    say(&summary);
    let lines = recorder.lines().all();
    say(&format!("demo output ({}):\n", view::count(lines.len(), "line")));
    say(&view::output_text(&lines, 1));
    common::write_visuals(&args.visual, &title, &recorder.groups(), Some(&recorder));
    if quit {
        // The user stopped the run on purpose, and the summary says so. Dropping the executor would
        // drop the unfinished tasks and report them on stderr as if they were lost: end here instead.
        std::process::exit(0);
    }
}
