//! Counting allocations and live bytes: a global allocator that forwards to the system allocator and
//! counts each call.
//!
//! Allocation counts are the one number here that does not wobble with the machine: they say whether a
//! wake, a timer or a spawn allocates at all, which the time alone cannot. Every `alloc`, `alloc_zeroed`
//! and `realloc` counts as one allocation (a `Vec` that grows is an allocation each time it moves);
//! frees are not counted.
//!
//! The allocator also keeps the live heap bytes (requested sizes: what `Layout` asks for, not what
//! `malloc` rounds up to or its headers) and their peak since [`reset_peak`], which gives a round's
//! memory per task: the peak during the round above the live bytes at its start.
//!
//! The cost is a relaxed atomic add per allocation for the count, one per allocation and per free for
//! the live bytes, and a compare-exchange whenever the live bytes pass the peak: a few nanoseconds each,
//! paid by every executor in proportion to how much it allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated and not yet freed.
static LIVE: AtomicU64 = AtomicU64::new(0);
/// The most [`LIVE`] has been since the last [`reset_peak`].
static PEAK: AtomicU64 = AtomicU64::new(0);

/// Allocations made by the whole process so far.
pub fn count() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Starts a new peak at the live bytes of now, and returns them.
pub fn reset_peak() -> u64 {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// The most bytes live at once since the last [`reset_peak`].
pub fn peak() -> u64 {
    PEAK.load(Ordering::Relaxed)
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
    // The load first: most allocations do not set a new peak, and a load is far cheaper than `fetch_max`.
    if live > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes as u64, Ordering::Relaxed);
}

/// The system allocator, counting.
pub struct Counting;

#[global_allocator]
static GLOBAL: Counting = Counting;

// This is the only `unsafe` in the benchmark (the library itself forbids it): `GlobalAlloc` is an unsafe
// trait, so implementing it takes an `unsafe impl`. Each method only updates the counters and hands the
// very same arguments to `System`, so every safety requirement the caller met for us holds for `System`
// too. The counters change only when `System` succeeded (a null pointer allocated nothing).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above; `ptr` came from this allocator, which is `System`'s.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        // On failure the old block stays allocated, unchanged.
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        moved
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }
}
