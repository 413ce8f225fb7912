// Classifies two synthetic 28x28 images with the AOT-compiled "digits"
// CNN: no MLIR or LLVM at run time, only digits.o and the Kiln AOT runtime.
#include "digits.h"

#include <cstdio>
#include <vector>

int main() {
  using Net = kiln_aot::digits;
  const int64_t batch = 2;
  std::vector<float> images(Net::image_numel(batch));
  for (size_t i = 0; i < images.size(); ++i)
    images[i] = (i % 28 > 10 && i % 28 < 18) ? 1.0f : 0.0f; // a vertical bar
  std::vector<float> probs(Net::probs_numel(batch));
  if (int status = Net::run(images.data(), batch, probs.data())) {
    std::fprintf(stderr, "digits: %s\n", kiln_aot_status_string(status));
    return 1;
  }
  for (int64_t b = 0; b < batch; ++b) {
    int best = 0;
    float sum = 0;
    for (int c = 0; c < 10; ++c) {
      sum += probs[b * 10 + c];
      if (probs[b * 10 + c] > probs[b * 10 + best])
        best = c;
    }
    std::printf("image %lld: class %d (p = %.3f, sum of p = %.3f)\n",
                static_cast<long long>(b), best, probs[b * 10 + best], sum);
    if (sum < 0.99f || sum > 1.01f)
      return 1;
  }
  return 0;
}
