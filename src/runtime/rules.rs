//! The rules that make the port print what asyncio prints, as one small value a learner can change to
//! see why each rule exists.
//!
//! The core reads this value at exactly the three places the rules apply: where a turn collects its
//! due timers (ties), where a task's end queues its done-callbacks, and where `spawn` queues a task.
//! With every rule kept (the default) each of those places costs one branch on a `Cell`.

/// One of the rules that make this executor schedule exactly as asyncio does, to break on purpose
/// with [`Executor::break_rule`](crate::Executor::break_rule) and watch the output change.
///
/// The names and explanations the examples' `--what-if` option shows are not scheduling: they live
/// outside the core, in `what_if.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Break "timers with equal deadlines fire in arming order": they fire newest first, as a heap
    /// without a tie-break can make them.
    LifoTies,
    /// Break "done-callbacks run on the next turn": they run inside the step that completes the task,
    /// as many callback libraries do.
    InlineCallbacks,
    /// Break "a spawned task first runs on a later turn": `spawn` polls the new task at once, up to its
    /// first `Pending`, as asyncio's eager task factory (Python 3.12) and some runtimes do. (Past a
    /// hundred eager polls running inside one another, a task is queued as usual: a chain of tasks
    /// that each spawn the next would otherwise overflow the stack.)
    EagerSpawn,
}

/// Which rules are broken, one bit each (`1 << rule as u8`): all kept, 0, by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rules(u8);

impl Rules {
    /// These rules with `rule` broken as well.
    pub(crate) fn broken(self, rule: Rule) -> Rules {
        Rules(self.0 | 1 << rule as u8)
    }

    /// Whether `rule` is broken.
    #[inline]
    pub(crate) fn is_broken(self, rule: Rule) -> bool {
        self.0 & 1 << rule as u8 != 0
    }
}
