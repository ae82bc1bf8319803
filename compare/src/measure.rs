//! Measuring: one round (time, CPU, allocations), and alternating rounds over the executors.
//!
//! On a shared two-core machine the speed drifts from second to second. Running all of one executor's
//! rounds and then all of the next one's would turn that drift into a difference between executors, so
//! the rounds alternate: round 1 runs every executor once, round 2 again, and so on, each round starting
//! one executor further along so that nobody is always first (right after a big allocation-heavy round)
//! or always last. The warm-up rounds (page faults of a fresh heap, cold caches, lazy statics) are run
//! the same way and thrown away. The figure reported is the median over the rounds.
//!
//! By default every measured round runs in a process of its own, after its own warm-up: see
//! [`Isolation`].

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::alloc;

/// What one round of one workload on one executor gave.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The headline: wall nanoseconds per operation (CPU nanoseconds for `timers_real`).
    pub ns_per_op: f64,
    /// Allocations of the whole round (executor built and dropped included) per operation.
    pub allocs_per_op: f64,
    /// Workload-specific figures: allocations per wake, lateness percentiles, and so on.
    pub metrics: Vec<(&'static str, f64)>,
}

/// What [`round`] measured around a closure.
pub struct Measured<T> {
    pub value: T,
    pub wall: Duration,
    /// CPU time of the whole process (all threads) during the closure.
    pub cpu: Duration,
    /// Wall time during which the calling thread neither ran nor waited for a CPU: it was blocked
    /// (asleep in the kernel). Unlike `wall`, a loaded machine does not inflate it.
    pub blocked: Duration,
    pub allocs: u64,
    /// The most heap bytes live at once during the closure, above those live when it started.
    pub peak_bytes: u64,
}

/// Runs `f` once, measuring wall time, process CPU time, allocations and the peak of live heap bytes.
pub fn round<T>(f: impl FnOnce() -> T) -> Measured<T> {
    let cpu = process_cpu();
    let allocs = alloc::count();
    let live = alloc::reset_peak();
    let busy = thread_busy();
    let start = Instant::now();
    let value = f();
    let wall = start.elapsed();
    let blocked = wall.saturating_sub(thread_busy().saturating_sub(busy));
    let peak_bytes = alloc::peak().saturating_sub(live);
    let allocs = alloc::count() - allocs;
    let cpu = process_cpu().saturating_sub(cpu);
    Measured { value, wall, cpu, blocked, allocs, peak_bytes }
}

/// How long the calling thread has been running or runnable (waiting for a CPU) so far: the first two
/// fields of `/proc/thread-self/schedstat`. Zero where `/proc` is missing (then `blocked` is all of the
/// wall time).
fn thread_busy() -> Duration {
    let Ok(text) = std::fs::read_to_string("/proc/thread-self/schedstat") else {
        return Duration::ZERO;
    };
    let nanos: u64 =
        text.split_whitespace().take(2).filter_map(|field| field.parse::<u64>().ok()).sum();
    Duration::from_nanos(nanos)
}

/// CPU time used by all of this process's threads so far, from `/proc/self/task/*/schedstat` (the
/// scheduler's own nanosecond count; `/proc/self/stat` only has 10 ms ticks). Summed over threads
/// because async-io runs a helper thread. Zero where `/proc` is missing.
pub fn process_cpu() -> Duration {
    let Ok(threads) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let mut nanos = 0u64;
    for thread in threads.flatten() {
        let Ok(text) = std::fs::read_to_string(thread.path().join("schedstat")) else {
            continue;
        };
        if let Some(on_cpu) = text.split_whitespace().next().and_then(|f| f.parse::<u64>().ok()) {
            nanos += on_cpu;
        }
    }
    Duration::from_nanos(nanos)
}

/// An executor's entry for one workload: its name and the function that runs one round at size `n`.
#[derive(Clone, Copy)]
pub struct Contender {
    pub executor: &'static str,
    pub run: fn(usize) -> Sample,
}

/// Where the rounds run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// Each measured round in a fresh process of its own, right after `warmup` identical rounds in that
    /// process. The default: glibc's heap keeps the shape of whatever ran before (even with trimming
    /// off, big rounds leave it fragmented differently), which moved big-n timer figures by a quarter
    /// depending on the workload that ran before. In its own process, every round follows exactly its
    /// own warm-up.
    Process,
    /// Every round in this process, after `warmup` shared warm-up rounds: what valgrind needs, since it
    /// only follows the process it started.
    InProcess,
}

/// The rounds of one executor, reduced to medians.
#[derive(Clone, Debug)]
pub struct Summary {
    pub executor: &'static str,
    pub rounds: usize,
    pub ns_per_op: f64,
    pub ns_per_op_min: f64,
    pub ns_per_op_max: f64,
    pub allocs_per_op: f64,
    /// Each workload-specific figure's median over the rounds, in the order the workload gave them.
    pub metrics: Vec<(&'static str, f64)>,
}

/// Runs `rounds` measured rounds of `workload`, each going once over every contender (starting one
/// further along each time), with `warmup` rounds before each (isolated) or before all (in-process), and
/// returns each contender's medians.
pub fn alternate(
    workload: &str,
    contenders: &[Contender],
    n: usize,
    warmup: usize,
    rounds: usize,
    isolation: Isolation,
    mut progress: impl FnMut(&str),
) -> Vec<Summary> {
    let k = contenders.len();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); k];
    let shared_warmup = match isolation {
        Isolation::Process => 0,
        Isolation::InProcess => warmup,
    };
    for round in 0..shared_warmup + rounds {
        let label = if round < shared_warmup {
            format!("warm-up {}/{shared_warmup}", round + 1)
        } else {
            format!("round {}/{rounds}", round - shared_warmup + 1)
        };
        progress(&label);
        for i in 0..k {
            let index = (round + i) % k;
            let contender = &contenders[index];
            let sample = match isolation {
                Isolation::Process => child_round(workload, contender.executor, n, warmup),
                Isolation::InProcess => (contender.run)(n),
            };
            if round >= shared_warmup {
                samples[index].push(sample);
            }
        }
    }
    contenders
        .iter()
        .zip(samples)
        .map(|(contender, samples)| summarize(contender.executor, &samples))
        .collect()
}

/// What `--child` gets: which round to run in the fresh process.
pub fn child_spec(workload: &str, executor: &str, n: usize, warmup: usize) -> String {
    format!("{workload}/{executor}/{n}/{warmup}")
}

/// Runs one isolated round: this same program with `--child`, which prints its sample on stdout. A child
/// that fails (a `CHECK FAILED` panic, say; its message reaches our stderr) ends the whole run with its
/// exit status.
fn child_round(workload: &str, executor: &str, n: usize, warmup: usize) -> Sample {
    let exe = std::env::current_exe().expect("the benchmark's own executable");
    let output = Command::new(exe)
        .arg("--child")
        .arg(child_spec(workload, executor, n, warmup))
        .stderr(Stdio::inherit())
        .output()
        .expect("start a round's process");
    if !output.status.success() {
        eprintln!("compare: the {workload} round on {executor} failed ({})", output.status);
        std::process::exit(output.status.code().unwrap_or(1));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Sample::from_line(text.trim_end()).unwrap_or_else(|| {
        eprintln!("compare: the {workload} round on {executor} printed no sample: {text:?}");
        std::process::exit(1);
    })
}

impl Sample {
    /// One line for a child to print: `sample NS ALLOCS [NAME=VALUE]…`, floats in Rust's round-trip
    /// notation.
    pub fn to_line(&self) -> String {
        let mut line = format!("sample {:?} {:?}", self.ns_per_op, self.allocs_per_op);
        for (name, value) in &self.metrics {
            line += &format!(" {name}={value:?}");
        }
        line
    }

    /// Reads [`Sample::to_line`]'s output back; metric names must be among `known`.
    pub fn from_line(line: &str) -> Option<Sample> {
        let mut words = line.split(' ');
        if words.next()? != "sample" {
            return None;
        }
        let ns_per_op = words.next()?.parse().ok()?;
        let allocs_per_op = words.next()?.parse().ok()?;
        let metrics = words
            .map(|word| {
                let (name, value) = word.split_once('=')?;
                let name = crate::workloads::METRICS.iter().find(|m| **m == name)?;
                Some((*name, value.parse().ok()?))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Sample { ns_per_op, allocs_per_op, metrics })
    }
}

fn summarize(executor: &'static str, samples: &[Sample]) -> Summary {
    let ns: Vec<f64> = samples.iter().map(|s| s.ns_per_op).collect();
    let metric_names: Vec<&'static str> = samples
        .first()
        .map(|s| s.metrics.iter().map(|(name, _)| *name).collect())
        .unwrap_or_default();
    let metrics = metric_names
        .iter()
        .map(|&name| {
            let values: Vec<f64> = samples
                .iter()
                .filter_map(|s| s.metrics.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
                .collect();
            (name, median(&values))
        })
        .collect();
    Summary {
        executor,
        rounds: samples.len(),
        ns_per_op: median(&ns),
        ns_per_op_min: ns.iter().copied().fold(f64::INFINITY, f64::min),
        ns_per_op_max: ns.iter().copied().fold(0.0, f64::max),
        allocs_per_op: median(&samples.iter().map(|s| s.allocs_per_op).collect::<Vec<_>>()),
        metrics,
    }
}

/// The median (the mean of the middle two for an even count); NaN for no values.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 }
}

/// The `p`-th percentile (0–100) of `sorted`, nearest rank.
pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    assert!(!sorted.is_empty());
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_is_blocked_time_and_a_spin_is_not() {
        let slept = round(|| std::thread::sleep(Duration::from_millis(50)));
        assert!(slept.blocked >= Duration::from_millis(40), "{:?}", slept.blocked);
        let spun = round(|| {
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(50) {
                std::hint::spin_loop();
            }
        });
        assert!(spun.blocked < Duration::from_millis(25), "{:?}", spun.blocked);
    }
}
