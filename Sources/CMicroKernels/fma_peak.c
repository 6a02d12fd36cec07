// The machine's floating-point multiply-add peak, measured rather than looked up.
//
// Each round updates independent accumulator chains acc ← acc·m + a. The chains are
// independent, so the only limit is how many multiply-adds the core retires per cycle:
// with latency L cycles and P FMA ports, L·P chains are needed to keep every port busy
// (4 × 2 = 8 on current Intel and AMD cores); more are used here so that the count is
// never the limit. m slightly below 1 and a small keep values bounded and normal.
#include "CMicroKernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

enum { CHAINS_512 = 16, CHAINS_256 = 12 };

__attribute__((target("avx512f,fma"))) static float run_avx512(ptrdiff_t iterations) {
  __m512 acc[CHAINS_512];
  for (int i = 0; i < CHAINS_512; i++) acc[i] = _mm512_set1_ps((float)i);
  __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (ptrdiff_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
    for (int i = 0; i < CHAINS_512; i++) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
  }
  __m512 s = acc[0];
  for (int i = 1; i < CHAINS_512; i++) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float run_avx2(ptrdiff_t iterations) {
  __m256 acc[CHAINS_256];
  for (int i = 0; i < CHAINS_256; i++) acc[i] = _mm256_set1_ps((float)i);
  __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (ptrdiff_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
    for (int i = 0; i < CHAINS_256; i++) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
  }
  float out[8];
  __m256 s = acc[0];
  for (int i = 1; i < CHAINS_256; i++) s = _mm256_add_ps(s, acc[i]);
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
#endif

enum { PORTABLE_CHAINS = 32 };

// Baseline target: separate multiply and add (SSE2 mulps + addps on x86-64), 8 vectors of 4.
static float run_portable(ptrdiff_t iterations) {
  float acc[PORTABLE_CHAINS];
  for (int i = 0; i < PORTABLE_CHAINS; i++) acc[i] = (float)i;
  const float m = 0.999999f, a = 1e-7f;
  for (ptrdiff_t it = 0; it < iterations; it++)
    for (int i = 0; i < PORTABLE_CHAINS; i++) acc[i] = acc[i] * m + a;
  float s = 0;
  for (int i = 0; i < PORTABLE_CHAINS; i++) s += acc[i];
  return s;
}

float vidattr_fma_peak_run(int level, ptrdiff_t iterations) {
#if defined(__x86_64__) || defined(_M_X64)
  if (level >= 2) return run_avx512(iterations);
  if (level == 1) return run_avx2(iterations);
#endif
  return run_portable(iterations);
}

double vidattr_fma_peak_flops_per_iteration(int level) {
#if defined(__x86_64__) || defined(_M_X64)
  if (level >= 2) return 2.0 * 16 * CHAINS_512;
  if (level == 1) return 2.0 * 8 * CHAINS_256;
#endif
  return 2.0 * PORTABLE_CHAINS;
}
