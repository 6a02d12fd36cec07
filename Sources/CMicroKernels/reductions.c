// Reductions with a fixed summation order (bias gradients).
#include "CMicroKernels.h"

enum { LANES = 16 };

float vidattr_sum(const float *x, ptrdiff_t n) {
  // Lane l sums x[l], x[l + 16], … in order; the 16 lane sums are then added pairwise
  // (0+8, 1+9, …, then 0+4, …). The order depends on n only, never on threads or ISA.
  float lane[LANES] = {0};
  ptrdiff_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; l++) lane[l] += x[i + l];
  for (int l = 0; i + l < n; l++) lane[l] += x[i + l];
  for (int width = LANES / 2; width >= 1; width /= 2)
    for (int l = 0; l < width; l++) lane[l] += lane[l + width];
  return lane[0];
}
