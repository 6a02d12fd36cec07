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

void vidattr_conv_pack_im2col(const vidattr_conv_geometry *g, const float *x, ptrdiff_t k0, ptrdiff_t kc, ptrdiff_t p0,
                              ptrdiff_t np, int32_t nr, float *dst) {
  float row[ROW_CHUNK];
  ptrdiff_t chunk = (ROW_CHUNK / nr) * nr;
  for (ptrdiff_t c0 = 0; c0 < np; c0 += chunk) {
    ptrdiff_t cn = min64(chunk, np - c0);
    for (ptrdiff_t kk = 0; kk < kc; kk++) {
      gather_row(g, x, k0 + kk, p0 + c0, cn, row);
      for (ptrdiff_t q0 = 0; q0 < cn; q0 += nr) {
        ptrdiff_t nv = min64(nr, cn - q0);
        float *d = dst + ((c0 + q0) / nr) * kc * nr + kk * nr;
        memcpy(d, row + q0, (size_t)nv * sizeof(float));
        for (ptrdiff_t j = nv; j < nr; j++) d[j] = 0;
      }
    }
  }
}

void vidattr_conv_pack_im2col_transposed(const vidattr_conv_geometry *g, const float *x, ptrdiff_t p0, ptrdiff_t np,
                                         ptrdiff_t k0, ptrdiff_t nk, int32_t nr, float *dst) {
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

void vidattr_conv_col2im_add(const vidattr_conv_geometry *g, const float *cols, ptrdiff_t ld, ptrdiff_t k0, ptrdiff_t nk,
                             ptrdiff_t p0, ptrdiff_t np, ptrdiff_t t_begin, ptrdiff_t t_end, float *dx) {
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
