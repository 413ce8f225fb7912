/*===- CApiTest.c - The generated header from C ---------------------------===//
 *
 * tests/tools/data/tiny-mlp.mlir (y = relu(x W^T + b)) compiled by
 * kiln-compile through kiln_add_model(MODEL ...), once sequential and once
 * with PARALLEL (OpenMP): the header must compile as C99 and both must give
 * the known outputs. Exit status 0 on success.
 *
 *===----------------------------------------------------------------------===*/
#include "aot_tiny.h"
#include "aot_tiny_parallel.h"

#include <math.h>
#include <stdio.h>

static int check(const char *what, const float *y, const float *expected, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(y[i] - expected[i]) > 1e-6f) {
      fprintf(stderr, "%s: y[%d] = %g, expected %g\n", what, i, y[i], expected[i]);
      return 1;
    }
  return 0;
}

int main(void) {
  const float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const float expected[6] = {1.5f, 2, 0, 5.5f, 6, 0};
  float y[6] = {0};
  int failures = 0;
  if (kiln_aot_tiny_run(x, 2, y) != KILN_AOT_OK)
    return 1;
  failures += check("aot_tiny", y, expected, 6);
  float z[6] = {0};
  if (kiln_aot_tiny_parallel_run(x, 2, z) != KILN_AOT_OK)
    return 1;
  failures += check("aot_tiny_parallel", z, expected, 6);
  if (kiln_aot_tiny_run(x, -1, y) != KILN_AOT_BAD_ARGUMENT || kiln_aot_tiny_x_numel(3) != 12 ||
      KILN_AOT_TINY_NUM_INPUTS != 1 || !KILN_AOT_TINY_HAS_BATCH) {
    fprintf(stderr, "aot_tiny: unexpected status or constants\n");
    ++failures;
  }
  if (!failures)
    printf("aot_tiny: C entry points give the expected outputs\n");
  return failures ? 1 : 0;
}
