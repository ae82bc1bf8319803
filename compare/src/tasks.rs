//! The task bodies every executor runs: written once, generic over [`Runtime`] / [`Timers`].
//!
//! Nothing here belongs to one executor. Shared state is `Arc` plus atomics rather than `Rc<Cell>`
//! because tokio's plain `spawn` wants `Send` futures; uncontended atomics on one thread cost about what
//! a `Cell` does, and every executor pays the same.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::task::AtomicWaker;
use minimalist_async::demo::{Likelihood, PyFloat, RngKind, Seed, Silent, Tutorial, TutorialRng};

use crate::runtimes::{Runtime, Timers};

/// `spawn_join`'s task: nothing but its return value.
pub async fn trivial(value: u64) -> u64 {
    value
}

/// `yield_many`'s task: yield `times` times, then say how many yields it saw complete.
pub async fn yielder<R: Runtime>(times: u64) -> u64 {
    let mut done = 0;
    for _ in 0..times {
        R::yield_now().await;
        done += 1;
    }
    done
}

/// `timers_virtual`'s and `timer_scaling`'s task: one sleep, then its value.
pub async fn sleeper<R: Timers>(duration: Duration, value: u64) -> u64 {
    let _ = R::sleep(duration).await;
    value
}

/// `timers_real`'s task: one real sleep. Returns how late it resumed, in nanoseconds: the instant it
/// resumed after the sleep minus the instant the sleep was asked to end, which is `Instant::now()` read
/// right at the call to `sleep`, plus `duration`. Negative: it resumed before that instant, which an
/// executor can only do by counting the sleep from an earlier clock reading than the call.
///
/// The same code for every executor, and both readings are the task's own: whatever clock an executor
/// counts its sleeps on, they are measured against the one `Instant` clock. The reading is taken just
/// before `sleep` is called, so an executor that reads the clock inside `sleep` gets a deadline at or
/// after this one, never before.
pub async fn late_sleeper<R: Timers>(duration: Duration) -> i64 {
    let asked_to_end = Instant::now() + duration;
    let _ = R::sleep(duration).await;
    let resumed = Instant::now();
    match resumed.checked_duration_since(asked_to_end) {
        Some(late) => i64::try_from(late.as_nanos()).expect("fits"),
        None => -i64::try_from((asked_to_end - resumed).as_nanos()).expect("fits"),
    }
}

// ---------------------------------------------------------------------------------------------------
// timeouts

/// `timeouts`'s and `timeouts_ready`'s task: `times` timeouts of 10 ms in a row, each around one
/// yield of the executor's own (`ready`: around a future that is ready at once), none of which comes
/// near its limit; says how many finished in time.
pub async fn timeouts<R: Timers>(times: u64, ready: bool) -> u64 {
    const LIMIT: Duration = Duration::from_millis(10);
    let mut in_time = 0;
    for _ in 0..times {
        let finished = if ready {
            R::timeout(LIMIT, async {}).await
        } else {
            R::timeout(LIMIT, R::yield_now()).await
        };
        in_time += u64::from(finished.is_some());
    }
    in_time
}

// ---------------------------------------------------------------------------------------------------
// ping_pong

/// Two players and a count of hits. Player `side` may hit when `hits % 2 == side`; after hitting it wakes
/// the other one through the waker that one left behind. No channel, nothing executor-specific: one wake
/// and one poll per hit.
pub struct Court {
    hits: AtomicU64,
    limit: u64,
    /// Where each player leaves its waker while it waits for its turn.
    waiting: [AtomicWaker; 2],
}

impl Court {
    pub fn new(limit: u64) -> Arc<Court> {
        Arc::new(Court {
            hits: AtomicU64::new(0),
            limit,
            waiting: [AtomicWaker::new(), AtomicWaker::new()],
        })
    }
}

/// Resolves to the hit count once it is `side`'s turn or the game is over.
struct MyTurn<'a> {
    court: &'a Court,
    side: usize,
}

impl MyTurn<'_> {
    fn ready(&self) -> Option<u64> {
        let hits = self.court.hits.load(Ordering::Acquire);
        (hits >= self.court.limit || hits % 2 == self.side as u64).then_some(hits)
    }
}

impl Future for MyTurn<'_> {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if let Some(hits) = self.ready() {
            return Poll::Ready(hits);
        }
        self.court.waiting[self.side].register(cx.waker());
        // Look again after registering, so a hit in between is never missed (the usual AtomicWaker
        // pattern; on one thread it never fires, but the future does not rely on that).
        match self.ready() {
            Some(hits) => Poll::Ready(hits),
            None => Poll::Pending,
        }
    }
}

/// One player: hit whenever it is our turn, until `limit` hits were made; returns our own hits.
pub async fn player(court: Arc<Court>, side: usize) -> u64 {
    let other = 1 - side;
    let mut mine = 0;
    loop {
        let hits = MyTurn { court: &court, side }.await;
        if hits >= court.limit {
            court.waiting[other].wake();
            return mine;
        }
        court.hits.store(hits + 1, Ordering::Release);
        mine += 1;
        court.waiting[other].wake();
    }
}

// ---------------------------------------------------------------------------------------------------
// retry_virtual

thread_local! {
    /// The round's tutorial world (shared RNG, silent output): Python's global `random` and `print`.
    /// In a thread-local rather than captured so that the generic retry task stays `Send` for tokio.
    static TUTORIAL: RefCell<Option<Tutorial>> = const { RefCell::new(None) };
}

/// Starts a round's tutorial world: CPython's generator seeded with `seed`, output silenced: the tasks
/// format no line (`Tutorial::print_with`), so the workload measures rolls and sleeps, not float
/// formatting, for every executor alike.
pub fn install_tutorial(seed: u64) {
    let rng = TutorialRng::new(RngKind::Python, &Seed::from_u64(seed)).expect("python rng");
    TUTORIAL.set(Some(Tutorial::new(rng, Silent)));
}

/// Ends the round's tutorial world.
pub fn remove_tutorial() {
    TUTORIAL.set(None);
}

/// Runs `f` on the round's tutorial world.
pub fn with_tutorial<T>(f: impl FnOnce(&Tutorial) -> T) -> T {
    TUTORIAL.with_borrow(|tutorial| f(tutorial.as_ref().expect("install_tutorial first")))
}

/// `Tutorial::unlikely_to_return` line for line, with the executor's own sleep: what the peers run.
/// minimalist-async runs the library's own version (`Ours::spawn_retry`).
pub fn retry<R: Timers>(tag: &str, likelihood: Likelihood) -> impl Future<Output = f64> + 'static {
    let tag = tag.to_owned();
    async move {
        loop {
            let a = with_tutorial(Tutorial::roll);
            if a < likelihood.get() {
                with_tutorial(|t| t.print_with(|| format!("{tag} Done.")));
                return a;
            }
            with_tutorial(|t| {
                t.print_with(|| {
                    format!("{tag} retry needed (roll = {} > {likelihood})", PyFloat(a))
                })
            });
            let _ = R::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// What any correct schedule of `tasks` retry tasks must return: all tasks roll from one stream, every
/// roll is taken by some task still running, and each win ends one task, so the winners are the first
/// `tasks` winning rolls of the stream, whatever the order. Returns them sorted, and how many rolls
/// lost (each of which was one 100 ms sleep).
pub fn expected_retry_results(tasks: usize, seed: u64, likelihood: Likelihood) -> (Vec<f64>, u64) {
    let mut rng = TutorialRng::new(RngKind::Python, &Seed::from_u64(seed)).expect("python rng");
    let mut wins = Vec::with_capacity(tasks);
    let mut losses = 0;
    while wins.len() < tasks {
        let a = rng.uniform();
        if a < likelihood.get() {
            wins.push(a);
        } else {
            losses += 1;
        }
    }
    wins.sort_by(f64::total_cmp);
    (wins, losses)
}
