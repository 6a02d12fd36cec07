// Register-blocked GEMM micro-kernels, one per instruction-set level, and the macro-kernel
// that walks B's packed panels with them.
//
// Notation (used in every file of this target): the product is C[M×N] (+)= A[M×K]·B[K×N],
// row-major C with leading dimension ldc. A is read where it lies (see "A layouts" below);
// B is packed in NR-column panels, each K_c×NR with element [k][j] = B[k, panel·NR + j] and
// columns beyond N packed as zeros, so every micro-kernel call computes a full MR×NR tile
// and stores only its valid part.
//
// One output element is always the same chain of operations, whatever the tile it falls in:
//   c = (accumulate ? c : init) + α·Σ_k a[k]·b[k]   (the sum a chain of fused multiply-adds
// in k order, starting from 0), so results do not depend on M/N tiling or thread count.
#include "CMicroKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define VIDATTR_X86 1
#endif

// MARK: Blocking per level

// AVX-512: 8×32 tile = 16 zmm accumulators (twice FMA latency × ports, 4 × 2), 2 zmm for the
// B row, broadcasts of A folded into the FMAs as memory operands. Measured against 12×32
// (24 accumulators): as fast on large tiles and faster for 64 output channels (no padding
// to 72), see CONTRIBUTING.md, "Fast path: how the FMA peak is reached".
// AVX2: 6×16 = 12 ymm accumulators (of 16).
// Portable: 4×16, which clang's SSE2 auto-vectoriser keeps in 16 xmm registers.
// K_c: the B micro-panel (K_c×NR floats) stays in L1 (48 KiB) while A panels stream from L2.
vidattr_gemm_blocking vidattr_gemm_blocking_for(int level) {
  vidattr_gemm_blocking b;
  switch (level) {
    case 2: b.mr = 8; b.nr = 32; b.kc = 256; b.mc = 240; b.nc = 512; break;
    case 1: b.mr = 6; b.nr = 16; b.kc = 256; b.mc = 240; b.nc = 512; break;
    default: b.mr = 4; b.nr = 16; b.kc = 256; b.mc = 240; b.nc = 512; break;
  }
  return b;
}

// MARK: Tile stores shared by every level

// Writes an MR×NR tile computed in `tile` (row-major, NR columns) to its valid m×n part of C:
// C = C + α·tile (accumulate), or init + α·tile.
static void store_partial(const float *tile, int nr, float *c, ptrdiff_t ldc, int m, int n, float alpha,
                          int accumulate, const float *row_init) {
  for (int r = 0; r < m; r++) {
    float *cr = c + r * ldc;
    const float *tr = tile + r * nr;
    float init = row_init != NULL ? row_init[r] : 0.0f;
    for (int j = 0; j < n; j++) {
      float v = alpha == 1.0f ? tr[j] : alpha * tr[j];
      cr[j] = accumulate ? cr[j] + v : (row_init != NULL ? init + v : v);
    }
  }
}

// A layouts. Every micro-kernel reads A where it lies, A(r, k) = a[r·rs + k·ks], so that
// neither the weight (forward: row-major Og×K, rs = K, ks = 1; backward input: its transpose,
// rs = 1 or the kernel volume, ks = K) nor dY (backward weight: row-major Og×P) is repacked.
// rs = 1 has its own kernel (constant broadcast offsets). A full MR-row panel is read
// directly; a partial one (m < MR) is first copied into a zero-padded buffer (rs = 1,
// ks = MR) by the macro-kernel, so kernels never read past row m.

// MARK: Portable C (any target; clang vectorises it with the baseline SIMD)

enum { PORTABLE_MR = 4, PORTABLE_NR = 16 };

static void ukernel_portable(ptrdiff_t kc, const float *restrict a, ptrdiff_t rs, ptrdiff_t ks,
                             const float *restrict b, float *c, ptrdiff_t ldc, int m, int n, float alpha,
                             int accumulate, const float *row_init) {
  float acc[PORTABLE_MR][PORTABLE_NR];
  for (int r = 0; r < PORTABLE_MR; r++)
    for (int j = 0; j < PORTABLE_NR; j++) acc[r][j] = 0;
  for (ptrdiff_t k = 0; k < kc; k++) {
    for (int r = 0; r < PORTABLE_MR; r++) {
      float ar = a[r * rs + k * ks];
      for (int j = 0; j < PORTABLE_NR; j++) acc[r][j] += ar * b[j];
    }
    b += PORTABLE_NR;
  }
  store_partial(&acc[0][0], PORTABLE_NR, c, ldc, m, n, alpha, accumulate, row_init);
}

#ifdef VIDATTR_X86

// MARK: C-tile prefetch shared by the x86 kernels

// Requests the m rows × n columns of the C tile into L1 before the reduction loop starts, so
// that its cache misses overlap the Kc·MR·NR/16 multiply-adds instead of stalling the stores at
// the end. Why: C rows are P floats apart (an NCTHW output, P = To·Ho·Wo positions), so each
// tile touches MR pages and no hardware prefetcher follows them; the first reduction block
// writes lines that are in no cache at all (measurements: Benchmarks/README.md, "Measurements
// behind the kernels' design"). A prefetch never faults and changes no value.
static inline void prefetch_tile(const float *c, ptrdiff_t ldc, int m, int n) {
  ptrdiff_t last = (ptrdiff_t)n * (ptrdiff_t)sizeof(float) - 1;
  for (int r = 0; r < m; r++) {
    const char *row = (const char *)(c + r * ldc);
    for (ptrdiff_t byte = 0; byte < last; byte += 64) _mm_prefetch(row + byte, _MM_HINT_T0);
    _mm_prefetch(row + last, _MM_HINT_T0);
  }
}

// MARK: AVX2 + FMA, 6×16

enum { AVX2_MR = 6, AVX2_NR = 16 };

#define VIDATTR_ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)

// The accumulators are named variables (not an array), so that the compiler keeps them in
// registers at any optimisation level above -O0.
#define AVX2_KERNEL(NAME, A_NEXT)                                                                   \
  __attribute__((target("avx2,fma"))) static void NAME(                                                   \
      ptrdiff_t kc, const float *restrict a, ptrdiff_t rs, ptrdiff_t ks, const float *restrict b, float *c,       \
      ptrdiff_t ldc,                                                                                      \
      int m, int n, float alpha, int accumulate, const float *row_init) {                                 \
    VIDATTR_ROWS6(AVX2_DECLARE)                                                                           \
    prefetch_tile(c, ldc, m, n);                                                                          \
    for (ptrdiff_t k = 0; k < kc; k++) {                                                                  \
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);                                        \
      VIDATTR_ROWS6(AVX2_STEP)                                                                            \
      A_NEXT;                                                                                             \
      b += AVX2_NR;                                                                                       \
    }                                                                                                     \
    if (m == AVX2_MR && n == AVX2_NR) {                                                                   \
      __m256 al = _mm256_set1_ps(alpha);                                                                  \
      VIDATTR_ROWS6(AVX2_STORE)                                                                           \
    } else {                                                                                              \
      float tile[AVX2_MR * AVX2_NR];                                                                      \
      VIDATTR_ROWS6(AVX2_SPILL)                                                                           \
      store_partial(tile, AVX2_NR, c, ldc, m, n, alpha, accumulate, row_init);                            \
    }                                                                                                     \
  }
#define AVX2_DECLARE(r) __m256 lo##r = _mm256_setzero_ps(), hi##r = _mm256_setzero_ps();
#define AVX2_STEP(r)                          \
  {                                           \
    __m256 ar = _mm256_broadcast_ss(A_AT(r)); \
    lo##r = _mm256_fmadd_ps(ar, b0, lo##r);   \
    hi##r = _mm256_fmadd_ps(ar, b1, hi##r);   \
  }
#define AVX2_STORE(r)                                                         \
  {                                                                           \
    float *cr = c + r * ldc;                                                  \
    if (alpha != 1.0f) {                                                      \
      lo##r = _mm256_mul_ps(al, lo##r);                                       \
      hi##r = _mm256_mul_ps(al, hi##r);                                       \
    }                                                                         \
    if (accumulate) {                                                         \
      lo##r = _mm256_add_ps(_mm256_loadu_ps(cr), lo##r);                      \
      hi##r = _mm256_add_ps(_mm256_loadu_ps(cr + 8), hi##r);                  \
    } else if (row_init != NULL) {                                            \
      __m256 i = _mm256_set1_ps(row_init[r]);                                 \
      lo##r = _mm256_add_ps(i, lo##r);                                        \
      hi##r = _mm256_add_ps(i, hi##r);                                        \
    }                                                                         \
    _mm256_storeu_ps(cr, lo##r);                                              \
    _mm256_storeu_ps(cr + 8, hi##r);                                          \
  }
#define AVX2_SPILL(r)                                \
  _mm256_storeu_ps(tile + r * AVX2_NR, lo##r);       \
  _mm256_storeu_ps(tile + r * AVX2_NR + 8, hi##r);

#define A_AT(r) (a + r)
AVX2_KERNEL(ukernel_avx2_kmajor, (void)rs; a += ks)
#undef A_AT
#define A_AT(r) (a + r * rs)
AVX2_KERNEL(ukernel_avx2_strided, a += ks)
#undef A_AT

// MARK: AVX-512F, 8×32

enum { AVX512_MR = 8, AVX512_NR = 32 };

#define VIDATTR_ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

// 16 zmm accumulators, 2 zmm for the B row; the broadcasts of A fold into the FMAs as memory
// operands.
#define AVX512_KERNEL(NAME, A_NEXT)                                                                       \
  __attribute__((target("avx512f,fma"))) static void NAME(                                                \
      ptrdiff_t kc, const float *restrict a, ptrdiff_t rs, ptrdiff_t ks, const float *restrict b, float *c,       \
      ptrdiff_t ldc,                                                                                      \
      int m, int n, float alpha, int accumulate, const float *row_init) {                                 \
    VIDATTR_ROWS8(AVX512_DECLARE)                                                                        \
    prefetch_tile(c, ldc, m, n);                                                                          \
    for (ptrdiff_t k = 0; k < kc; k++) {                                                                  \
      __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);                                        \
      VIDATTR_ROWS8(AVX512_STEP)                                                                         \
      A_NEXT;                                                                                             \
      b += AVX512_NR;                                                                                     \
    }                                                                                                     \
    __mmask16 lo_mask = (__mmask16)(n >= 16 ? 0xFFFF : (1u << n) - 1u);                                   \
    __mmask16 hi_mask = (__mmask16)(n >= 32 ? 0xFFFF : n <= 16 ? 0 : (1u << (n - 16)) - 1u);               \
    __m512 al = _mm512_set1_ps(alpha);                                                                    \
    VIDATTR_ROWS8(AVX512_STORE)                                                                          \
  }
#define AVX512_DECLARE(r) __m512 lo##r = _mm512_setzero_ps(), hi##r = _mm512_setzero_ps();
#define AVX512_STEP(r)                         \
  {                                            \
    __m512 ar = _mm512_set1_ps(*A_AT(r));      \
    lo##r = _mm512_fmadd_ps(ar, b0, lo##r);    \
    hi##r = _mm512_fmadd_ps(ar, b1, hi##r);    \
  }
#define AVX512_STORE(r)                                                       \
  if (r < m) {                                                                \
    float *cr = c + r * ldc;                                                  \
    if (alpha != 1.0f) {                                                      \
      lo##r = _mm512_mul_ps(al, lo##r);                                       \
      hi##r = _mm512_mul_ps(al, hi##r);                                       \
    }                                                                         \
    if (accumulate) {                                                         \
      lo##r = _mm512_add_ps(_mm512_maskz_loadu_ps(lo_mask, cr), lo##r);       \
      hi##r = _mm512_add_ps(_mm512_maskz_loadu_ps(hi_mask, cr + 16), hi##r);  \
    } else if (row_init != NULL) {                                            \
      __m512 i = _mm512_set1_ps(row_init[r]);                                 \
      lo##r = _mm512_add_ps(i, lo##r);                                        \
      hi##r = _mm512_add_ps(i, hi##r);                                        \
    }                                                                         \
    _mm512_mask_storeu_ps(cr, lo_mask, lo##r);                                \
    _mm512_mask_storeu_ps(cr + 16, hi_mask, hi##r);                           \
  }

// Half-width 8×16 variant for a last panel of at most 16 columns (small P: 98 = 3·32 + 2
// positions would otherwise cost a full 32-wide pass). Same operation chain per element.
#define AVX512_HALF_KERNEL(NAME, A_NEXT)                                                                  \
  __attribute__((target("avx512f,fma"))) static void NAME(                                                \
      ptrdiff_t kc, const float *restrict a, ptrdiff_t rs, ptrdiff_t ks, const float *restrict b, float *c,       \
      ptrdiff_t ldc,                                                                                      \
      int m, int n, float alpha, int accumulate, const float *row_init) {                                 \
    VIDATTR_ROWS8(AVX512_HALF_DECLARE)                                                                   \
    prefetch_tile(c, ldc, m, n);                                                                          \
    for (ptrdiff_t k = 0; k < kc; k++) {                                                                  \
      __m512 b0 = _mm512_loadu_ps(b);                                                                     \
      VIDATTR_ROWS8(AVX512_HALF_STEP)                                                                    \
      A_NEXT;                                                                                             \
      b += AVX512_NR;                                                                                     \
    }                                                                                                     \
    __mmask16 lo_mask = (__mmask16)(n >= 16 ? 0xFFFF : (1u << n) - 1u);                                   \
    __m512 al = _mm512_set1_ps(alpha);                                                                    \
    VIDATTR_ROWS8(AVX512_HALF_STORE)                                                                     \
  }
#define AVX512_HALF_DECLARE(r) __m512 lo##r = _mm512_setzero_ps();
#define AVX512_HALF_STEP(r) lo##r = _mm512_fmadd_ps(_mm512_set1_ps(*A_AT(r)), b0, lo##r);
#define AVX512_HALF_STORE(r)                                                  \
  if (r < m) {                                                                \
    float *cr = c + r * ldc;                                                  \
    if (alpha != 1.0f) lo##r = _mm512_mul_ps(al, lo##r);                      \
    if (accumulate) {                                                         \
      lo##r = _mm512_add_ps(_mm512_maskz_loadu_ps(lo_mask, cr), lo##r);       \
    } else if (row_init != NULL) {                                            \
      lo##r = _mm512_add_ps(_mm512_set1_ps(row_init[r]), lo##r);              \
    }                                                                         \
    _mm512_mask_storeu_ps(cr, lo_mask, lo##r);                                \
  }

#define A_AT(r) (a + r)
AVX512_KERNEL(ukernel_avx512_kmajor, (void)rs; a += ks)
AVX512_HALF_KERNEL(ukernel_avx512_half_kmajor, (void)rs; a += ks)
#undef A_AT
#define A_AT(r) (a + r * rs)
AVX512_KERNEL(ukernel_avx512_strided, a += ks)
AVX512_HALF_KERNEL(ukernel_avx512_half_strided, a += ks)
#undef A_AT

#endif  // VIDATTR_X86

// MARK: Macro-kernel

typedef void (*ukernel_fn)(ptrdiff_t, const float *restrict, ptrdiff_t, ptrdiff_t, const float *restrict, float *,
                           ptrdiff_t, int, int, float, int, const float *);

/// The micro-kernels of a level: A with unit row stride (k-major, constant offsets) or any
/// strides, for full tiles and for tiles of at most `half_nr` columns (the same kernels where
/// the level has no narrower variant).
typedef struct {
  int mr, nr, half_nr;
  ukernel_fn kmajor, strided, half_kmajor, half_strided;
} kernel_set;

static kernel_set kernels_for(int level) {
  kernel_set s;
#ifdef VIDATTR_X86
  if (level >= 2) {
    s.mr = AVX512_MR;
    s.nr = AVX512_NR;
    s.half_nr = 16;
    s.kmajor = ukernel_avx512_kmajor;
    s.strided = ukernel_avx512_strided;
    s.half_kmajor = ukernel_avx512_half_kmajor;
    s.half_strided = ukernel_avx512_half_strided;
    return s;
  }
  if (level == 1) {
    s.mr = AVX2_MR;
    s.nr = s.half_nr = AVX2_NR;
    s.kmajor = s.half_kmajor = ukernel_avx2_kmajor;
    s.strided = s.half_strided = ukernel_avx2_strided;
    return s;
  }
#endif
  (void)level;
  s.mr = PORTABLE_MR;
  s.nr = s.half_nr = PORTABLE_NR;
  s.kmajor = s.half_kmajor = s.strided = s.half_strided = ukernel_portable;
  return s;
}

enum { EDGE_PANEL_MAX = 4096 };

static void gemm_blocks(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a, ptrdiff_t a_row_stride,
                        ptrdiff_t a_k_stride, const float *b_packed, ptrdiff_t b_panel_stride, float *c, ptrdiff_t ldc,
                        float alpha, int accumulate, const float *row_init);

/// The public entry: `gemm_blocks` with subnormals treated as zero. On x86-64 the SSE/AVX
/// control register gets DAZ (subnormal operands read as 0) and FTZ (subnormal results written
/// as 0) for the duration of the call and is restored afterwards. Why: a multiply-add with a
/// subnormal operand takes a microcode assist, ~100× slower; weights that training drives
/// towards zero (a dead layer under Adam with L2, seen in the TSM mini model) slowed whole
/// training epochs (Benchmarks/README.md, "Measurements behind the kernels' design"). Every
/// value affected is below 2⁻¹²⁶ ≈ 1.2e-38 in magnitude, far below every tolerance of the
/// literal/fast comparisons.
/// (PyTorch's oneDNN kernels flush denormals the same way.)
void vidattr_gemm(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a, ptrdiff_t a_row_stride,
                  ptrdiff_t a_k_stride, const float *b_packed, ptrdiff_t b_panel_stride, float *c, ptrdiff_t ldc,
                  float alpha, int accumulate, const float *row_init) {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
#endif
  gemm_blocks(level, m, n, kc, a, a_row_stride, a_k_stride, b_packed, b_panel_stride, c, ldc, alpha, accumulate,
              row_init);
#if defined(__x86_64__) || defined(_M_X64)
  _mm_setcsr(saved);
#endif
}

static void gemm_blocks(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a, ptrdiff_t a_row_stride,
                        ptrdiff_t a_k_stride, const float *b_packed, ptrdiff_t b_panel_stride, float *c, ptrdiff_t ldc,
                        float alpha, int accumulate, const float *row_init) {
  kernel_set ks = kernels_for(level);
  int mr = ks.mr, nr = ks.nr;
  ptrdiff_t rs = a_row_stride, kstep = a_k_stride;
  if (m <= 0 || n <= 0) return;
  if (kc == 0) {
    // An empty reduction still initialises C (to the row init or zero) unless accumulating.
    if (!accumulate)
      for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = row_init ? row_init[i] : 0.0f;
    return;
  }
  ptrdiff_t row_panels = (m + mr - 1) / mr, column_panels = (n + nr - 1) / nr;
  // A whose reduction steps are ≥ 1 KiB apart (the transposed weight in backward input: one
  // weight row per step) touches a new page every step or two: TLB misses then cost as much
  // as the multiply-adds. Such an A, when reused by at least 8 column panels (below that the
  // copy costs as much as it saves: measured on r2plus1d_18 layers 3 and 4), is copied once into
  // contiguous k-major panels (Kc×MR each). Otherwise only a partial last panel is copied
  // (zero-padded), so that kernels never read past row m.
  int pack_all = kstep * (ptrdiff_t)sizeof(float) >= 1024 && column_panels >= 8;
  ptrdiff_t full = pack_all ? 0 : m / mr * mr;
  ptrdiff_t copied_rows = (m - full + mr - 1) / mr * mr;
  float edge_stack[EDGE_PANEL_MAX];
  float *edge = NULL;
  if (copied_rows > 0) {
    size_t floats = (size_t)kc * copied_rows;
    edge = floats <= EDGE_PANEL_MAX ? edge_stack : malloc(floats * sizeof(float));
    for (ptrdiff_t p0 = 0; p0 < copied_rows; p0 += mr) {
      float *panel = edge + p0 * kc;
      for (ptrdiff_t k = 0; k < kc; k++) {
        const float *src = a + k * kstep;
        for (ptrdiff_t r = 0; r < mr; r++) {
          ptrdiff_t row = full + p0 + r;
          panel[k * mr + r] = row < m ? src[row * rs] : 0.0f;
        }
      }
    }
  }
  // Loop order: with more rows than columns (late layers: many channels, few positions) the
  // A micro-panel stays in L1 across the few B panels; otherwise the B micro-panel (Kc×NR)
  // stays in L1 while the A panels stream by.
  int rows_outer = m > n;
  ptrdiff_t outer = rows_outer ? row_panels : column_panels, inner = rows_outer ? column_panels : row_panels;
  for (ptrdiff_t o = 0; o < outer; o++) {
    for (ptrdiff_t i = 0; i < inner; i++) {
      ptrdiff_t ip = rows_outer ? o : i, jp = rows_outer ? i : o;
      ptrdiff_t i0 = ip * mr, j0 = jp * nr;
      int mv = (int)(m - i0 < mr ? m - i0 : mr), nv = (int)(n - j0 < nr ? n - j0 : nr);
      int half = nv <= ks.half_nr;
      int in_place = i0 < full;
      ukernel_fn kernel = !in_place || rs == 1 ? (half ? ks.half_kmajor : ks.kmajor)
                                               : (half ? ks.half_strided : ks.strided);
      kernel(kc, in_place ? a + i0 * rs : edge + (i0 - full) * kc, in_place ? rs : 1, in_place ? kstep : mr,
             b_packed + jp * b_panel_stride, c + i0 * ldc + j0, ldc, mv, nv, alpha, accumulate,
             row_init ? row_init + i0 : NULL);
    }
  }
  if (edge != NULL && edge != edge_stack) free(edge);
}

// MARK: Narrow column tails as dot products

// The last panel of a convolution's positions often holds only a few columns (98 = 3·32 + 2
// positions in layer 4 of r2plus1d_18). A register tile computes such a panel at the cost of a
// full (or half) one: the per-step broadcasts of A, not the multiply-adds, bound it. Here each
// element is instead a dot product along k, A's row read as 16-float vectors (rows contiguous in
// k) against the column stored contiguous: 1 + n loads and n multiply-adds per 16 steps of k.
// The caller passes the whole reduction at once (the convolution gathers the few columns of
// every K_c block into one buffer per tile): a call per K_c block would re-copy the columns for
// every group of rows and pay one horizontal reduction per block, an overhead out of all
// proportion to the few multiply-adds of these columns (Benchmarks/README.md, "Measurements
// behind the kernels' design").
// Chain of each element: 16 lanes, lane l summing the k ≡ l (mod 16) terms in k order with fused
// multiply-adds (the last partial vector masked), then the fixed tree of _mm512_reduce_add_ps,
// then added to the accumulated / initial value — set by kc and n alone.

enum { NARROW_MAX = VIDATTR_NARROW_COLUMNS_MAX };

#ifdef VIDATTR_X86
// RB rows × N columns at a time: RB·N independent accumulator chains (RB·N ≥ 8 = FMA latency ×
// ports, so that the chains, not their latency, set the pace; ≤ 24 so that they stay in
// registers). Inlined with constant N and RB, so the loops unroll into named registers.
__attribute__((target("avx512f,fma"), always_inline)) static inline void narrow_rows_avx512(
    const int N, const int RB, ptrdiff_t kc, const float *a, ptrdiff_t rs, const float *x, float *c,
    ptrdiff_t ldc, int accumulate, const float *row_init) {
  ptrdiff_t full = kc / 16 * 16;
  __mmask16 tail = (__mmask16)((1u << (kc - full)) - 1u);
  __m512 acc[8][NARROW_MAX];
  for (int r = 0; r < RB; r++)
    for (int j = 0; j < N; j++) acc[r][j] = _mm512_setzero_ps();
  for (ptrdiff_t k0 = 0; k0 < full; k0 += 16) {
    __m512 xv[NARROW_MAX];
    for (int j = 0; j < N; j++) xv[j] = _mm512_loadu_ps(x + j * kc + k0);
    for (int r = 0; r < RB; r++) {
      __m512 av = _mm512_loadu_ps(a + r * rs + k0);
      for (int j = 0; j < N; j++) acc[r][j] = _mm512_fmadd_ps(av, xv[j], acc[r][j]);
    }
  }
  if (tail) {
    for (int r = 0; r < RB; r++) {
      __m512 av = _mm512_maskz_loadu_ps(tail, a + r * rs + full);
      for (int j = 0; j < N; j++)
        acc[r][j] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, x + j * kc + full), acc[r][j]);
    }
  }
  for (int r = 0; r < RB; r++)
    for (int j = 0; j < N; j++) {
      float base = accumulate ? c[r * ldc + j] : row_init != NULL ? row_init[r] : 0.0f;
      c[r * ldc + j] = base + _mm512_reduce_add_ps(acc[r][j]);
    }
}

// Rows in blocks of RB (then one at a time) for a constant column count N.
#define NARROW_CASE(N, RB)                                                                                  \
  case N: {                                                                                                 \
    ptrdiff_t i = 0;                                                                                        \
    for (; i + RB <= m; i += RB)                                                                            \
      narrow_rows_avx512(N, RB, kc, a + i * rs, rs, x, c + i * ldc, ldc, accumulate,                        \
                         row_init ? row_init + i : NULL);                                                   \
    for (; i < m; i++)                                                                                      \
      narrow_rows_avx512(N, 1, kc, a + i * rs, rs, x, c + i * ldc, ldc, accumulate,                         \
                         row_init ? row_init + i : NULL);                                                   \
    break;                                                                                                  \
  }

__attribute__((target("avx512f,fma"))) static void narrow_columns_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc,
                                                                         const float *a, ptrdiff_t rs,
                                                                         const float *x, float *c, ptrdiff_t ldc,
                                                                         int accumulate, const float *row_init) {
  switch (n) {
    NARROW_CASE(1, 8)
    NARROW_CASE(2, 4)
    NARROW_CASE(3, 4)
    NARROW_CASE(4, 4)
    NARROW_CASE(5, 2)
    NARROW_CASE(6, 2)
    NARROW_CASE(7, 2)
    NARROW_CASE(8, 2)
    default: break;
  }
}
#undef NARROW_CASE
#endif

int vidattr_gemm_narrow_columns(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a,
                                ptrdiff_t a_row_stride, const float *columns, float *c, ptrdiff_t ldc,
                                int accumulate, const float *row_init) {
#ifndef VIDATTR_X86
  (void)m, (void)n, (void)kc, (void)a, (void)a_row_stride, (void)columns, (void)c, (void)ldc;
  (void)accumulate, (void)row_init, (void)level;
  return 0;
#else
  if (level < 2 || n < 1 || n > NARROW_MAX) return 0;
  if (m <= 0) return 1;
  unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);  // FTZ | DAZ, as vidattr_gemm
  narrow_columns_avx512(m, n, kc, a, a_row_stride, columns, c, ldc, accumulate, row_init);
  _mm_setcsr(saved);
  return 1;
#endif
}

void vidattr_copy_panel_columns(const float *b_panel, int32_t nr, ptrdiff_t kc, ptrdiff_t n, float *columns,
                                ptrdiff_t ld) {
  for (ptrdiff_t k = 0; k < kc; k++)
    for (ptrdiff_t j = 0; j < n; j++) columns[j * ld + k] = b_panel[k * nr + j];
}

// MARK: Packing of plain strided matrices

#ifdef VIDATTR_X86
/// AVX-512 B packing: contiguous rows by masked 16-lane copies; strided columns (a
/// transposed B, e.g. dYᵀ) by 16-lane gathers, one store per 16 elements.
__attribute__((target("avx512f"))) static void pack_b_avx512(const float *b, ptrdiff_t row_stride,
                                                             ptrdiff_t col_stride, ptrdiff_t k, ptrdiff_t n,
                                                             int32_t nr, float *dst) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (ptrdiff_t j0 = 0; j0 < n; j0 += nr) {
    ptrdiff_t nv = n - j0 < nr ? n - j0 : nr;
    float *panel = dst + (j0 / nr) * k * nr;
    for (ptrdiff_t kk = 0; kk < k; kk++) {
      const float *src = b + kk * row_stride + j0 * col_stride;
      float *d = panel + kk * nr;
      for (ptrdiff_t j = 0; j < nr; j += 16) {
        ptrdiff_t left = nv - j;
        __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1u);
        __m512 v;
        if (col_stride == 1) {
          v = _mm512_maskz_loadu_ps(mask, src + j);
        } else {
          __m512i index = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)col_stride));
          v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, index, src + j * col_stride, 4);
        }
        _mm512_storeu_ps(d + j, v);
      }
    }
  }
}
#endif

__attribute__((no_builtin("memcpy", "memset"))) void vidattr_pack_b(int level, const float *b, ptrdiff_t row_stride,
                                                                    ptrdiff_t col_stride, ptrdiff_t k, ptrdiff_t n,
                                                                    int32_t nr, float *dst) {
#ifdef VIDATTR_X86
  // Gathers take 32-bit indices: only when the column span fits.
  if (level >= 2 && nr % 16 == 0 && (col_stride == 1 || (col_stride > 0 && col_stride * 16 < (1 << 30)))) {
    pack_b_avx512(b, row_stride, col_stride, k, n, nr, dst);
    return;
  }
#endif
  (void)level;
  for (ptrdiff_t j0 = 0; j0 < n; j0 += nr) {
    ptrdiff_t nv = n - j0 < nr ? n - j0 : nr;
    float *panel = dst + (j0 / nr) * k * nr;
    if (col_stride == 1) {
      for (ptrdiff_t kk = 0; kk < k; kk++) {
        const float *src = b + kk * row_stride + j0;
        float *d = panel + kk * nr;
        ptrdiff_t j = 0;
        for (; j < nv; j++) d[j] = src[j];
        for (; j < nr; j++) d[j] = 0;
      }
    } else {
      for (ptrdiff_t j = 0; j < nr; j++) {
        if (j < nv) {
          const float *src = b + (j0 + j) * col_stride;
          for (ptrdiff_t kk = 0; kk < k; kk++) panel[kk * nr + j] = src[kk * row_stride];
        } else {
          for (ptrdiff_t kk = 0; kk < k; kk++) panel[kk * nr + j] = 0;
        }
      }
    }
  }
}

// MARK: Packing B from row pointers

// Row by row (each row read once, front to back, so the hardware prefetcher can follow it),
// with the row after next prefetched in software: rows are slices of different input
// channels and frames, far apart, and each would otherwise start with a demand miss.
#ifdef VIDATTR_X86
__attribute__((target("avx512f"))) static void pack_b_rows_at_avx512(const float *const *rows, ptrdiff_t k,
                                                                     ptrdiff_t n, int32_t nr, float *dst,
                                                                     ptrdiff_t column0) {
  for (ptrdiff_t kk = 0; kk < k; kk++) {
    if (kk + 2 < k && rows[kk + 2] != NULL)
      for (ptrdiff_t j = 0; j < n; j += 16) _mm_prefetch((const char *)(rows[kk + 2] + j), _MM_HINT_T0);
    const float *src = rows[kk];
    // Pieces that stay within one panel: columns column0 + j ..< column0 + j + len.
    for (ptrdiff_t j = 0; j < n;) {
      ptrdiff_t column = column0 + j, offset = column % nr;
      ptrdiff_t len = nr - offset < n - j ? nr - offset : n - j;
      float *d = dst + (column / nr) * k * nr + kk * nr + offset;
      for (ptrdiff_t e = 0; e < len; e += 16) {
        ptrdiff_t left = len - e;
        __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
        __m512 v = src == NULL ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, src + j + e);
        _mm512_mask_storeu_ps(d + e, mask, v);
      }
      j += len;
    }
  }
}
#endif

void vidattr_pack_b_rows_at(int level, const float *const *rows, ptrdiff_t k, ptrdiff_t n, int32_t nr, float *dst,
                            ptrdiff_t column0) {
#ifdef VIDATTR_X86
  if (level >= 2 && nr % 16 == 0) {
    pack_b_rows_at_avx512(rows, k, n, nr, dst, column0);
    return;
  }
#endif
  (void)level;
  for (ptrdiff_t kk = 0; kk < k; kk++) {
    const float *src = rows[kk];
    for (ptrdiff_t j = 0; j < n; j++) {
      ptrdiff_t column = column0 + j;
      dst[(column / nr) * k * nr + kk * nr + column % nr] = src == NULL ? 0.0f : src[j];
    }
  }
}

void vidattr_pack_b_rows(int level, const float *const *rows, ptrdiff_t k, ptrdiff_t n, int32_t nr, float *dst) {
  vidattr_pack_b_rows_at(level, rows, k, n, nr, dst, 0);
  // The columns past n in the last panel: zeros (the micro-kernels compute on them).
  if (n % nr == 0) return;
  float *last = dst + (n / nr) * k * nr;
  for (ptrdiff_t kk = 0; kk < k; kk++)
    for (ptrdiff_t j = n % nr; j < nr; j++) last[kk * nr + j] = 0;
}
