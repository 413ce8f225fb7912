//===- IrisCsv.h - Reads a tests/ml/data CSV (features..., target) -*- C++ -*-===//
#ifndef KILN_EXAMPLES_ML_IRISCSV_H
#define KILN_EXAMPLES_ML_IRISCSV_H

#include "runtime/Error.h"
#include "runtime/classical/Common.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::ml::examples {

/// Features of `path` (a header line, then rows of numbers; the last column
/// is the target) as X, the target as y.
inline void readCsv(const std::string &path, Matrix &X, Labels &y) {
  std::ifstream in(path);
  if (!in)
    fail("cannot open ", path);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    std::vector<double> row;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  if (rows.empty())
    fail(path, " has no rows");
  Index n = static_cast<Index>(rows.size()), d = static_cast<Index>(rows[0].size()) - 1;
  X.resize(n, d);
  y.resize(n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d; ++j)
      X(i, j) = rows[i][j];
    y[i] = static_cast<int>(rows[i][d]);
  }
}

} // namespace kiln::ml::examples

#endif
