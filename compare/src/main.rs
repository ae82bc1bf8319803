//! `compare`: the same workloads on minimalist-async, tokio, futures and async-executor, in one run.
//!
//! Modules, one concern each:
//! - `runtimes`: the `Runtime`/`Timers` traits and the five executors behind them;
//! - `tasks`: the task bodies every executor runs, written once;
//! - `workloads`: the workloads, their checks, and who takes part;
//! - `measure`: one round (time, CPU, allocations), the alternating rounds, each in a process of its own;
//! - `alloc`: the counting global allocator;
//! - `machine`: the machine, the date, and glibc's heap trimming turned off;
//! - `report`: the table, the JSON and the SVG plot.

mod alloc;
mod machine;
mod measure;
mod report;
mod runtimes;
mod tasks;
mod workloads;

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches, Parser};

use machine::Machine;
use measure::Isolation;
use report::Row;
use workloads::{EXECUTORS, Workload};

/// Benchmarks minimalist-async against tokio, futures and async-executor on the same workloads.
#[derive(Parser, Debug)]
#[command(name = "compare", version)]
struct Cli {
    /// Smaller sizes and 3 rounds: the whole run takes well under a minute (what CI runs).
    #[arg(long)]
    quick: bool,

    /// Measured rounds per workload and size [default: 7, or 3 with --quick].
    #[arg(long, value_name = "N")]
    rounds: Option<usize>,

    /// Thrown-away rounds before each measured one, in its process (with --in-process: before all of
    /// them).
    #[arg(long, value_name = "N", default_value_t = 1)]
    warmup: usize,

    /// Run every round in this one process instead of a fresh process per round (rounds then share
    /// one heap; needed under valgrind, which follows only the process it started).
    #[arg(long)]
    in_process: bool,

    /// Run only these workloads (comma-separated names, see below).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    only: Vec<String>,

    /// Run only these executors (comma-separated names, see below). Ratios need tokio-current-thread.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    executor: Vec<String>,

    /// Use this size (operations per round) for every selected workload instead of the built-in ones.
    #[arg(long, value_name = "N")]
    n: Option<usize>,

    /// Also write the results as a JSON array to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Also write a plot of ns/op (grouped bars, log scale) as SVG to FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,

    /// Do not re-execute with GLIBC_TUNABLES set (for valgrind, or to see trimming's effect).
    #[arg(long)]
    no_reexec: bool,

    /// Internal: run one isolated round (WORKLOAD/EXECUTOR/N/WARMUP) and print its sample.
    #[arg(long, value_name = "SPEC", hide = true)]
    child: Option<String>,
}

/// The width of the workload-name column in `--help` and in the progress lines: the longest name
/// (`timers_virtual_ms`) and a space.
const NAME_WIDTH: usize = 18;
/// Where `--help`'s continuation lines start: under the text after the name.
const INDENT: usize = NAME_WIDTH + 2;

/// The long help below the flags: workloads, executors, method, and what each number means.
fn explanation() -> String {
    let mut text =
        String::from("WORKLOADS (full size / --quick size; n is the number of operations):\n");
    for w in workloads::catalogue() {
        let sizes =
            |s: &[usize]| s.iter().map(|&n| report::short_count(n)).collect::<Vec<_>>().join(",");
        text += &format!(
            "  {:<NAME_WIDTH$}{} / {}. {}.\n{:INDENT$}One op: {}.\n",
            w.name,
            sizes(w.full),
            sizes(w.quick),
            w.about,
            "",
            w.op
        );
    }
    text += "\nEXECUTORS (a fresh executor or runtime per round, built and dropped inside the timed \
             round, as a program would):\n";
    for (name, setup) in workloads::executor_setups() {
        text += &format!("  {name:<22}{setup}\n");
    }
    text += "\nMETHOD:\n  For each workload and size, --rounds measured rounds; each round runs every \
             executor once, starting one executor further along each round, so machine drift hits all \
             alike. Each measured round runs in a fresh process of its own, right after --warmup \
             identical thrown-away rounds in that process, so that no round inherits the heap another \
             workload or executor left behind (--in-process: all rounds in one process, after --warmup \
             shared rounds). Figures are medians over the measured rounds. Every workload checks its \
             answer and the run fails (exit status 101, CHECK FAILED) if one is wrong (on virtual \
             time: the clock must end at the longest sleep rounded up to the executor's timer \
             resolution, and a round must not have spent half of that sleep blocked). Unless \
             GLIBC_TUNABLES is already set (or --no-reexec), the benchmark re-executes itself once \
             with GLIBC_TUNABLES=";
    text += machine::TUNABLES;
    text += " so that glibc's heap trimming does not make one executor's round depend on the one \
             before.\n\nTHE NUMBERS:\n  ns/op       median wall-clock nanoseconds per operation, the \
             executor's construction and teardown included (timers_real: CPU nanoseconds per sleep, \
             all threads).\n  vs tokio    ns/op divided by tokio-current-thread's (plain tokio::spawn) on \
             the same workload and size; below 1 is faster than tokio.\n  allocs/op   heap \
             allocations (alloc, alloc_zeroed and realloc calls, counted by a wrapping global \
             allocator) in the whole round, per operation.\n  details     allocs/spawn: allocations \
             while spawning, per task; allocs/wake: allocations after the tasks were spawned, per wake \
             (ping_pong, yield_many); allocs/timer: allocations after spawning, per timer (arming, \
             firing, finishing, joining); peak B/task (JSON: peak_bytes_per_task; spawn_join and \
             the timers_virtual and timer_scaling workloads): the most heap bytes live at once during \
             the round above those live at its start (requested sizes, as the counting allocator \
             sees them: the executor, the tasks, their timers and the round's Vec of handles), per \
             task; sleeps and allocs/sleep: retry_virtual's 100 ms sleeps and the allocations per \
             sleep; late p50/p99/max/min: timers_real's lateness, the instant the task resumes after \
             the sleep minus (Instant::now() read by the task right at its call to sleep + \
             duration), the same code for every executor; early: how many of the n sleeps resumed \
             before that instant (negative lateness: the executor counted the sleep from a clock \
             reading older than the call); CPU: process CPU time of a timers_real round and its share \
             of one core; \"2.66× its 1k ns/op\" (JSON: growth and growth_base_n): on a workload run \
             at several sizes (timer_scaling, timer_scaling_ms), ns/op over the same executor's at the \
             smallest size, reported for every executor with no target attached; the line below the \
             table repeats it for the largest size (1M over 1k in a full run).\n  Left-out rows say \
             why the executor sat the workload out (no timers, no virtual time, no done-callbacks).\n\
             \nOUTPUT:\n  The table goes to stdout (Markdown), progress to stderr; --json and --svg write \
             files. To count instructions instead of time (repeatable on a noisy machine), \
             compare/callgrind.sh runs valgrind --tool=callgrind on target/release/compare --no-reexec \
             --in-process --only WORKLOAD --executor EXECUTOR --n N --rounds 1 --warmup 0 at n and 2n and prints the \
             difference per operation.\n";
    text
}

fn main() -> ExitCode {
    let command = Cli::command().after_help(explanation());
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };

    let catalogue = workloads::catalogue();
    if let Some(spec) = &cli.child {
        return child(&catalogue, spec);
    }

    // Validate the selections before re-executing, so a typo fails fast and once.
    for name in &cli.only {
        if !catalogue.iter().any(|w| w.name == name) {
            let names: Vec<_> = catalogue.iter().map(|w| w.name).collect();
            eprintln!("error: unknown workload '{name}'; the workloads are {}", names.join(", "));
            return ExitCode::from(2);
        }
    }
    for name in &cli.executor {
        if !EXECUTORS.contains(&name.as_str()) {
            eprintln!(
                "error: unknown executor '{name}'; the executors are {}",
                EXECUTORS.join(", ")
            );
            return ExitCode::from(2);
        }
    }
    if cli.n == Some(0) || cli.rounds == Some(0) {
        eprintln!("error: --n and --rounds must be at least 1");
        return ExitCode::from(2);
    }

    if !cli.no_reexec {
        machine::reexec_without_heap_trimming();
    }

    let started = Instant::now();
    let machine = Machine::detect();
    let rounds = cli.rounds.unwrap_or(if cli.quick { 3 } else { 7 });
    let selected_executors: Vec<&'static str> = EXECUTORS
        .iter()
        .copied()
        .filter(|e| cli.executor.is_empty() || cli.executor.iter().any(|s| s == e))
        .collect();

    println!("# compare: minimalist-async against tokio, futures and async-executor\n");
    println!("- machine: {}", machine.one_line());
    println!("- date: {}", machine.date);
    println!(
        "- GLIBC_TUNABLES: {}",
        machine.glibc_tunables.as_deref().unwrap_or("(not set: glibc heap trimming is on)")
    );
    println!(
        "- {} run: {rounds} measured rounds per workload and size, executors alternating, medians; {}\n",
        if cli.quick { "quick" } else { "full" },
        if cli.in_process {
            format!("all in one process after {} shared warm-up round(s)", cli.warmup)
        } else {
            format!(
                "each round in a fresh process after {} warm-up round(s) in that process",
                cli.warmup
            )
        }
    );

    let mut rows: Vec<Row> = Vec::new();
    for workload in &catalogue {
        if !cli.only.is_empty() && !cli.only.iter().any(|s| s == workload.name) {
            continue;
        }
        rows.extend(run_workload(workload, &cli, rounds, &selected_executors));
    }
    report::add_ratios(&mut rows);
    report::add_growth(&mut rows);

    println!("{}", report::table(&rows));
    for line in report::growth_summary(&rows) {
        println!("growth, {line}");
    }
    println!(
        "ns/op: median wall time per operation (timers_real: CPU time per sleep); vs tokio: ns/op over \
         tokio-current-thread's; allocs/op: allocations per operation. `--help` explains every figure."
    );
    println!("total time: {:.1} s", started.elapsed().as_secs_f64());

    if let Some(path) = &cli.json {
        if let Err(error) = std::fs::write(path, report::json(&rows, &machine)) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("compare: wrote {}", path.display());
    }
    if let Some(path) = &cli.svg {
        if let Err(error) = std::fs::write(path, report::svg(&rows, &selected_executors, &machine))
        {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("compare: wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Every size of one workload: the alternating rounds, then one row per selected executor.
fn run_workload(
    workload: &Workload,
    cli: &Cli,
    rounds: usize,
    selected: &[&'static str],
) -> Vec<Row> {
    let sizes: Vec<usize> = match cli.n {
        Some(n) => vec![n],
        None if cli.quick => workload.quick.to_vec(),
        None => workload.full.to_vec(),
    };
    let contenders: Vec<_> =
        workload.contenders.iter().copied().filter(|c| selected.contains(&c.executor)).collect();
    let mut rows = Vec::new();
    for (size_index, n) in sizes.into_iter().enumerate() {
        let clock = Instant::now();
        // Progress on a terminal only: in a log, one line per workload and size is enough.
        let terminal = std::io::stderr().is_terminal();
        let isolation = if cli.in_process { Isolation::InProcess } else { Isolation::Process };
        let summaries = measure::alternate(
            workload.name,
            &contenders,
            n,
            cli.warmup,
            rounds,
            isolation,
            |stage| {
                if terminal {
                    let size = report::short_count(n);
                    eprint!("\r{:<NAME_WIDTH$} n={size:<8} {stage:<16}", workload.name);
                    let _ = std::io::stderr().flush();
                }
            },
        );
        eprintln!(
            "{}{:<NAME_WIDTH$} n={:<8} done in {:.1} s    ",
            if terminal { "\r" } else { "" },
            workload.name,
            report::short_count(n),
            clock.elapsed().as_secs_f64()
        );
        for &executor in selected {
            let result = match summaries.iter().find(|s| s.executor == executor) {
                Some(summary) => Ok(summary.clone()),
                // Who sat out, and why, is said once, at the workload's first size.
                None => match workload.left_out.iter().find(|(e, _)| *e == executor) {
                    Some((_, why)) if size_index == 0 => Err(*why),
                    _ => continue,
                },
            };
            rows.push(Row {
                workload: workload.name,
                op: workload.op,
                clock: workload.clock,
                n,
                executor,
                result,
                ratio_to_tokio: None,
                growth: None,
            });
        }
    }
    rows
}

/// `--child WORKLOAD/EXECUTOR/N/WARMUP`: one isolated round (see `measure::Isolation`): the warm-up
/// rounds, then the measured one, whose sample goes to stdout for the parent to read.
fn child(catalogue: &[Workload], spec: &str) -> ExitCode {
    let parts: Vec<&str> = spec.split('/').collect();
    let [workload, executor, n, warmup] = parts[..] else {
        eprintln!("error: --child wants WORKLOAD/EXECUTOR/N/WARMUP, got '{spec}'");
        return ExitCode::from(2);
    };
    let contender = catalogue
        .iter()
        .filter(|w| w.name == workload)
        .flat_map(|w| &w.contenders)
        .find(|c| c.executor == executor);
    let (Some(contender), Ok(n), Ok(warmup)) = (contender, n.parse(), warmup.parse::<usize>())
    else {
        eprintln!("error: --child: no round '{spec}'");
        return ExitCode::from(2);
    };
    for _ in 0..warmup {
        (contender.run)(n);
    }
    println!("{}", (contender.run)(n).to_line());
    ExitCode::SUCCESS
}
