/// eᵃ for a ≤ 0 in sixteen Float lanes, for the fast smooth max of the extremal-perturbation
/// mask generator (which exponentiates c·(z_k − max z) ≤ 0 for every pixel and neighbour: the
/// C library's scalar `expf` was the generator's whole cost).
///
/// Algorithm (Cody & Waite reduction, Taylor polynomial), all in Float with `+ − ×` only:
///
///     n = round(a·log₂e)             by adding and subtracting 1.5·2²³ (ties to even)
///     r = (a − n·C₁) − n·C₂          C₁ = 0.693359375 (9 bits: n·C₁ and a − n·C₁ exact),
///                                    C₂ = −2.12194440e-4, C₁ + C₂ = ln 2 to 2⁻³³
///     eʳ ≈ Σ_{i=0…7} rⁱ/i!           Horner, |r| ≤ ln2/2 + 2⁻²⁰
///     eᵃ = eʳ·2ⁿ                     2ⁿ built from its exponent bits
///
/// Error (relative, u = 2⁻²⁴): the reduction leaves |Δr| ≤ u·|r| + u·|n·C₂| + |n|·2⁻³³
/// ≤ 0.36u; Taylor's remainder r⁸/8!·e^|r| ≤ 0.12u; Horner's rounding, each step's error
/// damped by |r|/(i+1) ≤ 0.35 on its way to the result, ≤ 2.2u; the coefficients' rounding
/// ≤ 0.4u; the final multiplication by 2ⁿ is exact. So |computed − eᵃ| ≤ 4u·eᵃ
/// (`vectorExpRelativeError`; the tests check it on a dense sweep of [−80, 0]).
///
/// Arguments below −80 give 0 (an absolute error below e⁻⁸⁰ ≈ 1.8e-35, and no subnormal
/// results: 2⁻¹¹⁶ is the smallest scale used). NaN gives NaN (it propagates through r).
enum FastVectorExp {
  /// The relative error bound derived above: 4u.
  static let relativeError = 4 * 0x1p-24
  /// Below this argument the result is 0.
  static let flushBelow: Float = -80

  @inline(__always)
  static func nonPositive(_ a: SIMD16<Float>) -> SIMD16<Float> {
    let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5·2²³
    let x = a.replacing(with: flushBelow, where: a .< flushBelow)
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    let r = (x - n * 0.693_359_375) - n * -2.121_944_40e-4
    var p = SIMD16<Float>(repeating: 1.0 / 5040)
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let nBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &- unsafeBitCast(magic, to: SIMD16<UInt32>.self)
    let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD16<Float>.self)
    return (p * scale).replacing(with: 0, where: a .< flushBelow)
  }
}

extension Fast {
  /// `FastVectorExp.nonPositive` on an array, for tests: the values must be ≤ 0.
  package static func vectorExp(_ a: [Float]) -> [Float] {
    precondition(a.allSatisfy { !($0 > 0) }, "vectorExp: arguments must be ≤ 0")
    var out = [Float](repeating: 0, count: a.count)
    var i = 0
    while i < a.count {
      var lanes = SIMD16<Float>(repeating: 0)
      for l in 0..<min(16, a.count - i) { lanes[l] = a[i + l] }
      let e = FastVectorExp.nonPositive(lanes)
      for l in 0..<min(16, a.count - i) { out[i + l] = e[l] }
      i += 16
    }
    return out
  }

  /// The relative error bound of `vectorExp` (4u) and the argument below which it returns 0.
  package static var vectorExpRelativeError: Double { FastVectorExp.relativeError }
  package static var vectorExpFlushBelow: Float { FastVectorExp.flushBelow }
}
