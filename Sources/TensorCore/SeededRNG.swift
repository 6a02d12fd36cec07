/// A seeded, splittable random number generator whose output is the same on every machine.
///
/// **Algorithm.** The state is xoshiro256** (Blackman & Vigna, 2018): four 64-bit words,
/// output `rotl(s1·5, 7)·9`, period 2²⁵⁶−1. A generator is identified by a 64-bit *key*; its
/// state is filled from the key by four steps of SplitMix64 (Steele, Lea & Flood, 2014:
/// z += 0x9E3779B97F4A7C15; z = (z ^ z>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>27)·0x94D049BB133111EB;
/// z ^ z>>31). `split(i)` derives the child key `mix(key ⊕ mix(i + 0x9E3779B97F4A7C15))`
/// (mix = the SplitMix64 finaliser) from the parent's key, **not** its state, so a child's
/// numbers do not depend on how many numbers the parent has drawn: per-layer seeds,
/// per-sample noise and per-clip generation stay stable when code around them changes.
///
/// **Derived draws.** `uniform()` = (next >> 11)·2⁻⁵³ ∈ [0, 1); `uniformFloat()` =
/// (next >> 40)·2⁻²⁴ ∈ [0, 1); `int(below: n)` by rejection of the top partial bucket
/// (unbiased, independent of the standard library's algorithm); `normal()` by Marsaglia's
/// polar method with `PortableMath.log`, returning both values of each accepted pair in turn.
/// Only integer operations, IEEE `+ − × ÷ √` and `PortableMath` are used, so every draw is
/// bit-identical across platforms.
public struct SeededRNG: RandomNumberGenerator, Sendable {
  /// The key this generator was created from (`split` derives children from it).
  public let key: UInt64
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
  private var spareNormal: Double?

  /// A generator for a user-facing seed.
  public init(seed: UInt64) {
    key = seed
    var z = seed
    s0 = SeededRNG.splitMix(&z)
    s1 = SeededRNG.splitMix(&z)
    s2 = SeededRNG.splitMix(&z)
    s3 = SeededRNG.splitMix(&z)
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is xoshiro's fixed point
    spareNormal = nil
  }

  /// An independent child stream, determined by this generator's key and `index` only.
  public func split(_ index: UInt64) -> SeededRNG {
    SeededRNG(seed: SeededRNG.mix(key ^ SeededRNG.mix(index &+ 0x9E37_79B9_7F4A_7C15)))
  }

  /// A child stream for a name (FNV-1a of its UTF-8 bytes, then `split`), e.g. a layer name.
  public func split(_ name: String) -> SeededRNG {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in name.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    return split(h)
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// Uniform in [0, 1) with 24 random bits.
  public mutating func uniformFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// Uniform in [a, b).
  public mutating func uniform(_ a: Double, _ b: Double) -> Double {
    a + (b - a) * uniform()
  }

  /// Uniform integer in 0..<n (n ≥ 1), unbiased.
  public mutating func int(below n: Int) -> Int {
    precondition(n >= 1, "int(below:) needs n ≥ 1, got \(n)")
    let bound = UInt64(n)
    // Largest multiple of n that fits: reject draws at or above it.
    let limit = UInt64.max - (UInt64.max % bound + 1) % bound
    while true {
      let r = next()
      if r <= limit { return Int(r % bound) }
    }
  }

  /// Standard normal N(0, 1) (Marsaglia polar method).
  public mutating func normal() -> Double {
    if let z = spareNormal {
      spareNormal = nil
      return z
    }
    while true {
      let u = 2 * uniform() - 1
      let v = 2 * uniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let f = (-2 * PortableMath.log(s) / s).squareRoot()
        spareNormal = v * f
        return u * f
      }
    }
  }

  /// A uniformly random permutation of 0..<n (Fisher–Yates, from the last position down).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    var i = n - 1
    while i > 0 {
      let j = int(below: i + 1)
      p.swapAt(i, j)
      i -= 1
    }
    return p
  }

  // MARK: SplitMix64

  @inline(__always)
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inline(__always)
  static func splitMix(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return mix(state)
  }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
  (x << k) | (x >> (64 - k))
}

extension Tensor where Scalar: BinaryFloatingPoint {
  /// A tensor of independent N(mean, std²) draws, in row-major order.
  @inlinable
  public static func normal(
    _ shape: [Int], mean: Double = 0, std: Double = 1, using rng: inout SeededRNG
  ) -> Tensor {
    Tensor(shape: shape) { _ in Scalar(mean + std * rng.normal()) }
  }

  /// A tensor of independent U[a, b) draws, in row-major order.
  @inlinable
  public static func uniform(
    _ shape: [Int], _ a: Double = 0, _ b: Double = 1, using rng: inout SeededRNG
  ) -> Tensor {
    Tensor(shape: shape) { _ in Scalar(rng.uniform(a, b)) }
  }
}
