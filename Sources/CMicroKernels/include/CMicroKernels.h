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

#ifdef __cplusplus
}
#endif

#endif
