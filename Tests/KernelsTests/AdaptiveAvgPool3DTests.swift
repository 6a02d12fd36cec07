import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Adaptive average pool 3-D: PyTorch's bins, backward, literal and fast")
struct AdaptiveAvgPool3DTests {
  struct Case: CustomStringConvertible, Sendable {
    var shape: [Int]
    var size: Size3
    var description: String { "input \(Shape.describe(shape)) → \(size)" }
  }

  /// Global pooling, uneven and overlapping bins, identity, Out > In (repeated elements), whole
  /// rows and whole planes as single runs, and one input above the 64 K parallel threshold.
  static let cases: [Case] = [
    Case(shape: [2, 3, 7, 9, 17], size: .cube(1)), Case(shape: [2, 3, 7, 9, 17], size: Size3(2, 3, 5)),
    Case(shape: [1, 2, 7, 9, 17], size: Size3(7, 9, 17)), Case(shape: [1, 2, 8, 16, 31], size: Size3(3, 4, 8)),
    Case(shape: [1, 2, 16, 14, 14], size: Size3(4, 7, 7)), Case(shape: [1, 1, 3, 4, 5], size: Size3(5, 7, 9)),
    Case(shape: [1, 2, 5, 6, 7], size: Size3(2, 1, 1)), Case(shape: [1, 2, 5, 6, 7], size: Size3(3, 6, 1)),
    Case(shape: [2, 8, 9, 31, 33], size: .cube(1)), Case(shape: [1, 3, 8, 31, 33], size: Size3(2, 7, 7)),
  ]

  /// The largest bin volume of the case (the number of terms an output sums).
  static func maxBin(_ c: Case) -> Int {
    func axis(_ i: Int, _ o: Int) -> Int {
      (0..<o).map { k in ((k + 1) * i + o - 1) / o - k * i / o }.max()!
    }
    return axis(c.shape[2], c.size.t) * axis(c.shape[3], c.size.h) * axis(c.shape[4], c.size.w)
  }

  @Test("Fast adaptiveAvgPool3d is within γ_(|B|+1)·Σ|x|/|B| of the Double literal", arguments: cases)
  func forward(c: Case) {
    let x: Tensor<Float> = Fill.weyl(c.shape, offset: -0.1)
    let reference = Literal.adaptiveAvgPool3d(x.asDouble, outputSize: c.size)
    let magnitude = Literal.adaptiveAvgPool3d(x.asDouble.magnitudes, outputSize: c.size)
    let r = compare(
      Fast.adaptiveAvgPool3d(x, outputSize: c.size), reference,
      bound: OpsTesting.gammaBound(magnitude, Self.maxBin(c) + 1))
    #expect(r.passed, "\(r)")
  }

  @Test(
    "Fast adaptiveAvgPool3dBackward equals the literal's sums (same order) and the Float literal exactly",
    arguments: cases)
  func backward(c: Case) {
    let dy: Tensor<Float> = Fill.normal([c.shape[0], c.shape[1], c.size.t, c.size.h, c.size.w], seed: 110)
    let fast = Fast.adaptiveAvgPool3dBackward(dy, inputShape: c.shape)
    let reference = Literal.adaptiveAvgPool3dBackward(dy.asDouble, inputShape: c.shape)
    // An input element lies in at most Π⌈Out/In⌉+1 bins per axis; each quotient rounds once and
    // each addition once: bound by γ_(terms+1) with terms ≤ the output volume per plane.
    let terms = c.size.product
    let magnitude = Literal.adaptiveAvgPool3dBackward(dy.asDouble.magnitudes, inputShape: c.shape)
    let r = compare(fast, reference, bound: OpsTesting.gammaBound(magnitude, terms + 1))
    #expect(r.passed, "\(r)")
    #expect(OpsTesting.identical(fast, Literal.adaptiveAvgPool3dBackward(dy, inputShape: c.shape)))
  }

  @Test(
    "adaptiveAvgPool3dBackward is the VJP of adaptiveAvgPool3d (finite differences)",
    arguments: [cases[1], cases[5], cases[7]])
  func vjp(c: Case) {
    var rng = SeededRNG(seed: 111)
    let x: Tensor<Double> = Fill.normal(c.shape, seed: 112)
    let check = checkVJP(
      { Literal.adaptiveAvgPool3d($0, outputSize: c.size) },
      vjp: { x, dy in Literal.adaptiveAvgPool3dBackward(dy, inputShape: x.shape) }, at: x, rng: &rng)
    #expect(check.passed, "\(check)")
  }

  @Test("hand-computed bins: In 5 → Out 3 is [0,2), [1,4), [3,5); In 2 → Out 3 is [0,1), [0,2), [1,2)")
  func handBins() {
    let x = Tensor<Float>(shape: [1, 1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
    #expect(Fast.adaptiveAvgPool3d(x, outputSize: Size3(1, 1, 3)).scalars == [1.5, 3, 4.5])
    #expect(Literal.adaptiveAvgPool3d(x.asDouble, outputSize: Size3(1, 1, 3)).scalars == [1.5, 3, 4.5])
    let y = Tensor<Float>(shape: [1, 1, 1, 2, 1], scalars: [1, 2])
    #expect(Fast.adaptiveAvgPool3d(y, outputSize: Size3(1, 3, 1)).scalars == [1, 1.5, 2])
    #expect(Literal.adaptiveAvgPool3d(y.asDouble, outputSize: Size3(1, 3, 1)).scalars == [1, 1.5, 2])
    // Backward of the 5 → 3 case: dy [2, 3, 4] spreads 1, 1 | 1, 1, 1 | 2, 2.
    let dy = Tensor<Float>(shape: [1, 1, 1, 1, 3], scalars: [2, 3, 4])
    #expect(Fast.adaptiveAvgPool3dBackward(dy, inputShape: x.shape).scalars == [1, 2, 1, 3, 2])
  }

  @Test("output size = input size is the identity; output 1×1×1 is the plane mean (random shapes)")
  func identityAndMean() {
    let gen = zip(Gen.int(in: 1...6), Gen.int(in: 1...9), Gen.int(in: 1...20))
    OpsTesting.propertyCheck(seed: (0xAD_A901, 0xAD_A902, 0xAD_A903, 0xAD_A904), count: 40, input: gen) { k, input in
      let (t, h, w) = input
      let x: Tensor<Double> = Fill.uniform([2, 2, t, h, w], seed: UInt64(k))
      #expect(Literal.adaptiveAvgPool3d(x, outputSize: Size3(t, h, w)).scalars == x.scalars, "case \(k)")
      let xf = Tensor<Float>(converting: x)
      #expect(OpsTesting.identical(Fast.adaptiveAvgPool3d(xf, outputSize: Size3(t, h, w)), xf), "case \(k)")
      let mean = Literal.adaptiveAvgPool3d(x, outputSize: .cube(1))
      let n = t * h * w
      for p in 0..<4 {
        let plane = x.scalars[(p * n)..<((p + 1) * n)]
        // The same sum in the same order, divided once: equal.
        #expect(mean.scalars[p] == plane.reduce(0, +) / Double(n), "case \(k) plane \(p)")
      }
    }
  }
}
