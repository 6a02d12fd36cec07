import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Relevance elementwise kernels: fast equals literal exactly")
struct RelevanceElementwiseTests {
  /// Sizes around the 16-lane vectors and the 64 Ki-element parallel chunks.
  static let sizes = [0, 1, 7, 8, 9, 15, 16, 17, 31, 65_536 + 17, 3 * 65_536 - 1]

  /// A fill with zeros, signed zeros, infinities and NaN among ordinary values.
  static func specialFill(_ n: Int, seed: UInt64) -> Tensor<Float> {
    var t: Tensor<Float> = Fill.uniform([n], -2, 2, seed: seed)
    let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 0x1p-130, -0x1p-130]  // last two subnormal
    for i in stride(from: 0, to: n, by: 5) { t.scalars[i] = specials[(i / 5) % specials.count] }
    return t
  }

  static func sameBits(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Bool {
    a.shape == b.shape
      && zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
  }

  @Test("subtract, parts, divideOrZero and stabilized are bit-identical on both paths", arguments: sizes)
  func bitIdentical(n: Int) {
    let a = Self.specialFill(n, seed: 1), b = Self.specialFill(n, seed: 2)
    #expect(Self.sameBits(Fast.subtract(a, b), Literal.subtract(a, b)))
    #expect(Self.sameBits(Fast.positivePart(a), Literal.positivePart(a)))
    #expect(Self.sameBits(Fast.negativePart(a), Literal.negativePart(a)))
    #expect(Self.sameBits(Fast.divideOrZero(a, b), Literal.divideOrZero(a, b)))
    #expect(Self.sameBits(Fast.stabilized(a, epsilon: 0.25), Literal.stabilized(a, epsilon: 0.25)))
  }

  @Test("divideOrZero gives 0 exactly where the denominator is ±0, and a/b elsewhere")
  func divideOrZeroConvention() {
    let a = Tensor<Float>(shape: [4], scalars: [1, -2, 3, 0])
    let b = Tensor<Float>(shape: [4], scalars: [0, -0.0, 2, 5])
    #expect(Fast.divideOrZero(a, b).scalars == [0, 0, 1.5, 0])
  }

  @Test("stabilized moves every value ε away from zero, with sign(0) = +1")
  func stabilizedSign() {
    let z = Tensor<Double>(shape: [3], scalars: [-0.5, 0, 2])
    #expect(Literal.stabilized(z, epsilon: 0.1).scalars == [-0.6, 0.1, 2.1])
  }

  @Test("sum agrees with the Double sum within γₙ·Σ|x|", arguments: [1, 17, 4096, 4097, 100_003])
  func sumWithinBound(n: Int) {
    let x: Tensor<Float> = Fill.uniform([n], -1, 1, seed: UInt64(n))
    let exact = Literal.sum(x.asDouble)
    let magnitude = x.scalars.reduce(0.0) { $0 + abs(Double($1)) }
    // Fast.sum adds n terms in some order: error ≤ γ_n·Σ|x| (Higham §4.2).
    #expect(abs(Double(Fast.sum(x)) - exact) <= Tolerance.gamma(n) * magnitude)
  }
}
