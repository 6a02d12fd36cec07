import CMicroKernels

/// The instruction set the fast kernels' C micro-kernels run with.
///
/// Chosen once per process from CPUID (`vidattr_isa_level()` in CMicroKernels); the
/// environment variable `VIDATTR_ISA=portable|avx2` caps it (to benchmark or debug the
/// fallbacks). Every variant computes the same function; results differ only by rounding
/// (the portable variant uses separate multiply and add, the others fused multiply-adds).
public enum FastISA: Int32, CaseIterable, Comparable, Sendable, CustomStringConvertible {
  /// Plain C compiled for the baseline target (SSE2 on x86-64, NEON on arm64).
  case portable = 0
  /// AVX2 with FMA: 6×16 micro-tile in ymm registers.
  case avx2 = 1
  /// AVX-512F: 8×32 micro-tile in zmm registers.
  case avx512 = 2

  /// The level in effect: the best the processor supports, capped by `VIDATTR_ISA`.
  public static var selected: FastISA { FastISA(rawValue: vidattr_isa_level()) ?? .portable }

  /// The best level the processor supports, ignoring `VIDATTR_ISA`.
  public static var detected: FastISA { FastISA(rawValue: vidattr_isa_detected_level()) ?? .portable }

  /// Every level this processor can run (tests run each).
  public static var supported: [FastISA] { allCases.filter { $0 <= detected } }

  /// "portable", "avx2+fma" or "avx512f".
  public var description: String { String(cString: vidattr_isa_level_name(rawValue)) }

  public static func < (a: FastISA, b: FastISA) -> Bool { a.rawValue < b.rawValue }

  /// Micro-tile and cache blocking of this level's GEMM.
  var blocking: vidattr_gemm_blocking { vidattr_gemm_blocking_for(rawValue) }
}
