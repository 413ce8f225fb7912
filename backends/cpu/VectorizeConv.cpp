//===- VectorizeConv.cpp - Direct convolution kernel ----------------------===//
//
// Unfolded, a one-group convolution copies its input KxK times into an
// im2col patch matrix; with few input channels that copy costs as much as
// the matmul (at C = 16 the matrix has 144 rows, each element written once
// and read by F FMAs). kiln-unfold-convolution leaves stride-1 KxK
// convolutions direct, and this kernel reads the (padded) input in place:
//
//   forall (n, band of output rows, group of channel blocks)   threads
//     xb = the input rows the band reads, zero-padded  [C, rows, Wp], in cache
//     for oc0 step MR                            blocks of output channels
//       for row tile (R rows), column block (V vectors of L columns)
//         acc[MR][R][V] = bias / 0 / out         MR*R*V vector registers
//         for c < C, for i < KH, j < KW
//           xv[r][v] = xb[c, (r0+r)*sh + i*dh, (ow0 + v*L)*sw + j*dw : L]
//           for o < MR: wv = broadcast(w[oc0+o, c, i, j]); acc[o] += xv * wv
//         out[oc0 + o, r0 + r, ow0 + v*L : L] = epilogue(acc[o][r][v])
//
// Each loaded input vector feeds MR FMAs and each broadcast weight R*V, so
// for MR*R*V ~ 24 the loop is bound by FMAs, not loads. The tile shape is
// chosen per layer by counting cycles (FMAs against loads, remainders of
// rows and columns included). Stride s reads s*L inputs per vector and
// keeps every s-th (a shuffle). Column blocks are emitted without masks
// where every read stays in the padded row; the last block of a row gets
// constant masks. The input band is padded piece by piece inside the loop
// (no whole-tensor pad pass), and an elementwise consumer (ReLU, residual
// add) runs on the accumulators before they are stored.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/ConvKernels.h"
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

#include <limits>
#include <optional>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZECONV
#include "backends/cpu/Passes.h.inc"

namespace {

using namespace convkernel;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The register tile: MR output channels x R output rows x V vectors of
/// output columns.
struct Tiling {
  int64_t mr = 1, rows = 1, vecs = 1;
};

/// Estimated cycles of one (c, i, j) step of a tile of `mr` channels and
/// `nv` vectors: the most of its FMAs (one per cycle), its loads (s
/// unaligned vector loads per input vector at two cycles each, a broadcast
/// per channel at half a cycle), its shuffles (stride > 1) and the FMA
/// latency each accumulator's chain waits for (~4 cycles, two pipes).
double stepCycles(int64_t mr, int64_t nv, int64_t stride) {
  double fmas = static_cast<double>(mr * nv);
  double loads = 2.0 * static_cast<double>(nv * stride) + 0.5 * static_cast<double>(mr);
  double shuffles = stride > 1 ? static_cast<double>(nv) : 0.0;
  return std::max({fmas, loads, shuffles, 8.0});
}

/// The tiling with the fewest estimated cycles for the whole layer, with
/// at most `accumulators` accumulator registers (half of the register
/// file: the rest holds the loaded inputs or the broadcast weights).
Tiling chooseTiling(int64_t f, int64_t c, int64_t oh, int64_t ow, int64_t kh, int64_t kw,
                    int64_t sw, int64_t lanes, int64_t accumulators) {
  int64_t vecsPerRow = ceilDiv(ow, lanes);
  int64_t registers = 2 * accumulators;
  double steps = static_cast<double>(c * kh * kw);
  Tiling best;
  double bestCycles = std::numeric_limits<double>::infinity();
  for (int64_t mr = 1; mr <= std::min<int64_t>(f, 16); ++mr) {
    if (f % mr != 0)
      continue;
    for (int64_t rows = 1; rows <= std::min<int64_t>(oh, 8); ++rows) {
      for (int64_t vecs = 1; vecs <= std::min<int64_t>(vecsPerRow, 8); ++vecs) {
        int64_t nv = rows * vecs;
        if (mr * nv > accumulators || mr * nv + std::min(mr, nv) + 1 > registers)
          continue;
        // A tile of r rows x v vectors: its steps, then storing its
        // accumulators (and reading the initial value).
        auto tile = [&](int64_t r, int64_t v) {
          return steps * stepCycles(mr, r * v, sw) + 2.0 * static_cast<double>(mr * r * v) +
                 20.0;
        };
        auto rowOfTiles = [&](int64_t r) {
          double cycles = static_cast<double>(vecsPerRow / vecs) * tile(r, vecs);
          if (vecsPerRow % vecs)
            cycles += tile(r, vecsPerRow % vecs);
          return cycles;
        };
        double cycles = static_cast<double>(oh / rows) * rowOfTiles(rows);
        if (oh % rows)
          cycles += rowOfTiles(oh % rows);
        cycles *= static_cast<double>(f / mr);
        if (cycles < bestCycles) {
          bestCycles = cycles;
          best = {mr, rows, vecs};
        }
      }
    }
  }
  return best;
}

struct VectorizeConvPass : impl::KilnCpuVectorizeConvBase<VectorizeConvPass> {
  using KilnCpuVectorizeConvBase::KilnCpuVectorizeConvBase;

  void runOnOperation() override {
    if (lanes < 1 || accumulators < 1) {
      getOperation()->emitError("kiln-cpu-vectorize-conv: lanes and accumulators must be "
                                ">= 1, got lanes=")
          << static_cast<int64_t>(lanes) << ", accumulators="
          << static_cast<int64_t>(accumulators);
      return signalPassFailure();
    }
    auto match = [](linalg::GenericOp op) -> std::optional<DirectConv> {
      std::optional<DirectConv> d = matchDirectConv(op);
      if (d && cast<RankedTensorType>(d->w.getType()).getDimSize(0) == 1)
        return d;
      return std::nullopt;
    };
    IRRewriter rewriter(&getContext());
    rewriteEachMatch(getOperation(), match, [&](linalg::GenericOp op, const DirectConv &d) {
      Kernel(*this, rewriter, op, d).build();
    });
  }

  /// The loop nest of one convolution.
  struct Kernel {
    Kernel(VectorizeConvPass &pass, IRRewriter &rewriter, linalg::GenericOp op,
           const DirectConv &d)
        : pass(pass), rewriter(rewriter), op(op), d(d), ctx(op.getContext()),
          loc(op.getLoc()) {
      auto xt = cast<RankedTensorType>(d.x.getType());
      auto wt = cast<RankedTensorType>(d.w.getType());
      auto ot = cast<RankedTensorType>(d.init.getType());
      f = ot.getDimSize(2);
      oh = ot.getDimSize(3);
      ow = ot.getDimSize(4);
      c = wt.getDimSize(2);
      kh = wt.getDimSize(3);
      kw = wt.getDimSize(4);
      wp = xt.getDimSize(3);
      L = pass.lanes;
      tiling = chooseTiling(f, c, oh, ow, kh, kw, d.sw, L, pass.accumulators);
      // A zero padding of the rows is done band by band (when every band
      // overlaps the unpadded rows: padding at most the kernel's reach).
      if (std::optional<SpatialPad> p = zeroSpatialPad(d.x))
        if (p->low[0] <= (kh - 1) * d.dh && p->high[0] <= (kh - 1) * d.dh)
          pad = p;
    }

    VectorizeConvPass &pass;
    IRRewriter &rewriter;
    linalg::GenericOp op;
    DirectConv d;
    MLIRContext *ctx;
    Location loc;
    int64_t f, oh, ow, c, kh, kw, wp, L;
    Tiling tiling;
    std::optional<SpatialPad> pad;
    ConvOutput output;
    Value packedWeights;
    int64_t ocGroups = 1;

    /// One iteration of the band loop: image n, first output row oh0, first
    /// output channel ocBase of its group, its padded input rows xb.
    struct Band {
      Value n, oh0, ocBase, xb;
    };

    Value index(OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
    /// a * d0 + k, applied to `v`.
    Value affine(OpBuilder &b, Value v, int64_t a, int64_t k) {
      return affine::AffineApplyOp::create(
          b, loc, AffineMap::get(1, 0, getAffineDimExpr(0, ctx) * a + k), ValueRange{v});
    }
    /// Input rows read by `bandOut` output rows.
    int64_t bandInRows(int64_t bandOut) const {
      return (bandOut - 1) * d.sh + (kh - 1) * d.dh + 1;
    }

    /// Constant weights are laid out again at compile time, flat, in the
    /// order the kernel reads them: [F/MR][C][KH][KW][MR]. The MR weights
    /// of one step are then adjacent, and the constant is one array (LLVM
    /// spends seconds on a [F][C][KH][KW] global's many 3-float arrays).
    void packConstantWeights() {
      Value w = d.w;
      if (auto expand = w.getDefiningOp<tensor::ExpandShapeOp>())
        w = expand.getSrc();
      DenseElementsAttr dense;
      if (!matchPattern(w, m_Constant(&dense)) || !dense.getElementType().isF32())
        return;
      const int64_t MR = tiling.mr, kk = kh * kw;
      std::vector<float> in = f32Values(dense);
      std::vector<float> out(in.size());
      for (int64_t blk = 0; blk < f / MR; ++blk)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t k = 0; k < kk; ++k)
            for (int64_t o = 0; o < MR; ++o)
              out[static_cast<size_t>(((blk * c + ci) * kk + k) * MR + o)] =
                  in[static_cast<size_t>(((blk * MR + o) * c + ci) * kk + k)];
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointAfter(w.getDefiningOp());
      auto type = RankedTensorType::get({static_cast<int64_t>(out.size())}, rewriter.getF32Type());
      packedWeights = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, llvm::ArrayRef<float>(out)));
    }

    /// The weight of output channel oc0 + o, input channel ci, at (i, j).
    Value weightAt(OpBuilder &b, Value oc0, int64_t o, Value ci, int64_t i, int64_t j) {
      if (!packedWeights)
        return tensor::ExtractOp::create(
            b, loc, d.w,
            ValueRange{index(b, 0), affine(b, oc0, 1, o), ci, index(b, i), index(b, j)});
      // ((oc0/MR * C + ci) * KH*KW + i*KW + j) * MR + o
      AffineExpr e0, e1;
      bindDims(ctx, e0, e1);
      const int64_t kk = kh * kw, MR = tiling.mr;
      Value at = affine::AffineApplyOp::create(
          b, loc, AffineMap::get(2, 0, e0 * (c * kk) + e1 * (kk * MR) + (i * kw + j) * MR + o),
          ValueRange{oc0, ci});
      return tensor::ExtractOp::create(b, loc, packedWeights, ValueRange{at});
    }

    void build() {
      packConstantWeights();
      output = prepareOutput(rewriter, op, d);
      // Bands of output rows, each reading at most ~48 KB of input (so it
      // stays in L1/L2 while every channel block sweeps it), at least four
      // per image where the rows allow (threads at batch 1), of equal
      // height rounded to whole row tiles; the last may be shorter.
      const int64_t R = tiling.rows;
      int64_t rowBytes = c * wp * 4;
      int64_t maxBand = R;
      while (maxBand + R <= oh && bandInRows(maxBand + R) * rowBytes <= 48 * 1024)
        maxBand += R;
      int64_t rowTiles = ceilDiv(oh, R);
      int64_t bands = std::max(ceilDiv(oh, maxBand), std::min<int64_t>(4, rowTiles));
      int64_t bandOut = ceilDiv(ceilDiv(oh, bands), R) * R;
      int64_t fullBands = oh / bandOut, lastBand = oh % bandOut;
      // Few bands (a small image at batch 1) leave threads idle: the
      // channel blocks are then split into groups, each its own iteration
      // (padding the band again), up to 16 iterations (counting the images
      // when the batch size is known).
      auto ot = cast<RankedTensorType>(d.init.getType());
      int64_t images = ot.isDynamicDim(0) ? 1 : ot.getDimSize(0);
      ocGroups = 1;
      while (pass.parallel && images * ceilDiv(oh, bandOut) * ocGroups < 16 &&
             (f / tiling.mr) % (2 * ocGroups) == 0)
        ocGroups *= 2;

      Value result = output.dest;
      if (fullBands > 0)
        result = forEachBand(result, 0, fullBands, bandOut);
      if (lastBand > 0)
        result = forEachBand(result, fullBands * bandOut, 1, lastBand);
      finishOutput(rewriter, op, output, result);
    }

    /// Runs emitBand for bands [0, count) of `bandOut` rows starting at
    /// output row `first`, for every image: an scf.forall (parallel) or
    /// scf.for loops carrying the output.
    Value forEachBand(Value dest, int64_t first, int64_t count, int64_t bandOut) {
      auto one = rewriter.getIndexAttr(1), zero = rewriter.getIndexAttr(0);
      int64_t groupChannels = f / ocGroups;
      auto sliceType =
          RankedTensorType::get({groupChannels, bandOut, ow}, rewriter.getF32Type());
      SmallVector<OpFoldResult> sizes = {one, rewriter.getIndexAttr(groupChannels),
                                         rewriter.getIndexAttr(bandOut),
                                         rewriter.getIndexAttr(ow)};
      SmallVector<OpFoldResult> strides(4, one);
      // Band `bandIndex` of image n, output channels of group `group`:
      // returns the offsets of its slice of `out` and the computed slice.
      auto band = [&](OpBuilder &b, Value n, Value bandIndex, Value group, Value out) {
        Band it{n, affine(b, bandIndex, bandOut, first), affine(b, group, groupChannels, 0),
                Value()};
        SmallVector<OpFoldResult> offsets = {n, it.ocBase, it.oh0, zero};
        Value slice =
            tensor::ExtractSliceOp::create(b, loc, sliceType, out, offsets, sizes, strides);
        it.xb = inputBand(b, n, it.oh0, bandOut);
        return std::make_pair(offsets, emitBand(b, it, bandOut, groupChannels, slice));
      };
      if (pass.parallel) {
        SmallVector<OpFoldResult> ubs = {output.batch, rewriter.getIndexAttr(count),
                                         rewriter.getIndexAttr(ocGroups)};
        auto forall =
            scf::ForallOp::create(rewriter, loc, ubs, ValueRange{dest}, std::nullopt);
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(forall.getBody());
        SmallVector<Value> ivs = forall.getInductionVars();
        Value shared = forall.getRegionIterArgs()[0];
        auto [offsets, slice] = band(rewriter, ivs[0], ivs[1], ivs[2], shared);
        rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
        tensor::ParallelInsertSliceOp::create(rewriter, loc, slice, shared, offsets, sizes,
                                              strides);
        return forall.getResult(0);
      }
      Value c0 = index(rewriter, 0), c1 = index(rewriter, 1);
      auto images = scf::ForOp::create(
          rewriter, loc, c0, output.batch, c1, ValueRange{dest},
          [&](OpBuilder &nb, Location, Value n, ValueRange nArgs) {
            auto bandLoop = scf::ForOp::create(
                nb, loc, c0, index(nb, count), c1, ValueRange{nArgs[0]},
                [&](OpBuilder &bb, Location, Value bandIndex, ValueRange bArgs) {
                  auto [offsets, slice] = band(bb, n, bandIndex, c0, bArgs[0]);
                  Value next = tensor::InsertSliceOp::create(bb, loc, slice, bArgs[0],
                                                             offsets, sizes, strides);
                  scf::YieldOp::create(bb, loc, next);
                });
            scf::YieldOp::create(nb, loc, bandLoop.getResult(0));
          });
      return images.getResult(0);
    }

    /// The input rows output rows [oh0, oh0 + bandOut) read, all channels
    /// of image n, zero-padded: [C, bandIn, Wp].
    Value inputBand(OpBuilder &b, Value n, Value oh0, int64_t bandOut) {
      int64_t bandIn = bandInRows(bandOut);
      auto one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
      SmallVector<OpFoldResult> strides(4, one);
      auto bandType = RankedTensorType::get({c, bandIn, wp}, b.getF32Type());
      if (!pad)
        return tensor::ExtractSliceOp::create(
            b, loc, bandType, d.x,
            ArrayRef<OpFoldResult>{n, zero, affine(b, oh0, d.sh, 0), zero},
            ArrayRef<OpFoldResult>{one, b.getIndexAttr(c), b.getIndexAttr(bandIn),
                                   b.getIndexAttr(wp)},
            strides);
      auto srcType = cast<RankedTensorType>(pad->source.getType());
      int64_t h = srcType.getDimSize(2), w = srcType.getDimSize(3), top = pad->low[0];
      // Rows [oh0*sh - top, + bandIn) of the unpadded input, clipped to
      // [0, H); the clipped rows become padding.
      AffineExpr r = getAffineDimExpr(0, ctx);
      auto cst = [&](int64_t v) { return getAffineConstantExpr(v, ctx); };
      Value low = affine::AffineMaxOp::create(
          b, loc, AffineMap::get(1, 0, {cst(0), cst(top) - r * d.sh}, ctx), ValueRange{oh0});
      Value start = affine::AffineMaxOp::create(
          b, loc, AffineMap::get(1, 0, {cst(0), r * d.sh - top}, ctx), ValueRange{oh0});
      Value end = affine::AffineMinOp::create(
          b, loc, AffineMap::get(1, 0, {cst(h), r * d.sh - top + bandIn}, ctx),
          ValueRange{oh0});
      AffineExpr e0, e1;
      bindDims(ctx, e0, e1);
      Value size = affine::AffineApplyOp::create(b, loc, AffineMap::get(2, 0, e0 - e1),
                                                 ValueRange{end, start});
      Value high = affine::AffineApplyOp::create(
          b, loc, AffineMap::get(2, 0, cst(bandIn) - e0 - e1), ValueRange{low, size});
      auto rowsType = RankedTensorType::get({c, ShapedType::kDynamic, w}, b.getF32Type());
      Value rows = tensor::ExtractSliceOp::create(
          b, loc, rowsType, pad->source, ArrayRef<OpFoldResult>{n, zero, start, zero},
          ArrayRef<OpFoldResult>{one, b.getIndexAttr(c), size, b.getIndexAttr(w)}, strides);
      return tensor::PadOp::create(
          b, loc, bandType, rows,
          ArrayRef<OpFoldResult>{zero, low, b.getIndexAttr(pad->low[1])},
          ArrayRef<OpFoldResult>{zero, high, b.getIndexAttr(pad->high[1])},
          Value(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))));
    }

    /// One band: every channel block of its group, row tile and column
    /// block. `out` is the band's [F / groups, bandOut, OW].
    Value emitBand(OpBuilder &b, const Band &band, int64_t bandOut, int64_t channels,
                   Value out) {
      const int64_t R = tiling.rows, MR = tiling.mr;
      int64_t rowTiles = bandOut / R, lastRows = bandOut % R;
      Value c0 = index(b, 0), c1 = index(b, 1);
      auto blocks = scf::ForOp::create(
          b, loc, c0, index(b, channels / MR), c1, ValueRange{out},
          [&](OpBuilder &ob, Location, Value block, ValueRange oArgs) {
            Value oc0 = affine(ob, block, MR, 0);
            Value t = oArgs[0];
            if (rowTiles > 0) {
              auto rowLoop = scf::ForOp::create(
                  ob, loc, c0, index(ob, rowTiles), c1, ValueRange{t},
                  [&](OpBuilder &rb, Location, Value rowTile, ValueRange rArgs) {
                    Value r0 = affine(rb, rowTile, R, 0);
                    scf::YieldOp::create(rb, loc, emitRow(rb, band, rArgs[0], oc0, r0, R));
                  });
              t = rowLoop.getResult(0);
            }
            if (lastRows > 0)
              t = emitRow(ob, band, t, oc0, index(ob, rowTiles * R), lastRows);
            scf::YieldOp::create(ob, loc, t);
          });
      return blocks.getResult(0);
    }

    /// `rows` output rows from band row r0, all columns: column blocks of
    /// V vectors, in a loop while no read needs a mask, then the rest of
    /// the row block by block with constant masks.
    Value emitRow(OpBuilder &b, const Band &band, Value t, Value oc0, Value r0, int64_t rows) {
      const int64_t V = tiling.vecs, blockCols = V * L;
      int64_t lastSafe = lastSafeColumn(ow, wp, kw, d.sw, d.dw, L);
      // Blocks whose last vector starts at or before lastSafe.
      int64_t safeBlocks = 0;
      if (V * L < ow && lastSafe >= (V - 1) * L)
        safeBlocks = (lastSafe - (V - 1) * L) / blockCols + 1;
      if (safeBlocks > 0) {
        Value c0 = index(b, 0);
        auto loop = scf::ForOp::create(
            b, loc, c0, index(b, safeBlocks * blockCols), index(b, blockCols),
            ValueRange{t}, [&](OpBuilder &cb, Location, Value ow0, ValueRange args) {
              scf::YieldOp::create(
                  cb, loc, emitTile(cb, band, args[0], oc0, r0, rows, ow0, std::nullopt, V));
            });
        t = loop.getResult(0);
      }
      for (int64_t ow0 = safeBlocks * blockCols; ow0 < ow; ow0 += blockCols)
        t = emitTile(b, band, t, oc0, r0, rows, index(b, ow0), ow0,
                     std::min(V, ceilDiv(ow - ow0, L)));
      return t;
    }

    /// One register tile: MR channels from oc0 (in the band's group),
    /// `rows` rows from band row r0, `vecs` vectors of L columns from ow0
    /// (ow0Static when constant: then partial vectors and reads past the
    /// padded row get masks).
    Value emitTile(OpBuilder &b, const Band &band, Value t, Value oc0, Value r0, int64_t rows,
                   Value ow0, std::optional<int64_t> ow0Static, int64_t vecs) {
      Value n = band.n, xb = band.xb, oh0 = band.oh0;
      const int64_t MR = tiling.mr;
      Type f32 = b.getF32Type();
      auto vt = VectorType::get({L}, f32);
      AffineMap minor = AffineMap::getMinorIdentityMap(3, 1, ctx);
      auto inBounds = b.getBoolArrayAttr({true});
      Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
      Value c0 = index(b, 0);
      // Per vector v: its output column, valid lanes, width and mask. A
      // last vector with at most L/2 valid lanes is half as wide (an 8-lane
      // FMA costs half a 16-lane one): 56 columns are 3.5 vectors, not 4.
      SmallVector<Value> cols, masks;
      SmallVector<int64_t> valid, width;
      for (int64_t v = 0; v < vecs; ++v) {
        cols.push_back(affine(b, ow0, 1, v * L));
        valid.push_back(ow0Static ? std::min(L, ow - (*ow0Static + v * L)) : L);
        width.push_back(L >= 8 && 2 * valid.back() <= L ? L / 2 : L);
        masks.push_back(prefixMask(b, loc, width.back(), valid.back()));
      }
      auto vecType = [&](int64_t v) { return VectorType::get({width[v]}, f32); };
      // Channel o of the tile: local (in the band's slice) and global.
      SmallVector<Value> local, channels, rowsOut;
      AffineExpr e0, e1;
      bindDims(ctx, e0, e1);
      Value ocGlobal = affine::AffineApplyOp::create(b, loc, AffineMap::get(2, 0, e0 + e1),
                                                     ValueRange{band.ocBase, oc0});
      for (int64_t o = 0; o < MR; ++o) {
        local.push_back(affine(b, oc0, 1, o));
        channels.push_back(affine(b, ocGlobal, 1, o));
      }
      for (int64_t r = 0; r < rows; ++r)
        rowsOut.push_back(affine(b, r0, 1, r));
      auto slot = [&](int64_t o, int64_t r, int64_t v) { return (o * rows + r) * vecs + v; };

      SmallVector<Value> init;
      for (int64_t o = 0; o < MR; ++o) {
        Value start;
        if (output.init)
          start = scalarInitValue(b, loc, *output.init, n, c0, channels[o]);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t v = 0; v < vecs; ++v)
            init.push_back(start ? Value(vector::BroadcastOp::create(b, loc, vecType(v), start))
                                 : Value(vector::TransferReadOp::create(
                                       b, loc, vecType(v), t,
                                       ValueRange{local[o], rowsOut[r], cols[v]}, minor,
                                       zeroF, masks[v], inBounds)));
      }

      auto reduction = scf::ForOp::create(
          b, loc, c0, index(b, c), index(b, 1), init,
          [&](OpBuilder &kb, Location, Value ci, ValueRange accArgs) {
            SmallVector<Value> acc(accArgs.begin(), accArgs.end());
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                SmallVector<Value> xv;
                for (int64_t r = 0; r < rows; ++r) {
                  Value row = affine(kb, rowsOut[r], d.sh, i * d.dh);
                  for (int64_t v = 0; v < vecs; ++v) {
                    Value col = affine(kb, cols[v], d.sw, j * d.dw);
                    int64_t readable = ow0Static
                                           ? wp - ((*ow0Static + v * L) * d.sw + j * d.dw)
                                           : width[v] * d.sw;
                    xv.push_back(readInputVector(kb, loc, xb, ValueRange{ci, row, col},
                                                 width[v], d.sw, readable));
                  }
                }
                for (int64_t o = 0; o < MR; ++o) {
                  Value wScalar = weightAt(kb, ocGlobal, o, ci, i, j);
                  Value wv = vector::BroadcastOp::create(kb, loc, vt, wScalar), wHalf;
                  for (int64_t r = 0; r < rows; ++r)
                    for (int64_t v = 0; v < vecs; ++v) {
                      Value w = wv;
                      if (width[v] != L) {
                        if (!wHalf)
                          wHalf = vector::BroadcastOp::create(kb, loc, vecType(v), wScalar);
                        w = wHalf;
                      }
                      Value &a = acc[slot(o, r, v)];
                      a = vector::FMAOp::create(kb, loc, xv[r * vecs + v], w, a);
                    }
                }
              }
            scf::YieldOp::create(kb, loc, acc);
          });

      for (int64_t o = 0; o < MR; ++o)
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t v = 0; v < vecs; ++v) {
            Value acc = reduction.getResult(slot(o, r, v));
            if (output.epilogue) {
              Value row = affine::AffineApplyOp::create(
                  b, loc, AffineMap::get(2, 0, getAffineDimExpr(0, ctx) + getAffineDimExpr(1, ctx)),
                  ValueRange{oh0, rowsOut[r]});
              acc = applyEpilogue(b, loc, *output.epilogue, acc,
                                  ValueRange{n, channels[o], row, cols[v]}, masks[v]);
            }
            t = vector::TransferWriteOp::create(b, loc, acc, t,
                                                ValueRange{local[o], rowsOut[r], cols[v]},
                                                AffineMapAttr::get(minor), masks[v], inBounds)
                    .getResult();
          }
      return t;
    }
  };
};

} // namespace
} // namespace kiln
