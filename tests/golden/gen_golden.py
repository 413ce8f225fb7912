#!/usr/bin/python3
"""Writes the PyTorch golden values that tests/e2e/GoldenTest.cpp checks.

Run with Debian's python3-torch (1.13):

    /usr/bin/python3 tests/golden/gen_golden.py          # writes tests/golden/data/

Outputs (safetensors, written by hand below: u64 LE header length, JSON
header, little-endian f32 data; no pip packages):

  ops.safetensors
      Single-op cases. For case NAME: NAME.x (input), NAME.weight / NAME.bias /
      NAME.running_mean / ... (parameters, when the op has them), NAME.out
      (PyTorch's output) and, for training batch norm, NAME.new_running_mean
      and NAME.new_running_var. The header's __metadata__ maps NAME to a line
      "OP key=value ..." giving the op and its settings (see CASES below);
      sizes are "h,w", paddings "top,left,bottom,right".

  small_cnn.safetensors, basic_block.safetensors, basic_block_down.safetensors
      state_dicts with PyTorch's names (num_batches_tracked dropped), loadable
      with kiln::Model::load(path, /*strict=*/true).
  small_cnn_io.safetensors, ... (same stems + "_io")
      x1 / y1 (batch 1) and x3 / y3 (batch 3): inputs and eval-mode outputs.

Everything is seeded and runs on one thread, so a rerun on the same machine
rewrites identical files.
"""

import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def save_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> float tensor) as F32 in name order."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        flat = t.flatten().tolist()
        data = struct.pack("<%df" % len(flat), *flat)
        header[name] = {
            "dtype": "F32",
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def rand(gen, *shape, lo=-1.0, hi=1.0):
    return torch.rand(*shape, generator=gen) * (hi - lo) + lo


def pair(v):
    return "%d,%d" % (v if isinstance(v, tuple) else (v, v))


def pad4(v):
    """padding as (top, left, bottom, right)."""
    if isinstance(v, int):
        v = (v, v, v, v)
    elif len(v) == 2:
        v = (v[0], v[1], v[0], v[1])
    return "%d,%d,%d,%d" % v


# ---------------------------------------------------------------------------
# Single-op cases
# ---------------------------------------------------------------------------

def single_op_cases(gen):
    cases = {}  # name -> (metadata line, {suffix: tensor})

    def conv(name, n, c, h, w, f, k, stride=1, padding=0, dilation=1,
             groups=1, bias=True):
        x = rand(gen, n, c, h, w)
        kh, kw = k if isinstance(k, tuple) else (k, k)
        wt = rand(gen, f, c // groups, kh, kw, lo=-0.5, hi=0.5)
        b = rand(gen, f) if bias else None
        if isinstance(padding, tuple) and len(padding) == 4:
            t, l, bo, r = padding
            y = F.conv2d(F.pad(x, (l, r, t, bo)), wt, b, stride, 0, dilation,
                         groups)
        else:
            y = F.conv2d(x, wt, b, stride, padding, dilation, groups)
        tensors = {"x": x, "weight": wt, "out": y}
        if bias:
            tensors["bias"] = b
        cases[name] = ("conv2d stride=%s padding=%s dilation=%s groups=%d "
                       "bias=%d" % (pair(stride), pad4(padding),
                                    pair(dilation), groups, int(bias)),
                       tensors)

    conv("conv3x3_pad1", 2, 3, 9, 11, 5, 3, padding=1)
    conv("conv3x3_stride2", 1, 4, 11, 9, 6, 3, stride=2, padding=1)
    conv("conv5x5_stride3_nobias", 2, 3, 13, 11, 4, 5, stride=3,
         padding=2, bias=False)
    conv("conv3x3_dilation2", 2, 3, 11, 9, 4, 3, padding=2, dilation=2)
    conv("conv7x7_pad3", 1, 2, 11, 9, 3, 7, padding=3)
    conv("conv1x1", 3, 6, 5, 7, 4, 1)
    conv("conv_groups2", 2, 4, 9, 7, 6, 3, padding=1, groups=2)
    conv("conv_depthwise", 2, 5, 9, 7, 5, 3, padding=1, groups=5)
    conv("conv_depthwise_mult2_stride2", 1, 4, 11, 9, 8, 3, stride=2,
         padding=1, groups=4)
    conv("conv_asym_pad", 2, 3, 7, 9, 4, 3, padding=(0, 1, 2, 1))
    conv("conv_asym_pad_stride2", 1, 3, 9, 8, 4, 2, stride=2,
         padding=(0, 0, 1, 1))
    conv("conv_rect_kernel", 2, 3, 9, 11, 4, (3, 5), stride=(1, 2),
         padding=(1, 2), dilation=(2, 1))

    def conv_t(name, n, c, h, w, f, k, stride=1, padding=0, output_padding=0,
               groups=1, dilation=1, bias=True):
        x = rand(gen, n, c, h, w)
        wt = rand(gen, c, f // groups, k, k, lo=-0.5, hi=0.5)
        b = rand(gen, f) if bias else None
        y = F.conv_transpose2d(x, wt, b, stride, padding, output_padding,
                               groups, dilation)
        tensors = {"x": x, "weight": wt, "out": y}
        if bias:
            tensors["bias"] = b
        cases[name] = ("conv_transpose2d stride=%s padding=%s "
                       "output_padding=%s groups=%d dilation=%s bias=%d" %
                       (pair(stride), pair(padding), pair(output_padding),
                        groups, pair(dilation), int(bias)), tensors)

    conv_t("convt_stride2_pad1_outpad1", 2, 4, 5, 6, 3, 3, stride=2,
           padding=1, output_padding=1)
    conv_t("convt_groups2_dilation2", 1, 4, 5, 7, 6, 3, groups=2,
           dilation=2, bias=False)
    conv_t("convt_k4_stride2", 2, 3, 4, 5, 2, 4, stride=2, padding=1)

    def maxpool(name, n, c, h, w, k, stride=None, padding=0, dilation=1,
                ceil_mode=False):
        x = rand(gen, n, c, h, w)
        if isinstance(padding, tuple) and len(padding) == 4:
            t, l, bo, r = padding
            y = F.max_pool2d(F.pad(x, (l, r, t, bo), value=float("-inf")), k,
                             stride, 0, dilation, ceil_mode)
        else:
            y = F.max_pool2d(x, k, stride, padding, dilation, ceil_mode)
        cases[name] = ("max_pool2d kernel=%s stride=%s padding=%s dilation=%s "
                       "ceil_mode=%d" % (pair(k), pair(stride or k),
                                         pad4(padding), pair(dilation),
                                         int(ceil_mode)),
                       {"x": x, "out": y})

    maxpool("maxpool2", 2, 3, 8, 10, 2)
    maxpool("maxpool3_s2_p1", 2, 3, 9, 11, 3, 2, 1)
    maxpool("maxpool3_s2_ceil", 1, 3, 8, 7, 3, 2, 0, ceil_mode=True)
    maxpool("maxpool2_s2_p1_ceil", 2, 2, 9, 6, 2, 2, 1, ceil_mode=True)
    maxpool("maxpool3_dilation2", 1, 3, 11, 9, 3, 1, 1, 2)
    maxpool("maxpool_asym_pad", 1, 3, 7, 8, 3, 2, (1, 0, 0, 1))

    def avgpool(name, n, c, h, w, k, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True):
        x = rand(gen, n, c, h, w)
        if isinstance(padding, tuple) and len(padding) == 4:
            # Zero padding counted in the divisor = count_include_pad.
            t, l, bo, r = padding
            assert count_include_pad and not ceil_mode
            y = F.avg_pool2d(F.pad(x, (l, r, t, bo)), k, stride, 0)
        else:
            y = F.avg_pool2d(x, k, stride, padding, ceil_mode,
                             count_include_pad)
        cases[name] = ("avg_pool2d kernel=%s stride=%s padding=%s ceil_mode=%d "
                       "count_include_pad=%d" %
                       (pair(k), pair(stride or k), pad4(padding),
                        int(ceil_mode), int(count_include_pad)),
                       {"x": x, "out": y})

    avgpool("avgpool2", 2, 3, 8, 10, 2)
    avgpool("avgpool3_s2_p1_incl", 2, 3, 9, 11, 3, 2, 1)
    avgpool("avgpool3_s2_p1_excl", 2, 3, 9, 11, 3, 2, 1,
            count_include_pad=False)
    avgpool("avgpool3_s2_p1_ceil_incl", 1, 2, 8, 10, 3, 2, 1, True, True)
    avgpool("avgpool3_s2_p1_ceil_excl", 1, 2, 8, 10, 3, 2, 1, True, False)
    avgpool("avgpool2_s2_ceil", 1, 3, 7, 9, 2, 2, 0, True)
    avgpool("avgpool_asym_pad", 1, 3, 7, 8, 3, 2, (1, 0, 0, 1))

    def adaptive(name, n, c, h, w, size):
        x = rand(gen, n, c, h, w)
        cases[name] = ("adaptive_avg_pool2d size=%s" % pair(size),
                       {"x": x, "out": F.adaptive_avg_pool2d(x, size)})

    adaptive("adaptive_7x9_to_3x4", 2, 3, 7, 9, (3, 4))
    adaptive("adaptive_to_1x1", 2, 3, 5, 7, (1, 1))
    adaptive("adaptive_4x3_to_5x5", 1, 2, 4, 3, (5, 5))

    def upsample(name, n, c, h, w, mode, size=None, scale=None,
                 align_corners=False):
        x = rand(gen, n, c, h, w)
        kwargs = {} if mode == "nearest" else {"align_corners": align_corners}
        if size is not None:
            y = F.interpolate(x, size=size, mode=mode, **kwargs)
            how = "size=%s" % pair(size)
        else:
            y = F.interpolate(x, scale_factor=scale, mode=mode, **kwargs)
            how = "scale=%r" % scale
        cases[name] = ("upsample mode=%s %s align_corners=%d" %
                       (mode, how, int(align_corners)), {"x": x, "out": y})

    upsample("nearest_size", 2, 3, 5, 6, "nearest", size=(11, 13))
    upsample("nearest_scale2", 1, 3, 5, 7, "nearest", scale=2.0)
    upsample("nearest_scale1p15", 1, 2, 10, 10, "nearest", scale=1.15)
    upsample("nearest_down", 1, 2, 9, 7, "nearest", size=(4, 3))
    # f32 rounding: for 26 -> 22, floor(11 * float(26/22)) is 12 in PyTorch
    # while the exact floor(11 * 26 / 22) is 13.
    upsample("nearest_26_to_22", 1, 1, 4, 26, "nearest", size=(4, 22))
    upsample("bilinear_size", 2, 3, 5, 6, "bilinear", size=(9, 11))
    upsample("bilinear_size_align", 2, 3, 5, 6, "bilinear", size=(9, 11),
             align_corners=True)
    upsample("bilinear_scale2", 1, 2, 4, 5, "bilinear", scale=2.0)
    upsample("bilinear_scale1p5_align", 1, 2, 4, 5, "bilinear", scale=1.5,
             align_corners=True)
    upsample("bilinear_down", 1, 2, 9, 11, "bilinear", size=(4, 5))

    # Normalizations.
    def bn(name, n, c, h, w, affine=True, eps=1e-5):
        x = rand(gen, n, c, h, w, lo=-2, hi=3)
        rm, rv = rand(gen, c), rand(gen, c, lo=0.5, hi=2.0)
        wt = rand(gen, c, lo=0.5, hi=1.5) if affine else None
        b = rand(gen, c) if affine else None
        y = F.batch_norm(x, rm, rv, wt, b, False, 0.1, eps)
        tensors = {"x": x, "running_mean": rm, "running_var": rv, "out": y}
        if affine:
            tensors.update(weight=wt, bias=b)
        cases[name] = ("batch_norm eps=%r affine=%d" % (eps, int(affine)),
                       tensors)

    bn("batch_norm", 2, 4, 5, 7)
    bn("batch_norm_noaffine_eps1e-3", 3, 3, 4, 5, affine=False, eps=1e-3)

    def bn_train(name, n, c, h, w, momentum=0.1):
        x = rand(gen, n, c, h, w, lo=-2, hi=3)
        rm, rv = rand(gen, c), rand(gen, c, lo=0.5, hi=2.0)
        wt, b = rand(gen, c, lo=0.5, hi=1.5), rand(gen, c)
        new_rm, new_rv = rm.clone(), rv.clone()
        y = F.batch_norm(x, new_rm, new_rv, wt, b, True, momentum, 1e-5)
        cases[name] = ("batch_norm_training momentum=%r eps=1e-05" % momentum,
                       {"x": x, "running_mean": rm, "running_var": rv,
                        "weight": wt, "bias": b, "out": y,
                        "new_running_mean": new_rm,
                        "new_running_var": new_rv})

    bn_train("batch_norm_training", 3, 4, 5, 7)
    bn_train("batch_norm_training_m0p3", 2, 3, 3, 3, momentum=0.3)

    def ln(name, shape, normalized, affine=True):
        x = rand(gen, *shape, lo=-2, hi=3)
        tensors = {"x": x}
        wt = b = None
        if affine:
            wt = rand(gen, *normalized, lo=0.5, hi=1.5)
            b = rand(gen, *normalized)
            tensors.update(weight=wt, bias=b)
        tensors["out"] = F.layer_norm(x, normalized, wt, b, 1e-5)
        cases[name] = ("layer_norm normalized_shape=%s affine=%d" %
                       (",".join(map(str, normalized)), int(affine)), tensors)

    ln("layer_norm_chw", (2, 3, 5, 7), (3, 5, 7))
    ln("layer_norm_last", (3, 4, 9), (9,))
    ln("layer_norm_last_noaffine", (2, 3, 5, 7), (7,), affine=False)

    def gn(name, n, c, h, w, groups, affine=True):
        x = rand(gen, n, c, h, w, lo=-2, hi=3)
        tensors = {"x": x}
        wt = b = None
        if affine:
            wt, b = rand(gen, c, lo=0.5, hi=1.5), rand(gen, c)
            tensors.update(weight=wt, bias=b)
        tensors["out"] = F.group_norm(x, groups, wt, b, 1e-5)
        cases[name] = ("group_norm groups=%d affine=%d" % (groups, int(affine)),
                       tensors)

    gn("group_norm_2", 2, 6, 5, 7, 2)
    gn("group_norm_3_noaffine", 3, 6, 3, 5, 3, affine=False)
    gn("group_norm_1", 1, 4, 5, 3, 1)

    def inorm(name, n, c, h, w, affine):
        x = rand(gen, n, c, h, w, lo=-2, hi=3)
        tensors = {"x": x}
        wt = b = None
        if affine:
            wt, b = rand(gen, c, lo=0.5, hi=1.5), rand(gen, c)
            tensors.update(weight=wt, bias=b)
        tensors["out"] = F.instance_norm(x, None, None, wt, b, True, 0.1, 1e-5)
        cases[name] = ("instance_norm affine=%d" % int(affine), tensors)

    inorm("instance_norm", 2, 3, 5, 7, False)
    inorm("instance_norm_affine", 3, 4, 4, 5, True)
    return cases


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

class SmallCNN(nn.Module):
    """conv3x3(3->8)+BN+ReLU, maxpool 2, conv3x3(8->16, stride 2)+BN+ReLU,
    adaptive avgpool to 2x2, flatten, linear(64->10). Input [N, 3, 15, 13]."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16),
            nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.features(x))


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock: conv3x3-BN-ReLU-conv3x3-BN plus the
    shortcut (identity, or 1x1 stride-s conv + BN), then ReLU."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


def warm_up_batch_norm(model, gen, in_shape):
    """Gives every BN non-trivial affine parameters and running statistics:
    random weight/bias, then a few train-mode passes over shifted, scaled
    random inputs (momentum 0.5 for the warm-up), then eval mode."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(rand(gen, m.num_features, lo=0.5, hi=1.5))
            m.bias.copy_(rand(gen, m.num_features, lo=-0.5, hi=0.5))
            m.momentum = 0.5
        model.train()
        for _ in range(4):
            model(rand(gen, 4, *in_shape, lo=-1.0, hi=2.0) * 1.5)
        for m in bns:
            m.momentum = 0.1
    model.eval()


def write_model(stem, model, gen, in_shape):
    warm_up_batch_norm(model, gen, in_shape)
    state = {k: v for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    save_safetensors(os.path.join(OUT_DIR, stem + ".safetensors"), state)
    io = {}
    with torch.no_grad():
        for n in (1, 3):
            x = rand(gen, n, *in_shape)
            io["x%d" % n] = x
            io["y%d" % n] = model(x)
    save_safetensors(os.path.join(OUT_DIR, stem + "_io.safetensors"), io)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)  # initializers of the nn modules
    gen = torch.Generator().manual_seed(1234)  # everything else
    os.makedirs(OUT_DIR, exist_ok=True)

    cases = single_op_cases(gen)
    tensors, metadata = {}, {}
    for name, (line, ts) in cases.items():
        metadata[name] = line
        for suffix, t in ts.items():
            tensors[name + "." + suffix] = t
    save_safetensors(os.path.join(OUT_DIR, "ops.safetensors"), tensors,
                     metadata)

    write_model("small_cnn", SmallCNN(), gen, (3, 15, 13))
    write_model("basic_block", BasicBlock(8, 8), gen, (8, 9, 7))
    write_model("basic_block_down", BasicBlock(8, 16, 2), gen, (8, 9, 7))

    total = sum(os.path.getsize(os.path.join(OUT_DIR, f))
                for f in os.listdir(OUT_DIR))
    print("wrote %d op cases and 3 models to %s (%d bytes)" %
          (len(cases), OUT_DIR, total))


if __name__ == "__main__":
    main()
