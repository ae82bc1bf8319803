//! A single-threaded async executor built by hand, to learn how one works.
//!
//! minimalist-async runs the asyncio tutorial's retry program (`unlikely_to_return`: roll a random
//! number, return it with 10 % luck, else print a retry line and sleep 100 ms) on an executor whose every
//! part is here to read: a ready queue (a local queue plus a crossbeam channel for other threads), a
//! waker, a hierarchical timer wheel, and a
//! clock that can be real or virtual. For the same seed it prints exactly what asyncio prints.
//!
//! ```
//! use std::time::Duration;
//! use minimalist_async::{Executor, sleep, spawn};
//!
//! let mut executor = Executor::with_virtual_time();
//! let results = executor.block_on(async {
//!     let slow = spawn(async { sleep(Duration::from_millis(300)).await; "slow" });
//!     let fast = spawn(async { sleep(Duration::from_millis(100)).await; "fast" });
//!     // Awaited in order, whichever finished first: the tutorial's first demo.
//!     [slow.await.unwrap(), fast.await.unwrap()]
//! });
//! assert_eq!(results, ["slow", "fast"]);
//! assert_eq!(executor.now(), Duration::from_millis(300));
//! ```
//!
//! # How a task travels
//!
//! ```text
//!            spawn(future)
//!                 │ Task stored in the task table, its key sent to the queue
//!                 ▼
//!   ┌──────► ready queue (local VecDeque + crossbeam channel) ◄──────────┐
//!   │             │ a turn pops exactly what was queued when it began    │
//!   │             ▼                                                      │
//!   │        poll the task ──Ready──► result into its JoinCell,          │
//!   │             │                   done-callbacks queued ─────────────┤
//!   │          Pending                                                   │
//!   │             │ (inside: sleep(d) arms a timer holding the waker)    │
//!   │             ▼                                                      │
//!   │        timer wheel ──clock reaches the deadline──► waker.wake() ───┘
//!   │
//!   └── nothing ready: the clock moves to the next deadline (virtual time jumps there)
//! ```
//!
//! NOTES.md in the repository walks this path step by step, with the demos' own output.
//!
//! # Layout
//!
//! - [`task`] — `TaskId` and the stored task (boxed future, waker, result cell).
//! - [`clock`] — real or virtual time, read once per turn.
//! - [`time::wheel`] — the hierarchical timer wheel (levels, slots, cascading, ties).
//! - [`queue`] — the ready queue, and where a turn begins and ends.
//! - [`waker`] — the waker that puts a task back on the queue, once.
//! - [`handle`] — what running code can reach (the thread-local current executor).
//! - [`join`] — `JoinHandle`, done-callbacks; [`join_error`] — `JoinError`.
//! - [`time`] — `sleep`.
//! - [`yield_now`](mod@yield_now) — `yield_now`.
//! - [`executor`] — `Executor`, its turns, `step`, `block_on`; `run.rs` — what one queue entry does
//!   and the detectors; `shutdown.rs` — how a run ends.
//! - [`spawn`](mod@spawn) — `spawn`, `spawn_named`; [`step`](mod@step) — what one step did.
//! - [`inspect`] — snapshots and the test kit; [`trace`] — the event log.
//! - [`callback`] — `call_soon`, `call_later`.
//! - [`gather`](mod@gather), [`as_completed`](mod@as_completed), [`wait_first`](mod@wait_first) — waiting for several tasks.
//! - [`remote`] — other threads spawning and queueing callbacks; [`blocking`] — `spawn_blocking`.
//! - [`demo`] — the tutorial's retry future, a CPython-compatible RNG and float printing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]
#![doc(test(attr(deny(warnings))))]

pub mod as_completed;
pub mod blocking;
pub mod callback;
pub mod clock;
pub mod demo;
pub mod executor;
pub mod gather;
pub mod handle;
pub mod inspect;
pub mod join;
pub mod join_error;
pub mod queue;
pub mod remote;
mod run;
mod shutdown;
mod slab;
pub mod spawn;
pub mod step;
pub mod task;
pub mod time;
pub mod trace;
pub mod wait_first;
pub mod waker;
pub mod yield_now;

pub use as_completed::{AsCompleted, as_completed};
pub use blocking::spawn_blocking;
pub use callback::{CallbackHandle, call_later, call_soon};
pub use executor::Executor;
pub use gather::{JoinAll, gather, join_all};
pub use inspect::Snapshot;
pub use join::{CancelHandle, JoinHandle, TaskStats};
pub use join_error::JoinError;
pub use remote::{Remote, RemoteJoinHandle};
pub use spawn::{spawn, spawn_named};
pub use step::Step;
pub use task::TaskId;
pub use time::{Elapsed, Sleep, sleep, timeout};
pub use wait_first::{First, WaitFirst, wait_first};
pub use yield_now::{YieldNow, yield_now};
