//! Counting allocations: a global allocator that forwards to the system allocator and counts each call.
//!
//! Allocation counts are the one number here that does not wobble with the machine: they say whether a
//! wake, a timer or a spawn allocates at all, which the time alone cannot. Every `alloc`, `alloc_zeroed`
//! and `realloc` counts as one allocation (a `Vec` that grows is an allocation each time it moves);
//! frees are not counted.
//!
//! The counter is one relaxed atomic add per allocation: a few nanoseconds, paid by every executor in
//! proportion to how much it allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// Allocations made by the whole process so far.
pub fn count() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// The system allocator, counting.
pub struct Counting;

#[global_allocator]
static GLOBAL: Counting = Counting;

// This is the only `unsafe` in the benchmark (the library itself forbids it): `GlobalAlloc` is an unsafe
// trait, so implementing it takes an `unsafe impl`. Each method only bumps the counter and hands the very
// same arguments to `System`, so every safety requirement the caller met for us holds for `System` too.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above; `ptr` came from this allocator, which is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}
