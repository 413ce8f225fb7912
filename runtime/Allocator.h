//===- Allocator.h - Buffers of compiled code, cached per thread -*- C++ -*-===//
//
// Compiled models allocate their intermediate buffers through
// kiln_buffer_alloc / kiln_buffer_free (C ABI; the names the generated code
// calls are _mlir_memref_to_llvm_alloc/_free, see Allocator.cpp). Freed
// buffers are kept in a per-thread cache by size class, so a model run
// again with the same shapes gets its buffers back without a system call,
// page fault or zeroing: no heap allocation in the steady state.
//
// Buffers are 64-byte aligned. A thread's cache holds at most
// kiln::bufferCacheLimit() bytes (default 1 GiB, KILN_BUFFER_CACHE_MB);
// a thread's cached buffers are freed when the thread exits.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_ALLOCATOR_H
#define KILN_RUNTIME_ALLOCATOR_H

#include <cstddef>
#include <cstdint>

extern "C" {
void *kiln_buffer_alloc(size_t bytes);
void kiln_buffer_free(void *ptr);
/// The names MLIR's memref-to-LLVM lowering calls (use-generic-functions).
void *_mlir_memref_to_llvm_alloc(size_t bytes);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace kiln {

/// Buffer statistics of the calling thread.
struct BufferStats {
  /// Bytes in buffers handed out and not yet freed.
  int64_t liveBytes = 0;
  /// The largest liveBytes since the last resetPeak().
  int64_t peakBytes = 0;
  /// Bytes held in the cache, ready for reuse.
  int64_t cachedBytes = 0;
  /// Calls that had to go to the system allocator / were served from cache.
  int64_t systemAllocations = 0, cacheHits = 0;
};

BufferStats bufferStats();
/// Restarts the peak measurement at the current live size.
void resetBufferPeak();
/// Frees the calling thread's cached buffers.
void releaseBufferCache();
int64_t bufferCacheLimit();

} // namespace kiln

#endif // KILN_RUNTIME_ALLOCATOR_H
