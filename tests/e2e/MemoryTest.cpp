//===- MemoryTest.cpp - Buffer cache and steady-state allocation ----------===//
#include "examples/cnn/Nets.h"
#include "frontend/Kiln.h"
#include "runtime/Allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <thread>

namespace {

TEST(BufferCache, ReusesFreedBuffersAndAligns) {
  kiln::releaseBufferCache();
  kiln::BufferStats before = kiln::bufferStats();
  void *a = kiln_buffer_alloc(1000);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  kiln_buffer_free(a);
  void *b = kiln_buffer_alloc(900); // same 1024-byte class
  EXPECT_EQ(a, b);
  kiln::BufferStats after = kiln::bufferStats();
  EXPECT_EQ(after.systemAllocations - before.systemAllocations, 1);
  EXPECT_EQ(after.cacheHits - before.cacheHits, 1);
  EXPECT_EQ(after.liveBytes - before.liveBytes, 1024);
  kiln_buffer_free(b);
  EXPECT_EQ(kiln::bufferStats().liveBytes, before.liveBytes);
  kiln::releaseBufferCache();
  EXPECT_EQ(kiln::bufferStats().cachedBytes, 0);
}

TEST(BufferCache, LargeBuffersStartAtDifferentPageOffsets) {
  // Buffers of 16 KB or more get different offsets within a page (else
  // all of a model's tensors alias in the L1 sets and the 4 KB store-load
  // comparison); a cached buffer keeps its address, alignment and size.
  // 40 MB: above glibc's largest mmap threshold, so the system's blocks
  // all sit at one page offset (only a few pages of each are touched).
  constexpr size_t kBytes = size_t{40} << 20;
  kiln::releaseBufferCache();
  std::vector<void *> live;
  std::vector<uintptr_t> offsets;
  for (int i = 0; i < 8; ++i) {
    live.push_back(kiln_buffer_alloc(kBytes));
    ASSERT_NE(live.back(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(live.back()) % 64, 0u);
    offsets.push_back(reinterpret_cast<uintptr_t>(live.back()) % 4096);
    // The whole buffer is usable.
    static_cast<char *>(live.back())[kBytes - 1] = 1;
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_EQ(std::unique(offsets.begin(), offsets.end()) - offsets.begin(), 8);
  void *last = live.back();
  kiln_buffer_free(last);
  live.pop_back();
  EXPECT_EQ(kiln_buffer_alloc(kBytes - 4096), last);
  live.push_back(last);
  for (void *p : live)
    kiln_buffer_free(p);
  kiln::releaseBufferCache();
}

TEST(BufferCache, EachThreadHasItsOwnCache) {
  void *a = kiln_buffer_alloc(4096);
  kiln_buffer_free(a);
  int64_t otherThreadHits = -1;
  std::thread t([&] {
    void *b = kiln_buffer_alloc(4096);
    otherThreadHits = kiln::bufferStats().cacheHits;
    kiln_buffer_free(b);
  });
  t.join();
  EXPECT_EQ(otherThreadHits, 0);
}

TEST(SteadyState, SecondRunAllocatesNothingAndPeakIsReported) {
  kiln::Model model("resnet", 5);
  model.output(kiln::examples::resnet(model, model.input("x", {kiln::kBatch, 3, 32, 32})),
               "y");
  kiln::CompiledModel net = kiln::jit(model);
  EXPECT_EQ(net.peakBufferBytes(), 0);
  kiln::Tensor x({2, 3, 32, 32});
  std::vector<kiln::Tensor> out = {kiln::Tensor({2, 10})};
  net.runInto({x}, out);
  int64_t peak = net.peakBufferBytes();
  // At least the largest intermediate: a [2, 16, 32, 32] f32 activation.
  EXPECT_GE(peak, 2 * 16 * 32 * 32 * 4);
  kiln::BufferStats first = kiln::bufferStats();
  for (int i = 0; i < 3; ++i)
    net.runInto({x}, out);
  kiln::BufferStats later = kiln::bufferStats();
  EXPECT_EQ(later.systemAllocations, first.systemAllocations)
      << "steady-state runs must be served from the buffer cache";
  EXPECT_GT(later.cacheHits, first.cacheHits);
  EXPECT_EQ(later.liveBytes, first.liveBytes) << "every buffer is freed";
  EXPECT_EQ(net.peakBufferBytes(), peak);
}

} // namespace

namespace {

TEST(Threads, ResultsDoNotDependOnTheThreadCount) {
  kiln::Model model("resnet", 5);
  model.output(kiln::examples::resnet(model, model.input("x", {kiln::kBatch, 3, 32, 32})),
               "y");
  kiln::examples::randomizeBatchNorms(model, 3);
  kiln::Generator gen(4);
  kiln::Tensor x = kiln::init::make(kiln::init::uniform(-1, 1), {3, 3, 32, 32}, gen);
  kiln::JitOptions sequential;
  sequential.parallel = false;
  kiln::Tensor expected = kiln::jit(model, sequential).run({x})[0];
  kiln::CompiledModel parallel = kiln::jit(model);
  for (int threads : {1, 2, 3, 8}) {
    kiln::setNumThreads(threads);
    EXPECT_EQ(kiln::numThreads(), threads);
    kiln::Comparison c = kiln::compareTensors(parallel.run({x})[0], expected, 1e-5, 1e-6);
    EXPECT_TRUE(c.ok) << threads << " threads: " << c.message;
  }
  kiln::setNumThreads(0);
  EXPECT_GE(kiln::numThreads(), 1);
  EXPECT_THROW(kiln::setNumThreads(-1), kiln::Error);
}

} // namespace
