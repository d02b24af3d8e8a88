//! How a native process keeps the memory it frees (the CLI, the benchmarks).
//!
//! glibc's allocator serves every block over its mmap threshold with a fresh mapping and
//! unmaps it when freed, and trims the heap's top back to the kernel. A large map's
//! simulation builds many lists of tens of MiB, so every run paid the kernel again to
//! fault those pages in (0.4–0.5 s of a 1M-descriptor run, docs/simulator.md) while a
//! small map's lists were reused from the heap. Keeping freed memory in the process makes
//! the cost per descriptor the same at every size.

/// Tells the C allocator to keep freed memory for reuse (glibc on Linux; elsewhere nothing).
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt has no memory-safety preconditions: it only sets tuning parameters,
    // under glibc's own allocator lock, so it may be called at any time; both values are
    // documented as valid (mallopt(3)).
    unsafe {
        // Large blocks come from the heap too, not from their own mappings…
        let mmap = libc::mallopt(libc::M_MMAP_MAX, 0);
        // …and the heap's free top stays (up to the largest value the call accepts).
        let trim = libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX);
        // mallopt answers 1 when it accepted the value.
        debug_assert_eq!((mmap, trim), (1, 1), "mallopt refused a value");
    }
}
