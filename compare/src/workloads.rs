//! The workloads: what each round runs, how it checks its answer, and which executors take part.
//!
//! Each workload is one generic function `fn(n) -> Sample` over [`Runtime`] (or [`Timers`]): it builds a
//! fresh executor through `R::block_on`, runs a main future made of the bodies in `crate::tasks`, checks
//! the answer (and panics with a `CHECK FAILED` message when it is wrong) and turns the measurement into
//! per-operation figures. `n` is always the number of operations, so `ns_per_op` is wall time / `n`.

use std::cell::{Cell, RefCell};
use std::ops::RangeInclusive;
use std::rc::Rc;
use std::time::Duration;

use minimalist_async::demo::Likelihood;

use crate::alloc;
use crate::measure::{self, Contender, Sample, percentile};
use crate::runtimes::{
    AsyncExecutorLocal, Clock, FuturesLocalPool, Ours, Runtime, Timers, TokioCurrentThread,
    TokioLocalSet,
};
use crate::tasks;

/// One workload of the catalogue.
pub struct Workload {
    pub name: &'static str,
    /// What one operation is.
    pub op: &'static str,
    /// What the workload does, for `--help` and the report.
    pub about: &'static str,
    pub clock: Clock,
    /// The sizes (`n`, operations per round) of a full run; a row per size.
    pub full: &'static [usize],
    /// The sizes of a `--quick` run.
    pub quick: &'static [usize],
    pub contenders: Vec<Contender>,
    /// Executors that sit this one out, and why.
    pub left_out: Vec<(&'static str, &'static str)>,
}

/// Every executor, in table order.
pub const EXECUTORS: [&str; 5] = [
    Ours::NAME,
    TokioCurrentThread::NAME,
    TokioLocalSet::NAME,
    FuturesLocalPool::NAME,
    AsyncExecutorLocal::NAME,
];

/// How each executor is set up, for `--help`.
pub fn executor_setups() -> [(&'static str, &'static str); 5] {
    [
        (Ours::NAME, Ours::SETUP),
        (TokioCurrentThread::NAME, TokioCurrentThread::SETUP),
        (TokioLocalSet::NAME, TokioLocalSet::SETUP),
        (FuturesLocalPool::NAME, FuturesLocalPool::SETUP),
        (AsyncExecutorLocal::NAME, AsyncExecutorLocal::SETUP),
    ]
}

/// Every workload-specific figure's name (what `Sample::metrics` may hold), so that a round run in a
/// child process can be read back.
pub const METRICS: [&str; 13] = [
    "allocs_per_spawn",
    "peak_bytes_per_task",
    "allocs_per_wake",
    "allocs_per_timer",
    "sleeps",
    "allocs_per_sleep",
    "late_p50_us",
    "late_p99_us",
    "late_max_us",
    "late_min_us",
    "early_sleeps",
    "cpu_ms",
    "cpu_percent",
];

/// The round function of `workload` for each listed runtime.
macro_rules! contenders {
    ($workload:ident: $($runtime:ty),+ $(,)?) => {
        vec![$(Contender { executor: <$runtime as Runtime>::NAME, run: $workload::<$runtime> }),+]
    };
}

const NO_TIMERS: &str = "no timers";
const NO_VIRTUAL_TIME: &str = "no virtual time (async-io timers are real)";

/// Who sits out a virtual-time workload, and why.
fn virtual_left_out() -> Vec<(&'static str, &'static str)> {
    vec![(FuturesLocalPool::NAME, NO_TIMERS), (AsyncExecutorLocal::NAME, NO_VIRTUAL_TIME)]
}

/// Who sits out `timer_scaling` and `timer_scaling_ms`, and why.
fn scaling_left_out() -> Vec<(&'static str, &'static str)> {
    let mut left_out = vec![(TokioLocalSet::NAME, "same timer wheel as tokio-current-thread")];
    left_out.extend(virtual_left_out());
    left_out
}

/// The catalogue, in run order.
pub fn catalogue() -> Vec<Workload> {
    vec![
        Workload {
            name: "spawn_join",
            op: "one task spawned and its handle awaited",
            about: "from the main future spawn n trivial tasks (each returns its index), then await every \
                    handle in spawn order; checks the sum of the results",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(spawn_join: Ours, TokioCurrentThread, TokioLocalSet, FuturesLocalPool, AsyncExecutorLocal),
            left_out: vec![],
        },
        Workload {
            name: "ping_pong",
            op: "one hit: a wake of the other task and its poll",
            about: "two tasks take turns through a shared counter and each other's stored Waker (no \
                    channel); n hits in all; checks each side's hit count",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(ping_pong: Ours, TokioCurrentThread, TokioLocalSet, FuturesLocalPool, AsyncExecutorLocal),
            left_out: vec![],
        },
        Workload {
            name: "yield_many",
            op: "one yield (a self-wake and a poll)",
            about: "n/1000 tasks each yield 1,000 times (the executor's own yield_now; a \
                    wake-once-and-return-Pending future for futures and async-executor, which is what \
                    smol's does); checks the yields counted",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(yield_many: Ours, TokioCurrentThread, TokioLocalSet, FuturesLocalPool, AsyncExecutorLocal),
            left_out: vec![],
        },
        Workload {
            name: "timers_virtual",
            op: "one task that sleeps once, spawned and awaited",
            about: "n tasks each sleep a random 1 ms to 10 s drawn in whole microseconds (the same \
                    sequence for everyone; about as many distinct deadlines as tasks: 951,473 at 1M) on \
                    virtual time, then are awaited in spawn order; checks the sum of the results and \
                    that the clock ends at the longest sleep (rounded up to the executor's timer \
                    resolution: 1 ms for tokio, 1 µs for minimalist-async)",
            clock: Clock::Virtual,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(timers_virtual: Ours, TokioCurrentThread, TokioLocalSet),
            left_out: virtual_left_out(),
        },
        Workload {
            name: "timers_virtual_ms",
            op: "one task that sleeps once, spawned and awaited",
            about: "timers_virtual with the sleeps drawn in whole milliseconds instead: at most 10,000 \
                    distinct deadlines however many tasks",
            clock: Clock::Virtual,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(timers_virtual_ms: Ours, TokioCurrentThread, TokioLocalSet),
            left_out: virtual_left_out(),
        },
        Workload {
            name: "timeouts",
            op: "one timeout of 10 ms around one yield (a deadline set and cancelled, never reached)",
            about: "n/1000 tasks each run 1,000 timeouts in a row, each around one yield of the \
                    executor's own (async-executor: a race with an async-io timer, smol's way); checks \
                    that none ran out",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(timeouts: Ours, TokioCurrentThread, TokioLocalSet, AsyncExecutorLocal),
            left_out: vec![(FuturesLocalPool::NAME, NO_TIMERS)],
        },
        Workload {
            name: "timeouts_ready",
            op: "one timeout of 10 ms around a future ready at its first poll",
            about: "timeouts with a future that is ready at once inside each timeout: what a timeout \
                    costs when it is not needed",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: contenders!(timeouts_ready: Ours, TokioCurrentThread, TokioLocalSet, AsyncExecutorLocal),
            left_out: vec![(FuturesLocalPool::NAME, NO_TIMERS)],
        },
        Workload {
            name: "retry_virtual",
            op: "one unlikely_to_return task (about 10 rolls and 9 sleeps of 100 ms)",
            about: "n silent unlikely_to_return tasks (likelihood 0.1, CPython's RNG seeded 7, output \
                    demo::Silent, so no line is formatted) on virtual time, awaited in order; \
                    minimalist-async runs Tutorial::unlikely_to_return, tokio the same loop with its own \
                    sleep; checks that the results are exactly the first n winning rolls of the seed's \
                    stream, which any correct schedule gives",
            clock: Clock::Virtual,
            full: &[100_000],
            quick: &[10_000],
            contenders: contenders!(retry_virtual: Ours, TokioCurrentThread, TokioLocalSet),
            left_out: virtual_left_out(),
        },
        Workload {
            name: "timers_real",
            op: "one real sleep (the figure is CPU time, not wall time)",
            about: "n tasks each sleep a random 1-200 ms of real time; ns/op is the process's CPU time \
                    per sleep; lateness = the instant the task resumes after the sleep - (Instant::now() \
                    read by the task right at its call to sleep + duration), the same code for every \
                    executor, percentiles over all n sleeps, and how many ended early (negative \
                    lateness); checks every task woke",
            clock: Clock::Real,
            full: &[10_000],
            quick: &[2_000],
            contenders: contenders!(timers_real: Ours, TokioCurrentThread, AsyncExecutorLocal),
            left_out: vec![
                (TokioLocalSet::NAME, "same timer driver as tokio-current-thread"),
                (FuturesLocalPool::NAME, NO_TIMERS),
            ],
        },
        Workload {
            name: "timer_scaling",
            op: "one timer (a task that sleeps once, spawned and awaited)",
            about: "timers_virtual (microsecond sleeps) at n = 1k, 10k, 100k and 1M: how the cost per \
                    timer grows with the number of timers (each row past the first gives its ns/op over \
                    the same executor's at 1k)",
            clock: Clock::Virtual,
            full: &[1_000, 10_000, 100_000, 1_000_000],
            quick: &[1_000, 10_000, 100_000],
            contenders: contenders!(timers_virtual: Ours, TokioCurrentThread),
            left_out: scaling_left_out(),
        },
        Workload {
            name: "timer_scaling_ms",
            op: "one timer (a task that sleeps once, spawned and awaited)",
            about: "timer_scaling with timers_virtual_ms's whole-millisecond sleeps",
            clock: Clock::Virtual,
            full: &[1_000, 10_000, 100_000, 1_000_000],
            quick: &[1_000, 10_000, 100_000],
            contenders: contenders!(timers_virtual_ms: Ours, TokioCurrentThread),
            left_out: scaling_left_out(),
        },
        Workload {
            name: "callbacks",
            op: "one done-callback run",
            about: "n/1000 tasks each get 1,000 done-callbacks adding the task's result to a shared sum; \
                    minimalist-async only (asyncio's add_done_callback has no peer in the others); \
                    checks the sum",
            clock: Clock::Real,
            full: &[1_000_000],
            quick: &[100_000],
            contenders: vec![Contender { executor: Ours::NAME, run: callbacks }],
            left_out: vec![
                (TokioCurrentThread::NAME, "no done-callbacks"),
                (TokioLocalSet::NAME, "no done-callbacks"),
                (FuturesLocalPool::NAME, "no done-callbacks"),
                (AsyncExecutorLocal::NAME, "no done-callbacks"),
            ],
        },
    ]
}

/// Fails the run, loudly, when a workload computed the wrong answer.
#[track_caller]
fn check(ok: bool, workload: &str, executor: &str, what: impl FnOnce() -> String) {
    if !ok {
        panic!("CHECK FAILED: {workload} on {executor}: {}", what());
    }
}

fn per_op(total: impl Into<f64>, n: usize) -> f64 {
    total.into() / n as f64
}

fn nanos(d: Duration) -> f64 {
    d.as_nanos() as f64
}

/// Deterministic pseudo-random numbers (SplitMix64), so every executor sleeps the same durations.
struct Durations(u64);

impl Durations {
    fn new() -> Durations {
        Durations(0x5EED_F00D_CAFE_0007)
    }

    /// A whole number in `1..=max`.
    fn next(&mut self, max: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        1 + z % max
    }

    /// A whole number in `range` (the same draws as `next` shifted: `1..=max` is exactly `next(max)`).
    fn in_range(&mut self, range: RangeInclusive<u64>) -> u64 {
        let (first, last) = range.into_inner();
        first - 1 + self.next(last - first + 1)
    }
}

/// The unit the virtual-time sleeps are drawn in: both give a random 1 ms to 10 s.
#[derive(Clone, Copy)]
enum Grain {
    /// Whole microseconds: 9,999,001 possible lengths, so a million timers have 951,473 distinct
    /// deadlines, as real programs' deadlines are arbitrary (`timers_virtual`, `timer_scaling`).
    Micros,
    /// Whole milliseconds: 10,000 possible lengths, so at most 10,000 distinct deadlines however many
    /// timers, each shared by a hundred at 1M (`timers_virtual_ms`, `timer_scaling_ms`: what the two
    /// main workloads were before they moved to microseconds).
    Millis,
}

impl Grain {
    fn draw(self, durations: &mut Durations) -> Duration {
        match self {
            Grain::Micros => Duration::from_micros(durations.in_range(1_000..=10_000_000)),
            Grain::Millis => Duration::from_millis(durations.in_range(1..=10_000)),
        }
    }
}

/// `duration` rounded up to a whole multiple of `grain`.
fn round_up(duration: Duration, grain: Duration) -> Duration {
    let grain_ns = grain.as_nanos().max(1);
    let ticks = duration.as_nanos().div_ceil(grain_ns);
    Duration::from_nanos(u64::try_from(ticks * grain_ns).expect("fits"))
}

// ---------------------------------------------------------------------------------------------------

fn spawn_join<R: Runtime>(n: usize) -> Sample {
    let m = measure::round(|| {
        R::block_on(Clock::Real, async move {
            let before = alloc::count();
            let mut handles = Vec::with_capacity(n);
            for i in 0..n as u64 {
                handles.push(R::spawn(tasks::trivial(i)));
            }
            let spawn_allocs = alloc::count() - before;
            let mut sum = 0u64;
            for handle in handles {
                sum += handle.await;
            }
            (sum, spawn_allocs)
        })
    });
    let (sum, spawn_allocs) = m.value;
    let expected = (n as u64) * (n as u64).saturating_sub(1) / 2;
    check(sum == expected, "spawn_join", R::NAME, || {
        format!("sum of results {sum}, expected {expected}")
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![
            ("allocs_per_spawn", per_op(spawn_allocs as f64, n)),
            ("peak_bytes_per_task", per_op(m.peak_bytes as f64, n)),
        ],
    }
}

fn ping_pong<R: Runtime>(n: usize) -> Sample {
    let m = measure::round(|| {
        R::block_on(Clock::Real, async move {
            let court = tasks::Court::new(n as u64);
            let first = R::spawn(tasks::player(court.clone(), 0));
            let second = R::spawn(tasks::player(court, 1));
            let before = alloc::count();
            let hits = (first.await, second.await);
            (hits, alloc::count() - before)
        })
    });
    let ((first, second), play_allocs) = m.value;
    let n64 = n as u64;
    check(first == n64.div_ceil(2) && second == n64 / 2, "ping_pong", R::NAME, || {
        format!("hits {first} + {second}, expected {} + {}", n64.div_ceil(2), n64 / 2)
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![("allocs_per_wake", per_op(play_allocs as f64, n))],
    }
}

const YIELDS_PER_TASK: usize = 1_000;
const CALLBACKS_PER_TASK: usize = 1_000;

fn yield_many<R: Runtime>(n: usize) -> Sample {
    let tasks = (n / YIELDS_PER_TASK).max(1);
    let each = (n / tasks) as u64;
    let n = tasks * each as usize;
    let m = measure::round(|| {
        R::block_on(Clock::Real, async move {
            let mut handles = Vec::with_capacity(tasks);
            for _ in 0..tasks {
                handles.push(R::spawn(tasks::yielder::<R>(each)));
            }
            let before = alloc::count();
            let mut yields = 0;
            for handle in handles {
                yields += handle.await;
            }
            (yields, alloc::count() - before)
        })
    });
    let (yields, run_allocs) = m.value;
    check(yields == n as u64, "yield_many", R::NAME, || {
        format!("{yields} yields counted, expected {n}")
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![("allocs_per_wake", per_op(run_allocs as f64, n))],
    }
}

const TIMEOUTS_PER_TASK: usize = 1_000;

fn timeouts<R: Timers>(n: usize) -> Sample {
    timeout_round::<R>(n, false, "timeouts")
}

fn timeouts_ready<R: Timers>(n: usize) -> Sample {
    timeout_round::<R>(n, true, "timeouts_ready")
}

/// n timeouts in all, `TIMEOUTS_PER_TASK` per task; `ready`: around a future ready at once.
fn timeout_round<R: Timers>(n: usize, ready: bool, name: &str) -> Sample {
    let tasks = (n / TIMEOUTS_PER_TASK).max(1);
    let each = (n / tasks) as u64;
    let n = tasks * each as usize;
    let m = measure::round(|| {
        R::block_on(Clock::Real, async move {
            let handles: Vec<_> = (0..tasks).map(|_| R::spawn_timeouts(each, ready)).collect();
            let mut in_time = 0;
            for handle in handles {
                in_time += handle.await;
            }
            in_time
        })
    });
    check(m.value == n as u64, name, R::NAME, || {
        format!("{} of {n} timeouts finished in time", m.value)
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![],
    }
}

/// `timers_virtual` and `timer_scaling`: sleeps of whole microseconds.
fn timers_virtual<R: Timers>(n: usize) -> Sample {
    virtual_sleepers::<R>(n, Grain::Micros, "timers_virtual")
}

/// `timers_virtual_ms` and `timer_scaling_ms`: sleeps of whole milliseconds.
fn timers_virtual_ms<R: Timers>(n: usize) -> Sample {
    virtual_sleepers::<R>(n, Grain::Millis, "timers_virtual_ms")
}

/// n tasks that each sleep once (a random 1 ms to 10 s in units of `grain`) on virtual time, awaited in
/// spawn order.
fn virtual_sleepers<R: Timers>(n: usize, grain: Grain, name: &str) -> Sample {
    const { assert!(R::VIRTUAL_TIME, "listed for a virtual-time workload without virtual time") };
    let m = measure::round(|| {
        R::block_on(Clock::Virtual, async move {
            let mut durations = Durations::new();
            let mut longest = Duration::ZERO;
            let before = alloc::count();
            let mut handles = Vec::with_capacity(n);
            for i in 0..n as u64 {
                let duration = grain.draw(&mut durations);
                longest = longest.max(duration);
                handles.push(R::spawn_sleeper(duration, i));
            }
            let spawned = alloc::count();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await;
            }
            let end = R::now();
            (sum, longest, end, spawned - before, alloc::count() - spawned)
        })
    });
    let (sum, longest, end, spawn_allocs, timer_allocs) = m.value;
    let expected = (n as u64) * (n as u64).saturating_sub(1) / 2;
    check(sum == expected, name, R::NAME, || format!("sum of results {sum}, expected {expected}"));
    // Every task called `sleep` at virtual time zero, so the clock ends at the longest sleep's deadline,
    // rounded up as the executor rounds its deadlines (tokio: to its 1 ms tick; minimalist-async: to the
    // microsecond, which whole-microsecond sleeps already are).
    let latest = round_up(longest, R::RESOLUTION);
    check(end >= longest && end <= latest, name, R::NAME, || {
        format!(
            "virtual clock ended at {end:?}, the longest sleep was {longest:?} (at most {latest:?} \
             once rounded up to the executor's {:?})",
            R::RESOLUTION
        )
    });
    // A round that really slept would spend most of the longest sleep blocked; on a loaded machine a
    // virtual round can take longer than that in wall time, but not blocked.
    check(m.wall < longest || m.blocked < longest / 2, name, R::NAME, || {
        format!(
            "virtual time took real time: the round took {:?}, {:?} of it blocked",
            m.wall, m.blocked
        )
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![
            ("allocs_per_spawn", per_op(spawn_allocs as f64, n)),
            ("allocs_per_timer", per_op(timer_allocs as f64, n)),
            ("peak_bytes_per_task", per_op(m.peak_bytes as f64, n)),
        ],
    }
}

const RETRY_SEED: u64 = 7;

/// The answer `retry_virtual` must give: the winning rolls, sorted, and the number of losing rolls.
type RetryAnswer = Rc<(Vec<f64>, u64)>;

thread_local! {
    /// `tasks::expected_retry_results` for the last `n` asked, computed outside the timed rounds.
    static EXPECTED_RETRY: RefCell<Option<(usize, RetryAnswer)>> = const { RefCell::new(None) };
}

fn expected_retry(n: usize, likelihood: Likelihood) -> RetryAnswer {
    EXPECTED_RETRY.with_borrow_mut(|cached| match cached {
        Some((size, expected)) if *size == n => Rc::clone(expected),
        _ => {
            let expected = Rc::new(tasks::expected_retry_results(n, RETRY_SEED, likelihood));
            *cached = Some((n, Rc::clone(&expected)));
            expected
        }
    })
}

fn retry_virtual<R: Timers>(n: usize) -> Sample {
    const { assert!(R::VIRTUAL_TIME, "listed for a virtual-time workload without virtual time") };
    let likelihood = Likelihood::new(0.1).expect("0.1 is a likelihood");
    let expected = expected_retry(n, likelihood);
    let m = measure::round(|| {
        R::block_on(Clock::Virtual, async move {
            tasks::install_tutorial(RETRY_SEED);
            let mut handles = Vec::with_capacity(n);
            for i in 1..=n {
                handles.push(R::spawn_retry(&format!("task{i}"), likelihood));
            }
            let before = alloc::count();
            let mut results = Vec::with_capacity(n);
            for handle in handles {
                results.push(handle.await);
            }
            let run_allocs = alloc::count() - before;
            tasks::remove_tutorial();
            (results, run_allocs)
        })
    });
    let (mut results, run_allocs) = m.value;
    results.sort_by(f64::total_cmp);
    let (wins, losses) = &*expected;
    check(results == *wins, "retry_virtual", R::NAME, || {
        let differ = results.iter().zip(wins).filter(|(a, b)| a != b).count();
        format!(
            "{differ} of {n} results differ from the first {n} winning rolls of seed {RETRY_SEED}"
        )
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![
            ("sleeps", *losses as f64),
            ("allocs_per_sleep", run_allocs as f64 / *losses as f64),
        ],
    }
}

fn timers_real<R: Timers>(n: usize) -> Sample {
    let m = measure::round(|| {
        R::block_on(Clock::Real, async move {
            let mut durations = Durations::new();
            let mut longest = Duration::ZERO;
            let mut handles = Vec::with_capacity(n);
            for _ in 0..n {
                let duration = Duration::from_micros(durations.in_range(1_000..=200_000));
                longest = longest.max(duration);
                handles.push(R::spawn_late_sleeper(duration));
            }
            let mut lateness = Vec::with_capacity(n);
            for handle in handles {
                lateness.push(handle.await);
            }
            (lateness, longest)
        })
    });
    let (mut lateness, longest) = m.value;
    check(lateness.len() == n, "timers_real", R::NAME, || {
        format!("{} of {n} sleeps returned", lateness.len())
    });
    check(m.wall >= longest, "timers_real", R::NAME, || {
        format!("the round took {:?}, less than the longest sleep {longest:?}", m.wall)
    });
    lateness.sort_unstable();
    let micros = |ns: i64| ns as f64 / 1_000.0;
    Sample {
        ns_per_op: per_op(nanos(m.cpu), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![
            ("late_p50_us", micros(percentile(&lateness, 50.0))),
            ("late_p99_us", micros(percentile(&lateness, 99.0))),
            ("late_max_us", micros(*lateness.last().expect("n > 0"))),
            ("late_min_us", micros(lateness[0])),
            ("early_sleeps", lateness.iter().take_while(|&&late| late < 0).count() as f64),
            ("cpu_ms", m.cpu.as_secs_f64() * 1e3),
            ("cpu_percent", 100.0 * m.cpu.as_secs_f64() / m.wall.as_secs_f64()),
        ],
    }
}

/// minimalist-async only: done-callbacks, asyncio's `add_done_callback`.
fn callbacks(n: usize) -> Sample {
    let tasks = (n / CALLBACKS_PER_TASK).max(1);
    let each = n / tasks;
    let n = tasks * each;
    let total = Rc::new(Cell::new(0u64));
    let m = measure::round(|| {
        Ours::block_on(Clock::Real, {
            let total = Rc::clone(&total);
            async move {
                let mut handles = Vec::with_capacity(tasks);
                for i in 0..tasks as u64 {
                    let handle = minimalist_async::spawn(tasks::trivial(i));
                    for _ in 0..each {
                        let total = Rc::clone(&total);
                        handle.add_done_callback(move |result| {
                            // +1 so that every call counts, task 0's included.
                            total.set(total.get() + *result.as_ref().expect("task returned") + 1);
                        });
                    }
                    handles.push(handle);
                }
                for handle in handles {
                    handle.await.expect("task returned");
                }
            }
        })
    });
    let expected = each as u64 * (tasks as u64) * (tasks as u64 + 1) / 2;
    check(total.get() == expected, "callbacks", Ours::NAME, || {
        format!("callbacks summed {}, expected {expected}", total.get())
    });
    Sample {
        ns_per_op: per_op(nanos(m.wall), n),
        allocs_per_op: per_op(m.allocs as f64, n),
        metrics: vec![],
    }
}
