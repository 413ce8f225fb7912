//===- Layers.h - Convolution layers and shapes shared by the benchmarks --===//
//
// The same list drives kiln-bench (BM_ConvLayer/kiln/...), onednn-bench
// (BM_ConvLayer/onednn/...) and benchmarks/perf_table.py (PyTorch), so every
// system runs exactly the same layers.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BENCHMARKS_LAYERS_H
#define KILN_BENCHMARKS_LAYERS_H

#include <cstdint>
#include <vector>

namespace kiln::bench {

/// One 2-D convolution layer, NCHW, square kernel, with bias, run at
/// `batch` images.
struct ConvLayer {
  const char *name;
  int64_t c, h, w, oc, k, stride, pad, groups, batch = 1;
  int64_t oh() const { return (h + 2 * pad - k) / stride + 1; }
  int64_t ow() const { return (w + 2 * pad - k) / stride + 1; }
  double flops() const { return 2.0 * oc * oh() * ow() * (c / groups) * k * k; }
};

/// ResNet-18's stem and one 3x3 layer per stage; MobileNet's depthwise and
/// pointwise layers; the 3x3 layers of the example CNN (CIFAR-sized
/// ResNet, examples/cnn) at batch 32.
inline const std::vector<ConvLayer> &convLayers() {
  static const std::vector<ConvLayer> layers = {
      {"resnet18_conv1", 3, 224, 224, 64, 7, 2, 3, 1},
      {"resnet18_3x3_56", 64, 56, 56, 64, 3, 1, 1, 1},
      {"resnet18_3x3_28", 128, 28, 28, 128, 3, 1, 1, 1},
      {"resnet18_3x3_14", 256, 14, 14, 256, 3, 1, 1, 1},
      {"resnet18_3x3_7", 512, 7, 7, 512, 3, 1, 1, 1},
      {"mobilenet_dw_112", 32, 112, 112, 32, 3, 1, 1, 32},
      {"mobilenet_dw_s2_112", 64, 112, 112, 64, 3, 2, 1, 64},
      {"mobilenet_dw_14", 512, 14, 14, 512, 3, 1, 1, 512},
      {"mobilenet_pw_112", 32, 112, 112, 64, 1, 1, 0, 1},
      {"mobilenet_pw_14", 512, 14, 14, 512, 1, 1, 0, 1},
      {"cifar_3x3_32", 16, 32, 32, 16, 3, 1, 1, 1, 32},
      {"cifar_3x3_s2_32", 16, 32, 32, 32, 3, 2, 1, 1, 32},
      {"cifar_3x3_16", 32, 16, 16, 32, 3, 1, 1, 1, 32},
      {"cifar_3x3_8", 64, 8, 8, 64, 3, 1, 1, 1, 32},
  };
  return layers;
}

/// GEMM shapes M, K, N: square 64..2048 and the skinny 1x1024x1024 and
/// 64x1024x1024.
inline std::vector<std::vector<int64_t>> gemmShapes() {
  std::vector<std::vector<int64_t>> sizes;
  for (int64_t s : {64, 128, 256, 512, 777, 1000, 1023, 1024, 2048})
    sizes.push_back({s, s, s});
  sizes.push_back({1, 1024, 1024});
  sizes.push_back({64, 1024, 1024});
  return sizes;
}

} // namespace kiln::bench

#endif // KILN_BENCHMARKS_LAYERS_H
