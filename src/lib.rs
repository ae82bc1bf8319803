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
//!                 │ the future boxed into the task table, its key queued
//!                 ▼
//!   ┌──────► ready queue (a local Vec + crossbeam channel) ◄─────────────┐
//!   │             │ a turn runs exactly what was queued when it began    │
//!   │             ▼                                                      │
//!   │        poll the task ──Ready──► output into its type's table,      │
//!   │             │                   done-callbacks queued ─────────────┤
//!   │          Pending                                                   │
//!   │             │ (inside: sleep(d) arms a timer naming the task)      │
//!   │             ▼                                                      │
//!   │        timer wheel ──clock reaches the deadline──► wake the task ──┘
//!   │
//!   └── nothing ready: the clock moves to the next deadline (virtual time jumps there)
//! ```
//!
//! The [`guide`] (NOTES.md in the repository) walks this path step by step, with the demos' own
//! output.
//!
//! # Layout
//!
//! - [`runtime`] — the core, read top to bottom: the task table, the ready queue, the waker, the
//!   timer wheel, the clock, one poll, one turn, the executor and its run API. It uses nothing outside
//!   its folder; everything below stands on it.
//! - [`inspect`] — snapshots of the executor between steps; [`trace`] — the event log and the blocking
//!   detector.
//! - [`callback`] — `call_soon`, `call_later`.
//! - [`gather`](mod@gather), [`as_completed`](mod@as_completed), [`wait_first`](mod@wait_first),
//!   [`time`] (`timeout`) — waiting for several tasks, or for a while.
//! - [`remote`] — other threads spawning and queueing callbacks; [`blocking`] — `spawn_blocking`.
//! - [`demo`] — the tutorial's retry future, a CPython-compatible RNG and float printing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]
#![doc(test(attr(deny(warnings))))]

pub mod as_completed;
pub mod blocking;
pub mod callback;
mod counts;
pub mod demo;
mod ended;
pub mod gather;
mod kept_waker;
#[doc = include_str!("../NOTES.md")]
pub mod guide {}
pub mod inspect;
pub mod remote;
pub mod runtime;
mod slot;
mod stats;
pub mod time;
pub mod trace;
pub mod wait_first;
mod what_if;

pub use runtime::{executor, join, join_error, rules, spawn, step, task, yield_now};

pub use as_completed::{AsCompleted, as_completed};
pub use blocking::spawn_blocking;
pub use callback::CallbackKey;
pub use callback::{CallbackHandle, call_later, call_soon};
pub use gather::{JoinAll, JoinAllSettled, gather, join_all, join_all_settled};
pub use inspect::Snapshot;
pub use remote::{CancelHandle, Remote, RemoteJoinHandle};
pub use runtime::executor::Executor;
pub use runtime::join::JoinHandle;
pub use runtime::join_error::JoinError;
pub use runtime::rules::Rule;
pub use runtime::spawn::{spawn, spawn_named};
pub use runtime::step::Step;
pub use runtime::task::TaskId;
pub use runtime::yield_now::{YieldNow, yield_now};
pub use stats::TaskStats;
pub use time::{Elapsed, Sleep, sleep, timeout};
pub use wait_first::{First, WaitFirst, wait_first};
