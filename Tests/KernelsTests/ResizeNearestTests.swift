import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Nearest resize: PyTorch's legacy \"nearest\" mode with its Float32 source index")
struct ResizeNearestTests {
  /// A 1×1×1×1×W row with values `values`, resized along W only.
  static func resizeRow(_ values: [Double], to w: Int) -> [Double] {
    let x = Tensor<Double>(shape: [1, 1, 1, 1, values.count], scalars: values)
    return Literal.resizeNearest(x, size: Size3(1, 1, w)).scalars
  }

  @Test("3→7 picks sources [0, 0, 0, 1, 1, 2, 2] and 7→3 picks [0, 2, 4] (⌊d·fl(in/out)⌋)")
  func handCases() {
    #expect(Self.resizeRow([10, 20, 30], to: 7) == [10, 10, 10, 20, 20, 30, 30])
    #expect(Self.resizeRow([0, 1, 2, 3, 4, 5, 6], to: 3) == [0, 2, 4])
    // 2→16 along T (×8) and 7→112 along H (×16): every source repeated.
    let x = Tensor<Double>(shape: [1, 1, 2, 7, 1], scalars: (0..<14).map(Double.init))
    let y = Literal.resizeNearest(x, size: Size3(16, 112, 1))
    for t in 0..<16 {
      for h in 0..<112 { #expect(y[0, 0, t, h, 0] == Double((t / 8) * 7 + h / 16)) }
    }
    let z: Tensor<Double> = Fill.weyl([1, 2, 16, 3, 5])
    #expect(Literal.resizeNearest(z, size: Size3(16, 3, 5)) == z)
  }

  @Test("the scale is Float32 as in PyTorch: 9→111 maps output 37 to input 2 (exact arithmetic gives 3)")
  func float32Scale() {
    // fl(9/111) = 0.081081077… < 9/111, so fl(37·scale) = 2.9999998 and ⌊·⌋ = 2.
    #expect(Literal.pyTorchNearestSourceIndex(37, input: 9, output: 111) == 2)
    #expect(Literal.pyTorchNearestSourceIndex(23, input: 14, output: 46) == 6)
    #expect(Self.resizeRow((0..<9).map(Double.init), to: 111)[37] == 2)
    #expect(Literal.pyTorchNearestSourceIndex(5, input: 4, output: 8) == 2)  // the out = 2·in shortcut
  }

  static let cases: [([Int], Size3)] = [
    ([2, 3, 5, 8, 9], Size3(7, 17, 31)), ([1, 2, 16, 16, 16], Size3(16, 16, 16)), ([1, 1, 9, 31, 17], Size3(3, 8, 7)),
    ([1, 2, 2, 7, 7], Size3(16, 112, 112)), ([1, 1, 3, 1, 15], Size3(1, 1, 16)), ([1, 3, 9, 111, 9], Size3(8, 9, 111)),
  ]

  @Test("Fast equals Literal bit for bit, up and down, on boundary sizes", arguments: cases)
  func fastEqualsLiteral(shape: [Int], size: Size3) {
    let x: Tensor<Float> = Fill.weyl(shape)
    #expect(Fast.resizeNearest(x, size: size).widened == Literal.resizeNearest(x.widened, size: size))
  }

  @Test(
    "Fast backward equals Literal backward within γ_k·Σ|dy|, k the most outputs sharing one source", arguments: cases)
  func fastBackwardEqualsLiteral(shape: [Int], size: Size3) {
    let dy = uniformFloats([shape[0], shape[1], size.t, size.h, size.w], seed: 5)
    let reference = Literal.resizeNearestBackward(dy.widened, inputShape: shape)
    // An input element sums the cotangents of at most ⌈out/in⌉ + 1 outputs per axis.
    let k = zip(shape[2...], size.array).map { ($1 + $0 - 1) / $0 + 1 }.reduce(1, *)
    let magnitude = Literal.resizeNearestBackward(dy.widened.magnitudes, inputShape: shape)
    let c = compare(
      Fast.resizeNearestBackward(dy, inputShape: shape), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: k, extraOperations: 0))
    #expect(c.passed, "\(shape) → \(size): \(c)")
  }

  @Test("the backward is the vector-Jacobian product of the forward (finite differences in Double)")
  func vjp() {
    var rng = SeededRNG(seed: 0x4EA)
    for (shape, size) in [
      ([1, 2, 3, 2, 3], Size3(7, 4, 2)), ([2, 1, 5, 7, 1], Size3(2, 3, 3)), ([1, 1, 1, 1, 1], Size3(2, 1, 3)),
    ] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 13)
      let check = checkVJP(
        { Literal.resizeNearest($0, size: size) },
        vjp: { _, dy in Literal.resizeNearestBackward(dy, inputShape: shape) }, at: x, rng: &rng)
      #expect(check.passed, "\(shape) → \(size): \(check)")
    }
  }
}
