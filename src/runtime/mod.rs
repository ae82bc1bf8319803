//! The core: everything that runs a task, in the order to read it. Each file uses only files above it
//! in this list, and nothing outside this folder.
//!
//! ```text
//!                         executor.rs   Executor: block_on, step, try_step, run_until_stalled, advance, now
//!                       ┌──────┴───────┐
//!      what the loop does   turn.rs · shutdown.rs · spawn.rs   one turn, how a run ends, a spawn
//!                       └──────┬───────┘                      (an eager spawn polls at once)
//!              one poll        poll.rs
//!                              │
//!    what running code calls   yield_now.rs · join.rs · sleep.rs
//!                              │
//!          timers' records     timers.rs   arm, cancel, re-point, fire
//!                              │
//!              shared state    handle.rs   the tables behind RefCells, CURRENT, wake, cancel, record
//!                       ┌──────┼──────────────┬──────────────┐
//!     results.rs · table.rs    waker.rs     queue.rs      wheel/       results, the task table, the lent
//!                       │      │              │              │          waker, the ready queue, the wheel
//!        task.rs · join_error.rs · step.rs · rules.rs · slab.rs · tagged.rs · clock.rs · events.rs  plain types
//! ```
//!
//! 1. [`task`] — `TaskId`.
//! 2. `slab.rs` — keys with generations: a handle is a key, like a file descriptor; `tagged.rs` — a
//!    key and what it names, in one word (a ready-queue entry).
//! 3. `clock.rs` — real or virtual time, and exactly when it is read.
//! 4. [`join_error`] — `JoinError`; [`step`] — what one step did; [`rules`] — the scheduling rules,
//!    which a learner may break.
//! 5. `events.rs` — the sink the tools listen on.
//! 6. [`wheel`] — the hierarchical timer wheel.
//! 7. `queue.rs` — the ready queue, its local door and its cross-thread door.
//! 8. `waker.rs` — the waker, lent per poll, and why a stale one is harmless.
//! 9. `results.rs` — the results of finished tasks, a table per output type; `table.rs` — the task
//!    table: one allocation per task, hot entries, cold side table.
//! 10. `handle.rs` — the shared state, `CURRENT`, and the acts everything needs (wake, cancel).
//! 11. `timers.rs` — arming, cancelling and firing timers, on their records (a task's first timer
//!     in its own entry); [`yield_now`], [`join`], [`sleep`] — what running code calls (a zero
//!     sleep yields).
//! 12. `poll.rs` — one poll; [`spawn`] — a future becomes a task (after `poll.rs`: an eager spawn
//!     polls).
//! 13. `turn.rs`, `shutdown.rs` — one turn, how a run ends.
//! 14. [`executor`] — the `Executor` and its run API.
//!
//! Tools (snapshots, the trace, the blocking detector) and the rest of the API (callbacks, combinators,
//! other threads) live outside this folder and reach it through `events.rs`'s sink and read-only looks
//! at the tables.

pub(crate) mod clock;
pub(crate) mod events;
pub mod executor;
pub(crate) mod handle;
pub mod join;
pub mod join_error;
pub(crate) mod poll;
pub(crate) mod queue;
pub(crate) mod results;
pub mod rules;
pub(crate) mod shutdown;
pub(crate) mod slab;
pub mod sleep;
pub mod spawn;
pub mod step;
pub(crate) mod table;
pub(crate) mod tagged;
pub mod task;
pub(crate) mod timers;
pub(crate) mod turn;
pub(crate) mod waker;
pub mod wheel;
pub mod yield_now;
