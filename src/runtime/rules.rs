//! The rules that make the port print what asyncio prints, as one small value a learner can change to
//! see why each rule exists.
//!
//! The core reads this value at exactly the three places the rules apply: where a turn collects its
//! due timers (ties), where a task's end queues its done-callbacks, and where `spawn` queues a task.
//! With every rule kept (the default) each of those places costs one branch on a `Cell`.

/// One of the rules that make this executor schedule exactly as asyncio does, to break on purpose
/// with [`Executor::break_rule`](crate::Executor::break_rule) and watch the output change.
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
    /// first `Pending`, as asyncio's eager task factory (Python 3.12) and some runtimes do.
    EagerSpawn,
}

impl Rule {
    /// Every rule, in the order `--what-if list` shows them.
    pub const ALL: [Rule; 3] = [Rule::LifoTies, Rule::InlineCallbacks, Rule::EagerSpawn];

    /// The rule's name on the command line: `lifo-ties`, `inline-callbacks`, `eager-spawn`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::LifoTies => "lifo-ties",
            Rule::InlineCallbacks => "inline-callbacks",
            Rule::EagerSpawn => "eager-spawn",
        }
    }

    /// The rule named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// What breaking the rule changes, and why asyncio keeps it, in two sentences.
    pub fn explanation(self) -> &'static str {
        match self {
            Rule::LifoTies => {
                "Timers due at the same time fired newest first, so tasks that went to sleep in one \
                 order woke in the other, and every later roll went to a different task. asyncio \
                 keeps ties in arming order (its heap entries carry a sequence number) so that a run \
                 is a function of the program alone."
            }
            Rule::InlineCallbacks => {
                "Done-callbacks ran inside the step that finished their task, before the other work \
                 already queued, so results printed earlier than asyncio prints them. asyncio queues \
                 each callback with call_soon, so a callback never runs in the middle of someone \
                 else's step and never jumps the queue."
            }
            Rule::EagerSpawn => {
                "spawn polled each new task at once, so a task's first line printed before its \
                 spawner went on, and before tasks spawned earlier had run. asyncio (without the \
                 eager task factory) only queues a new task, so spawning never runs foreign code in \
                 the middle of the spawner's step."
            }
        }
    }
}

/// Which rules are broken: all kept by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rules {
    pub(crate) lifo_ties: bool,
    pub(crate) inline_callbacks: bool,
    pub(crate) eager_spawn: bool,
}

impl Rules {
    pub(crate) fn broken(self, rule: Rule) -> Rules {
        let mut rules = self;
        match rule {
            Rule::LifoTies => rules.lifo_ties = true,
            Rule::InlineCallbacks => rules.inline_callbacks = true,
            Rule::EagerSpawn => rules.eager_spawn = true,
        }
        rules
    }
}
