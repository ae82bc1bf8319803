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
use minimalist_async::demo::Tutorial;
use minimalist_async::demo::{await_main, callback_main};

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
///   end of input (Ctrl-D, or the end of piped input): continue to the end, as c does
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Command {
    Step,
    Turn,
    Continue,
    Quit,
}

/// Writes to stdout; a closed stdout (`| head`) ends the program quietly, as the demos do.
fn say(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() != ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to stdout: {error}");
        }
        std::process::exit(if error.kind() == ErrorKind::BrokenPipe {
            0
        } else {
            1
        });
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
        let before = records
            .get(last.number.saturating_sub(1))
            .map_or(0, |r| r.output_len);
        out.push_str(&self.step(last, &names, &lines, before.min(last.output_len)));
        let tail = 8;
        let from = lines.len().saturating_sub(tail);
        out.push_str(&format!(
            "output so far ({}):\n",
            view::count(lines.len(), "line")
        ));
        if from > 0 {
            out.push_str(&format!("   … {} earlier\n", view::count(from, "line")));
        }
        out.push_str(&view::output_text(&lines[from..], from + 1));
        out
    }
}

/// Reads one command from a line of stdin. End of input means continue to the end.
fn read_command(input: &mut impl BufRead, prompt: bool) -> Command {
    loop {
        if prompt {
            say(
                "[Enter] step · t + Enter: end of turn · c + Enter: run to the end · q + Enter: quit > ",
            );
        }
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return Command::Continue,
            Ok(_) => {}
        }
        match line.trim() {
            "" | "s" | "n" => return Command::Step,
            "t" => return Command::Turn,
            "c" => return Command::Continue,
            "q" => return Command::Quit,
            other => say(&format!(
                "unknown command {other:?}: Enter steps, t, c or q (then Enter)\n"
            )),
        }
    }
}

fn main() {
    let args: Args = common::parse_or_exit();
    let (program, flag) = match args.mode {
        Mode::Await => ("async_await_example", "--mode await "),
        Mode::Callback => ("async_callback_example", "--mode callback "),
    };
    let rng = args.demo.rng_or_exit("step_through", flag);
    let lines = Lines::default();
    let tutorial = Tutorial::new(rng, lines.clone()).blocking(args.demo.blocking);
    let (tags, likelihood) = (args.demo.tags(), args.demo.likelihood);
    let main: Pin<Box<dyn Future<Output = ()>>> = match args.mode {
        Mode::Await => Box::pin(await_main(tutorial, tags, likelihood)),
        Mode::Callback => Box::pin(callback_main(tutorial, tags, likelihood)),
    };
    let mut recorder = Recorder::start(args.demo.executor(), lines, main);
    let title = format!("{} (stepped)", args.demo.describe(program));
    let display = Display {
        screen: std::io::stdout().is_terminal() && !args.auto,
        virtual_time: args.demo.virtual_time,
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
    // The command being carried out; `None` when the next one must be read. Each pass of the loop
    // takes at most one step, so a walkthrough printed step by step appears as it happens (on the real
    // clock too), and the blocking detector's warnings land next to the step that caused them.
    let mut command = args.auto.then_some(Command::Continue);
    loop {
        // Record 0 is the state before the first step. In a terminal the screen is redrawn once a
        // command is done; otherwise every step is printed as it comes.
        if !display.screen {
            let names = recorder.names();
            let lines = recorder.lines().all();
            for record in &recorder.records()[shown_from..] {
                say(&display.step(record, &names, &lines, printed));
                printed = record.output_len;
            }
            shown_from = recorder.records().len();
        } else if command.is_none() || recorder.is_over() {
            say(&display.screen(&recorder, shown_from));
            shown_from = recorder.records().len();
        }
        if recorder.is_over() {
            break;
        }
        let current = match command {
            Some(current) => current,
            None => read_command(&mut input, prompt),
        };
        if current == Command::Quit {
            quit = true;
            break;
        }
        recorder.step();
        let moved_clock = matches!(
            recorder.last().step,
            Some(minimalist_async::Step::AdvancedClock { .. })
        );
        command = match current {
            // To the end of the turn the step was in. A clock move is not a turn: go on into the
            // turn that follows it.
            Command::Turn if moved_clock || !recorder.turn_over() => Some(Command::Turn),
            Command::Continue => Some(Command::Continue),
            _ => None,
        };
        // When nothing is queued and no timer is armed, the next step can only find the executor
        // idle: take it now, so the end of the run shows without one more prompt.
        let snapshot = &recorder.last().snapshot;
        if snapshot.ready.is_empty() && snapshot.timers.is_empty() {
            recorder.step();
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
    say(&format!(
        "demo output ({}):\n",
        view::count(lines.len(), "line")
    ));
    say(&view::output_text(&lines, 1));
    common::write_visuals(&args.visual, &title, &recorder.groups(), Some(&recorder));
    if quit {
        // The user stopped the run on purpose, and the summary says so. Dropping the executor would
        // drop the unfinished tasks and report them on stderr as if they were lost: end here instead.
        std::process::exit(0);
    }
}
