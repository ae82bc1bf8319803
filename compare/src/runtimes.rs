//! The executors under test, behind one small trait, so that every workload is written once.
//!
//! [`Runtime`] is what every executor offers: run a main future, spawn, yield. [`Timers`] adds sleeping,
//! for the executors that have timers. A workload is a generic function over these traits, so
//! minimalist-async, tokio, futures and async-executor all run the very same futures (`crate::tasks`).
//!
//! **Fresh per round.** [`Runtime::block_on`] builds a new executor (or runtime), runs the main future and
//! drops the executor again, as a program would; that construction and teardown is part of the round's
//! time. It is a few microseconds against rounds of milliseconds or more.
//!
//! **Why `Send`.** tokio's plain `tokio::spawn` wants `Send` futures even on a current_thread runtime, so
//! [`Runtime::spawn`] asks for `Send` from everyone (the others accept it, of course). The one future
//! that is not `Send` on minimalist-async is its `Sleep`, which holds an `Rc` of the executor. A generic
//! workload cannot prove "`Send` where tokio needs it", so the few task bodies that sleep are spawned by
//! [`Timers`] methods (`spawn_sleeper`, …) which each executor implements in one line, with its own type
//! filled in: there the compiler sees the concrete future and checks `Send` for tokio only. The bodies
//! themselves are still written once, in `crate::tasks`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use minimalist_async::demo::Likelihood;

use crate::tasks;

/// Which clock a round runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Sleeps take real time.
    Real,
    /// Sleeps take no real time: the clock jumps to the next deadline when nothing is ready
    /// (minimalist-async's `with_virtual_time`, tokio's `start_paused(true)`).
    Virtual,
}

/// What every executor under test offers.
pub trait Runtime: 'static {
    /// The name in the table and the JSON.
    const NAME: &'static str;
    /// How the executor is built and driven, for `--help`.
    const SETUP: &'static str;

    /// A handle to a spawned task; awaiting it gives the task's output (a panic in the task is
    /// re-raised, so a broken workload fails loudly).
    type Join<T: Send + 'static>: Future<Output = T>;

    /// Builds a fresh executor on `clock`, runs `main` to completion on it, drops the executor.
    ///
    /// # Panics
    ///
    /// On [`Clock::Virtual`] when the executor has no virtual time.
    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output;

    /// Spawns a task from inside `block_on`'s main future.
    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Lets the other ready tasks run once: the executor's own `yield_now` where it has one.
    fn yield_now() -> impl Future<Output = ()> + Send + 'static;
}

/// Executors with timers. The `spawn_*` methods spawn one of the sleeping bodies of `crate::tasks` (see
/// the module docs for why they are methods).
pub trait Timers: Runtime {
    /// Whether [`Clock::Virtual`] works.
    const VIRTUAL_TIME: bool;

    /// The timer's resolution: a sleep's deadline is rounded up to a whole multiple of it (counted from
    /// the runtime's start on tokio), so a sleep may end up to this much after its nominal deadline.
    const RESOLUTION: Duration;

    /// The executor's sleep future.
    type Sleep: Future + 'static;

    /// Sleeps for `duration` on the executor's clock.
    fn sleep(duration: Duration) -> Self::Sleep;

    /// Time since the main future started, on the executor's clock (virtual or real).
    fn now() -> Duration;

    /// Spawns [`tasks::sleeper`].
    fn spawn_sleeper(duration: Duration, value: u64) -> Self::Join<u64>;

    /// Spawns [`tasks::late_sleeper`].
    fn spawn_late_sleeper(duration: Duration) -> Self::Join<i64>;

    /// Spawns one silent `unlikely_to_return` task rolling from [`tasks::install_tutorial`]'s RNG.
    fn spawn_retry(tag: &str, likelihood: Likelihood) -> Self::Join<f64>;

    /// Spawns [`tasks::timeouts`].
    fn spawn_timeouts(times: u64, ready: bool) -> Self::Join<u64>;

    /// The executor's own timeout: `future`'s output, or `None` once `limit` has passed. Every
    /// executor makes its timeout inside the future this returns, at its first poll (async-executor's
    /// is an `async fn`): a timeout made first and then moved into a wrapper's state cost a stall per
    /// op as the copy read what was just written (timeouts_ready: ours 41 -> 31.5 ns, tokio 60-75 -> 48).
    fn timeout<F: Future + 'static>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + 'static;
}

/// A join handle whose output is a `Result`, unwrapped: a failed task fails the benchmark.
pub struct Unwrap<H>(H);

impl<H, T, E> Future for Unwrap<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: std::fmt::Display,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|result| match result {
            Ok(value) => value,
            Err(error) => panic!("a benchmark task failed: {error}"),
        })
    }
}

/// A yield for the executors that export none: wake yourself, return `Pending` once. This is exactly
/// what `futures-lite`'s `yield_now` (smol's) and minimalist-async's `yield_now` do.
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// ---------------------------------------------------------------------------------------------------
// minimalist-async

/// This crate's executor: `Executor::new()` or `Executor::with_virtual_time()`, `block_on`, the free
/// `spawn`, `sleep` and `yield_now`.
pub struct Ours;

impl Runtime for Ours {
    const NAME: &'static str = "minimalist-async";
    const SETUP: &'static str =
        "Executor::new() (real) or Executor::with_virtual_time(), block_on, spawn";

    type Join<T: Send + 'static> = Unwrap<minimalist_async::JoinHandle<T>>;

    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output {
        let mut executor = match clock {
            Clock::Real => minimalist_async::Executor::new(),
            Clock::Virtual => minimalist_async::Executor::with_virtual_time(),
        };
        executor.block_on(main)
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrap(minimalist_async::spawn(future))
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        minimalist_async::yield_now()
    }
}

impl Ours {
    /// `spawn` without the `Send` bound, for the sleeping bodies.
    fn spawn_local<F>(future: F) -> Unwrap<minimalist_async::JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(minimalist_async::spawn(future))
    }
}

impl Timers for Ours {
    const VIRTUAL_TIME: bool = true;
    /// Deadlines in whole microseconds, rounded up (`sleep`'s docs).
    const RESOLUTION: Duration = Duration::from_micros(1);
    type Sleep = minimalist_async::Sleep;

    fn sleep(duration: Duration) -> Self::Sleep {
        minimalist_async::sleep(duration)
    }

    fn now() -> Duration {
        minimalist_async::time::now()
    }

    fn spawn_sleeper(duration: Duration, value: u64) -> Self::Join<u64> {
        Ours::spawn_local(tasks::sleeper::<Ours>(duration, value))
    }

    fn spawn_late_sleeper(duration: Duration) -> Self::Join<i64> {
        Ours::spawn_local(tasks::late_sleeper::<Ours>(duration))
    }

    /// The library's own `Tutorial::unlikely_to_return`, not the generic copy of it.
    fn spawn_retry(tag: &str, likelihood: Likelihood) -> Self::Join<f64> {
        let future = tasks::with_tutorial(|tutorial| tutorial.unlikely_to_return(tag, likelihood));
        Ours::spawn_local(future)
    }

    fn spawn_timeouts(times: u64, ready: bool) -> Self::Join<u64> {
        Ours::spawn_local(tasks::timeouts::<Self>(times, ready))
    }

    async fn timeout<F: Future + 'static>(limit: Duration, future: F) -> Option<F::Output> {
        minimalist_async::time::timeout(limit, future).await.ok()
    }
}

// ---------------------------------------------------------------------------------------------------
// tokio

thread_local! {
    /// tokio's clock reading when the main future started, for [`Timers::now`] (paused time starts
    /// wherever the runtime's clock is, not at zero).
    static TOKIO_ORIGIN: Cell<Option<tokio::time::Instant>> = const { Cell::new(None) };
}

/// tokio's timer wheel counts whole milliseconds from the runtime's start and rounds each deadline up to
/// the next one.
const TOKIO_TICK: Duration = Duration::from_millis(1);

/// A current_thread runtime with time enabled; on virtual time also `start_paused(true)`, which makes
/// the clock jump to the next timer whenever the runtime is idle (tokio's "auto-advance").
fn tokio_runtime(clock: Clock) -> tokio::runtime::Runtime {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_time();
    if clock == Clock::Virtual {
        builder.start_paused(true);
    }
    builder.build().expect("a current_thread runtime")
}

/// Marks the start of the main future on tokio's clock, then runs it.
async fn tokio_main<F: Future>(main: F) -> F::Output {
    TOKIO_ORIGIN.set(Some(tokio::time::Instant::now()));
    main.await
}

fn tokio_now() -> Duration {
    let origin = TOKIO_ORIGIN.get().expect("inside a tokio round");
    tokio::time::Instant::now() - origin
}

/// tokio's current_thread runtime with plain `tokio::spawn`: the baseline every ratio is taken to.
pub struct TokioCurrentThread;

impl Runtime for TokioCurrentThread {
    const NAME: &'static str = "tokio-current-thread";
    const SETUP: &'static str = "Builder::new_current_thread().enable_time() (+ start_paused(true) on virtual time), block_on, tokio::spawn";

    type Join<T: Send + 'static> = Unwrap<tokio::task::JoinHandle<T>>;

    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output {
        tokio_runtime(clock).block_on(tokio_main(main))
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrap(tokio::spawn(future))
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        tokio::task::yield_now()
    }
}

impl Timers for TokioCurrentThread {
    const VIRTUAL_TIME: bool = true;
    const RESOLUTION: Duration = TOKIO_TICK;
    type Sleep = tokio::time::Sleep;

    fn sleep(duration: Duration) -> Self::Sleep {
        tokio::time::sleep(duration)
    }

    fn now() -> Duration {
        tokio_now()
    }

    fn spawn_sleeper(duration: Duration, value: u64) -> Self::Join<u64> {
        Self::spawn(tasks::sleeper::<Self>(duration, value))
    }

    fn spawn_late_sleeper(duration: Duration) -> Self::Join<i64> {
        Self::spawn(tasks::late_sleeper::<Self>(duration))
    }

    fn spawn_retry(tag: &str, likelihood: Likelihood) -> Self::Join<f64> {
        Self::spawn(tasks::retry::<Self>(tag, likelihood))
    }

    fn spawn_timeouts(times: u64, ready: bool) -> Self::Join<u64> {
        Self::spawn(tasks::timeouts::<Self>(times, ready))
    }

    async fn timeout<F: Future + 'static>(limit: Duration, future: F) -> Option<F::Output> {
        tokio::time::timeout(limit, future).await.ok()
    }
}

/// tokio's current_thread runtime driving a `LocalSet`, tasks spawned with `spawn_local`.
pub struct TokioLocalSet;

impl TokioLocalSet {
    fn spawn_local<F>(future: F) -> Unwrap<tokio::task::JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(tokio::task::spawn_local(future))
    }
}

impl Runtime for TokioLocalSet {
    const NAME: &'static str = "tokio-localset";
    const SETUP: &'static str =
        "the same runtime, LocalSet::new().block_on(&runtime, main), tokio::task::spawn_local";

    type Join<T: Send + 'static> = Unwrap<tokio::task::JoinHandle<T>>;

    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output {
        let runtime = tokio_runtime(clock);
        tokio::task::LocalSet::new().block_on(&runtime, tokio_main(main))
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::spawn_local(future)
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        tokio::task::yield_now()
    }
}

impl Timers for TokioLocalSet {
    const VIRTUAL_TIME: bool = true;
    const RESOLUTION: Duration = TOKIO_TICK;
    type Sleep = tokio::time::Sleep;

    fn sleep(duration: Duration) -> Self::Sleep {
        tokio::time::sleep(duration)
    }

    fn now() -> Duration {
        tokio_now()
    }

    fn spawn_sleeper(duration: Duration, value: u64) -> Self::Join<u64> {
        Self::spawn_local(tasks::sleeper::<Self>(duration, value))
    }

    fn spawn_late_sleeper(duration: Duration) -> Self::Join<i64> {
        Self::spawn_local(tasks::late_sleeper::<Self>(duration))
    }

    fn spawn_retry(tag: &str, likelihood: Likelihood) -> Self::Join<f64> {
        Self::spawn_local(tasks::retry::<Self>(tag, likelihood))
    }

    fn spawn_timeouts(times: u64, ready: bool) -> Self::Join<u64> {
        Self::spawn_local(tasks::timeouts::<Self>(times, ready))
    }

    fn timeout<F: Future + 'static>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + 'static {
        TokioCurrentThread::timeout(limit, future)
    }
}

// ---------------------------------------------------------------------------------------------------
// futures

thread_local! {
    /// The running `LocalPool`'s spawner: futures has no ambient "current executor", so the round
    /// leaves it here for `spawn` to find (tokio and minimalist-async keep theirs in a thread-local too).
    static LOCAL_POOL: RefCell<Option<futures::executor::LocalSpawner>> = const { RefCell::new(None) };
}

/// futures' `LocalPool`: `run_until(main)`, tasks spawned with `spawn_local_with_handle`. No timers.
pub struct FuturesLocalPool;

impl Runtime for FuturesLocalPool {
    const NAME: &'static str = "futures-localpool";
    const SETUP: &'static str =
        "LocalPool::new(), run_until(main), spawner.spawn_local_with_handle (no timers)";

    type Join<T: Send + 'static> = futures::future::RemoteHandle<T>;

    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output {
        assert_eq!(clock, Clock::Real, "futures' LocalPool has no timers");
        let mut pool = futures::executor::LocalPool::new();
        LOCAL_POOL.set(Some(pool.spawner()));
        let output = pool.run_until(main);
        LOCAL_POOL.set(None);
        output
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        use futures::task::LocalSpawnExt;
        LOCAL_POOL.with_borrow(|spawner| {
            spawner
                .as_ref()
                .expect("inside a LocalPool round")
                .spawn_local_with_handle(future)
                .expect("the pool is running")
        })
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        YieldOnce(false)
    }
}

// ---------------------------------------------------------------------------------------------------
// async-executor (+ async-io)

thread_local! {
    /// The running `LocalExecutor`, for `spawn` (async-executor has no ambient executor either).
    static ASYNC_EXECUTOR: RefCell<Option<Rc<async_executor::LocalExecutor<'static>>>> =
        const { RefCell::new(None) };
    static ASYNC_IO_ORIGIN: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// async-executor's `LocalExecutor` driven by `async_io::block_on(executor.run(main))`, as smol does;
/// timers are async-io's `Timer` (real time only).
pub struct AsyncExecutorLocal;

impl AsyncExecutorLocal {
    fn spawn_local<F>(future: F) -> async_executor::Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        ASYNC_EXECUTOR.with_borrow(|executor| {
            executor.as_ref().expect("inside a LocalExecutor round").spawn(future)
        })
    }
}

impl Runtime for AsyncExecutorLocal {
    const NAME: &'static str = "async-executor-local";
    const SETUP: &'static str = "LocalExecutor::new(), async_io::block_on(executor.run(main)), executor.spawn; async-io timers";

    type Join<T: Send + 'static> = async_executor::Task<T>;

    fn block_on<F: Future>(clock: Clock, main: F) -> F::Output {
        assert_eq!(clock, Clock::Real, "async-io has no virtual time");
        let executor = Rc::new(async_executor::LocalExecutor::new());
        ASYNC_EXECUTOR.set(Some(Rc::clone(&executor)));
        let output = async_io::block_on(executor.run(async {
            ASYNC_IO_ORIGIN.set(Some(Instant::now()));
            main.await
        }));
        ASYNC_EXECUTOR.set(None);
        output
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::spawn_local(future)
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        YieldOnce(false)
    }
}

impl Timers for AsyncExecutorLocal {
    const VIRTUAL_TIME: bool = false;
    /// async-io keeps `Instant` deadlines, unrounded.
    const RESOLUTION: Duration = Duration::from_nanos(1);
    type Sleep = async_io::Timer;

    fn sleep(duration: Duration) -> Self::Sleep {
        async_io::Timer::after(duration)
    }

    fn now() -> Duration {
        ASYNC_IO_ORIGIN.get().expect("inside an async-executor round").elapsed()
    }

    fn spawn_sleeper(duration: Duration, value: u64) -> Self::Join<u64> {
        Self::spawn_local(tasks::sleeper::<Self>(duration, value))
    }

    fn spawn_late_sleeper(duration: Duration) -> Self::Join<i64> {
        Self::spawn_local(tasks::late_sleeper::<Self>(duration))
    }

    fn spawn_retry(tag: &str, likelihood: Likelihood) -> Self::Join<f64> {
        Self::spawn_local(tasks::retry::<Self>(tag, likelihood))
    }

    fn spawn_timeouts(times: u64, ready: bool) -> Self::Join<u64> {
        Self::spawn_local(tasks::timeouts::<Self>(times, ready))
    }

    /// async-io has no timeout of its own: smol's way is a race with a timer, made when first polled
    /// (`FutureExt::or` with `async { Timer::after(limit).await }`).
    async fn timeout<F: Future + 'static>(limit: Duration, future: F) -> Option<F::Output> {
        let (future, timer) = (pin!(future), pin!(async_io::Timer::after(limit)));
        match futures::future::select(future, timer).await {
            futures::future::Either::Left((output, _)) => Some(output),
            futures::future::Either::Right(_) => None,
        }
    }
}
