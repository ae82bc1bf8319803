//! What both demo programs share: their flags, and running a demo's async main on the executor.
//!
//! The flags match `../shared/reference/tutorial_demos.py`, the tutorial's own program, so the two can
//! be run side by side: same seed, tags and likelihood, same output.

use std::future::Future;
use std::time::Instant;

use clap::error::ErrorKind;
use clap::{Parser, ValueEnum};
use minimalist_async::Executor;
use minimalist_async::demo::{Likelihood, RngKind, Seed, Stdout, Tutorial, TutorialRng};

/// Runs a demo of the asyncio tutorial on minimalist-async's executor.
///
/// Prints exactly what the Python tutorial prints for the same --seed, --tasks and --likelihood
/// (with --rng python). Informational lines (wall time, a freshly drawn seed) go to stderr.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Seed of the shared RNG: any integer, as Python's random.seed takes. Without it a fresh seed is
    /// drawn and printed on stderr, with the command that replays the run.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    seed: Option<Seed>,

    /// Where rolls come from: python (CPython's Mersenne Twister: same rolls as the tutorial) or std
    /// (rand's StdRng: other rolls, same scheduling).
    #[arg(long, value_enum, value_name = "RNG", default_value_t = RngArg::Python)]
    rng: RngArg,

    /// Chance that one roll succeeds, a number in (0, 1].
    #[arg(long, value_name = "P", default_value = "0.1")]
    likelihood: Likelihood,

    /// Comma-separated task tags, each non-empty and unique.
    #[arg(long, value_name = "A,B,C", default_value = "task1,task2", value_parser = parse_tags)]
    tasks: Tags,

    /// Run on virtual time: sleeps take no real time, the output is the same.
    #[arg(long)]
    virtual_time: bool,

    /// Wait with std::thread::sleep instead of sleep().await: the blocking mistake. The tasks then run
    /// one after the other, and the executor's blocking detector warns on stderr.
    #[arg(long)]
    blocking: bool,
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
    if tags.iter().any(String::is_empty) {
        return Err(format!("'{text}' has an empty tag; write tags like a,b,c"));
    }
    for (i, tag) in tags.iter().enumerate() {
        if tags[..i].contains(tag) {
            return Err(format!(
                "tag '{tag}' appears twice; tags name tasks and must be unique"
            ));
        }
    }
    Ok(Tags(tags))
}

/// Parses the flags, or exits: 0 after --help/--version, 2 with one line on stderr for anything wrong.
fn parse_args() -> Args {
    match Args::try_parse() {
        Ok(args) => args,
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = error.print();
            std::process::exit(0);
        }
        Err(error) => {
            let text = error.to_string();
            eprintln!(
                "{}",
                text.lines().next().unwrap_or("error: invalid arguments")
            );
            std::process::exit(2);
        }
    }
}

/// Parses the flags, then runs `async_main(tutorial, tags, likelihood)` to completion on a fresh
/// executor, on the clock the flags ask for. `program` names the example in the replay hint.
pub fn run<F, Fut>(program: &str, async_main: F)
where
    F: FnOnce(Tutorial, Vec<String>, Likelihood) -> Fut,
    Fut: Future<Output = ()>,
{
    let args = parse_args();
    let kind = match args.rng {
        RngArg::Python => RngKind::Python,
        RngArg::Std => RngKind::Std,
    };
    let seed = args.seed.clone().unwrap_or_else(|| {
        let seed = Seed::from_u64(rand::random());
        eprintln!(
            "seed {seed}; replay this run with: cargo run --example {program} -- --seed {seed} --rng {} --likelihood {} --tasks {}{}{}",
            match kind {
                RngKind::Python => "python",
                RngKind::Std => "std",
            },
            args.likelihood,
            args.tasks.0.join(","),
            if args.virtual_time { " --virtual-time" } else { "" },
            if args.blocking { " --blocking" } else { "" },
        );
        seed
    });
    let Some(rng) = TutorialRng::new(kind, &seed) else {
        eprintln!(
            "error: --rng std takes seeds below 2^256 in absolute value; --rng python takes any"
        );
        std::process::exit(2);
    };
    let tutorial = Tutorial::new(rng, Stdout).blocking(args.blocking);
    let mut executor = if args.virtual_time {
        Executor::with_virtual_time()
    } else {
        Executor::new()
    };
    let started = Instant::now();
    executor.block_on(async_main(tutorial, args.tasks.0, args.likelihood));
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
