import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Linear: y = x·Wᵀ + b and its three VJPs, literal and fast")
struct LinearTests {
  struct Case: CustomStringConvertible, Sendable {
    var n: Int, i: Int, o: Int
    var description: String { "N \(n) I \(i) O \(o)" }
  }

  /// I on SIMD16 boundaries; O on the 4-row tile and the 64-feature task boundaries; one case
  /// above the 64 K multiply-add parallel threshold.
  static let cases: [Case] = [
    Case(n: 1, i: 1, o: 1), Case(n: 2, i: 7, o: 9), Case(n: 3, i: 8, o: 16), Case(n: 1, i: 15, o: 17),
    Case(n: 4, i: 16, o: 31), Case(n: 2, i: 31, o: 8), Case(n: 5, i: 17, o: 65), Case(n: 9, i: 33, o: 7),
    Case(n: 2, i: 1024, o: 70), Case(n: 17, i: 300, o: 15),
  ]

  @Test(
    "Fast linear is within γ_(I+1)·(Σ|x·W| + |b|) of the Double literal, with and without bias",
    arguments: cases)
  func forward(c: Case) {
    let x: Tensor<Float> = Fill.weyl([c.n, c.i]), w: Tensor<Float> = Fill.uniform([c.o, c.i], seed: 41)
    let b: Tensor<Float> = Fill.uniform([c.o], seed: 42)
    for bias in [Optional(b), nil] {
      let reference = Literal.linear(x.asDouble, weight: w.asDouble, bias: bias?.asDouble)
      let magnitude = Literal.linear(
        x.asDouble.magnitudes, weight: w.asDouble.magnitudes, bias: bias?.asDouble.magnitudes)
      // I products and I − 1 additions, then the bias: I + 1 roundings on the path of any term.
      let r = compare(
        Fast.linear(x, weight: w, bias: bias), reference, bound: OpsTesting.gammaBound(magnitude, c.i + 1))
      #expect(r.passed, "bias \(bias != nil): \(r)")
    }
  }

  @Test("Fast linear backward (input, weight, bias) is within γ-bounds of the Double literal", arguments: cases)
  func backward(c: Case) {
    let x: Tensor<Float> = Fill.weyl([c.n, c.i]), w: Tensor<Float> = Fill.uniform([c.o, c.i], seed: 43)
    let dy: Tensor<Float> = Fill.normal([c.n, c.o], seed: 44)
    let (xd, wd, dyd) = (x.asDouble, w.asDouble, dy.asDouble)
    // dx[n, i]: O terms. dW[o, i]: N terms. db[o]: N terms.
    let dx = compare(
      Fast.linearBackwardInput(dy, weight: w), Literal.linearBackwardInput(dyd, weight: wd),
      bound: OpsTesting.gammaBound(Literal.linearBackwardInput(dyd.magnitudes, weight: wd.magnitudes), c.o))
    #expect(dx.passed, "input: \(dx)")
    let dw = compare(
      Fast.linearBackwardWeight(dy, input: x), Literal.linearBackwardWeight(dyd, input: xd),
      bound: OpsTesting.gammaBound(Literal.linearBackwardWeight(dyd.magnitudes, input: xd.magnitudes), c.n))
    #expect(dw.passed, "weight: \(dw)")
    let db = compare(
      Fast.linearBackwardBias(dy), Literal.linearBackwardBias(dyd),
      bound: OpsTesting.gammaBound(Literal.linearBackwardBias(dyd.magnitudes), c.n))
    #expect(db.passed, "bias: \(db)")
    // The backward sums run in the literal's order (o for dx, n for dW and db): bit-equal to the
    // literal run in Float.
    #expect(OpsTesting.identical(Fast.linearBackwardInput(dy, weight: w), Literal.linearBackwardInput(dy, weight: w)))
    #expect(OpsTesting.identical(Fast.linearBackwardWeight(dy, input: x), Literal.linearBackwardWeight(dy, input: x)))
    #expect(OpsTesting.identical(Fast.linearBackwardBias(dy), Literal.linearBackwardBias(dy)))
  }

  @Test("the three linear VJPs match finite differences of the literal forward in Double")
  func vjp() {
    var rng = SeededRNG(seed: 45)
    let x: Tensor<Double> = Fill.normal([3, 7], seed: 46)
    let w: Tensor<Double> = Fill.normal([5, 7], seed: 47)
    let b: Tensor<Double> = Fill.normal([5], seed: 48)
    let input = checkVJP(
      { Literal.linear($0, weight: w, bias: b) }, vjp: { _, dy in Literal.linearBackwardInput(dy, weight: w) },
      at: x, rng: &rng)
    #expect(input.passed, "input: \(input)")
    let weight = checkVJP(
      { Literal.linear(x, weight: $0, bias: b) }, vjp: { _, dy in Literal.linearBackwardWeight(dy, input: x) },
      at: w, rng: &rng)
    #expect(weight.passed, "weight: \(weight)")
    let bias = checkVJP(
      { Literal.linear(x, weight: w, bias: $0) }, vjp: { _, dy in Literal.linearBackwardBias(dy) }, at: b, rng: &rng)
    #expect(bias.passed, "bias: \(bias)")
  }

  @Test("hand-computed: [[1, 2]]·[[3, 4], [5, 6], [7, 8]]ᵀ + [1, 0, −1] = [[12, 17, 22]]")
  func handValues() {
    let x = Tensor<Float>(shape: [1, 2], scalars: [1, 2])
    let w = Tensor<Float>(shape: [3, 2], scalars: [3, 4, 5, 6, 7, 8])
    let b = Tensor<Float>(shape: [3], scalars: [1, 0, -1])
    #expect(Fast.linear(x, weight: w, bias: b).scalars == [12, 17, 22])
    #expect(Literal.linear(x.asDouble, weight: w.asDouble, bias: b.asDouble).scalars == [12, 17, 22])
    let dy = Tensor<Float>(shape: [1, 3], scalars: [1, -1, 2])
    // dx = dy·W = [3 − 5 + 14, 4 − 6 + 16]; dW = dyᵀ·x; db = dy.
    #expect(Fast.linearBackwardInput(dy, weight: w).scalars == [12, 14])
    #expect(Fast.linearBackwardWeight(dy, input: x).scalars == [1, 2, -1, -2, 2, 4])
    #expect(Fast.linearBackwardBias(dy).scalars == [1, -1, 2])
  }
}
