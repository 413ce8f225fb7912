// Model generator: builds a small CNN for 28x28 digits with Kiln's DSL and
// compiles it ahead of time. kiln_add_model builds and runs it at build
// time with the output path and target options.
#include "frontend/Aot.h"
#include "frontend/Kiln.h"

int main(int argc, char **argv) {
  kiln::Model m("digits", /*seed=*/42);
  kiln::Value x = m.input("image", {kiln::kBatch, 1, 28, 28});
  kiln::nn::Sequential net(m, "");
  net.add<kiln::nn::Conv2d>(1, 8, 3, 1, 1) // in, out, kernel, stride, padding
      .add(kiln::relu)
      .add<kiln::nn::MaxPool2d>(2)
      .add<kiln::nn::Conv2d>(8, 16, 3, 1, 1)
      .add(kiln::relu)
      .add<kiln::nn::MaxPool2d>(2)
      .add<kiln::nn::Flatten>()
      .add<kiln::nn::Linear>(16 * 7 * 7, 10);
  m.output(kiln::softmax(net(x), -1), "probs");
  // In a real application: m.load("digits.safetensors") with trained weights.
  return kiln::generatorMain(m, argc, argv);
}
