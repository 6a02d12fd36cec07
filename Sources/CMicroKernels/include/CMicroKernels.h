// CMicroKernels — the few inner loops that must reach the processor's FMA peak.
//
// Swift built for the default x86-64 target emits SSE2 only (no FMA, no AVX), and
// per-function target attributes do not exist in Swift. These C functions carry
// `__attribute__((target(...)))` variants for AVX-512F and AVX2+FMA, and choose one at run
// time from CPUID, so the package needs no special build flags to run fast, and the portable
// C variant keeps every other x86-64 and arm64 machine working. See CONTRIBUTING.md
// ("Fast path: how the FMA peak is reached") for the measurements behind this choice.
#ifndef VIDATTR_CMICROKERNELS_H
#define VIDATTR_CMICROKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set level the dispatcher selected: 0 portable C, 1 AVX2+FMA, 2 AVX-512F.
/// `VIDATTR_ISA` in the environment (portable | avx2 | avx512) caps it, for tests and
/// benchmarks of the fallbacks.
int vidattr_isa_level(void);

/// Human-readable name of `vidattr_isa_level()` ("portable", "avx2+fma", "avx512f").
const char *vidattr_isa_name(void);

/// Makes this thread treat subnormal floats as zero (x86: MXCSR DAZ and FTZ) and returns the
/// previous state for `vidattr_flush_subnormals_end`. No effect on other architectures.
unsigned int vidattr_flush_subnormals_begin(void);

/// Restores the state returned by `vidattr_flush_subnormals_begin`.
void vidattr_flush_subnormals_end(unsigned int saved);

/// Instruction-set level the processor supports, ignoring `VIDATTR_ISA` (tests use it to
/// run every variant the machine can run).
int vidattr_isa_detected_level(void);

/// Name of a level: 0 "portable", 1 "avx2+fma", 2 "avx512f".
const char *vidattr_isa_level_name(int level);

// MARK: GEMM on packed panels (gemm_microkernels.c)
//
// Notation: C[M×N] (+)= A[M×K]·B[K×N]. A is read in place (row-major or k-major); B is packed
// in NR-column panels, each Kc×NR with element [k][j] = B[k, panel·NR + j], columns past N
// packed as zeros.

/// Register and cache blocking of one level: micro-tile MR×NR, and the block sizes the
/// drivers use (Kc along the reduction, Mc rows, Nc columns).
typedef struct {
  int32_t mr, nr, kc, mc, nc;
} vidattr_gemm_blocking;

vidattr_gemm_blocking vidattr_gemm_blocking_for(int level);

/// C[i, j] = (accumulate ? C[i, j] : (row_init ? row_init[i] : 0)) + α·Σ_k A[i, k]·B[k, j]
/// for i < m, j < n, k < kc; the sum is a chain of (fused, except in the portable variant)
/// multiply-adds in k order starting from 0, the same for every element whatever the tiling.
/// A is read in place: A[i, k] = a[i·a_row_stride + k·a_k_stride]. B is packed
/// (`vidattr_pack_b`, `vidattr_pack_b_rows` or the im2col packers), panels `b_panel_stride`
/// floats apart. Subnormal operands count as zero and subnormal results are flushed to zero
/// (x86 DAZ/FTZ during the call; see gemm_microkernels.c for why).
void vidattr_gemm(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a, ptrdiff_t a_row_stride,
                  ptrdiff_t a_k_stride, const float *b_packed, ptrdiff_t b_panel_stride, float *c, ptrdiff_t ldc,
                  float alpha, int accumulate, const float *row_init);

/// C[i, j] (+)= Σ_k A[i, k]·B[k, j] as `vidattr_gemm` does, for 1 ≤ n ≤ VIDATTR_NARROW_COLUMNS_MAX
/// = 8 columns of B stored contiguous (B[k, j] = columns[j·kc + k]) and A whose rows are
/// contiguous in k (A[i, k] = a[i·a_row_stride + k]), as dot products along k: 16 interleaved
/// partial sums per element, reduced by a fixed tree (gemm_microkernels.c). Used for the few
/// columns of a last panel, which a register tile computes at the cost of a full one; pass the
/// whole reduction in one call. AVX-512 only (level 2): returns 0, doing nothing, at other
/// levels or when n is out of range.
enum { VIDATTR_NARROW_COLUMNS_MAX = 8 };
int vidattr_gemm_narrow_columns(int level, ptrdiff_t m, ptrdiff_t n, ptrdiff_t kc, const float *a,
                                ptrdiff_t a_row_stride, const float *columns, float *c, ptrdiff_t ldc,
                                int accumulate, const float *row_init);

/// Copies columns 0 ..< n of a packed panel (B[k, j] = b_panel[k·nr + j], k < kc) to
/// columns[j·ld + k]: the layout `vidattr_gemm_narrow_columns` reads.
void vidattr_copy_panel_columns(const float *b_panel, int32_t nr, ptrdiff_t kc, ptrdiff_t n, float *columns,
                                ptrdiff_t ld);

/// Packs B (element (kk, j) at b[kk·row_stride + j·col_stride], kk < k, j < n) into ⌈n/nr⌉
/// panels of k×nr floats each, panel stride k·nr. `level` selects the implementation (the
/// result is the same at every level).
void vidattr_pack_b(int level, const float *b, ptrdiff_t row_stride, ptrdiff_t col_stride, ptrdiff_t k, ptrdiff_t n,
                    int32_t nr, float *dst);

/// Packs B given by rows: B[kk, j] = rows[kk][j] (rows[kk] == NULL: a row of zeros), kk < k,
/// j < n, in ⌈n/nr⌉ panels of k×nr floats (panel stride k·nr). The convolution drivers use it
/// when every row of a block of the im2col matrix is a contiguous slice of the input.
void vidattr_pack_b_rows(int level, const float *const *rows, ptrdiff_t k, ptrdiff_t n, int32_t nr, float *dst);

/// Writes columns column0 ..< column0 + n of the same panel layout from rows: B[kk, column0 + j]
/// = rows[kk][j] (rows[kk] == NULL: zeros), kk < k, j < n; other columns are left as they are.
/// The convolution forward packs a block whose positions span several output frames one frame
/// segment at a time with it (each segment's rows are contiguous slices of one input frame).
void vidattr_pack_b_rows_at(int level, const float *const *rows, ptrdiff_t k, ptrdiff_t n, int32_t nr, float *dst,
                            ptrdiff_t column0);

// MARK: Convolution as implicit GEMM (conv_im2col.c)
//
// For one batch element n and group g, with Cg = Cin/groups input channels, the im2col
// matrix B has K = Cg·kt·kh·kw rows, k = ((c·kt + i)·kh + j)·kw + l, and P = To·Ho·Wo
// columns, p = (to·Ho + ho)·Wo + wo, and B[k, p] = x[c, to·sₜ − pₜ + i·dₜ, ho·s_h − p_h +
// j·d_h, wo·s_w − p_w + l·d_w] (zero outside the input). It is never stored whole: the
// functions below gather and scatter blocks of it directly from and to the input.

/// Shapes and geometry of one (n, g) slab: x points at channel g·Cg of batch element n.
typedef struct {
  ptrdiff_t channels, t, h, w;  // Cg, T, H, W of the input slab
  ptrdiff_t kt, kh, kw;
  ptrdiff_t st, sh, sw;
  ptrdiff_t pt, ph, pw;
  ptrdiff_t dt, dh, dw;
  ptrdiff_t ot, oh, ow;  // To, Ho, Wo
} vidattr_conv_geometry;

/// Packs B[k0 ..< k0+kc, p0 ..< p0+np] in NR-column panels (kc×nr each, panel stride kc·nr).
/// `level` selects the implementation (the result is the same bits at every level).
void vidattr_conv_pack_im2col(int level, const vidattr_conv_geometry *g, const float *x, ptrdiff_t k0, ptrdiff_t kc,
                              ptrdiff_t p0, ptrdiff_t np, int32_t nr, float *dst);

/// Packs Bᵀ[p0 ..< p0+np, k0 ..< k0+nk] (that is, rows p, columns k) in NR-column panels
/// (np×nr each, panel stride np·nr): element [panel][q][j] = B[k0 + panel·nr + j, p0 + q].
/// `scratch` holds nk·np floats (used at level 2). The result is the same at every level.
void vidattr_conv_pack_im2col_transposed(int level, const vidattr_conv_geometry *g, const float *x, ptrdiff_t p0,
                                         ptrdiff_t np, ptrdiff_t k0, ptrdiff_t nk, int32_t nr, float *dst,
                                         float *scratch);

/// The adjoint of the gather: dx[c, ti, hi, wi] += cols[kk·ld + q] for every (k0 + kk, p0 + q),
/// kk < nk, q < np, whose input position (c, ti, hi, wi) is inside the input and has
/// t_begin ≤ ti < t_end. Adds in the order kk, then q ascending. `level` selects the
/// implementation (the result is the same at every level: each dx element receives the same
/// additions in the same order).
void vidattr_conv_col2im_add(int level, const vidattr_conv_geometry *g, const float *cols, ptrdiff_t ld,
                             ptrdiff_t k0, ptrdiff_t nk, ptrdiff_t p0, ptrdiff_t np, ptrdiff_t t_begin,
                             ptrdiff_t t_end, float *dx);

// MARK: Worker pool (thread_pool.c)

/// One index of a parallel loop: called as task(context, i).
typedef void (*vidattr_pool_task)(void *context, ptrdiff_t index);

/// Runs task(context, i) for every i in 0 ..< count on the calling thread and up to
/// threads − 1 pool workers (started on first use; idle workers poll for about a millisecond,
/// then sleep). Returns 1 when done, or 0 at once, having run nothing, when the pool is running
/// another loop (another thread's, or one this loop is nested in): the caller then runs the
/// loop some other way. task must write disjoint memory for distinct indices.
int vidattr_pool_run(ptrdiff_t count, int threads, vidattr_pool_task task, void *context);

// MARK: Reductions (reductions.c)

/// Σ x[i] for i < n in a fixed order (16 interleaved partial sums combined pairwise), so the
/// result depends on n and the values only.
float vidattr_sum(const float *x, ptrdiff_t n);

// MARK: FMA peak microbenchmark (fma_peak.c)

/// Runs `iterations` rounds of independent multiply-add chains at `level` (enough chains to
/// cover FMA latency × ports: 16 zmm at level 2, 12 ymm at level 1, 8×4 floats of SSE mul+add
/// at level 0) and returns a checksum (so the work cannot be elided).
float vidattr_fma_peak_run(int level, ptrdiff_t iterations);

/// Floating-point operations (a multiply-add counts 2) of one round of `vidattr_fma_peak_run`.
double vidattr_fma_peak_flops_per_iteration(int level);

#ifdef __cplusplus
}
#endif

#endif
