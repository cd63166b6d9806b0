#if canImport(CMalloc)
import CMalloc
#endif

/// Hands memory the process freed back to the system. glibc keeps freed memory in
/// per-thread arenas for reuse; a first load's staging and loading threads free tens of
/// megabytes that the sessionizer, on other threads, then does not reuse, so the peak
/// was the load's leftovers plus the sessionizer's own (scripts/bench-nightly, 2 million
/// varied page views: 173 MB). Called between the stages of a run, where little is live.
public enum FreedMemory {
    public static func giveBack() {
        #if canImport(CMalloc)
        _ = malloc_trim(0)
        #endif
    }
}
