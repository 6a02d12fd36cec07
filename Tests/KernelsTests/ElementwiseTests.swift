import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Elementwise: add, multiply, scale, addScaled")
struct ElementwiseTests {
  /// Extents on SIMD16 boundaries, a rank-5 shape, and one above the 64 K parallel threshold.
  static let shapes: [[Int]] = [[1], [7], [8], [9], [15], [16], [17], [31], [2, 3, 5, 7, 9], [70_001]]

  @Test(
    "add, multiply and scale round the exact result once: Fast equals the Double literal rounded to Float",
    arguments: shapes)
  func oneRounding(shape: [Int]) {
    let a: Tensor<Float> = Fill.weyl(shape), b: Tensor<Float> = Fill.uniform(shape, -3, 3, seed: 11)
    let s: Float = -1.7
    // a + b, a·b and s·a of Float inputs are computed exactly in Double (Float has 24-bit
    // significands: sums need ≤ 25 + exponent-gap bits, which Double holds for these ranges,
    // products ≤ 48 bits), so rounding the Double result to Float is the correctly rounded
    // Float result, which is what one IEEE operation gives.
    #expect(OpsTesting.roundsTo(Fast.add(a, b), Literal.add(a.asDouble, b.asDouble)))
    #expect(OpsTesting.roundsTo(Fast.multiply(a, b), Literal.multiply(a.asDouble, b.asDouble)))
    #expect(OpsTesting.roundsTo(Fast.scale(a, by: s), Literal.scale(a.asDouble, by: Double(s))))
    // And bit for bit the literal run in Float.
    #expect(OpsTesting.identical(Fast.add(a, b), Literal.add(a, b)))
    #expect(OpsTesting.identical(Fast.multiply(a, b), Literal.multiply(a, b)))
    #expect(OpsTesting.identical(Fast.scale(a, by: s), Literal.scale(a, by: s)))
  }

  @Test("addScaled is within γ₂·(|a| + |s·b|) of the Double literal and equals the Float literal", arguments: shapes)
  func addScaled(shape: [Int]) {
    let a: Tensor<Float> = Fill.weyl(shape, offset: 0.25), b: Tensor<Float> = Fill.normal(shape, seed: 12)
    let s: Float = 0.3
    let fast = Fast.addScaled(a, b, scale: s)
    let reference = Literal.addScaled(a.asDouble, b.asDouble, scale: Double(s))
    // Two roundings (the product, then the sum): |error| ≤ γ₂·(|a| + |s·b|).
    let magnitude = Literal.add(a.asDouble.magnitudes, Literal.scale(b.asDouble.magnitudes, by: Double(abs(s))))
    let c = compare(fast, reference, bound: OpsTesting.gammaBound(magnitude, 2))
    #expect(c.passed, "\(c)")
    #expect(OpsTesting.identical(fast, Literal.addScaled(a, b, scale: s)))
  }

  @Test("hand-computed values, including signed zeros, infinities and NaN")
  func handValues() {
    let a = Tensor<Double>(shape: [5], scalars: [1, -0.0, .infinity, .nan, 2.5])
    let b = Tensor<Double>(shape: [5], scalars: [2, 0, -.infinity, 1, -0.5])
    let sum = Literal.add(a, b).scalars
    #expect(sum[0] == 3 && sum[1] == 0 && sum[2].isNaN && sum[3].isNaN && sum[4] == 2)
    #expect(Literal.multiply(a, b).scalars[4] == -1.25)
    #expect(Literal.scale(a, by: 2).scalars[4] == 5)
    #expect(Literal.addScaled(a, b, scale: 4).scalars[0] == 9)
    let af = Tensor<Float>(converting: a), bf = Tensor<Float>(converting: b)
    #expect(OpsTesting.identical(Fast.add(af, bf), Literal.add(af, bf)))
    #expect(OpsTesting.identical(Fast.multiply(af, bf), Literal.multiply(af, bf)))
    #expect(OpsTesting.identical(Fast.addScaled(af, bf, scale: 4), Literal.addScaled(af, bf, scale: 4)))
  }

  @Test("addScaled(a, b, s) = add(a, scale(b, s)) exactly, for random shapes and scales")
  func addScaledComposition() {
    OpsTesting.propertyCheck(
      seed: (0x5EED_0001, 2, 3, 4), count: 50, input: zip(Gen.int(in: 1...80), Gen.float(in: -4...4))
    ) { k, input in
      let (n, s) = input
      let a: Tensor<Float> = Fill.uniform([n], seed: UInt64(k)),
        b: Tensor<Float> = Fill.uniform([n], seed: UInt64(k + 99))
      // Both round s·b, then the sum: the same two operations.
      #expect(OpsTesting.identical(Fast.addScaled(a, b, scale: s), Fast.add(a, Fast.scale(b, by: s))), "case \(k)")
    }
  }

  @Test("mismatched shapes stop with a precondition failure (no broadcasting)")
  func shapeMismatchTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = Fast.add(Tensor<Float>(shape: [2, 3], repeating: 1), Tensor<Float>(shape: [3, 2], repeating: 1))
    }
    await #expect(processExitsWith: .failure) {
      _ = Literal.multiply(Tensor<Double>(shape: [4], repeating: 1), Tensor<Double>(shape: [5], repeating: 1))
    }
  }
}
