import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Batch norm, inference form: forward and input VJP, literal and fast")
struct BatchNormTests {
  /// Rank 2 to 5; per-plane extents S on SIMD16 boundaries (1, 7, 8·8, 31, 1071 = 63·17, …);
  /// one input above the 64 K parallel threshold.
  static let shapes: [[Int]] = [
    [4, 8], [1, 16, 1, 1, 1], [1, 5, 31], [3, 2, 7], [2, 3, 7, 9, 17], [1, 4, 1, 8, 8], [2, 3, 15], [2, 9, 16, 16, 17],
  ]

  struct Parameters {
    var scale: Tensor<Float>, shift: Tensor<Float>, mean: Tensor<Float>, variance: Tensor<Float>
  }

  static func parameters(_ c: Int, seed: UInt64) -> Parameters {
    Parameters(
      scale: Fill.uniform([c], 0.5, 2, seed: seed), shift: Fill.uniform([c], -1, 1, seed: seed + 1),
      mean: Fill.uniform([c], -0.5, 0.5, seed: seed + 2), variance: Fill.uniform([c], 0.01, 3, seed: seed + 3))
  }

  @Test("Fast batchNorm is within γ₆·(|γ(x − μ)/√(σ² + ε)| + |β|) of the Double literal", arguments: shapes)
  func forward(shape: [Int]) {
    let x: Tensor<Float> = Fill.weyl(shape, offset: 0.1)
    let p = Self.parameters(shape[1], seed: 50)
    let eps: Float = 1e-5
    let reference = Literal.batchNorm(
      x.asDouble, scale: p.scale.asDouble, shift: p.shift.asDouble, mean: p.mean.asDouble,
      variance: p.variance.asDouble, epsilon: Double(eps))
    // Fast: a = γ/√(σ² + ε) carries ≤ 2.5u (sum, square root, division); x − μ, the product and
    // the sum with β one rounding each: |error| ≤ γ₆·(|a·(x − μ)| + |β|).
    let C = shape[1], S = x.count / (shape[0] * C)
    let magnitude = Tensor<Double>(shape: shape) { i in
      let c = (i / S) % C
      let a = Double(p.scale.scalars[c]) / (Double(p.variance.scalars[c]) + Double(eps)).squareRoot()
      return abs(a * (Double(x.scalars[i]) - Double(p.mean.scalars[c]))) + abs(Double(p.shift.scalars[c]))
    }
    let fast = Fast.batchNorm(x, scale: p.scale, shift: p.shift, mean: p.mean, variance: p.variance, epsilon: eps)
    let c = compare(fast, reference, bound: OpsTesting.gammaBound(magnitude, 6))
    #expect(c.passed, "\(c)")
  }

  @Test("Fast batchNormBackwardInput is within γ₄·|dy·γ/√(σ² + ε)| of the Double literal", arguments: shapes)
  func backward(shape: [Int]) {
    let dy: Tensor<Float> = Fill.normal(shape, seed: 51)
    let p = Self.parameters(shape[1], seed: 52)
    let eps: Float = 1e-5
    let reference = Literal.batchNormBackwardInput(
      dy.asDouble, scale: p.scale.asDouble, variance: p.variance.asDouble, epsilon: Double(eps))
    // a = γ/√(σ² + ε) within 2.5u, the product one more rounding: γ₄ relative.
    let fast = Fast.batchNormBackwardInput(dy, scale: p.scale, variance: p.variance, epsilon: eps)
    let c = compare(fast, reference, bound: OpsTesting.gammaBound(reference.magnitudes, 4))
    #expect(c.passed, "\(c)")
  }

  @Test("batchNormBackwardInput is the VJP of batchNorm (finite differences in Double)")
  func vjp() {
    var rng = SeededRNG(seed: 53)
    let p = Self.parameters(3, seed: 54)
    let (g, b, m, v) = (p.scale.asDouble, p.shift.asDouble, p.mean.asDouble, p.variance.asDouble)
    let x: Tensor<Double> = Fill.normal([2, 3, 2, 3, 2], seed: 55)
    let check = checkVJP(
      { Literal.batchNorm($0, scale: g, shift: b, mean: m, variance: v, epsilon: 1e-5) },
      vjp: { _, dy in Literal.batchNormBackwardInput(dy, scale: g, variance: v, epsilon: 1e-5) }, at: x, rng: &rng)
    #expect(check.passed, "\(check)")
  }

  @Test("hand-computed: γ = [2, 1], β = [0, 1], μ = [1, 2], σ² = [3.75, 0.75], ε = 0.25 (√ = [2, 1])")
  func handValues() {
    // y[n, 0] = 2·(x − 1)/2 + 0 = x − 1; y[n, 1] = (x − 2)/1 + 1 = x − 1. Every step exact.
    let x = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
    let g = Tensor<Float>(shape: [2], scalars: [2, 1]), b = Tensor<Float>(shape: [2], scalars: [0, 1])
    let m = Tensor<Float>(shape: [2], scalars: [1, 2]), v = Tensor<Float>(shape: [2], scalars: [3.75, 0.75])
    #expect(Fast.batchNorm(x, scale: g, shift: b, mean: m, variance: v, epsilon: 0.25).scalars == [0, 1, 2, 3])
    #expect(Literal.batchNorm(x, scale: g, shift: b, mean: m, variance: v, epsilon: 0.25).scalars == [0, 1, 2, 3])
    let dy = Tensor<Float>(shape: [2, 2], scalars: [1, 1, -2, 3])
    #expect(Fast.batchNormBackwardInput(dy, scale: g, variance: v, epsilon: 0.25).scalars == [1, 1, -2, 3])
  }
}
