//===- pca_kmeans.cpp - PCA -> k-means in one compiled graph --------------===//
//
// Fits PCA (2 components) and k-means (k = 3) with kiln::ml on iris, builds
// ONE graph x -> kiln.pca_transform -> kiln.kmeans_assign with the fitted
// parameters embedded as constants, JIT-compiles it and checks that its
// labels equal KMeans::predict(PCA::transform(x)) from the library. Then
// does the fitting inside a second graph too (kiln.pca_fit -> pca_transform
// -> kiln.kmeans_fit -> kmeans_assign, fits through kiln::ml's C ABI) and
// checks the same labels.
//
//   kiln-example-pca-kmeans [path/to/iris.csv]
//
//===----------------------------------------------------------------------===//
#include "examples/ml/IrisCsv.h"
#include "frontend/Kiln.h"
#include "frontend/MLOps.h"

#include <iostream>

int main(int argc, char **argv) {
  try {
    std::string path = argc > 1 ? argv[1] : KILN_ML_DATA_DIR "/iris.csv";
    kiln::ml::Matrix X;
    kiln::ml::Labels y;
    kiln::ml::examples::readCsv(path, X, y);

    kiln::ml::PCAOptions po;
    po.nComponents = 2;
    kiln::ml::PCA pca(po);
    pca.fit(X);
    kiln::ml::KMeansOptions ko;
    ko.nClusters = 3;
    ko.seed = 0;
    kiln::ml::KMeans km(ko);
    km.fit(pca.transform(X));
    kiln::ml::Labels expected = km.predict(pca.transform(X));

    kiln::Model model("pca_kmeans");
    kiln::Value x = model.input("x", {kiln::kBatch, X.cols()}, kiln::DType::F64);
    model.output(kiln::ml::kmeansAssign(kiln::ml::pcaTransform(x, pca), km));
    kiln::CompiledModel net = kiln::jit(model);

    kiln::Tensor input({X.rows(), X.cols()}, kiln::DType::F64);
    for (kiln::ml::Index i = 0; i < X.rows(); ++i)
      for (kiln::ml::Index j = 0; j < X.cols(); ++j)
        input.data<double>()[i * X.cols() + j] = X(i, j);
    kiln::Tensor labels = net.run({input})[0];

    // Fit and predict in one graph: nothing fitted ahead of time.
    kiln::Model fitModel("pca_kmeans_fit");
    kiln::Value xf = fitModel.input("x", {kiln::kBatch, X.cols()}, kiln::DType::F64);
    auto [mean, components] = kiln::pcaFit(xf, po);
    kiln::Value z = kiln::pcaTransform(xf, mean, components);
    fitModel.output(kiln::kmeansAssign(z, kiln::kmeansFit(z, ko)));
    kiln::Tensor fitLabels = kiln::jit(fitModel).run({input})[0];

    int64_t mismatches = 0, fitMismatches = 0;
    for (kiln::ml::Index i = 0; i < X.rows(); ++i) {
      mismatches += labels.data<int64_t>()[i] != expected[i];
      fitMismatches += fitLabels.data<int64_t>()[i] != expected[i];
    }
    std::cout << "pca_kmeans: " << X.rows() << " rows of " << path << ", " << X.cols()
              << " -> 2 (PCA) -> k = 3 (k-means) in one compiled graph; " << mismatches
              << " labels differ from kiln::ml; fitted inside the graph: "
              << fitMismatches << " differ\n";
    return mismatches == 0 && fitMismatches == 0 ? 0 : 1;
  } catch (const std::exception &e) {
    std::cerr << "pca_kmeans: " << e.what() << "\n";
    return 2;
  }
}
