// Runtime selection of the instruction set for the micro-kernels.
#include "CMicroKernels.h"

#include <stdlib.h>
#include <string.h>

static int detect_level(void) {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
  return 0;
#else
  return 0;
#endif
}

static int cap_from_environment(int level) {
  const char *cap = getenv("VIDATTR_ISA");
  if (cap == NULL) return level;
  if (strcmp(cap, "portable") == 0) return 0;
  if (strcmp(cap, "avx2") == 0) return level < 1 ? level : 1;
  return level;
}

int vidattr_isa_level(void) {
  static int cached = -1;
  int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (level < 0) {
    level = cap_from_environment(detect_level());
    __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
  }
  return level;
}

int vidattr_isa_detected_level(void) {
  static int cached = -1;
  int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (level < 0) {
    level = detect_level();
    __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
  }
  return level;
}

const char *vidattr_isa_name(void) { return vidattr_isa_level_name(vidattr_isa_level()); }

const char *vidattr_isa_level_name(int level) {
  switch (level) {
    case 2: return "avx512f";
    case 1: return "avx2+fma";
    default: return "portable";
  }
}

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

unsigned int vidattr_flush_subnormals_begin(void) {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
  return saved;
#else
  return 0;
#endif
}

void vidattr_flush_subnormals_end(unsigned int saved) {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_setcsr(saved);
#else
  (void)saved;
#endif
}
