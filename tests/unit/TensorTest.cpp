//===- TensorTest.cpp - Tests of kiln::Tensor -----------------------------===//
//
// kiln::Tensor is the boundary type of every compiled model, so these tests
// pin down what callers rely on: aligned storage, shape bookkeeping, sharing
// versus cloning, checked size arithmetic, and the comparison used by
// kiln-run --expected and the numerical tests.
//
//===----------------------------------------------------------------------===//
#include "runtime/Tensor.h"
#include "runtime/Error.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using namespace kiln;

namespace {

using kiln::testing::errorOf;

bool isAligned(const void *p) {
  return reinterpret_cast<std::uintptr_t>(p) % kTensorAlignment == 0;
}

TEST(TensorTest, BuffersAre64ByteAligned) {
  EXPECT_EQ(kTensorAlignment, 64u);
  for (DType dtype : {DType::F32, DType::F64, DType::I32, DType::I64, DType::U8,
                      DType::Bool}) {
    for (const Shape &shape : {Shape{}, Shape{1}, Shape{3}, Shape{0},
                               Shape{7, 13}, Shape{2, 0, 3}, Shape{1000}}) {
      SCOPED_TRACE(std::string(dtypeName(dtype)) + " " + shapeToString(shape));
      Tensor t(shape, dtype);
      ASSERT_TRUE(t.defined());
      // Even a zero-element tensor gets a real (aligned) pointer.
      ASSERT_NE(t.rawData(), nullptr);
      EXPECT_TRUE(isAligned(t.rawData()));
      EXPECT_TRUE(isAligned(t.clone().rawData()));
    }
  }
}

TEST(TensorTest, ShapeAndNumel) {
  Tensor t({2, 3, 4}, DType::F64);
  EXPECT_EQ(t.rank(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.nbytes(), 24u * 8u);
  EXPECT_EQ(t.dim(0), 2);
  EXPECT_EQ(t.dim(-1), 4);
  EXPECT_EQ(t.strides(), (Shape{12, 4, 1}));
  EXPECT_EQ(t.typeString(), "tensor<2x3x4xf64>");
  EXPECT_NE(errorOf([&] { t.dim(3); }).find("out of range for rank 3"),
            std::string::npos);

  Tensor scalar({}, DType::I32);
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.typeString(), "tensor<i32>");
  EXPECT_EQ(shapeToString({}), "scalar");

  Tensor empty({4, 0});
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_EQ(empty.nbytes(), 0u);

  Tensor undefined;
  EXPECT_FALSE(undefined.defined());
  EXPECT_EQ(undefined.rawData(), nullptr);
}

TEST(TensorTest, DTypeSizesAndNames) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::U8), 1u);
  EXPECT_EQ(dtypeSize(DType::Bool), sizeof(bool));
  EXPECT_STREQ(dtypeName(DType::U8), "ui8");
  EXPECT_STREQ(dtypeName(DType::Bool), "i1");
}

TEST(TensorTest, TypedAccessChecksTheDType) {
  Tensor t = Tensor::zeros({2});
  EXPECT_NE(errorOf([&] {
              t.data<int32_t>();
            }).find("element type is f32, accessed as i32"),
            std::string::npos);
}

TEST(TensorTest, CopiesShareAndClonesDoNot) {
  Tensor a = Tensor::fromVector({3}, {1, 2, 3});
  Tensor shared = a;
  Tensor deep = a.clone();
  EXPECT_EQ(shared.rawData(), a.rawData());
  EXPECT_NE(deep.rawData(), a.rawData());
  a.data<float>()[0] = 42;
  EXPECT_EQ(shared.data<float>()[0], 42);
  EXPECT_EQ(deep.data<float>()[0], 1);
  deep.data<float>()[1] = -5;
  EXPECT_EQ(a.data<float>()[1], 2);
  EXPECT_EQ(deep.shape(), a.shape());
  EXPECT_EQ(deep.dtype(), a.dtype());
  EXPECT_FALSE(Tensor().clone().defined());
}

TEST(TensorTest, ReshapedSharesTheBuffer) {
  Tensor a = Tensor::fromVector({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor b = a.reshaped({3, 2});
  EXPECT_EQ(b.shape(), (Shape{3, 2}));
  EXPECT_EQ(b.rawData(), a.rawData());
  EXPECT_EQ(a.reshaped({6}).at(5), 5.0);
}

TEST(TensorTest, ReshapedRejectsAnotherElementCount) {
  Tensor a = Tensor::zeros({2, 3});
  std::string msg = errorOf([&] { a.reshaped({4, 2}); });
  EXPECT_NE(msg.find("cannot view 2x3 (6 elements) as 4x2"), std::string::npos)
      << msg;
  EXPECT_NE(errorOf([&] {
              a.reshaped({-1, 6});
            }).find("negative"),
            std::string::npos);
}

TEST(TensorTest, FullAndZeros) {
  Tensor z = Tensor::zeros({5}, DType::I64);
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_EQ(z.data<int64_t>()[i], 0);
  Tensor f = Tensor::full({2, 2}, 2.5, DType::F64);
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_EQ(f.at(i), 2.5);
  Tensor b = Tensor::full({3}, 7, DType::Bool);
  EXPECT_EQ(b.at(2), 1.0);
}

TEST(TensorTest, ToConvertsElementwise) {
  Tensor a = Tensor::fromVector({4}, {1.75f, -2.0f, 0.0f, 100.0f});
  Tensor i = a.to(DType::I32);
  EXPECT_EQ(i.dtype(), DType::I32);
  EXPECT_EQ(i.shape(), a.shape());
  EXPECT_EQ(i.data<int32_t>()[0], 1); // truncates toward zero
  EXPECT_EQ(i.data<int32_t>()[1], -2);
  EXPECT_EQ(i.data<int32_t>()[3], 100);

  Tensor d = a.to(DType::F64);
  EXPECT_EQ(d.data<double>()[0], 1.75);

  Tensor b = a.to(DType::Bool);
  EXPECT_EQ(b.at(0), 1.0);
  EXPECT_EQ(b.at(2), 0.0);

  // Same dtype: a copy, not a view.
  Tensor same = a.to(DType::F32);
  EXPECT_NE(same.rawData(), a.rawData());
  EXPECT_EQ(same.data<float>()[3], 100.0f);

  Tensor big = Tensor::fromValues<int64_t>({1}, {int64_t(1) << 40});
  EXPECT_EQ(big.to(DType::F64).at(0), std::ldexp(1.0, 40));
}

TEST(TensorTest, ToIntegerSaturatesInsteadOfOverflowing) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor a = Tensor::fromVector({5}, {nan, inf, -inf, 300.0f, -1.0f});
  Tensor u8 = a.to(DType::U8);
  EXPECT_EQ(u8.data<uint8_t>()[0], 0);
  EXPECT_EQ(u8.data<uint8_t>()[1], 255);
  EXPECT_EQ(u8.data<uint8_t>()[2], 0);
  EXPECT_EQ(u8.data<uint8_t>()[3], 255);
  EXPECT_EQ(u8.data<uint8_t>()[4], 0);
  Tensor i64 = a.to(DType::I64);
  EXPECT_EQ(i64.data<int64_t>()[1], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64.data<int64_t>()[2], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Tensor::full({1}, 1e10, DType::I32).data<int32_t>()[0],
            std::numeric_limits<int32_t>::max());
}

TEST(TensorTest, ToOfUndefinedIsUndefined) {
  EXPECT_FALSE(Tensor().to(DType::F64).defined());
}

TEST(TensorTest, FromValuesChecksTheCount) {
  std::string msg = errorOf([] { Tensor::fromVector({2, 2}, {1, 2, 3}); });
  EXPECT_NE(msg.find("3 values given for shape 2x2 (expected 4)"),
            std::string::npos)
      << msg;
  msg = errorOf([] { Tensor::fromValues<int64_t>({}, {1, 2}); });
  EXPECT_NE(msg.find("2 values given for shape scalar (expected 1)"),
            std::string::npos)
      << msg;
  Tensor ok = Tensor::fromValues<uint8_t>({3}, {1, 2, 255});
  EXPECT_EQ(ok.at(2), 255.0);
}

TEST(TensorTest, NumElementsChecksOverflowAndSign) {
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({3, 0, 5}), 0);
  const int64_t big = int64_t(1) << 32;
  EXPECT_NE(errorOf([&] {
              numElements({big, big});
            }).find("more elements than fit in 64 bits"),
            std::string::npos);
  EXPECT_EQ(numElements({big, big / 2 - 1}), big * (big / 2 - 1));
  EXPECT_NE(errorOf([] {
              numElements({2, -1});
            }).find("negative or dynamic dimension"),
            std::string::npos);
  // A shape whose bytes cannot be allocated is an error, not a crash.
  std::string msg = errorOf(
      [] { Tensor t({std::numeric_limits<int64_t>::max()}, DType::F64); });
  EXPECT_NE(msg.find("too large to allocate"), std::string::npos) << msg;
}

TEST(TensorTest, CompareMatchingTensors) {
  Tensor a = Tensor::fromVector({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::fromVector({2, 2}, {1, 2.0001f, 3, 4});
  Comparison c = compareTensors(a, b, 1e-3, 0);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.mismatches, 0);
  EXPECT_TRUE(c.message.empty());
  EXPECT_GT(c.maxAbsError, 0);
  // Different dtypes compare by value.
  EXPECT_TRUE(compareTensors(a, a.to(DType::F64), 0, 0).ok);
}

TEST(TensorTest, CompareReportsTheWorstMismatch) {
  Tensor actual = Tensor::fromVector({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor expected = Tensor::fromVector({2, 3}, {0, 1.5f, 2, 3, 9, 5});
  Comparison c = compareTensors(actual, expected, 0, 0.1);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.mismatches, 2);
  EXPECT_EQ(c.worstIndex, 4);
  EXPECT_EQ(c.worstActual, 4);
  EXPECT_EQ(c.worstExpected, 9);
  EXPECT_DOUBLE_EQ(c.maxAbsError, 5);
  EXPECT_NE(c.message.find("2 of 6 elements differ"), std::string::npos)
      << c.message;
  EXPECT_NE(c.message.find("worst at [1, 1]: got 4, expected 9"),
            std::string::npos)
      << c.message;
}

TEST(TensorTest, CompareNaNOnlyMatchesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor withNaN = Tensor::fromVector({2}, {nan, 1});
  EXPECT_TRUE(compareTensors(withNaN, withNaN.clone(), 0, 0).ok);

  Tensor noNaN = Tensor::fromVector({2}, {0, 1});
  Comparison c = compareTensors(withNaN, noNaN, 1, 1);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.mismatches, 1);
  EXPECT_EQ(c.worstIndex, 0);
  EXPECT_FALSE(compareTensors(noNaN, withNaN, 1, 1).ok);

  // Infinities match only the same infinity, however loose the tolerance.
  Tensor posInf = Tensor::fromVector({1}, {inf});
  EXPECT_TRUE(compareTensors(posInf, posInf, 0, 0).ok);
  EXPECT_FALSE(
      compareTensors(posInf, Tensor::fromVector({1}, {-inf}), 1e9, 1e9).ok);
  EXPECT_FALSE(
      compareTensors(posInf, Tensor::fromVector({1}, {1e30f}), 1e9, 1e9).ok);
}

TEST(TensorTest, CompareShapeMismatch) {
  Comparison c =
      compareTensors(Tensor::zeros({2, 3}), Tensor::zeros({3, 2}), 1, 1);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.message, "shape mismatch: got 2x3, expected 3x2");
  EXPECT_FALSE(
      compareTensors(Tensor::zeros({6}), Tensor::zeros({1, 6}), 1, 1).ok);
}

TEST(TensorTest, CompareUndefinedOnlyMatchesUndefined) {
  Comparison c = compareTensors(Tensor(), Tensor::full({}, 5), 1, 1);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.message, "got an undefined tensor, expected tensor<f32>");
  EXPECT_FALSE(compareTensors(Tensor::full({}, 5), Tensor(), 1, 1).ok);
  EXPECT_TRUE(compareTensors(Tensor(), Tensor(), 0, 0).ok);
}

} // namespace
