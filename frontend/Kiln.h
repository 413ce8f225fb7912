//===- Kiln.h - Everything a Kiln user includes -----------------*- C++ -*-===//
//
//   #include "frontend/Kiln.h"
//
//   kiln::Model m("mlp");
//   auto x = m.input("x", {kiln::kBatch, 784});
//   kiln::nn::Linear fc1(m, "fc1", 784, 256), fc2(m, "fc2", 256, 10);
//   m.output(kiln::softmax(fc2(kiln::relu(fc1(x)))), "probs");
//   kiln::CompiledModel net = kiln::jit(m);
//   auto probs = net.run({kiln::Tensor::zeros({1, 784})})[0];
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_KILN_H
#define KILN_FRONTEND_KILN_H

#include "backends/cpu/CompiledModel.h"
#include "frontend/Init.h"
#include "frontend/Model.h"
#include "frontend/NN.h"
#include "frontend/Ops.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"
#include "runtime/Tensor.h"

#endif // KILN_FRONTEND_KILN_H
