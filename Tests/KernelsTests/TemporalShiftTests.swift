import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Temporal shift (TSM): one fold shifted left, one right, the rest copied")
struct TemporalShiftTests {
  @Test("a 3-channel clip with fold divisor 3: channel 0 moves to t−1, channel 1 to t+1, channel 2 stays")
  func handCase() {
    // x[c][t] for N = H = W = 1, T = 3; fold = 3 / 3 = 1.
    let x = Tensor<Double>(shape: [1, 3, 3, 1, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    // Official code: out[:, :-1, :fold] = x[:, 1:, :fold]; out[:, 1:, fold:2fold] = x[:, :-1, fold:2fold].
    #expect(Literal.temporalShift(x, foldDivisor: 3).scalars == [2, 3, 0, 0, 4, 5, 7, 8, 9])
    #expect(Fast.temporalShift(Tensor<Float>(converting: x), foldDivisor: 3).scalars == [2, 3, 0, 0, 4, 5, 7, 8, 9])
    // The adjoint moves the cotangent back: channel 0 to t+1, channel 1 to t−1.
    #expect(Literal.temporalShiftBackward(x, foldDivisor: 3).scalars == [0, 1, 2, 5, 6, 0, 7, 8, 9])
    #expect(
      Fast.temporalShiftBackward(Tensor<Float>(converting: x), foldDivisor: 3).scalars == [0, 1, 2, 5, 6, 0, 7, 8, 9])
  }

  @Test("the fold is ⌊C / divisor⌋: C = 7, divisor 8 shifts nothing; divisor 1 shifts every channel left")
  func foldEdgeCases() {
    let x: Tensor<Double> = Fill.weyl([1, 7, 4, 2, 3])
    #expect(Literal.temporalShift(x, foldDivisor: 8) == x)
    let left = Literal.temporalShift(x, foldDivisor: 1)
    let frame = 6
    for c in 0..<7 {
      for t in 0..<4 {
        for k in 0..<frame {
          let expected = t < 3 ? x.scalars[(c * 4 + t + 1) * frame + k] : 0
          #expect(left.scalars[(c * 4 + t) * frame + k] == expected)
        }
      }
    }
  }

  @Test(
    "Fast equals Literal bit for bit on boundary shapes, forward and backward",
    arguments: [
      [2, 16, 8, 7, 9], [1, 17, 1, 3, 5], [1, 9, 15, 1, 1], [3, 8, 16, 4, 4], [1, 31, 7, 2, 17], [2, 32, 8, 16, 17],
    ])
  func fastEqualsLiteral(shape: [Int]) {
    let x: Tensor<Float> = Fill.weyl(shape)
    for divisor in [1, 3, 8] {
      let literal = Literal.temporalShift(x.widened, foldDivisor: divisor)
      #expect(Fast.temporalShift(x, foldDivisor: divisor).widened == literal, "shape \(shape), divisor \(divisor)")
      let literalBack = Literal.temporalShiftBackward(x.widened, foldDivisor: divisor)
      #expect(
        Fast.temporalShiftBackward(x, foldDivisor: divisor).widened == literalBack, "shape \(shape), divisor \(divisor)"
      )
    }
  }

  @Test("the backward is the vector-Jacobian product of the forward (finite differences in Double)")
  func vjp() {
    var rng = SeededRNG(seed: 0x75A1)
    for (shape, divisor) in [
      ([2, 8, 5, 3, 2], 8), ([1, 6, 4, 1, 3], 3), ([1, 5, 1, 2, 2], 2), ([1, 3, 3, 2, 1], 1),
    ] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 7)
      let check = checkVJP(
        { Literal.temporalShift($0, foldDivisor: divisor) },
        vjp: { _, dy in Literal.temporalShiftBackward(dy, foldDivisor: divisor) }, at: x, rng: &rng)
      #expect(check.passed, "shape \(shape), divisor \(divisor): \(check)")
    }
  }
}
