//===- Metrics.h - Classification, regression, clustering metrics -*- C++ -*-===//
//
// Free functions with scikit-learn's definitions (sklearn.metrics 1.2), so
// numbers agree to rounding. Labels are any integers; "the classes" are the
// sorted union of the labels in yTrue and yPred.
//
//   double f1 = kiln::ml::f1Score(yTrue, yPred, kiln::ml::Average::Macro);
//
// Precision/recall/F1 of a class with no predicted (or no true) samples is
// 0, like sklearn's zero_division=0.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_METRICS_H
#define KILN_RUNTIME_CLASSICAL_METRICS_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

/// How per-class scores combine: Binary = the score of label `positive`;
/// Macro = unweighted mean over classes; Micro = from global counts;
/// Weighted = mean weighted by each class's true count.
enum class Average { Binary, Macro, Micro, Weighted };

/// Fraction of equal labels.
double accuracy(const Labels &yTrue, const Labels &yPred);
/// Mean of per-class recall.
double balancedAccuracy(const Labels &yTrue, const Labels &yPred);
/// C x C counts, row = true class, column = predicted class, classes sorted.
Eigen::MatrixXi confusionMatrix(const Labels &yTrue, const Labels &yPred);
double precision(const Labels &yTrue, const Labels &yPred, Average avg = Average::Binary,
                 int positive = 1);
double recall(const Labels &yTrue, const Labels &yPred, Average avg = Average::Binary,
              int positive = 1);
double f1Score(const Labels &yTrue, const Labels &yPred, Average avg = Average::Binary,
               int positive = 1);

/// Cross-entropy: proba is n x C, columns = the sorted distinct labels of
/// yTrue (which must be C of them); probabilities are clipped to
/// [1e-15, 1 - 1e-15] and each row renormalized, as sklearn does.
double logLoss(const Labels &yTrue, const Matrix &proba);
/// Binary form: p = probability of label 1 (yTrue in {0, 1}).
double binaryLogLoss(const Labels &yTrue, const Vector &p);
/// Area under the ROC curve of binary yTrue (two distinct labels; the larger
/// one is positive) given scores; ties count one half (Mann-Whitney U).
double rocAuc(const Labels &yTrue, const Vector &score);

double meanSquaredError(const Vector &yTrue, const Vector &yPred);
double meanAbsoluteError(const Vector &yTrue, const Vector &yPred);
/// Coefficient of determination, 1 - SS_res / SS_tot (1 if both are 0, 0 if
/// only SS_tot is, like sklearn).
double r2Score(const Vector &yTrue, const Vector &yPred);
double explainedVariance(const Vector &yTrue, const Vector &yPred);

/// Mean silhouette coefficient with euclidean distance (needs 2 <= clusters
/// <= n - 1).
double silhouetteScore(const Matrix &X, const Labels &labels, int threads = 0);
/// Rand index adjusted for chance between two clusterings.
double adjustedRandIndex(const Labels &a, const Labels &b);

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_METRICS_H
