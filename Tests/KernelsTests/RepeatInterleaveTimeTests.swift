import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Repeat-interleave along T: every frame repeated, the backward sums each group")
struct RepeatInterleaveTimeTests {
  @Test("frames [a, b] with factor 3 become [a, a, a, b, b, b]; the backward sums each run of three")
  func handCase() {
    let x = Tensor<Double>(shape: [1, 1, 2, 1, 2], scalars: [1, 2, 3, 4])
    let y = Literal.repeatInterleaveTime(x, factor: 3)
    #expect(y.shape == [1, 1, 6, 1, 2])
    #expect(y.scalars == [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
    #expect(Fast.repeatInterleaveTime(Tensor<Float>(converting: x), factor: 3).widened == y)
    let dy = Tensor<Double>(shape: [1, 1, 6, 1, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60])
    #expect(Literal.repeatInterleaveTimeBackward(dy, factor: 3).scalars == [6, 60, 15, 150])
    #expect(Fast.repeatInterleaveTimeBackward(Tensor<Float>(converting: dy), factor: 3).scalars == [6, 60, 15, 150])
  }

  @Test(
    "Fast equals Literal: forward bit for bit, backward within γ_factor·Σ|dy|",
    arguments: [
      ([1, 3, 2, 7, 7], 8), ([2, 1, 1, 9, 17], 1), ([1, 2, 3, 1, 31], 2), ([1, 4, 5, 16, 15], 7),
      ([1, 3, 8, 56, 56], 2),
    ])
  func fastEqualsLiteral(shape: [Int], factor: Int) {
    let x: Tensor<Float> = Fill.weyl(shape)
    #expect(
      Fast.repeatInterleaveTime(x, factor: factor).widened == Literal.repeatInterleaveTime(x.widened, factor: factor))
    var outShape = shape
    outShape[2] *= factor
    let dy = uniformFloats(outShape, seed: 3)
    let reference = Literal.repeatInterleaveTimeBackward(dy.widened, factor: factor)
    // Each element sums `factor` terms: Float error ≤ γ_factor · Σ|terms| (Higham §3.1).
    let magnitude = Literal.repeatInterleaveTimeBackward(dy.widened.magnitudes, factor: factor)
    let c = compare(
      Fast.repeatInterleaveTimeBackward(dy, factor: factor), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: factor, extraOperations: 0))
    #expect(c.passed, "shape \(shape), factor \(factor): \(c)")
  }

  @Test("the backward is the vector-Jacobian product of the forward (finite differences in Double)")
  func vjp() {
    var rng = SeededRNG(seed: 0x2E9)
    for (shape, factor) in [([1, 2, 3, 2, 3], 4), ([2, 1, 1, 3, 1], 1), ([1, 1, 4, 1, 2], 2)] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 11)
      let check = checkVJP(
        { Literal.repeatInterleaveTime($0, factor: factor) },
        vjp: { _, dy in Literal.repeatInterleaveTimeBackward(dy, factor: factor) }, at: x, rng: &rng)
      #expect(check.passed, "shape \(shape), factor \(factor): \(check)")
    }
  }

  @Test("backward ∘ forward = factor × identity (exact in Double; Float within γ_factor·factor·|x|)")
  func backwardOfForwardScales() {
    let input = zip(Gen.int(in: 1...4), Gen.int(in: 1...9), Gen.int(in: 1...12), Gen.uint64())
    pinnedPropertyCheck(count: 40, seed: (0x51, 0x52, 0x53, 0x54), input: input) { c, t, factor, seed in
      let x: Tensor<Float> = Fill.uniform([1, c, t, 3, 2], seed: seed)
      // In Double, summing `factor` copies of a Float is exact (24 + 4 bits < 53).
      let literal = Literal.repeatInterleaveTimeBackward(
        Literal.repeatInterleaveTime(x.widened, factor: factor), factor: factor)
      #expect(literal.scalars == x.widened.scalars.map { Double(factor) * $0 }, "c \(c) t \(t) factor \(factor)")
      let fast = Fast.repeatInterleaveTimeBackward(Fast.repeatInterleaveTime(x, factor: factor), factor: factor)
      let bound = Tolerance.reduction(magnitude: literal.magnitudes, terms: factor, extraOperations: 0)
      let cmp = compare(fast, literal, bound: bound)
      #expect(cmp.passed, "c \(c) t \(t) factor \(factor): \(cmp)")
    }
  }
}
