// Implicit im2col: gathers blocks of the im2col matrix B of a 3-D convolution straight from
// the input into packed GEMM panels, and scatters blocks of columns back (col2im), so that
// B (K×P, hundreds of MB for a video network's first layers) is never stored whole.
//
// Notation as in CMicroKernels.h: k = ((c·kt + i)·kh + j)·kw + l, p = (to·Ho + ho)·Wo + wo,
// B[k, p] = x[c, to·sₜ − pₜ + i·dₜ, ho·s_h − p_h + j·d_h, wo·s_w − p_w + l·d_w], zero outside.
// Positions p are walked in runs along wo (one output row), where the input index is affine
// in wo: wi = wo·s_w + off, off = l·d_w − p_w; the valid wo of a run form one interval.
#include "CMicroKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#endif

// The packers copy and zero runs of a few dozen floats; clang would turn those loops into
// memcpy/memset calls, which cost more than the copies themselves at these lengths.
#define VIDATTR_INLINE_COPIES __attribute__((no_builtin("memcpy", "memset", "memmove")))

static inline ptrdiff_t min64(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }
static inline ptrdiff_t max64(ptrdiff_t a, ptrdiff_t b) { return a > b ? a : b; }

/// The tap (c, i, j, l) of row k.
typedef struct {
  ptrdiff_t c, i, j, l;
} tap;

static inline tap tap_of(const vidattr_conv_geometry *g, ptrdiff_t k) {
  tap r;
  r.l = k % g->kw;
  k /= g->kw;
  r.j = k % g->kh;
  k /= g->kh;
  r.i = k % g->kt;
  r.c = k / g->kt;
  return r;
}

/// Valid wo for a tap along W: wo in [*lo, *hi) ⇔ 0 ≤ wo·s_w + off < W.
static inline void valid_w(const vidattr_conv_geometry *g, ptrdiff_t off, ptrdiff_t *lo, ptrdiff_t *hi) {
  *lo = off >= 0 ? 0 : (-off + g->sw - 1) / g->sw;
  *hi = g->w - 1 - off < 0 ? 0 : (g->w - 1 - off) / g->sw + 1;
  if (*hi > g->ow) *hi = g->ow;
  if (*lo > *hi) *lo = *hi;
}

/// Gathers B[k, p0 ..< p0+np] into row[0 ..< np].
static void gather_row(const vidattr_conv_geometry *g, const float *x, ptrdiff_t k, ptrdiff_t p0, ptrdiff_t np,
                       float *row) {
  tap a = tap_of(g, k);
  const float *xc = x + a.c * g->t * g->h * g->w;
  ptrdiff_t ohw = g->oh * g->ow;
  ptrdiff_t to = p0 / ohw, ho = (p0 % ohw) / g->ow, wo = p0 % g->ow;
  ptrdiff_t off = a.l * g->dw - g->pw;
  ptrdiff_t wlo, whi;
  valid_w(g, off, &wlo, &whi);
  ptrdiff_t q = 0;
  while (q < np) {
    ptrdiff_t run = min64(g->ow - wo, np - q);
    ptrdiff_t ti = to * g->st - g->pt + a.i * g->dt, hi = ho * g->sh - g->ph + a.j * g->dh;
    float *d = row + q;  // d[w − wo] for w in wo ..< wo + run
    if (ti < 0 || ti >= g->t || hi < 0 || hi >= g->h) {
      memset(d, 0, (size_t)run * sizeof(float));
    } else {
      const float *xr = xc + (ti * g->h + hi) * g->w;
      ptrdiff_t end = wo + run;
      ptrdiff_t va = min64(max64(wo, wlo), end), vb = max64(min64(end, whi), va);
      for (ptrdiff_t w = wo; w < va; w++) d[w - wo] = 0;
      if (g->sw == 1) {
        memcpy(d + (va - wo), xr + (va + off), (size_t)(vb - va) * sizeof(float));
      } else {
        for (ptrdiff_t w = va; w < vb; w++) d[w - wo] = xr[w * g->sw + off];
      }
      for (ptrdiff_t w = vb; w < end; w++) d[w - wo] = 0;
    }
    q += run;
    wo = 0;
    if (++ho == g->oh) {
      ho = 0;
      to++;
    }
  }
}

enum { ROW_CHUNK = 1024 };

/// d[0 ..< n] = s[0 ..< n] for the short runs of the packers, inline (a memcpy call costs more
/// than the copy for runs of a few dozen floats).
VIDATTR_INLINE_COPIES static inline void copy_floats(float *restrict d, const float *restrict s, ptrdiff_t n) {
  ptrdiff_t i = 0;
#if defined(__x86_64__) || defined(_M_X64)
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(d + i, _mm_loadu_ps(s + i));
#endif
  for (; i < n; i++) d[i] = s[i];
}

/// Copies B[k, p] for the wo in [wo, wo + count) of one output row (ti, hi fixed, given
/// the row's input line `xr`, or NULL when ti or hi is padding) to d[0 ..< count].
VIDATTR_INLINE_COPIES static inline void gather_run(const vidattr_conv_geometry *g, const float *xr, ptrdiff_t off,
                                                   ptrdiff_t wlo, ptrdiff_t whi, ptrdiff_t wo, ptrdiff_t count,
                                                   float *restrict d) {
  ptrdiff_t end = wo + count;
  if (xr == NULL) {
    for (ptrdiff_t w = 0; w < count; w++) d[w] = 0;
    return;
  }
  ptrdiff_t va = min64(max64(wo, wlo), end), vb = max64(min64(end, whi), va);
  for (ptrdiff_t w = wo; w < va; w++) d[w - wo] = 0;
  if (g->sw == 1) {
    copy_floats(d + (va - wo), xr + (va + off), vb - va);
  } else {
    for (ptrdiff_t w = va; w < vb; w++) d[w - wo] = xr[w * g->sw + off];
  }
  for (ptrdiff_t w = vb; w < end; w++) d[w - wo] = 0;
}

VIDATTR_INLINE_COPIES static void pack_im2col_portable(const vidattr_conv_geometry *g, const float *x, ptrdiff_t k0,
                                                       ptrdiff_t kc, ptrdiff_t p0, ptrdiff_t np, int32_t nr,
                                                       float *dst) {
  ptrdiff_t ohw = g->oh * g->ow;
  ptrdiff_t panel = kc * nr;
  for (ptrdiff_t kk = 0; kk < kc; kk++) {
    tap a = tap_of(g, k0 + kk);
    const float *xc = x + a.c * g->t * g->h * g->w;
    ptrdiff_t off = a.l * g->dw - g->pw;
    ptrdiff_t wlo, whi;
    valid_w(g, off, &wlo, &whi);
    ptrdiff_t to = p0 / ohw, ho = (p0 % ohw) / g->ow, wo = p0 % g->ow;
    ptrdiff_t q = 0;
    while (q < np) {
      ptrdiff_t run = min64(g->ow - wo, np - q);
      ptrdiff_t ti = to * g->st - g->pt + a.i * g->dt, hi = ho * g->sh - g->ph + a.j * g->dh;
      const float *xr = (ti < 0 || ti >= g->t || hi < 0 || hi >= g->h) ? NULL : xc + (ti * g->h + hi) * g->w;
      // Split the run at panel boundaries: q → panel q / nr, column q % nr, row kk.
      while (run > 0) {
        ptrdiff_t col = q % nr, seg = min64(run, nr - col);
        gather_run(g, xr, off, wlo, whi, wo, seg, dst + (q / nr) * panel + kk * nr + col);
        q += seg;
        wo += seg;
        run -= seg;
      }
      wo = 0;
      if (++ho == g->oh) {
        ho = 0;
        to++;
      }
    }
    // Zero columns past np in the last panel.
    for (ptrdiff_t col = np % nr; col != 0 && col < nr; col++) dst[(np / nr) * panel + kk * nr + col] = 0;
  }
}

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

/// One piece of ≤ NR positions of one output row that fall in one panel: where it goes in
/// the packed block, and the input coordinates its first position reads at tap (0, 0, 0).
typedef struct {
  int32_t dst;    // offset in the packed block of row kk = 0 (panel·kc·nr + column)
  int32_t count;  // positions, 1 ... 32
  int32_t t0, h0, w0;  // tₒ·sₜ − pₜ, hₒ·s_h − p_h, wₒ·s_w − p_w
} chunk;

enum { MAX_CHUNKS = 2048 };

/// Bits lo ..< hi of a 64-bit mask (0 ≤ lo, hi ≤ 64; empty when hi ≤ lo).
static inline uint64_t bit_range(ptrdiff_t lo, ptrdiff_t hi) {
  if (hi <= lo) return 0;
  uint64_t upto = hi >= 64 ? ~(uint64_t)0 : (((uint64_t)1) << hi) - 1;
  return upto & ~((((uint64_t)1) << lo) - 1);
}

/// AVX-512 packer. The positions are cut once into chunks (≤ 32 positions of one output row
/// in one panel; with nr = np the "panel" is the whole row and the result row-major); then, per reduction row kk, each chunk is moved with masked 16-lane loads
/// and stores — for stride 2, loads of the 64 source floats and permutes of the even ones;
/// for larger strides, gathers. Lanes outside the input are zeroed by the load masks.
__attribute__((target("avx512f"))) static int pack_im2col_avx512(const vidattr_conv_geometry *g, const float *x,
                                                                ptrdiff_t k0, ptrdiff_t kc, ptrdiff_t p0,
                                                                ptrdiff_t np, int32_t nr, float *dst) {
  chunk chunks[MAX_CHUNKS];
  ptrdiff_t count = 0;
  {
    ptrdiff_t ohw = g->oh * g->ow;
    ptrdiff_t to = p0 / ohw, ho = (p0 % ohw) / g->ow, wo = p0 % g->ow, q = 0;
    while (q < np) {
      ptrdiff_t end = wo + min64(g->ow - wo, np - q);
      while (wo < end) {
        ptrdiff_t col = q % nr, piece = min64(min64(end - wo, nr - col), 32);
        if (count == MAX_CHUNKS) return 0;
        chunks[count].dst = (int32_t)((q / nr) * kc * nr + col);
        chunks[count].count = (int32_t)piece;
        chunks[count].t0 = (int32_t)(to * g->st - g->pt);
        chunks[count].h0 = (int32_t)(ho * g->sh - g->ph);
        chunks[count].w0 = (int32_t)(wo * g->sw - g->pw);
        count++;
        wo += piece;
        q += piece;
      }
      wo = 0;
      if (++ho == g->oh) {
        ho = 0;
        to++;
      }
    }
  }
  ptrdiff_t sw = g->sw, T = g->t, H = g->h, W = g->w, volume = T * H * W;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i strided = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)sw));
  for (ptrdiff_t kk = 0; kk < kc; kk++) {
    tap a = tap_of(g, k0 + kk);
    const float *xc = x + a.c * volume;
    ptrdiff_t it = a.i * g->dt, jh = a.j * g->dh, lw = a.l * g->dw;
    float *d = dst + kk * nr;
    for (ptrdiff_t ci = 0; ci < count; ci++) {
      const chunk *ch = &chunks[ci];
      ptrdiff_t ti = ch->t0 + it, hi = ch->h0 + jh, w = ch->w0 + lw, n = ch->count;
      uint64_t stores = bit_range(0, n);
      float *out = d + ch->dst;
      if ((size_t)ti >= (size_t)T || (size_t)hi >= (size_t)H) {
        _mm512_mask_storeu_ps(out, (__mmask16)stores, _mm512_setzero_ps());
        _mm512_mask_storeu_ps(out + 16, (__mmask16)(stores >> 16), _mm512_setzero_ps());
        continue;
      }
      uintptr_t at = (uintptr_t)(xc + (ti * H + hi) * W) + (uintptr_t)(w * 4);  // source float 0
      if (sw == 1) {
        // Source floats s in [max(0, −w), min(n, W − w)).
        uint64_t src = bit_range(w >= 0 ? 0 : -w, min64(n, W - w));
        __m512 v0 = _mm512_maskz_loadu_ps((__mmask16)src, (const void *)at);
        __m512 v1 = _mm512_maskz_loadu_ps((__mmask16)(src >> 16), (const void *)(at + 64));
        _mm512_mask_storeu_ps(out, (__mmask16)stores, v0);
        _mm512_mask_storeu_ps(out + 16, (__mmask16)(stores >> 16), v1);
      } else if (sw == 2) {
        // Source floats s in [max(0, −w), min(2n, W − w)); position e reads s = 2e.
        uint64_t src = bit_range(w >= 0 ? 0 : -w, min64(2 * n, W - w));
        __m512 s0 = _mm512_maskz_loadu_ps((__mmask16)src, (const void *)at);
        __m512 s1 = _mm512_maskz_loadu_ps((__mmask16)(src >> 16), (const void *)(at + 64));
        _mm512_mask_storeu_ps(out, (__mmask16)stores, _mm512_permutex2var_ps(s0, even, s1));
        if (n > 16) {
          __m512 s2 = _mm512_maskz_loadu_ps((__mmask16)(src >> 32), (const void *)(at + 128));
          __m512 s3 = _mm512_maskz_loadu_ps((__mmask16)(src >> 48), (const void *)(at + 192));
          _mm512_mask_storeu_ps(out + 16, (__mmask16)(stores >> 16), _mm512_permutex2var_ps(s2, even, s3));
        }
      } else {
        for (ptrdiff_t e0 = 0; e0 < n; e0 += 16) {
          ptrdiff_t we = w + e0 * sw;
          // Lanes e with 0 ≤ we + e·s_w < W: e < ⌈(W − we)/s_w⌉ and e ≥ ⌈−we/s_w⌉.
          ptrdiff_t upto = W - we <= 0 ? 0 : (W - we + sw - 1) / sw, from = we >= 0 ? 0 : (-we + sw - 1) / sw;
          __mmask16 load = (__mmask16)(bit_range(from, min64(upto, min64(16, n - e0))));
          __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), load,
                                              _mm512_add_epi32(strided, _mm512_set1_epi32((int)we)),
                                              (const void *)(xc + (ti * H + hi) * W), 4);
          _mm512_mask_storeu_ps(out + e0, (__mmask16)(stores >> e0), v);
        }
      }
    }
    // Zero the columns past np in the last panel.
    for (ptrdiff_t col = np % nr; col != 0 && col < nr; col++) d[(np / nr) * kc * nr + col] = 0;
  }
  return 1;
}
/// One piece of ≤ 32 consecutive positions of one output frame in one panel, for the
/// same-width packer: where it goes, its frame and first position, and for every tap row j and
/// column l the lanes whose input row (column) lies inside the input.
typedef struct {
  int32_t dst, count;
  int32_t t0;  // tₒ·sₜ − pₜ
  int32_t p0;  // hₒ·W + wₒ of the first position
  uint32_t rows[8], columns[8];
} frame_chunk;

enum { MAX_FRAME_CHUNKS = 512 };

/// Whether the same-width packer and scatter apply: stride 1 along H and W, Wo = W, and at
/// most 8 taps along H and W.
static inline int same_width(const vidattr_conv_geometry *g) {
  return g->sh == 1 && g->sw == 1 && g->ow == g->w && g->kh <= 8 && g->kw <= 8;
}

/// Cuts positions p0 ..< p0 + np into frame chunks (≤ 32 positions, within one nr-column panel
/// and one output frame; `dst` as in a packed block of kc rows) with their row and column
/// masks. Returns the chunk count, or 0 when the geometry does not qualify (`same_width`) or
/// more than MAX_FRAME_CHUNKS chunks would be needed.
static ptrdiff_t frame_chunks(const vidattr_conv_geometry *g, ptrdiff_t p0, ptrdiff_t np, ptrdiff_t nr,
                              ptrdiff_t kc, frame_chunk *chunks) {
  if (!same_width(g) || np <= 0) return 0;
  ptrdiff_t count = 0, W = g->w, H = g->h, ohw = g->oh * g->ow;
  for (ptrdiff_t q = 0; q < np;) {
    ptrdiff_t p = p0 + q, within = p % ohw, col = q % nr;
    ptrdiff_t n = min64(min64(32, nr - col), min64(ohw - within, np - q));
    if (count == MAX_FRAME_CHUNKS) return 0;
    frame_chunk *ch = &chunks[count++];
    ch->dst = (int32_t)((q / nr) * kc * nr + col);
    ch->count = (int32_t)n;
    ch->t0 = (int32_t)((p / ohw) * g->st - g->pt);
    ch->p0 = (int32_t)within;
    for (int j = 0; j < 8; j++) ch->rows[j] = ch->columns[j] = 0;
    ptrdiff_t ho = within / W, wo = within % W;
    for (ptrdiff_t e = 0; e < n; e++) {
      for (ptrdiff_t j = 0; j < g->kh; j++) {
        ptrdiff_t hi = ho - g->ph + j * g->dh;
        if (hi >= 0 && hi < H) ch->rows[j] |= 1u << e;
      }
      for (ptrdiff_t l = 0; l < g->kw; l++) {
        ptrdiff_t wi = wo - g->pw + l * g->dw;
        if (wi >= 0 && wi < W) ch->columns[l] |= 1u << e;
      }
      if (++wo == W) {
        wo = 0;
        ho++;
      }
    }
    q += n;
  }
  return count;
}

/// AVX-512 packer for stride 1 along H and W with Wo = W ("same" padding along W: the 3×3
/// spatial convolutions). There position p = hₒ·W + wₒ of an output frame reads, at tap
/// (j, l), input element p + (j·d_h − p_h)·W + (l·d_w − p_w) of its input frame, so
/// consecutive positions read consecutive floats even across output rows: chunks span rows
/// (up to 32 positions, one panel, one frame) and move with two masked loads per tap row,
/// masked by rows[j] & columns[l]. For W = 8 that is a quarter of the row-wise packer's
/// chunks. Same values as `pack_im2col_avx512` (a copy). Returns 0 when the geometry does not
/// qualify, k_h or k_w exceeds 8, or the chunks do not fit; the caller then falls back.
__attribute__((target("avx512f"))) static int pack_im2col_same_width_avx512(const vidattr_conv_geometry *g,
                                                                           const float *x, ptrdiff_t k0,
                                                                           ptrdiff_t kc, ptrdiff_t p0, ptrdiff_t np,
                                                                           int32_t nr, float *dst) {
  frame_chunk chunks[MAX_FRAME_CHUNKS];
  ptrdiff_t count = frame_chunks(g, p0, np, nr, kc, chunks);
  if (count == 0) return 0;
  ptrdiff_t W = g->w, H = g->h;
  ptrdiff_t frame = H * W, volume = g->t * frame;
  for (ptrdiff_t kk = 0; kk < kc; kk++) {
    tap a = tap_of(g, k0 + kk);
    const float *xc = x + a.c * volume;
    ptrdiff_t it = a.i * g->dt, shift = (a.j * g->dh - g->ph) * W + (a.l * g->dw - g->pw);
    float *d = dst + kk * nr;
    for (ptrdiff_t ci = 0; ci < count; ci++) {
      const frame_chunk *ch = &chunks[ci];
      ptrdiff_t ti = ch->t0 + it;
      uint32_t stores = ch->count == 32 ? ~0u : (1u << ch->count) - 1u;
      float *out = d + ch->dst;
      __m512 v0 = _mm512_setzero_ps(), v1 = _mm512_setzero_ps();
      if ((size_t)ti < (size_t)g->t) {
        uint32_t valid = ch->rows[a.j] & ch->columns[a.l];
        // Address of the first lane's source (possibly outside x when that lane is masked).
        uintptr_t at = (uintptr_t)(xc + ti * frame) + (uintptr_t)((intptr_t)(ch->p0 + shift) * 4);
        v0 = _mm512_maskz_loadu_ps((__mmask16)valid, (const void *)at);
        v1 = _mm512_maskz_loadu_ps((__mmask16)(valid >> 16), (const void *)(at + 64));
      }
      _mm512_mask_storeu_ps(out, (__mmask16)stores, v0);
      _mm512_mask_storeu_ps(out + 16, (__mmask16)(stores >> 16), v1);
    }
    // Zero the columns past np in the last panel.
    for (ptrdiff_t col = np % nr; col != 0 && col < nr; col++) d[(np / nr) * kc * nr + col] = 0;
  }
  return 1;
}

/// AVX-512 scatter for the same-width geometry (see `pack_im2col_same_width_avx512`): adds
/// rows k0 ..< k0 + nk of a column block into dx one frame chunk (≤ 32 positions, across
/// output rows) at a time, with masked loads and stores. Every dx element still receives one
/// addition per row, in row order, so the result is bitwise that of the run-wise loop of
/// `vidattr_conv_col2im_add`. Returns 0 when the geometry does not qualify.
__attribute__((target("avx512f"))) static int col2im_same_width_avx512(const vidattr_conv_geometry *g,
                                                                      const float *cols, ptrdiff_t ld, ptrdiff_t k0,
                                                                      ptrdiff_t nk, ptrdiff_t p0, ptrdiff_t np,
                                                                      ptrdiff_t t_begin, ptrdiff_t t_end, float *dx) {
  frame_chunk chunks[MAX_FRAME_CHUNKS];
  ptrdiff_t count = frame_chunks(g, p0, np, np, 1, chunks);  // one "panel" of np columns: dst = column
  if (count == 0) return 0;
  ptrdiff_t W = g->w, frame = g->h * W, volume = g->t * frame;
  ptrdiff_t lo = t_begin > 0 ? t_begin : 0, hi = t_end < g->t ? t_end : g->t;
  for (ptrdiff_t kk = 0; kk < nk; kk++) {
    tap a = tap_of(g, k0 + kk);
    float *dxc = dx + a.c * volume;
    const float *src = cols + kk * ld;
    ptrdiff_t it = a.i * g->dt, shift = (a.j * g->dh - g->ph) * W + (a.l * g->dw - g->pw);
    for (ptrdiff_t ci = 0; ci < count; ci++) {
      const frame_chunk *ch = &chunks[ci];
      ptrdiff_t ti = ch->t0 + it;
      if (ti < lo || ti >= hi) continue;
      uint32_t valid = ch->rows[a.j] & ch->columns[a.l];
      // Address of the first lane's target (possibly outside dx when that lane is masked).
      uintptr_t at = (uintptr_t)(dxc + ti * frame) + (uintptr_t)((intptr_t)(ch->p0 + shift) * 4);
      const float *s = src + ch->dst;
      __mmask16 m0 = (__mmask16)valid, m1 = (__mmask16)(valid >> 16);
      __m512 v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, (const void *)at), _mm512_maskz_loadu_ps(m0, s));
      _mm512_mask_storeu_ps((void *)at, m0, v0);
      __m512 v1 =
          _mm512_add_ps(_mm512_maskz_loadu_ps(m1, (const void *)(at + 64)), _mm512_maskz_loadu_ps(m1, s + 16));
      _mm512_mask_storeu_ps((void *)(at + 64), m1, v1);
    }
  }
  return 1;
}

/// The AVX-512 packers in order of preference.
__attribute__((target("avx512f"))) static int pack_im2col_any_avx512(const vidattr_conv_geometry *g,
                                                                    const float *x, ptrdiff_t k0, ptrdiff_t kc,
                                                                    ptrdiff_t p0, ptrdiff_t np, int32_t nr,
                                                                    float *dst) {
  return pack_im2col_same_width_avx512(g, x, k0, kc, p0, np, nr, dst) ||
         pack_im2col_avx512(g, x, k0, kc, p0, np, nr, dst);
}
#endif

void vidattr_conv_pack_im2col(int level, const vidattr_conv_geometry *g, const float *x, ptrdiff_t k0, ptrdiff_t kc,
                              ptrdiff_t p0, ptrdiff_t np, int32_t nr, float *dst) {
#if defined(__x86_64__) || defined(_M_X64)
  if (level >= 2 && pack_im2col_any_avx512(g, x, k0, kc, p0, np, nr, dst)) return;
#endif
  (void)level;
  pack_im2col_portable(g, x, k0, kc, p0, np, nr, dst);
}

static void pack_im2col_transposed_portable(const vidattr_conv_geometry *g, const float *x, ptrdiff_t p0,
                                              ptrdiff_t np, ptrdiff_t k0, ptrdiff_t nk, int32_t nr, float *dst) {
  float row[ROW_CHUNK];
  for (ptrdiff_t j0 = 0; j0 < nk; j0 += nr) {
    float *panel = dst + (j0 / nr) * np * nr;
    for (ptrdiff_t j = 0; j < nr; j++) {
      if (j0 + j >= nk) {
        for (ptrdiff_t q = 0; q < np; q++) panel[q * nr + j] = 0;
        continue;
      }
      for (ptrdiff_t c0 = 0; c0 < np; c0 += ROW_CHUNK) {
        ptrdiff_t cn = min64(ROW_CHUNK, np - c0);
        gather_row(g, x, k0 + j0 + j, p0 + c0, cn, row);
        float *d = panel + c0 * nr + j;
        for (ptrdiff_t q = 0; q < cn; q++) d[q * nr] = row[q];
      }
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
/// Transposes 16 rows of 16 floats in registers: on return r[q] holds column q.
__attribute__((target("avx512f"))) static inline void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[4i + c], 128-bit lane l: column 4l + c of rows 4i ..< 4i + 4.
  for (int i = 0; i < 4; i++) {
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int c = 0; c < 4; c++) {
    __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
    __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44), v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
    r[c] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[4 + c] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
    r[8 + c] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
  }
}

/// AVX-512 transposed packer: the row-major block B[k0 ..< k0+nk, p0 ..< p0+np] is gathered
/// into `scratch` by the im2col packer, then moved into the panels by 16×16 register
/// transposes.
__attribute__((target("avx512f"))) static int pack_im2col_transposed_avx512(
    const vidattr_conv_geometry *g, const float *x, ptrdiff_t p0, ptrdiff_t np, ptrdiff_t k0, ptrdiff_t nk,
    int32_t nr, float *dst, float *scratch) {
  if (nr % 16 != 0 || !pack_im2col_any_avx512(g, x, k0, nk, p0, np, (int32_t)np, scratch)) return 0;
  ptrdiff_t rows = (nk + nr - 1) / nr * nr;  // every column of every panel is written
  for (ptrdiff_t j0 = 0; j0 < rows; j0 += 16) {
    float *panel = dst + (j0 / nr) * np * nr + j0 % nr;
    for (ptrdiff_t q0 = 0; q0 < np; q0 += 16) {
      ptrdiff_t width = min64(16, np - q0);
      __mmask16 mask = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1u);
      __m512 r[16];
      for (int i = 0; i < 16; i++)
        r[i] = j0 + i < nk ? _mm512_maskz_loadu_ps(mask, scratch + (j0 + i) * np + q0) : _mm512_setzero_ps();
      transpose16(r);
      for (ptrdiff_t q = 0; q < width; q++) _mm512_storeu_ps(panel + (q0 + q) * nr, r[q]);
    }
  }
  return 1;
}
#endif

void vidattr_conv_pack_im2col_transposed(int level, const vidattr_conv_geometry *g, const float *x, ptrdiff_t p0,
                                         ptrdiff_t np, ptrdiff_t k0, ptrdiff_t nk, int32_t nr, float *dst,
                                         float *scratch) {
#if defined(__x86_64__) || defined(_M_X64)
  if (level >= 2 && pack_im2col_transposed_avx512(g, x, p0, np, k0, nk, nr, dst, scratch)) return;
#endif
  (void)level;
  (void)scratch;
  pack_im2col_transposed_portable(g, x, p0, np, k0, nk, nr, dst);
}

void vidattr_conv_col2im_add(int level, const vidattr_conv_geometry *g, const float *cols, ptrdiff_t ld,
                             ptrdiff_t k0, ptrdiff_t nk, ptrdiff_t p0, ptrdiff_t np, ptrdiff_t t_begin,
                             ptrdiff_t t_end, float *dx) {
#if defined(__x86_64__) || defined(_M_X64)
  if (level >= 2 && col2im_same_width_avx512(g, cols, ld, k0, nk, p0, np, t_begin, t_end, dx)) return;
#endif
  (void)level;
  ptrdiff_t ohw = g->oh * g->ow;
  for (ptrdiff_t kk = 0; kk < nk; kk++) {
    tap a = tap_of(g, k0 + kk);
    float *dxc = dx + a.c * g->t * g->h * g->w;
    const float *src = cols + kk * ld;
    ptrdiff_t to = p0 / ohw, ho = (p0 % ohw) / g->ow, wo = p0 % g->ow;
    ptrdiff_t off = a.l * g->dw - g->pw;
    ptrdiff_t wlo, whi;
    valid_w(g, off, &wlo, &whi);
    ptrdiff_t q = 0;
    while (q < np) {
      ptrdiff_t run = min64(g->ow - wo, np - q);
      ptrdiff_t ti = to * g->st - g->pt + a.i * g->dt, hi = ho * g->sh - g->ph + a.j * g->dh;
      if (ti >= t_begin && ti < t_end && ti >= 0 && ti < g->t && hi >= 0 && hi < g->h) {
        float *xr = dxc + (ti * g->h + hi) * g->w;
        const float *s = src + q;  // s[w − wo] for w in wo ..< wo + run
        ptrdiff_t end = wo + run;
        ptrdiff_t va = min64(max64(wo, wlo), end), vb = max64(min64(end, whi), va);
        if (g->sw == 1) {
          float *xo = xr + (va + off);
          const float *so = s + (va - wo);
          for (ptrdiff_t w = 0; w < vb - va; w++) xo[w] += so[w];
        } else {
          for (ptrdiff_t w = va; w < vb; w++) xr[w * g->sw + off] += s[w - wo];
        }
      }
      q += run;
      wo = 0;
      if (++ho == g->oh) {
        ho = 0;
        to++;
      }
    }
  }
}
