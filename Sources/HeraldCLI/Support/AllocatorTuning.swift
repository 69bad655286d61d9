/// glibc's allocator hands the top of each thread's heap back to the kernel (madvise) as soon as it is free,
/// and a sender frees a whole message after every send, so the next message faulted its pages in again: with
/// the default thresholds that was about a tenth of the worker's time. Keeping up to 64 MB per heap costs
/// nothing the worker's peak did not already need.
enum AllocatorTuning {
    static func forSending() {
        #if os(Linux)
        _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 64 << 20)
        // Long messages stay on the heap as well instead of being mapped and unmapped one by one.
        _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 4 << 20)
        #endif
    }
}

#if os(Linux)
/// glibc's `int mallopt(int, int)`; its header is not part of the Glibc module Swift imports.
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
