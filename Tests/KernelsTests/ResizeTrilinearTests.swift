import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Trilinear resize: PyTorch's align_corners=False source coordinates and weights")
struct ResizeTrilinearTests {
  @Test("2→4 along W gives [x₀, ¾x₀+¼x₁, ¼x₀+¾x₁, x₁] (sources −¼→0, ¼, ¾, 1¼ clamped to index 1)")
  func handCaseUp() {
    let x = Tensor<Double>(shape: [1, 1, 1, 1, 2], scalars: [1, 3])
    #expect(Literal.resizeTrilinear(x, size: Size3(1, 1, 4)).scalars == [1, 1.5, 2.5, 3])
    #expect(Fast.resizeTrilinear(Tensor<Float>(converting: x), size: Size3(1, 1, 4)).scalars == [1, 1.5, 2.5, 3])
  }

  @Test("2×2 → 3×3 over (T, H) is bilinear: the middle row and column are averages")
  func handCaseTwoAxes() {
    // 2→3: sources −⅙→0, ½, 7/6→index 1 with weight 1: [x₀, (x₀+x₁)/2, x₁].
    let x = Tensor<Double>(shape: [1, 1, 2, 2, 1], scalars: [1, 2, 3, 5])
    let expected = Tensor<Double>(shape: [1, 1, 3, 3, 1], scalars: [1, 1.5, 2, 2, 2.75, 3.5, 3, 4, 5])
    // 7/6 − 1 = ⅙ is inexact, so the two weights on x₁ sum to 1 only up to a few roundings.
    let literal = compare(
      Literal.resizeTrilinear(x, size: Size3(3, 3, 1)), expected, bound: expected.map { 8 * 0x1p-53 * $0 })
    #expect(literal.passed, "\(literal)")
    let fast = compare(
      Fast.resizeTrilinear(Tensor<Float>(converting: x), size: Size3(3, 3, 1)), expected,
      bound: expected.map { 8 * 0x1p-24 * $0 })
    #expect(fast.passed, "\(fast)")
  }

  @Test("4→2 averages pairs: sources ½ and 2½")
  func handCaseDown() {
    let x = Tensor<Double>(shape: [1, 1, 4, 1, 1], scalars: [1, 3, 5, 7])
    #expect(Literal.resizeTrilinear(x, size: Size3(2, 1, 1)).scalars == [2, 6])
  }

  @Test("resizing to the same size is the identity, exactly")
  func identity() {
    let x: Tensor<Float> = Fill.weyl([2, 3, 7, 9, 16])
    #expect(Literal.resizeTrilinear(x.widened, size: Size3(7, 9, 16)) == x.widened)
    #expect(Fast.resizeTrilinear(x, size: Size3(7, 9, 16)) == x)
  }

  @Test("a ramp x[i] = i along one axis resizes to min(src(d), in − 1) with src(d) = max((d+½)·in/out − ½, 0)")
  func rampReproducesSourceCoordinates() {
    let input = zip(Gen.int(in: 1...20), Gen.int(in: 1...40), Gen.int(in: 0...2))
    pinnedPropertyCheck(count: 60, seed: (0xA1, 0xA2, 0xA3, 0xA4), input: input) { inSize, outSize, axis in
      var shape = [1, 1, 1, 1, 1], size = [1, 1, 1]
      shape[2 + axis] = inSize
      size[axis] = outSize
      let x = Tensor<Double>(shape: shape, scalars: (0..<inSize).map(Double.init))
      let y = Literal.resizeTrilinear(x, size: Size3(size[0], size[1], size[2]))
      let yFast = Fast.resizeTrilinear(Tensor<Float>(converting: x), size: Size3(size[0], size[1], size[2]))
      for d in 0..<outSize {
        let src = max((Double(d) + 0.5) * Double(inSize) / Double(outSize) - 0.5, 0)
        let expected = min(src, Double(inSize - 1))
        // A few Double roundings of quantities ≤ in: 8·2⁻⁵³·in; Float: 8·2⁻²⁴·in.
        #expect(abs(y.scalars[d] - expected) <= 8 * 0x1p-53 * Double(inSize), "\(inSize)→\(outSize) d \(d)")
        #expect(abs(Double(yFast.scalars[d]) - expected) <= 8 * 0x1p-24 * Double(inSize), "\(inSize)→\(outSize) d \(d)")
      }
    }
  }

  static let cases: [([Int], Size3)] = [
    ([2, 3, 5, 8, 9], Size3(7, 17, 31)), ([1, 2, 16, 16, 16], Size3(16, 15, 17)), ([1, 1, 9, 31, 17], Size3(3, 8, 7)),
    ([1, 2, 2, 7, 7], Size3(16, 112, 112)), ([1, 1, 3, 1, 15], Size3(1, 1, 16)), ([1, 3, 1, 9, 1], Size3(8, 1, 31)),
  ]

  @Test("Fast equals Literal within γ₉·Σ|λλλx| (three nested two-term blends, Float weights)", arguments: cases)
  func fastEqualsLiteral(shape: [Int], size: Size3) {
    let x: Tensor<Float> = Fill.weyl(shape)
    let reference = Literal.resizeTrilinear(x.widened, size: size)
    // Each blend a·u + b·v adds error γ₂ of its magnitude, three nested: γ₆; the Float
    // weights are the Double ones rounded once each (3 more roundings in the product).
    let magnitude = Literal.resizeTrilinear(x.widened.magnitudes, size: size)
    let c = compare(
      Fast.resizeTrilinear(x, size: size), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: 6, extraOperations: 3))
    #expect(c.passed, "\(shape) → \(size): \(c)")
  }

  @Test("Fast backward equals Literal backward within γ_(k_T+k_H+k_W+6)·Σ|λλλ·dy|", arguments: cases)
  func fastBackwardEqualsLiteral(shape: [Int], size: Size3) {
    let dy = uniformFloats([shape[0], shape[1], size.t, size.h, size.w], seed: 9)
    let reference = Literal.resizeTrilinearBackward(dy.widened, inputShape: shape)
    // Along an axis, a source index receives from outputs whose unclamped source coordinate
    // lies in [i − 1, i + 1): at most ⌈2·out/in⌉ + 1 outputs, each possibly twice at a border.
    // The three nested sums add their depths; 3 weight roundings and 3 products more.
    let k = zip(shape[2...], size.array).map { 2 * ((2 * $1 + $0 - 1) / $0 + 1) }.reduce(0, +)
    let magnitude = Literal.resizeTrilinearBackward(dy.widened.magnitudes, inputShape: shape)
    let c = compare(
      Fast.resizeTrilinearBackward(dy, inputShape: shape), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: k, extraOperations: 6))
    #expect(c.passed, "\(shape) → \(size): \(c)")
  }

  @Test("the backward is the vector-Jacobian product of the forward (finite differences in Double)")
  func vjp() {
    var rng = SeededRNG(seed: 0x731)
    for (shape, size) in [
      ([1, 2, 3, 2, 3], Size3(7, 4, 2)), ([2, 1, 5, 7, 1], Size3(2, 3, 3)), ([1, 1, 1, 2, 1], Size3(2, 5, 3)),
    ] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 17)
      let check = checkVJP(
        { Literal.resizeTrilinear($0, size: size) },
        vjp: { _, dy in Literal.resizeTrilinearBackward(dy, inputShape: shape) }, at: x, rng: &rng)
      #expect(check.passed, "\(shape) → \(size): \(check)")
    }
  }
}
