//! The results of finished tasks, one table per output type: where a task's output waits, between the
//! poll that produced it and the handle (or the done-callbacks) that claim it.
//!
//! The task's box holds only its future (`table.rs` says why), so the output needs a home that knows
//! its type: a `Results<T>` per output type `T`, made when the first task with that type ends and
//! reused by every later one. The executor reaches a table by its number in `Outputs` and sees it
//! without its type (`ResultTable`), to drop a result nobody claimed; `typed` gets the type back.
//!
//! `TaskFuture` is how a task's box moves its output here: the future seen without its type, polled
//! by a method that still knows the output type.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::runtime::join_error::{JoinError, drop_contained};
use crate::runtime::slab::{Key, Slab};
use crate::runtime::task::TaskId;

/// The results of finished tasks whose output type is `T`. A slot is `None` while its result is lent
/// out to a done-callback.
pub(crate) struct Results<T> {
    pub(crate) slots: RefCell<Slab<Option<Result<T, JoinError>>>>,
}

impl<T> Results<T> {
    /// Stores a task's result and returns its key here, which the task's entry keeps.
    pub(crate) fn insert(&self, result: Result<T, JoinError>) -> Key {
        self.slots.borrow_mut().insert(Some(result))
    }

    /// Takes the result out for good.
    #[inline]
    pub(crate) fn take(&self, key: Key) -> Option<Result<T, JoinError>> {
        self.slots.borrow_mut().remove(key).flatten()
    }
}

/// A [`Results`] table seen without its type, so that the executor can drop a result nobody claimed.
pub(crate) trait ResultTable: Any {
    /// Removes the result under `key`, if any, and drops it contained (naming `owner`), with the table
    /// not borrowed: nobody will claim it.
    fn discard(&self, key: Key, owner: TaskId);
    /// The error, if the result is one: for "task exception was never retrieved".
    fn error_text(&self, key: Key) -> Option<String>;
    /// Drops every result, one at a time and contained, for the executor's teardown; returns how
    /// many there were.
    fn drop_all(&self) -> usize;
}

impl<T: 'static> ResultTable for Results<T> {
    fn discard(&self, key: Key, owner: TaskId) {
        drop_contained(self.take(key), || format!("the output of {owner}"));
    }

    fn drop_all(&self) -> usize {
        let slots = std::mem::take(&mut *self.slots.borrow_mut());
        let count = slots.len();
        for result in slots.into_values() {
            drop_contained(result, || "a task's output".to_owned());
        }
        count
    }

    fn error_text(&self, key: Key) -> Option<String> {
        match self.slots.borrow_mut().get_mut(key) {
            Some(Some(Err(error))) => Some(error.to_string()),
            _ => None,
        }
    }
}

/// `results` as the table of `T`: the entry that points at it was made by a task whose output is `T`.
pub(crate) fn typed<T: 'static>(results: &dyn ResultTable) -> &Results<T> {
    let any: &dyn Any = results;
    any.downcast_ref().expect("a task's results live in the table of its output type")
}

/// Every [`Results`] table, one per output type, in the order tasks of each type first ended. A
/// program has a handful of output types, so finding one is a short walk, done when a task ends.
#[derive(Default)]
pub(crate) struct Outputs {
    tables: RefCell<Vec<(TypeId, Rc<dyn ResultTable>)>>,
    /// The output type asked for last, and its table's number: a program spawns the same kind of
    /// task many times in a row, so most tasks find their table here (spawn_join: 31
    /// instructions fewer per task).
    last: Cell<Option<(TypeId, u32)>>,
}

impl Outputs {
    /// The number of `T`'s table, made if needed.
    #[inline]
    pub(crate) fn table_of<T: 'static>(&self) -> u32 {
        let id = TypeId::of::<T>();
        match self.last.get() {
            Some((last, index)) if last == id => index,
            _ => self.find_or_make::<T>(id),
        }
    }

    fn find_or_make<T: 'static>(&self, id: TypeId) -> u32 {
        let mut tables = self.tables.borrow_mut();
        let found = tables.iter().position(|(type_id, _)| *type_id == id);
        let index = found.unwrap_or_else(|| {
            tables.push((id, Rc::new(Results::<T> { slots: RefCell::default() })));
            tables.len() - 1
        }) as u32;
        self.last.set(Some((id, index)));
        index
    }

    /// The table numbered `index`, for a caller that runs user code (a drop, a callback) while it
    /// holds it: that code may make a new table.
    pub(crate) fn table(&self, index: u32) -> Rc<dyn ResultTable> {
        Rc::clone(&self.tables.borrow()[index as usize].1)
    }

    /// Stores or takes a result in the table numbered `index`: no user code runs in `f`, so the
    /// table is lent, not cloned (two reference-count changes less per task).
    #[inline]
    pub(crate) fn with<R>(&self, index: u32, f: impl FnOnce(&dyn ResultTable) -> R) -> R {
        f(&*self.tables.borrow()[index as usize].1)
    }

    /// Every table, for the executor's teardown to drop the results nobody claimed.
    pub(crate) fn take_all(&self) -> Vec<(TypeId, Rc<dyn ResultTable>)> {
        self.last.set(None);
        std::mem::take(&mut *self.tables.borrow_mut())
    }
}

/// A task's one box, as the task table keeps it.
pub(crate) type TaskBox = Pin<Box<dyn TaskFuture>>;

/// A spawned future, seen without its type: what the task table stores in the task's one box.
pub(crate) trait TaskFuture {
    /// Polls the future once; when it returns, moves its output into the table of its output type
    /// and returns the output's key there.
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>, outputs: &Outputs) -> Poll<Key>;
    /// Drops the future in place, keeping its box: for a task that ended.
    fn clear(self: Pin<&mut Self>);
    /// Stores `error` as the task's result, for a task that produced no value.
    fn fail(&self, outputs: &Outputs, error: JoinError) -> Key;
    /// The number of the table of its output type, made if needed: asked when the task ends, not
    /// kept in its entry.
    fn table(&self, outputs: &Outputs) -> u32;
    /// Whether the future was dropped (`clear`). Reading it brings the box into the cache: see
    /// `Timers::warm`.
    fn is_spent(&self) -> bool;
}

impl<F> TaskFuture for Option<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>, outputs: &Outputs) -> Poll<Key> {
        let future = self.as_pin_mut().expect("an emptied box is never polled again");
        let stored = |output| {
            let table = outputs.table_of::<F::Output>();
            outputs.with(table, |results| typed(results).insert(Ok(output)))
        };
        future.poll(cx).map(stored)
    }

    fn clear(mut self: Pin<&mut Self>) {
        self.set(None);
    }

    fn fail(&self, outputs: &Outputs, error: JoinError) -> Key {
        outputs.with(self.table(outputs), |results| typed::<F::Output>(results).insert(Err(error)))
    }

    fn table(&self, outputs: &Outputs) -> u32 {
        outputs.table_of::<F::Output>()
    }

    fn is_spent(&self) -> bool {
        self.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finished task's result waits in its type's table until claimed: with the error boxed, a
    /// stored `u64` result is 16 bytes.
    #[test]
    fn a_result_stays_small() {
        let size = std::mem::size_of::<Option<Result<u64, JoinError>>>();
        assert_eq!(size, 16, "a stored u64 result is {size} bytes");
    }
}
