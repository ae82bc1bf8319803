//! What the demo programs and the stepper share: their flags, running a demo's async main on the
//! executor, and the visual tools (`--timeline`, `--timeline-svg`, `--replay-html`).
//!
//! The demo flags match those of the tutorial's own Python programs in `python/minimalist_package`
//! (`python3 -m minimalist_package.minimalist_async.async_await_example --help`), so the two can be run
//! side by side: same seed, tags and likelihood, same output.
//!
//! - [`record`]: running a main as a task, one `step()` at a time, keeping what each step did.
//! - [`view`]: a step and a snapshot as text, for the terminal.
//! - [`timeline`]: the chart of a run (a lane per task, time across), as text; [`svg`] draws it;
//!   [`overlap`] says in a sentence whether the tasks ran concurrently.
//! - [`replay`]: the self-contained HTML page that replays a run step by step.
//! - [`what_if`]: `--what-if RULE`, a run with one of asyncio's rules broken, and what it changed.

// Each example compiles its own copy of this module and uses a different part of it: the demos never
// use the stepper's screen, the stepper never uses `run`. Unused items are expected here.
#![allow(dead_code)]

pub mod overlap;
pub mod record;
pub mod replay;
pub mod svg;
pub mod timeline;
pub mod view;
pub mod what_if;

use std::cell::RefCell;
use std::future::Future;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use clap::error::{ContextKind, ContextValue, ErrorKind as ClapErrorKind};
use clap::{Args as ClapArgs, CommandFactory, FromArgMatches, Parser, ValueEnum};
use minimalist_async::demo::{
    Capture, Likelihood, Output, RngKind, Seed, Stdout, Tutorial, TutorialRng, shown, shown_bytes,
};
use minimalist_async::trace::Event;
use minimalist_async::{Executor, Rule};

use record::Recorder;

/// The flags of a program built on [`run`]; its `--help` text is its own [`Help`].
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    demo: DemoArgs,

    #[command(flatten)]
    visual: VisualArgs,
}

/// The flags of the tutorial's program, shared by both demos and the stepper.
#[derive(ClapArgs, Debug, Clone)]
pub struct DemoArgs {
    /// Seed of the shared RNG: any integer, as Python's random.seed takes. Without it a fresh seed is
    /// drawn and printed on stderr, with the command that replays the run.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    seed: Option<Seed>,

    /// Where rolls come from: python (CPython's Mersenne Twister: same rolls as the tutorial) or std
    /// (rand's StdRng: other rolls, same scheduling).
    #[arg(long, value_enum, value_name = "RNG", default_value_t = RngArg::Python)]
    rng: RngArg,

    /// Chance that one roll succeeds, a number in (0, 1].
    // Hyphen values allowed, as for --seed: `--likelihood -1` then gets the range message, as
    // `--likelihood=-1` does, instead of "unexpected argument '-1'".
    #[arg(long, value_name = "P", default_value = "0.1", allow_hyphen_values = true)]
    pub likelihood: Likelihood,

    /// Comma-separated task tags, each non-blank and unique.
    #[arg(long, value_name = "A,B,C", default_value = "task1,task2", value_parser = parse_tags)]
    tasks: Tags,

    /// Run on virtual time: sleeps take no real time, the output is the same.
    #[arg(long)]
    pub virtual_time: bool,

    /// Wait with std::thread::sleep instead of sleep().await: the blocking mistake. The tasks then run
    /// one after the other, and the executor's blocking detector warns on stderr.
    #[arg(long)]
    pub blocking: bool,

    /// Break one of the rules that make the port print what asyncio prints (lifo-ties,
    /// inline-callbacks, eager-spawn), then show on stderr a diff against asyncio's rules and why the
    /// rule exists. `--what-if list` lists them.
    #[arg(long, value_name = "RULE", value_parser = what_if::parse)]
    pub what_if: Option<what_if::WhatIf>,
}

/// The visual tools. Each switches the executor's trace on; without them it stays off.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct VisualArgs {
    /// After the run, print a chart of it on stderr: a lane per task, time across, a mark for each
    /// poll, sleep, done and done-callback. Stdout is unchanged.
    #[arg(long)]
    pub timeline: bool,

    /// After the run, write the same chart as a standalone SVG picture to FILE.
    #[arg(long, value_name = "FILE")]
    pub timeline_svg: Option<PathBuf>,

    /// Record every step and write FILE: one self-contained HTML page (no network) with the timeline
    /// and a step slider (buttons, arrow keys) showing what each step did, the ready queue, each task's
    /// state, the timer wheel and the output so far, forwards and backwards.
    #[arg(long, value_name = "FILE")]
    pub replay_html: Option<PathBuf>,
}

impl VisualArgs {
    /// Whether any tool needs the trace.
    pub fn any(&self) -> bool {
        self.timeline || self.timeline_svg.is_some() || self.replay_html.is_some()
    }

    /// Exits with status 2 and one line if a file the flags name cannot be written: checked before
    /// the run, as a bad flag is, not after the user waited for all of it. The file is opened (and
    /// made, empty, if it did not exist); it is written after the run.
    pub fn writable_or_exit(&self) {
        for path in [&self.timeline_svg, &self.replay_html].into_iter().flatten() {
            let opened = std::fs::OpenOptions::new().append(true).create(true).open(path);
            if let Err(error) = opened {
                eprintln!("error: cannot write {}", why_not(path, &error));
                std::process::exit(2);
            }
        }
    }
}

/// `path` (escaped, as every message shows text) and why it cannot be written.
fn why_not(path: &Path, error: &std::io::Error) -> String {
    let hint =
        if error.kind() == ErrorKind::NotFound { " (does its directory exist?)" } else { "" };
    format!("{}: {error}{hint}", shown_bytes(path.as_os_str().as_encoded_bytes()))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RngArg {
    Python,
    Std,
}

#[derive(Clone, Debug)]
struct Tags(Vec<String>);

fn parse_tags(text: &str) -> Result<Tags, String> {
    let tags: Vec<String> = text.split(',').map(str::to_owned).collect();
    // A blank tag would print as `The result of task=  was …`: as useless as an empty one.
    if tags.iter().any(|tag| tag.trim().is_empty()) {
        return Err(format!("'{}' has an empty or blank tag; write tags like a,b,c", shown(text)));
    }
    for (i, tag) in tags.iter().enumerate() {
        if tags[..i].contains(tag) {
            return Err(format!(
                "tag '{}' appears twice; tags name tasks and must be unique",
                shown(tag)
            ));
        }
    }
    Ok(Tags(tags))
}

/// Parses the flags, or exits: 0 after --help/--version, 2 with one line on stderr for anything wrong.
pub fn parse_or_exit<P: Parser>() -> P {
    parse_command_or_exit(P::command())
}

/// [`parse_or_exit`] with the flags of `command`: `P`'s, with texts of its own program changed.
pub fn parse_command_or_exit<P: FromArgMatches>(mut command: clap::Command) -> P {
    // A word that is not UTF-8 is refused before anything else, as the Python programs refuse it
    // (clap would say "invalid UTF-8 was detected in one or more arguments", not which).
    if let Some(word) = std::env::args_os().skip(1).find(|word| word.to_str().is_none()) {
        eprintln!("error: argument '{}' is not valid UTF-8", shown_bytes(word.as_encoded_bytes()));
        std::process::exit(2);
    }
    // Every word is UTF-8 now. `build` adds clap's own flags (-h/--help, -V/--version).
    let words: Vec<String> = std::env::args().skip(1).collect();
    // The usage line names the program that runs, as Python's names its own; `--version` keeps the
    // crate's name, the same line on both sides.
    let running = std::env::args_os().next().map(PathBuf::from);
    let file_name = running.as_deref().and_then(Path::file_name).and_then(|name| name.to_str());
    if let Some(name) = file_name {
        command = command.bin_name(name.to_owned());
    }
    command.build();
    let (words, refused) = argparse_words(&command, words);
    let program = command.get_name().to_owned();
    let parsed = command
        .try_get_matches_from(std::iter::once(program).chain(words))
        .and_then(|matches| P::from_arg_matches(&matches));
    match (parsed, refused) {
        // The words before the one argparse refuses were fine, or held only unknown arguments,
        // which argparse reports last: its line for that word.
        (Ok(_), Some(line)) => {
            eprintln!("{line}");
            std::process::exit(2);
        }
        (Err(error), Some(line)) if error.kind() == ClapErrorKind::UnknownArgument => {
            eprintln!("{line}");
            std::process::exit(2);
        }
        (Ok(args), None) => args,
        (Err(error), _)
            if matches!(
                error.kind(),
                ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion
            ) =>
        {
            let _ = error.print();
            std::process::exit(0);
        }
        (Err(error), _) => {
            eprintln!("{}", one_line(&error));
            std::process::exit(2);
        }
    }
}

/// The words as argparse (the Python programs) reads them, for clap to parse: each value that
/// follows its flag stuck to it (`--tasks -1` as `--tasks=-1`), up to the first word argparse
/// refuses there, and argparse's line for it. The caller has clap parse the words before it, so
/// that a bad value or `--help` earlier on is reported first, as argparse reads words in order.
///
/// argparse refuses, where clap acts or words it otherwise:
///
/// - a value given to a flag that takes none, stuck to it (`-h2`) or after `=` (`--blocking=1`):
///   "argument --blocking: ignored explicit argument '1'" (clap acted on `-h` as soon as it read
///   it, and `-h2` printed the help);
/// - a flag that takes a value with none after it: "argument --tasks: expected one argument"
///   (clap: "a value is required for '--tasks <A,B,C>' but none was supplied"). The word after
///   `--seed` or `--likelihood` is their value whatever it looks like (`--seed -h2` is a bad seed),
///   except `--`, which ends the flags; the word after another flag is its value unless it
///   [looks like a flag](looks_like_a_flag). A value given with `=` is the value, `--tasks=--`
///   too.
///
/// No word after `--` is a flag.
fn argparse_words(command: &clap::Command, words: Vec<String>) -> (Vec<String>, Option<String>) {
    let mut read = Vec::with_capacity(words.len());
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            read.push(word);
            read.extend(words);
            return (read, None);
        }
        let (arg, value) = if let Some(long) = word.strip_prefix("--") {
            let (name, value) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v)));
            let arg = command.get_arguments().find(|arg| arg.get_long() == Some(name));
            (arg, value)
        } else if let Some(shorts) = word.strip_prefix('-') {
            // `-h2`: the flag `-h`, then what is stuck to it.
            let mut chars = shorts.chars();
            let arg = chars.next().and_then(|short| {
                command.get_arguments().find(|arg| arg.get_short() == Some(short))
            });
            (arg, Some(chars.as_str()).filter(|rest| !rest.is_empty()))
        } else {
            (None, None)
        };
        let Some(arg) = arg else {
            read.push(word);
            continue;
        };
        // argparse names a flag by all its spellings: `-h/--help`.
        let names = || {
            let short = arg.get_short().map(|short| format!("-{short}"));
            let long = arg.get_long().map(|long| format!("--{long}"));
            short.into_iter().chain(long).collect::<Vec<_>>().join("/")
        };
        let takes_a_value = arg.get_action().takes_values();
        match value {
            Some(value) if !takes_a_value => {
                let line = format!(
                    "error: argument {}: ignored explicit argument '{}'",
                    names(),
                    shown(value)
                );
                return (read, Some(line));
            }
            None if takes_a_value => {
                let next = words.as_slice().first().filter(|next| {
                    *next != "--"
                        && (arg.is_allow_hyphen_values_set() || !looks_like_a_flag(command, next))
                });
                let Some(next) = next else {
                    let line = format!("error: argument {}: expected one argument", names());
                    return (read, Some(line));
                };
                read.push(format!("{word}={next}"));
                words.next();
            }
            _ => read.push(word),
        }
    }
    (read, None)
}

/// Whether argparse reads `word` as a flag, known or not, rather than as a value: it starts with a
/// hyphen and is not `-` alone, a negative number (`-1`, `-2.5`, `-.5`, in ASCII digits) or a word
/// with a space in it, unless it is one of the flags, one with a value after `=`, or a short flag
/// with a value stuck to it (`-h2`). `--` is a flag here: it ends the flags. The Python programs
/// apply the same rule (`_looks_like_a_flag`).
fn looks_like_a_flag(command: &clap::Command, word: &str) -> bool {
    let Some(rest) = word.strip_prefix('-') else {
        return false;
    };
    let is_flag = |name: &str| match name.strip_prefix("--") {
        Some(long) => command.get_arguments().any(|arg| arg.get_long() == Some(long)),
        None => {
            let mut chars = name.chars().skip(1);
            match (chars.next(), chars.next()) {
                (Some(short), None) => {
                    command.get_arguments().any(|arg| arg.get_short() == Some(short))
                }
                _ => false,
            }
        }
    };
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let negative_number = digits(rest)
        || rest
            .split_once('.')
            .is_some_and(|(whole, part)| (whole.is_empty() || digits(whole)) && digits(part));
    // `--seed=1`, and `-h2`: a short flag with a value stuck to it.
    let with_a_value = word.split_once('=').is_some_and(|(name, _)| is_flag(name))
        || (!rest.starts_with('-')
            && rest.chars().next().is_some_and(|c| is_flag(&format!("-{c}"))));
    if word == "--" || is_flag(word) {
        true
    } else if rest.is_empty() {
        false
    } else if with_a_value {
        true
    } else {
        !negative_number && !word.contains(' ')
    }
}

/// clap's message in one line: its first, plus the valid values that clap lists on a line of their
/// own (`--rng foo` must say which values are valid).
///
/// A message that quotes what was typed is written here, from the parts clap keeps, with the text
/// escaped as the Python programs escape it ([`shown`]): clap quotes it as given (a newline in it
/// would cut the line short) or drops its control characters (`'a'` for `a\x01`).
fn one_line(error: &clap::Error) -> String {
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.as_str()),
        _ => None,
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue).filter(|value| !value.is_empty());
    let mut line = match (error.kind(), arg, value) {
        (ClapErrorKind::ValueValidation, Some(arg), Some(value)) => {
            let reason = std::error::Error::source(error)
                .map_or_else(String::new, |reason| format!(": {reason}"));
            format!("error: invalid value '{}' for '{arg}'{reason}", shown(value))
        }
        (ClapErrorKind::InvalidValue, Some(arg), Some(value)) => {
            format!("error: invalid value '{}' for '{arg}'", shown(value))
        }
        (ClapErrorKind::UnknownArgument, Some(arg), _) => {
            format!("error: unexpected argument '{}' found", shown(arg))
        }
        _ => error.to_string().lines().next().unwrap_or("error: invalid arguments").to_owned(),
    };
    if let Some(ContextValue::Strings(values)) = error.get(ContextKind::ValidValue)
        && !values.is_empty()
    {
        line.push_str(&format!("; valid values: {}", values.join(", ")));
    }
    line
}

/// `word` as a POSIX shell reads it back: unchanged if it holds only characters no shell treats
/// specially, else in single quotes (a quote inside written `'"'"'`). Python's `shlex.quote` does the
/// same, and the Python programs print their replay lines with it.
fn shell_quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', r#"'"'"'"#)) }
}

/// `--name value`, shell-quoted; `--name=value` when the value starts with a hyphen, which would
/// otherwise read as a flag of its own.
fn shell_flag(name: &str, value: &str) -> String {
    let separator = if value.starts_with('-') { '=' } else { ' ' };
    format!("{name}{separator}{}", shell_quoted(value))
}

impl DemoArgs {
    /// The task tags.
    pub fn tags(&self) -> Vec<String> {
        self.tasks.0.clone()
    }

    /// The seeded generator, or an exit with status 2. Without `--seed`, draws one and prints on stderr
    /// the command that replays the run, shell-quoted so that pasting it replays exactly this run
    /// (`extra`: flags of `program` to repeat, each followed by a space).
    pub fn rng_or_exit(&self, program: &str, extra: &str) -> TutorialRng {
        self.seeded_or_exit(program, extra).0
    }

    /// [`DemoArgs::rng_or_exit`], and the seed it used (drawn, without `--seed`).
    pub fn seeded_or_exit(&self, program: &str, extra: &str) -> (TutorialRng, Seed) {
        let kind = self.rng_kind();
        let seed = self.seed.clone().unwrap_or_else(|| {
            let seed = Seed::from_u64(rand::random());
            eprintln!(
                "seed {seed}; replay this run with: cargo run --example {program} -- {extra}--seed {seed} --rng {} --likelihood {} {}{}{}{}",
                match kind {
                    RngKind::Python => "python",
                    RngKind::Std => "std",
                },
                self.likelihood,
                shell_flag("--tasks", &self.tasks.0.join(",")),
                if self.virtual_time { " --virtual-time" } else { "" },
                if self.blocking { " --blocking" } else { "" },
                match self.broken_rule() {
                    Some(rule) => format!(" --what-if {}", rule.name()),
                    None => String::new(),
                },
            );
            seed
        });
        (self.rng_for(&seed), seed)
    }

    fn rng_kind(&self) -> RngKind {
        match self.rng {
            RngArg::Python => RngKind::Python,
            RngArg::Std => RngKind::Std,
        }
    }

    /// The generator for `seed`, or an exit with status 2.
    pub fn rng_for(&self, seed: &Seed) -> TutorialRng {
        TutorialRng::new(self.rng_kind(), seed).unwrap_or_else(|| {
            eprintln!(
                "error: --rng std takes seeds below 2^256 in absolute value; --rng python takes any"
            );
            std::process::exit(2);
        })
    }

    /// The rule `--what-if` breaks, if any; `--what-if list` lists the rules and exits here.
    pub fn broken_rule(&self) -> Option<Rule> {
        match self.what_if? {
            what_if::WhatIf::List => what_if::list_and_exit(),
            what_if::WhatIf::Break(rule) => Some(rule),
        }
    }

    /// The transcript the same run prints under asyncio's rules (virtual time: the output is the same
    /// on either clock), for `--what-if`'s diff.
    pub fn asyncio_transcript<F, Fut>(&self, seed: &Seed, async_main: F) -> Vec<String>
    where
        F: FnOnce(Tutorial, Vec<String>, Likelihood) -> Fut,
        Fut: Future<Output = ()>,
    {
        let capture = Capture::default();
        let tutorial = Tutorial::new(self.rng_for(seed), capture.clone()).blocking(self.blocking);
        Executor::with_virtual_time().block_on(async_main(tutorial, self.tags(), self.likelihood));
        capture.lines()
    }

    /// A fresh executor on the clock the flags ask for, with the blocking detector on (it is off by
    /// default, like asyncio's debug mode): `--blocking` is there to show its warnings.
    pub fn executor(&self) -> Executor {
        let mut executor =
            if self.virtual_time { Executor::with_virtual_time() } else { Executor::new() };
        executor.set_slow_poll_threshold(Some(Executor::DEFAULT_SLOW_POLL_THRESHOLD));
        if let Some(rule) = self.broken_rule() {
            executor.break_rule(rule);
        }
        executor
    }

    /// How the run was made, for the titles of the charts and the replay page.
    pub fn describe(&self, program: &str) -> String {
        let seed = self.seed.as_ref().map_or_else(String::new, |seed| format!(" --seed {seed}"));
        format!(
            "{program}{seed} --tasks {} --likelihood {}{}{}",
            self.tasks.0.join(","),
            self.likelihood,
            if self.virtual_time { " --virtual-time" } else { "" },
            if self.blocking { " --blocking" } else { "" },
        ) + &self
            .broken_rule()
            .map_or_else(String::new, |rule| format!(" --what-if {}", rule.name()))
    }
}

/// Where the tutorial's lines go when a tool needs them too: kept in memory (the stepper shows them,
/// the replay page embeds them) and, for the demos, also printed to stdout as they come.
#[derive(Clone, Debug, Default)]
pub struct Lines {
    lines: Rc<RefCell<Vec<String>>>,
    to_stdout: bool,
}

impl Lines {
    /// Keeps the lines and prints them to stdout too, so the demo's stdout is unchanged.
    pub fn tee() -> Lines {
        Lines { to_stdout: true, ..Lines::default() }
    }

    /// How many lines were printed so far.
    pub fn len(&self) -> usize {
        self.lines.borrow().len()
    }

    /// The lines printed so far.
    pub fn all(&self) -> Vec<String> {
        self.lines.borrow().clone()
    }
}

impl Output for Lines {
    fn print(&self, line: &str) {
        if self.to_stdout {
            Stdout.print(line);
        }
        self.lines.borrow_mut().push(line.to_owned());
    }
}

/// What `--help` says of a program built on [`run`].
pub struct Help {
    /// The first line, all that `-h` shows.
    pub about: &'static str,
    /// The paragraphs that `--help` adds after it.
    pub details: &'static str,
    /// The program's own text for `--virtual-time`, where the shared one ("the output is the same")
    /// does not hold.
    pub virtual_time: Option<&'static str>,
}

impl Help {
    /// The flags of [`Args`], with these texts.
    fn command(&self) -> clap::Command {
        let command = Args::command()
            .about(self.about)
            .long_about(format!("{}\n\n{}", self.about, self.details));
        match self.virtual_time {
            Some(text) => command.mut_arg("virtual_time", |arg| arg.help(text)),
            None => command,
        }
    }
}

/// Parses the flags, then runs `async_main(tutorial, tags, likelihood)` to completion on a fresh
/// executor, on the clock the flags ask for. `program` names the example in the replay hint and the
/// charts' titles; `help` is what its `--help` says.
///
/// Without visual flags this is a plain `block_on`, trace off. `--timeline`/`--timeline-svg` switch the
/// trace on around the same `block_on`. `--replay-html` needs the state after every step, so the main
/// then runs as a task driven by `step()`, as the stepper does: the printed lines are the same.
pub fn run<F, Fut>(program: &str, help: &Help, async_main: F)
where
    F: Fn(Tutorial, Vec<String>, Likelihood) -> Fut + Copy,
    Fut: Future<Output = ()> + 'static,
{
    let args: Args = parse_command_or_exit(help.command());
    args.visual.writable_or_exit();
    let demo = &args.demo;
    let broken = demo.broken_rule();
    let (rng, seed) = demo.seeded_or_exit(program, "");
    let mut executor = demo.executor();
    let started = Instant::now();
    if args.visual.replay_html.is_some() || broken.is_some() {
        let lines = Lines::tee();
        let tutorial = Tutorial::new(rng, lines.clone()).blocking(demo.blocking);
        let main = async_main(tutorial, demo.tags(), demo.likelihood);
        let mut recorder = Recorder::start(executor, lines.clone(), main);
        while recorder.step().is_some() {}
        print_wall(recorder.executor(), started);
        if let Some(rule) = broken {
            what_if::report(rule, &demo.asyncio_transcript(&seed, async_main), &lines.all());
        }
        write_visuals(&args.visual, &demo.describe(program), &recorder.groups(), Some(&recorder));
    } else {
        let tutorial = Tutorial::new(rng, Stdout).blocking(demo.blocking);
        if args.visual.any() {
            executor.enable_trace();
        }
        executor.block_on(async_main(tutorial, demo.tags(), demo.likelihood));
        print_wall(&executor, started);
        let events = executor.take_trace();
        write_visuals(&args.visual, &demo.describe(program), &[events], None);
    }
}

/// The wall time on stderr, as the tutorial's Python programs print it.
pub fn print_wall(executor: &Executor, started: Instant) {
    if executor.is_virtual_time() {
        eprintln!(
            "wall {:.3} s (virtual time {:.3} s)",
            started.elapsed().as_secs_f64(),
            executor.now().as_secs_f64()
        );
    } else {
        eprintln!("wall {:.3} s", started.elapsed().as_secs_f64());
    }
}

/// After a run: the chart on stderr, the SVG and the replay page, as the flags ask. `groups` is the
/// trace, cut into what each step logged when the run was stepped (then `recorder` has the steps the
/// replay page needs), or all in one piece after a `block_on`.
pub fn write_visuals(
    visual: &VisualArgs,
    title: &str,
    groups: &[Vec<Event>],
    recorder: Option<&Recorder>,
) {
    if !visual.any() {
        return;
    }
    let chart = timeline::Timeline::build(groups);
    if visual.timeline {
        eprint!("{}", chart.to_text(title));
    }
    if let Some(path) = &visual.timeline_svg {
        write_file(path, &svg::render(&chart, title, true));
    }
    if let (Some(path), Some(recorder)) = (&visual.replay_html, recorder) {
        write_file(path, &replay::page(recorder, &chart, title));
    }
}

/// Writes a file the user asked for, or exits with status 1 and one line saying why.
fn write_file(path: &Path, contents: &str) {
    if let Err(error) = std::fs::write(path, contents) {
        eprintln!("error: cannot write {}", why_not(path, &error));
        std::process::exit(1);
    }
    eprintln!("wrote {}", shown_bytes(path.as_os_str().as_encoded_bytes()));
}
