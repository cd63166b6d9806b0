#if canImport(CMalloc)
import CMalloc
#endif

/// Hands memory the process freed back to the system. glibc keeps freed memory in
/// per-thread arenas for reuse; a first load's staging and loading threads free tens of
/// megabytes that the sessionizer, on other threads, then does not reuse, so the peak
/// was the load's leftovers plus the sessionizer's own (scripts/bench-nightly, 2 million
/// varied page views: 173 MB). Called between the stages of a run, where little is live.
public enum FreedMemory {
    /// Blocks of 1 MB or more (batches, sort runs, the first load's filter) are mapped
    /// on their own and unmapped when freed. glibc's default raises that threshold to
    /// the size of each large block freed (up to 32 MB), after which such blocks come
    /// from the arenas and stay there: one run of all kinds of 2 million varied page
    /// views peaked at 143–157 MB over ten runs, over the bar of 150 in four; with the
    /// threshold fixed, 132–134 MB, in about the same time (the web file alone 14.9–17.3 s
    /// against 14.5–15.8 s; `/usr/bin/time`, alternating). Call once, at start.
    public static func mapLargeBlocksApart() {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        #endif
    }

    public static func giveBack() {
        #if canImport(CMalloc)
        _ = malloc_trim(0)
        #endif
    }
}
