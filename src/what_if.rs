//! Breaking a [`Rule`] on purpose: `Executor::break_rule`, and what the examples' `--what-if` option
//! needs from a rule: its name on the command line and what breaking it changes.
//!
//! None of this is scheduling, so it stays out of the core, which keeps only the enum, the broken
//! rules' flags and where each rule applies (`runtime/rules.rs`). These are inherent methods of
//! `Rule` and `Executor` all the same: an `impl` block may live in any module of the crate that
//! defines the type.

use crate::runtime::executor::Executor;
use crate::runtime::rules::Rule;

impl Rule {
    /// Every rule, in the order `--what-if list` shows them.
    ///
    /// ```
    /// use minimalist_async::Rule;
    ///
    /// assert_eq!(Rule::ALL[0], Rule::LifoTies);
    /// ```
    pub const ALL: [Rule; 3] = [Rule::LifoTies, Rule::InlineCallbacks, Rule::EagerSpawn];

    /// The rule's name on the command line: `lifo-ties`, `inline-callbacks`, `eager-spawn`.
    ///
    /// ```
    /// use minimalist_async::Rule;
    ///
    /// assert_eq!(Rule::EagerSpawn.name(), "eager-spawn");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Rule::LifoTies => "lifo-ties",
            Rule::InlineCallbacks => "inline-callbacks",
            Rule::EagerSpawn => "eager-spawn",
        }
    }

    /// The rule named `name`, if there is one.
    ///
    /// ```
    /// use minimalist_async::Rule;
    ///
    /// assert_eq!(Rule::from_name("lifo-ties"), Some(Rule::LifoTies));
    /// assert_eq!(Rule::from_name("fifo"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// What breaking the rule changes, and why asyncio keeps it, in two sentences.
    ///
    /// ```
    /// use minimalist_async::Rule;
    ///
    /// assert!(Rule::InlineCallbacks.explanation().contains("call_soon"));
    /// ```
    pub fn explanation(self) -> &'static str {
        match self {
            Rule::LifoTies => {
                "Timers due at the same time fire newest first, so tasks that went to sleep in one \
                 order wake in the other, and every later roll may go to a different task. asyncio \
                 keeps ties in arming order (its heap entries carry a sequence number) so that a run \
                 is a function of the program alone."
            }
            Rule::InlineCallbacks => {
                "Done-callbacks run inside the step that finishes their task, before the other work \
                 already queued, so results may print earlier than asyncio prints them. asyncio queues \
                 each callback with call_soon, so a callback never runs in the middle of someone \
                 else's step and never jumps the queue."
            }
            Rule::EagerSpawn => {
                "spawn polls each new task at once, so a task's first line may print before its \
                 spawner goes on, and before tasks spawned earlier have run. asyncio (without the \
                 eager task factory) only queues a new task, so spawning never runs foreign code in \
                 the middle of the spawner's step."
            }
        }
    }
}

impl Executor {
    /// Breaks one of the rules that make this executor schedule exactly as asyncio does (see
    /// [`Rule`]), from now on: for learners, to see what each rule is for by watching what changes
    /// without it.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use minimalist_async::{Executor, spawn, rules::Rule};
    ///
    /// let order = |eager: bool| {
    ///     let log = Rc::new(RefCell::new(Vec::new()));
    ///     let mut executor = Executor::with_virtual_time();
    ///     if eager {
    ///         executor.break_rule(Rule::EagerSpawn);
    ///     }
    ///     executor.block_on({
    ///         let log = log.clone();
    ///         async move {
    ///             let inner = log.clone();
    ///             let task = spawn(async move { inner.borrow_mut().push("task runs") });
    ///             log.borrow_mut().push("spawner goes on");
    ///             task.await.unwrap();
    ///         }
    ///     });
    ///     log.take()
    /// };
    /// assert_eq!(order(false), ["spawner goes on", "task runs"], "asyncio's rule");
    /// assert_eq!(order(true), ["task runs", "spawner goes on"], "an eager spawn");
    /// ```
    pub fn break_rule(&mut self, rule: Rule) {
        self.handle.rules.set(self.handle.rules.get().broken(rule));
    }
}
