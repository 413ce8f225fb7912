//===- Allocator.cpp - Buffers of compiled code, cached per thread --------===//
#include "runtime/Allocator.h"

#include <cstdlib>
#include <new>
#include <vector>

namespace kiln {
namespace {

constexpr size_t kAlignment = 64;
/// A block is [color (size_t at its start) ... header][buffer]: the buffer
/// starts kHeader + color bytes in, and the 16 bytes before it hold the
/// block's start and the size class, so that free knows where to cache it.
constexpr size_t kHeader = 64;
/// Buffers of 16 KB or more start at different offsets within a page
/// ("colors", multiples of 64 bytes, 4 KB of slack per block): large blocks
/// from the system all sit at one page offset (mmap'd, then 64-aligned),
/// and cached ones keep their address, so otherwise every
/// intermediate tensor of a model started at the same page offset. Reads
/// of one and writes of another then collide in the L1's sets and in the
/// load/store unit's 4 KB address comparison (4K aliasing): the example
/// CNN at batch 1 ran at 531 instead of 284 us after a larger model had
/// filled the cache.
constexpr size_t kColorBytes = 4096;
constexpr size_t kColoredFrom = 16384;
size_t nextColor() {
  thread_local size_t n = 0;
  // 17 * 64 and 4096 are coprime in units of 64: all 64 offsets in turn.
  return (n++ * 17 * 64) % kColorBytes;
}

int64_t limitFromEnvironment() {
  if (const char *env = std::getenv("KILN_BUFFER_CACHE_MB")) {
    char *end = nullptr;
    long long mb = std::strtoll(env, &end, 10);
    if (end != env && mb >= 0)
      return static_cast<int64_t>(mb) << 20;
  }
  return int64_t{1} << 30;
}

/// Size classes: powers of two from 64 bytes; class c holds 64 << c bytes.
int sizeClass(size_t bytes) {
  int c = 0;
  size_t size = 64;
  while (size < bytes) {
    size <<= 1;
    ++c;
  }
  return c;
}

struct ThreadCache {
  std::vector<std::vector<void *>> free; // by size class: blocks (header included)
  BufferStats stats;
  ~ThreadCache() { clear(); }
  void clear() {
    for (auto &list : free) {
      for (void *block : list)
        std::free(block);
      list.clear();
    }
    stats.cachedBytes = 0;
  }
};

ThreadCache &cache() {
  thread_local ThreadCache c;
  return c;
}

const int64_t kLimit = limitFromEnvironment();

} // namespace

BufferStats bufferStats() { return cache().stats; }
void resetBufferPeak() { cache().stats.peakBytes = cache().stats.liveBytes; }
void releaseBufferCache() { cache().clear(); }
int64_t bufferCacheLimit() { return kLimit; }

} // namespace kiln

using kiln::cache;

extern "C" void *kiln_buffer_alloc(size_t bytes) {
  auto &c = cache();
  int cls = kiln::sizeClass(bytes == 0 ? 1 : bytes);
  size_t size = size_t{64} << cls;
  void *block = nullptr;
  if (static_cast<size_t>(cls) < c.free.size() && !c.free[cls].empty()) {
    block = c.free[cls].back();
    c.free[cls].pop_back();
    c.stats.cachedBytes -= static_cast<int64_t>(size);
    ++c.stats.cacheHits;
  } else {
    bool colored = size >= kiln::kColoredFrom;
    block = std::aligned_alloc(kiln::kAlignment,
                               size + kiln::kHeader + (colored ? kiln::kColorBytes : 0));
    if (!block)
      return nullptr;
    // The block's color, fixed for its life (it is reused as is).
    *static_cast<size_t *>(block) = colored ? kiln::nextColor() : 0;
    ++c.stats.systemAllocations;
  }
  char *ptr = static_cast<char *>(block) + kiln::kHeader + *static_cast<size_t *>(block);
  reinterpret_cast<void **>(ptr)[-2] = block;
  reinterpret_cast<int64_t *>(ptr)[-1] = cls;
  c.stats.liveBytes += static_cast<int64_t>(size);
  if (c.stats.liveBytes > c.stats.peakBytes)
    c.stats.peakBytes = c.stats.liveBytes;
  return ptr;
}

extern "C" void kiln_buffer_free(void *ptr) {
  if (!ptr)
    return;
  auto &c = cache();
  void *block = reinterpret_cast<void **>(ptr)[-2];
  auto cls = static_cast<int>(reinterpret_cast<int64_t *>(ptr)[-1]);
  auto size = static_cast<int64_t>(size_t{64} << cls);
  c.stats.liveBytes -= size;
  // A buffer freed on another thread than it was allocated on simply joins
  // this thread's cache; the accounting is per thread and may go negative
  // there, which only affects statistics.
  if (c.stats.cachedBytes + size > kiln::kLimit) {
    std::free(block);
    return;
  }
  if (static_cast<size_t>(cls) >= c.free.size())
    c.free.resize(cls + 1);
  c.free[cls].push_back(block);
  c.stats.cachedBytes += size;
}

// The generated code's allocation functions (finalize-memref-to-llvm with
// use-generic-functions). Alignment is always 64 here, which satisfies any
// alignment MLIR asks for up to 64.
extern "C" void *_mlir_memref_to_llvm_alloc(size_t bytes) { return kiln_buffer_alloc(bytes); }
extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) {
  if (alignment > kiln::kAlignment)
    return nullptr;
  return kiln_buffer_alloc(bytes);
}
extern "C" void _mlir_memref_to_llvm_free(void *ptr) { kiln_buffer_free(ptr); }
