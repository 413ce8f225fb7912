//===- KilnOps.td - Ops of the kiln dialect ---------------*- tablegen -*-===//
//
// Every op states its PyTorch equivalent, shows a small example, and infers
// its result type (InferTypeOpAdaptor): inference doubles as the verifier, so
// a shape mistake in a .mlir file and in the C++ DSL produce the same message,
// naming the op and the shapes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "ir/KilnDialect.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Floating-point tensors the kiln ops compute on.
def Kiln_FloatTensor : RankedTensorOf<[F32, F64]>;
/// Index tensors produced by argmax.
def Kiln_IndexTensor : RankedTensorOf<[I64]>;

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, !listconcat([Pure], traits)>;

//===----------------------------------------------------------------------===//
// Constants and parameters
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant", [ConstantLike, InferTypeOpAdaptor]> {
  let summary = "A constant tensor";
  let description = [{
    Holds a tensor literal. Parameters bound from a weights file become
    `kiln.constant` ops, which lets folding passes rewrite them.

    ```mlir
    %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Kiln_ParamOp : Kiln_Op<"param"> {
  let summary = "A named model parameter";
  let description = [{
    A parameter of the model (a weight or a bias), identified by its name as
    in PyTorch's `state_dict` (`"fc1.weight"`). The shape must be static.
    Before lowering, parameters are bound to constants from a weights file
    (`kiln-run --weights`, `kiln-opt --kiln-bind-parameters`).

    ```mlir
    %w = kiln.param "fc1.weight" : tensor<256x784xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (NumPy broadcasting)
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, string torch, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])> {
  let summary = "Elementwise " # mnemonic # " with broadcasting (" # torch # ")";
  let description = [{
    Applies the operation elementwise after broadcasting both operands to a
    common shape with NumPy's rules: shapes are aligned on the right, and
    each pair of dimensions must be equal or one of them 1. A dynamic
    dimension broadcasts only with 1 or with another dynamic dimension.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %a, %b : tensor<4x3xf32>, tensor<3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return inferBroadcastResult(getOperationName(), loc, adaptor.getLhs(),
                                  adaptor.getRhs(), results);
    }
  }];
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "torch.add", [Commutative]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "torch.sub">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "torch.mul", [Commutative]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", "torch.div">;
def Kiln_MaxOp : Kiln_BinaryOp<"max", "torch.maximum", [Commutative]>;
def Kiln_MinOp : Kiln_BinaryOp<"min", "torch.minimum", [Commutative]>;
def Kiln_PowOp : Kiln_BinaryOp<"pow", "torch.pow">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops and activations
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])> {
  let summary = "Elementwise " # mnemonic # ": " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element; the result has the
    operand's type.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      results.push_back(adaptor.getInput().getType());
      return ::mlir::success();
    }
  }];
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", "-x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "|x|">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "e^x">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "ln(x)">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "sqrt(x)">;
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", "1 / sqrt(x)">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "tanh(x)">;
def Kiln_SiluOp : Kiln_UnaryOp<"silu", "x * sigmoid(x)">;

def Kiln_LeakyReluOp : Kiln_UnaryOp<"leaky_relu",
    "x if x > 0 else negative_slope * x"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.01">:$negative_slope);
  let description = [{
    `torch.nn.functional.leaky_relu`: `x` where `x > 0`, otherwise
    `negative_slope * x` (default 0.01).

    ```mlir
    %r = kiln.leaky_relu %x {negative_slope = 2.0e-01 : f64} : tensor<2x8xf32>
    ```
  }];
}

def Kiln_GeluOp : Kiln_UnaryOp<"gelu", "x * Phi(x)"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                   DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let description = [{
    `torch.nn.functional.gelu`. With `approximate = "none"` (the default),
    `0.5 * x * (1 + erf(x / sqrt(2)))`; with `approximate = "tanh"`,
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.

    ```mlir
    %r = kiln.gelu %x {approximate = "tanh"} : tensor<2x8xf32>
    ```
  }];
  let hasVerifier = 1;
}

class Kiln_SoftmaxLikeOp<string mnemonic, string torch, string formula>
    : Kiln_UnaryOp<mnemonic, formula> {
  let summary = torch # " along one axis (numerically stable)";
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let description = [{
    `}] # torch # [{`: computes `}] # formula # [{` along `axis` (a
    non-negative axis of the operand). The maximum along the axis is
    subtracted first, so large inputs do not overflow.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "torch.softmax",
    "exp(x - max) / sum(exp(x - max))">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax", "torch.log_softmax",
    "x - max - log(sum(exp(x - max)))">;

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul", [InferTypeOpAdaptor]> {
  let summary = "Matrix product, batched with broadcasting (torch.matmul)";
  let description = [{
    `[..., M, K] x [..., K, N] -> [..., M, N]` for operands of rank 2 or
    more; the leading (batch) dimensions broadcast with NumPy's rules.

    ```mlir
    %r = kiln.matmul %a, %b : tensor<8x4x16xf32>, tensor<16x32xf32> -> tensor<8x4x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def Kiln_LinearOp : Kiln_Op<"linear", [InferTypeOpAdaptor]> {
  let summary = "Affine map x W^T + b (torch.nn.functional.linear)";
  let description = [{
    `input [..., in]`, `weight [out, in]` and an optional `bias [out]` give
    `[..., out]`. The weight layout is PyTorch's, so `state_dict` weights
    load unchanged.

    ```mlir
    %y = kiln.linear %x, %w, %b : tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_ReshapeOp : Kiln_Op<"reshape", [InferTypeOpAdaptor]> {
  let summary = "Same elements, new shape (torch.reshape)";
  let description = [{
    Reinterprets the row-major elements with a new shape. One entry of
    `shape` may be -1: it takes whatever size makes the element counts match.
    If the input has a dynamic (batch) dimension, `shape` must contain exactly
    one -1 and the other entries must multiply to the input's static element
    count, so that the -1 dimension is the batch dimension again.

    ```mlir
    %r = kiln.reshape %x [-1, 784] : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input $shape attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [InferTypeOpAdaptor]> {
  let summary = "Permutation of dimensions (torch.permute)";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    ```mlir
    %r = kiln.transpose %x [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input $permutation attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [InferTypeOpAdaptor]> {
  let summary = "Concatenation along one axis (torch.cat)";
  let description = [{
    Joins the inputs along `axis`; all other dimensions must be equal. The
    concatenated axis must be static.

    ```mlir
    %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` `(` type($inputs) `)` `->` type($result)
  }];
}

def Kiln_SliceOp : Kiln_Op<"slice", [InferTypeOpAdaptor]> {
  let summary = "Strided slice along one axis (x[..., start:end:step, ...])";
  let description = [{
    Keeps the elements `start, start + step, ...` below `end` along `axis`.
    The IR holds normalized values: `0 <= start <= end <= dim` and
    `step >= 1` (the DSL turns Python-style negative indices into these).
    The sliced axis must be static.

    ```mlir
    %r = kiln.slice %x {axis = 1 : i64, start = 1 : i64, end = 7 : i64, step = 2 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis, I64Attr:$start,
                   I64Attr:$end, DefaultValuedAttr<I64Attr, "1">:$step);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string torch>
    : Kiln_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = "Reduction over axes (" # torch # ")";
  let description = [{
    Reduces over the listed `axes` (distinct, non-negative, in range). With
    `keepdim`, reduced dimensions stay with size 1, as in PyTorch.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x [1] {keepdim = true} : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input $axes attr-dict `:` type($input) `->` type($result)";
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return inferReductionResult(getOperationName(), loc, adaptor.getInput(),
                                  adaptor.getAxes(), adaptor.getKeepdim(),
                                  results);
    }
  }];
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "torch.sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "torch.mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "torch.amax">;

def Kiln_ArgmaxOp : Kiln_Op<"argmax", [InferTypeOpAdaptor]> {
  let summary = "Index of the maximum along one axis (torch.argmax)";
  let description = [{
    Returns the first index of the maximum along `axis` as i64.

    ```mlir
    %r = kiln.argmax %x {axis = 1 : i64} : tensor<4x10xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

include "ir/KilnNNOps.td"
include "ir/KilnMLOps.td"

#endif // KILN_OPS_TD
