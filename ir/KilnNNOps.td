//===- KilnNNOps.td - Convolution, pooling and normalization ops -*- tablegen -*-===//
//
// Ops of convolutional networks, NCHW layout. Spatial attributes are i64
// arrays: `stride`, `dilation`, `kernel` and `size` are [h, w]; `padding` is
// [top, left, bottom, right] (ONNX's order) unless the op says otherwise.
// All shapes except the batch (dim 0) must be static.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_NN_OPS_TD
#define KILN_NN_OPS_TD

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

def Kiln_Conv2dOp : Kiln_Op<"conv2d", [InferTypeOpAdaptor]> {
  let summary = "2-D convolution, NCHW (torch.nn.functional.conv2d)";
  let description = [{
    `input [N, C, H, W]`, `weight [F, C/groups, KH, KW]` and an optional
    `bias [F]` give `[N, F, OH, OW]` with
    `OH = floor((H + top + bottom - dilation[0] * (KH - 1) - 1) / stride[0]) + 1`
    (likewise OW). Padding is zeros and may be asymmetric. `groups` must
    divide C and F; `groups = C` is a depthwise convolution.

    ```mlir
    %y = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<?x8x32x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation, DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($result)
  }];
}

def Kiln_ConvTranspose2dOp : Kiln_Op<"conv_transpose2d", [InferTypeOpAdaptor]> {
  let summary = "2-D transposed convolution, NCHW (torch.nn.functional.conv_transpose2d)";
  let description = [{
    The gradient of conv2d with respect to its input. `input [N, C, H, W]`,
    `weight [C, F/groups, KH, KW]` (PyTorch's layout) and an optional
    `bias [F]` give `[N, F, OH, OW]` with
    `OH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (KH - 1) + output_padding[0] + 1`.
    Here `padding` and `output_padding` are [h, w] (symmetric, as in
    PyTorch); `output_padding` must be smaller than the stride or the
    dilation.

    ```mlir
    %y = kiln.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                   Optional<Kiln_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$output_padding, DenseI64ArrayAttr:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($result)
  }];
}

def Kiln_Im2ColOp : Kiln_Op<"im2col", [InferTypeOpAdaptor]> {
  let summary = "Sliding-window patches as columns (torch.nn.functional.unfold)";
  let description = [{
    `input [N, C, H, W]` gives `[N, C * KH * KW, OH * OW]`: column `p` holds
    the (zero-padded) window under output pixel `p`, row `(c * KH + i) * KW + j`
    its element `(c, i, j)`. A convolution is a matrix product of the
    reshaped weight with these columns; `--kiln-unfold-convolution` builds
    that form.

    ```mlir
    %p = kiln.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x27x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Pooling and resampling
//===----------------------------------------------------------------------===//

def Kiln_MaxPool2dOp : Kiln_Op<"max_pool2d", [InferTypeOpAdaptor]> {
  let summary = "2-D max pooling, NCHW (torch.nn.functional.max_pool2d)";
  let description = [{
    Maximum over each `kernel` window; padding is -inf. With `ceil_mode`
    the output size rounds up, but a window must start inside the input or
    its left/top padding (PyTorch's rule).

    ```mlir
    %y = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x8x32x32xf32> -> tensor<?x8x16x16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilation,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Kiln_AvgPool2dOp : Kiln_Op<"avg_pool2d", [InferTypeOpAdaptor]> {
  let summary = "2-D average pooling, NCHW (torch.nn.functional.avg_pool2d)";
  let description = [{
    Mean over each `kernel` window. With `count_include_pad` the divisor is
    the window clipped to the padded input; without it, the window clipped
    to the input itself. `ceil_mode` as in `kiln.max_pool2d`.

    ```mlir
    %y = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<1x8x7x7xf32> -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Kiln_AdaptiveAvgPool2dOp : Kiln_Op<"adaptive_avg_pool2d", [InferTypeOpAdaptor]> {
  let summary = "Adaptive average pooling to a fixed size (torch.nn.functional.adaptive_avg_pool2d)";
  let description = [{
    Output cell `(i, j)` averages input rows `[floor(i*H/OH), ceil((i+1)*H/OH))`
    and the matching columns. `output_size = [1, 1]` is global average pooling.

    ```mlir
    %y = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 1, 1>} : tensor<?x64x7x7xf32> -> tensor<?x64x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$output_size);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Kiln_UpsampleOp : Kiln_Op<"upsample", [InferTypeOpAdaptor]> {
  let summary = "Nearest or bilinear resampling (torch.nn.functional.interpolate)";
  let description = [{
    Resamples H and W to `size`. `mode` is "nearest" (source index
    `floor(dst * scale)`) or "bilinear" (half-pixel centres, or corner
    alignment with `align_corners`). The source/destination `scale` per axis
    is `in / out`, or `1 / scale_factor` when `scale_factor` is given, as
    PyTorch computes it.

    ```mlir
    %y = kiln.upsample %x {size = array<i64: 16, 16>, mode = "bilinear"} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$size,
                   StrAttr:$mode, DefaultValuedAttr<BoolAttr, "false">:$align_corners,
                   OptionalAttr<DenseF64ArrayAttr>:$scale_factor);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Kiln_BatchNormOp : Kiln_Op<"batch_norm", [InferTypeOpAdaptor]> {
  let summary = "Inference batch normalization (torch.nn.functional.batch_norm, eval)";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + shift` per channel (dim 1);
    `scale`, `shift`, `mean` and `var` are `[C]`. With constant operands,
    `--kiln-fold-batch-norm` folds it into the preceding convolution.

    ```mlir
    %y = kiln.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$shift, Kiln_FloatTensor:$mean,
                   Kiln_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $mean `,` $variance attr-dict `:` type($input) `,`
    type($scale) `,` type($shift) `,` type($mean) `,` type($variance) `->` type($result)
  }];
}

def Kiln_BatchNormTrainingOp : Kiln_Op<"batch_norm_training", [InferTypeOpAdaptor]> {
  let summary = "Training batch normalization with running-statistics update";
  let description = [{
    Normalizes with the statistics of the batch (mean and biased variance
    over every dim but 1) and returns, besides the output, the updated
    running statistics `(1 - momentum) * running + momentum * batch`, the
    variance term unbiased (`n / (n - 1)`), as torch.nn.BatchNorm2d in
    train mode.

    ```mlir
    %y, %m1, %v1 = kiln.batch_norm_training %x, %g, %b, %m, %v {epsilon = 1.0e-05 : f64, momentum = 1.0e-01 : f64} : tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$shift, Kiln_FloatTensor:$running_mean,
                   Kiln_FloatTensor:$running_var, F64Attr:$epsilon, F64Attr:$momentum);
  let results = (outs Kiln_FloatTensor:$result, Kiln_FloatTensor:$new_running_mean,
                 Kiln_FloatTensor:$new_running_var);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $running_mean `,` $running_var attr-dict `:`
    type($input) `,` type($scale) `,` type($shift) `,` type($running_mean) `,`
    type($running_var) `->` type($result) `,` type($new_running_mean) `,`
    type($new_running_var)
  }];
}

def Kiln_LayerNormOp : Kiln_Op<"layer_norm", [InferTypeOpAdaptor]> {
  let summary = "Layer normalization over trailing dims (torch.nn.functional.layer_norm)";
  let description = [{
    Normalizes over the last `normalized_rank` dims (biased variance), then
    multiplies by `scale` and adds `shift`, both shaped like those dims.

    ```mlir
    %y = kiln.layer_norm %x, %g, %b {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<?x16x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$shift, I64Attr:$normalized_rank, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift attr-dict `:` type($input) `,` type($scale) `,`
    type($shift) `->` type($result)
  }];
}

def Kiln_GroupNormOp : Kiln_Op<"group_norm", [InferTypeOpAdaptor]> {
  let summary = "Group normalization (torch.nn.functional.group_norm)";
  let description = [{
    Channels (dim 1) are split into `num_groups` groups; each group of each
    sample is normalized over its channels and all further dims, then
    scaled and shifted per channel (`scale`, `shift` are `[C]`).
    `num_groups = C` is instance normalization.

    ```mlir
    %y = kiln.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                   Kiln_FloatTensor:$shift, I64Attr:$num_groups, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift attr-dict `:` type($input) `,` type($scale) `,`
    type($shift) `->` type($result)
  }];
}

#endif // KILN_NN_OPS_TD
