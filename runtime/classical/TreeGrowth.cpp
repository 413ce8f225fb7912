//===- TreeGrowth.cpp - Binning and CART tree growth ----------------------===//
//
// The core shared by decision trees, forests and boosting: features are cut
// into <= 256 bins once, then each node's best split is found from per-bin
// sums (large nodes) or by sorting the node's bin codes (small nodes), or,
// for extra trees, from one random threshold per feature.
//
//===----------------------------------------------------------------------===//
#include "runtime/classical/Trees.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace kiln::ml::detail {

BinnedData binFeatures(const Matrix &X, int maxBins, int threads) {
  BinnedData b;
  b.rows = X.rows();
  b.cols = X.cols();
  b.codes.resize(static_cast<std::size_t>(b.rows * b.cols));
  b.low.resize(static_cast<std::size_t>(b.cols));
  b.high.resize(static_cast<std::size_t>(b.cols));
  Index n = b.rows;
  parallelFor(b.cols, threads, [&](Index fb, Index fe) {
    std::vector<double> v(static_cast<std::size_t>(n));
    for (Index f = fb; f < fe; ++f) {
      for (Index i = 0; i < n; ++i)
        v[static_cast<std::size_t>(i)] = X(i, f);
      std::sort(v.begin(), v.end());
      // Upper bounds (inclusive) of every bin but the last.
      std::vector<double> cuts;
      std::vector<double> uniq(v);
      uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
      if (static_cast<Index>(uniq.size()) <= maxBins) {
        cuts.assign(uniq.begin(), uniq.end() - 1);
      } else {
        for (int q = 1; q < maxBins; ++q) {
          double c = v[static_cast<std::size_t>(static_cast<Index>(q) * n / maxBins)];
          if (c < v.back() && (cuts.empty() || c > cuts.back()))
            cuts.push_back(c);
        }
      }
      std::size_t bins = cuts.size() + 1;
      auto &lo = b.low[static_cast<std::size_t>(f)];
      auto &hi = b.high[static_cast<std::size_t>(f)];
      lo.assign(bins, std::numeric_limits<double>::infinity());
      hi.assign(bins, -std::numeric_limits<double>::infinity());
      uint8_t *col = b.codes.data() + f * n;
      for (Index i = 0; i < n; ++i) {
        double x = X(i, f);
        auto code = static_cast<std::size_t>(std::lower_bound(cuts.begin(), cuts.end(), x) - cuts.begin());
        col[i] = static_cast<uint8_t>(code);
        lo[code] = std::min(lo[code], x);
        hi[code] = std::max(hi[code], x);
      }
    }
  });
  return b;
}

int resolveMaxFeatures(const std::string &who, int maxFeatures, Index cols, bool classification) {
  auto sqrtCount = [&] { return std::max<int>(1, static_cast<int>(std::sqrt(static_cast<double>(cols)))); };
  switch (maxFeatures) {
  case kDefaultFeatures:
    return classification ? sqrtCount() : static_cast<int>(cols);
  case kAllFeatures:
    return static_cast<int>(cols);
  case kSqrtFeatures:
    return sqrtCount();
  case kLog2Features:
    return std::max<int>(1, static_cast<int>(std::log2(static_cast<double>(cols))));
  default:
    break;
  }
  if (maxFeatures < 1 || maxFeatures > cols)
    fail(who, ": maxFeatures is ", maxFeatures, " for ", cols,
         " feature(s); expected 1..features or kAllFeatures/kSqrtFeatures/kLog2Features");
  return maxFeatures;
}

void checkTreeSettings(const std::string &who, int maxDepth, int minSamplesSplit,
                       int minSamplesLeaf, int maxBins) {
  if (maxDepth < 0)
    fail(who, ": maxDepth is ", maxDepth, "; expected >= 0 (0 = unlimited)");
  if (minSamplesSplit < 2)
    fail(who, ": minSamplesSplit is ", minSamplesSplit, "; expected >= 2");
  if (minSamplesLeaf < 1)
    fail(who, ": minSamplesLeaf is ", minSamplesLeaf, "; expected >= 1");
  if (maxBins < 2 || maxBins > 256)
    fail(who, ": maxBins is ", maxBins, "; expected 2..256");
}

namespace {

struct Split {
  int feature = -1;
  int bin = 0;           ///< codes <= bin go left (binned splits)
  double threshold = 0;  ///< raw threshold (always set)
  bool raw = false;      ///< partition by raw value (random splits)
  double score = -std::numeric_limits<double>::infinity();
  Index order = 0;       ///< position in the feature permutation (tie-break)
};

class Grower {
public:
  Grower(const BinnedData &bins, const Matrix &X, const TreeTargets &t,
         const std::vector<double> &w, const TreeParams &p, Rng &rng)
      : bins_(bins), X_(X), t_(t), w_(w), p_(p), rng_(rng),
        cls_(t.classIndex != nullptr), stats_(cls_ ? t.classes : 1),
        outputs_(cls_ ? t.classes : 1) {}

  FlatTree grow(std::vector<int32_t> *leafOfRow);

private:
  /// Node totals: [W, s_0 .. s_{stats-1}] (class weights or sum w*y).
  void nodeStats(Index b, Index e, std::vector<double> &out) const;
  double proxy(const double *s) const; ///< s = [W, stats...]
  bool isPure(const std::vector<double> &s, Index b, Index e) const;
  /// Best split of one feature; returns false if it is constant in the node.
  bool bestForFeature(int f, Index order, Index b, Index e, const std::vector<double> &total,
                      Split &best,
                      std::vector<double> &hist, std::vector<int> &cnt,
                      std::vector<std::pair<uint8_t, int32_t>> &sorted, Rng &rng) const;
  void consider(Split &best, int f, int bin, double threshold, bool raw, const double *left,
                const std::vector<double> &total, Index nLeft, Index nRight, Index order) const;

  const BinnedData &bins_;
  const Matrix &X_;
  const TreeTargets &t_;
  const std::vector<double> &w_;
  const TreeParams &p_;
  Rng &rng_;
  bool cls_;
  int stats_, outputs_;
  std::vector<int32_t> idx_;
};

void Grower::nodeStats(Index b, Index e, std::vector<double> &out) const {
  out.assign(static_cast<std::size_t>(stats_ + 1), 0.0);
  for (Index k = b; k < e; ++k) {
    int32_t i = idx_[static_cast<std::size_t>(k)];
    double w = w_[static_cast<std::size_t>(i)];
    out[0] += w;
    if (cls_)
      out[static_cast<std::size_t>(1 + t_.classIndex[i])] += w;
    else
      out[1] += w * t_.y[i];
  }
}

double Grower::proxy(const double *s) const {
  double W = s[0];
  if (!(W > 0))
    return 0;
  switch (p_.criterion) {
  case Criterion::Gini: {
    double q = 0;
    for (int c = 0; c < stats_; ++c)
      q += s[1 + c] * s[1 + c];
    return q / W;
  }
  case Criterion::Entropy: {
    double q = 0;
    for (int c = 0; c < stats_; ++c)
      if (s[1 + c] > 0)
        q += s[1 + c] * std::log(s[1 + c] / W);
    return q;
  }
  case Criterion::SquaredError:
    return s[1] * s[1] / W;
  }
  return 0;
}

bool Grower::isPure(const std::vector<double> &s, Index b, Index e) const {
  if (cls_) {
    for (int c = 0; c < stats_; ++c)
      if (s[static_cast<std::size_t>(1 + c)] > 0)
        return s[static_cast<std::size_t>(1 + c)] >= s[0] * (1 - 1e-12);
    return true;
  }
  double mean = s[1] / s[0], var = 0;
  for (Index k = b; k < e; ++k) {
    int32_t i = idx_[static_cast<std::size_t>(k)];
    double d = t_.y[i] - mean;
    var += w_[static_cast<std::size_t>(i)] * d * d;
  }
  return var / s[0] <= 1e-14 * std::max(1.0, mean * mean);
}

void Grower::consider(Split &best, int f, int bin, double threshold, bool raw, const double *left,
                      const std::vector<double> &total, Index nLeft, Index nRight,
                      Index order) const {
  if (nLeft < p_.minSamplesLeaf || nRight < p_.minSamplesLeaf)
    return;
  double right[257];
  std::vector<double> rightBig;
  double *r = right;
  if (stats_ + 1 > 257) {
    rightBig.resize(static_cast<std::size_t>(stats_ + 1));
    r = rightBig.data();
  }
  for (int c = 0; c <= stats_; ++c)
    r[c] = total[static_cast<std::size_t>(c)] - left[c];
  if (!(left[0] > 0) || !(r[0] > 0))
    return;
  double score = proxy(left) + proxy(r);
  if (score > best.score || (score == best.score && order < best.order)) {
    best.score = score;
    best.feature = f;
    best.bin = bin;
    best.threshold = threshold;
    best.raw = raw;
    best.order = order;
  }
}

bool Grower::bestForFeature(int f, Index order, Index b, Index e, const std::vector<double> &total,
                            Split &best,
                            std::vector<double> &hist, std::vector<int> &cnt,
                            std::vector<std::pair<uint8_t, int32_t>> &sorted, Rng &rng) const {
  const Index m = e - b;
  const int S = stats_ + 1;
  const auto &lo = bins_.low[static_cast<std::size_t>(f)];
  const auto &hi = bins_.high[static_cast<std::size_t>(f)];
  const uint8_t *col = bins_.column(f);
  std::vector<double> left(static_cast<std::size_t>(S));

  if (p_.randomSplits) {
    double mn = std::numeric_limits<double>::infinity(), mx = -mn;
    for (Index k = b; k < e; ++k) {
      double x = X_(idx_[static_cast<std::size_t>(k)], f);
      mn = std::min(mn, x);
      mx = std::max(mx, x);
    }
    if (!(mx > mn))
      return false;
    double thr = std::uniform_real_distribution<double>(mn, mx)(rng);
    if (thr >= mx)
      thr = mn;
    std::fill(left.begin(), left.end(), 0.0);
    Index nLeft = 0;
    for (Index k = b; k < e; ++k) {
      int32_t i = idx_[static_cast<std::size_t>(k)];
      if (X_(i, f) <= thr) {
        double w = w_[static_cast<std::size_t>(i)];
        left[0] += w;
        if (cls_)
          left[static_cast<std::size_t>(1 + t_.classIndex[i])] += w;
        else
          left[1] += w * t_.y[i];
        ++nLeft;
      }
    }
    consider(best, f, 0, thr, true, left.data(), total, nLeft, m - nLeft, order);
    return true;
  }

  const int nb = static_cast<int>(lo.size());
  if (m >= nb) {
    // Histogram of the node's rows over this feature's bins.
    hist.assign(static_cast<std::size_t>(nb * S), 0.0);
    cnt.assign(static_cast<std::size_t>(nb), 0);
    for (Index k = b; k < e; ++k) {
      int32_t i = idx_[static_cast<std::size_t>(k)];
      int code = col[i];
      double w = w_[static_cast<std::size_t>(i)];
      double *h = hist.data() + code * S;
      h[0] += w;
      if (cls_)
        h[1 + t_.classIndex[i]] += w;
      else
        h[1] += w * t_.y[i];
      ++cnt[static_cast<std::size_t>(code)];
    }
    int first = 0;
    while (cnt[static_cast<std::size_t>(first)] == 0)
      ++first;
    std::fill(left.begin(), left.end(), 0.0);
    Index nLeft = 0;
    int prev = -1;
    bool split = false;
    for (int code = first; code < nb; ++code) {
      if (cnt[static_cast<std::size_t>(code)] == 0)
        continue;
      if (prev >= 0) {
        split = true;
        double thr = 0.5 * (hi[static_cast<std::size_t>(prev)] + lo[static_cast<std::size_t>(code)]);
        consider(best, f, prev, thr, false, left.data(), total, nLeft, m - nLeft, order);
      }
      const double *h = hist.data() + code * S;
      for (int c = 0; c < S; ++c)
        left[static_cast<std::size_t>(c)] += h[c];
      nLeft += cnt[static_cast<std::size_t>(code)];
      prev = code;
    }
    return split;
  }
  // Small node: sort the rows by bin code.
  sorted.resize(static_cast<std::size_t>(m));
  for (Index k = b; k < e; ++k) {
    int32_t i = idx_[static_cast<std::size_t>(k)];
    sorted[static_cast<std::size_t>(k - b)] = {col[i], i};
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto &x, const auto &y) { return x.first < y.first; });
  if (sorted.front().first == sorted.back().first)
    return false;
  std::fill(left.begin(), left.end(), 0.0);
  for (Index k = 0; k < m; ++k) {
    int32_t i = sorted[static_cast<std::size_t>(k)].second;
    double w = w_[static_cast<std::size_t>(i)];
    left[0] += w;
    if (cls_)
      left[static_cast<std::size_t>(1 + t_.classIndex[i])] += w;
    else
      left[1] += w * t_.y[i];
    if (k + 1 < m && sorted[static_cast<std::size_t>(k + 1)].first != sorted[static_cast<std::size_t>(k)].first) {
      int a = sorted[static_cast<std::size_t>(k)].first, c = sorted[static_cast<std::size_t>(k + 1)].first;
      double thr = 0.5 * (hi[static_cast<std::size_t>(a)] + lo[static_cast<std::size_t>(c)]);
      consider(best, f, a, thr, false, left.data(), total, k + 1, m - k - 1, order);
    }
  }
  return true;
}

FlatTree Grower::grow(std::vector<int32_t> *leafOfRow) {
  const Index n = bins_.rows, d = bins_.cols;
  for (Index i = 0; i < n; ++i)
    if (w_[static_cast<std::size_t>(i)] > 0)
      idx_.push_back(static_cast<int32_t>(i));
  if (leafOfRow)
    leafOfRow->assign(static_cast<std::size_t>(n), -1);
  FlatTree tree;
  tree.outputs = outputs_;
  auto newNode = [&] {
    tree.feature.push_back(-1);
    tree.threshold.push_back(0);
    tree.left.push_back(-1);
    tree.right.push_back(-1);
    tree.value.resize(tree.value.size() + static_cast<std::size_t>(outputs_), 0.0);
    return static_cast<int32_t>(tree.feature.size() - 1);
  };
  struct Item {
    int32_t node;
    Index b, e;
    int depth;
  };
  std::vector<Item> stack{{newNode(), 0, static_cast<Index>(idx_.size()), 0}};
  std::vector<int> features(static_cast<std::size_t>(d));
  std::iota(features.begin(), features.end(), 0);
  std::vector<double> total, hist;
  std::vector<int> cnt;
  std::vector<std::pair<uint8_t, int32_t>> sorted;
  const bool allFeatures = p_.maxFeatures == d && !p_.randomSplits;
  std::vector<Index> rank(static_cast<std::size_t>(d));
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    Index m = it.e - it.b;
    nodeStats(it.b, it.e, total);
    double *value = tree.value.data() + static_cast<std::size_t>(it.node) * static_cast<std::size_t>(outputs_);
    if (cls_)
      for (int c = 0; c < outputs_; ++c)
        value[c] = total[static_cast<std::size_t>(1 + c)] / total[0];
    else
      value[0] = total[1] / total[0];
    bool leaf = m < p_.minSamplesSplit || m < 2 * p_.minSamplesLeaf ||
                (p_.maxDepth > 0 && it.depth >= p_.maxDepth) || isPure(total, it.b, it.e);
    Split best;
    if (!leaf) {
      if (allFeatures) {
        // Every feature is examined (no sampling): scan them, in parallel
        // for large nodes, and reduce in feature order (thread-count
        // independent).
        // Ties between features go to the earlier one in a random order
        // (as scikit-learn's random feature permutation does).
        std::vector<Split> part(static_cast<std::size_t>(d));
        std::shuffle(features.begin(), features.end(), rng_);
        for (Index j = 0; j < d; ++j)
          rank[static_cast<std::size_t>(features[static_cast<std::size_t>(j)])] = j;
        auto scan = [&](Index fb, Index fe) {
          std::vector<double> h;
          std::vector<int> c;
          std::vector<std::pair<uint8_t, int32_t>> srt;
          Rng unused(0);
          for (Index f = fb; f < fe; ++f)
            bestForFeature(static_cast<int>(f), rank[static_cast<std::size_t>(f)], it.b, it.e,
                           total, part[static_cast<std::size_t>(f)], h, c, srt, unused);
        };
        if (p_.threads > 1 && m * d >= 100000)
          parallelFor(d, p_.threads, scan);
        else
          scan(0, d);
        for (const auto &sp : part)
          if (sp.feature >= 0 &&
              (sp.score > best.score || (sp.score == best.score && sp.order < best.order)))
            best = sp;
      } else {
        Index visited = 0;
        for (Index j = 0; j < d && visited < p_.maxFeatures; ++j) {
          std::uniform_int_distribution<Index> pick(j, d - 1);
          std::swap(features[static_cast<std::size_t>(j)], features[static_cast<std::size_t>(pick(rng_))]);
          if (bestForFeature(features[static_cast<std::size_t>(j)], j, it.b, it.e, total, best, hist,
                             cnt, sorted, rng_))
            ++visited;
        }
      }
      leaf = best.feature < 0;
    }
    if (leaf) {
      if (leafOfRow)
        for (Index k = it.b; k < it.e; ++k)
          (*leafOfRow)[static_cast<std::size_t>(idx_[static_cast<std::size_t>(k)])] = it.node;
      continue;
    }
    const uint8_t *col = bins_.column(best.feature);
    auto goesLeft = [&](int32_t i) {
      return best.raw ? X_(i, best.feature) <= best.threshold : col[i] <= best.bin;
    };
    auto mid = std::partition(idx_.begin() + it.b, idx_.begin() + it.e, goesLeft);
    Index split = mid - idx_.begin();
    int32_t l = newNode(), r = newNode();
    tree.feature[static_cast<std::size_t>(it.node)] = best.feature;
    tree.threshold[static_cast<std::size_t>(it.node)] = best.threshold;
    tree.left[static_cast<std::size_t>(it.node)] = l;
    tree.right[static_cast<std::size_t>(it.node)] = r;
    stack.push_back({r, split, it.e, it.depth + 1});
    stack.push_back({l, it.b, split, it.depth + 1});
  }
  return tree;
}

} // namespace

FlatTree growTree(const BinnedData &bins, const Matrix &X, const TreeTargets &targets,
                  const std::vector<double> &weights, const TreeParams &params, Rng &rng,
                  std::vector<int32_t> *leafOfRow) {
  Grower g(bins, X, targets, weights, params, rng);
  return g.grow(leafOfRow);
}

} // namespace kiln::ml::detail
