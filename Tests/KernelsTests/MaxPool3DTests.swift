import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Max pool 3-D: values, argmax (ties, NaN, padding), backward, literal and fast")
struct MaxPool3DTests {
  /// Distinct values; a quantised fill with many ties; the same with NaNs sprinkled in.
  static func fills(_ shape: [Int]) -> [(String, Tensor<Float>)] {
    let distinct: Tensor<Float> = Fill.weyl(shape)
    let ties = distinct.map { ($0 * 3).rounded() }
    var nans = ties
    for i in stride(from: 5, to: nans.count, by: 37) { nans.scalars[i] = .nan }
    return [("distinct", distinct), ("ties", ties), ("NaN", nans)]
  }

  @Test("Fast maxPool3d equals the literal exactly: values and argmax, with ties and NaNs", arguments: PoolCase.all)
  func fastEqualsLiteral(c: PoolCase) {
    for (name, x) in Self.fills(c.shape) {
      let fast = Fast.maxPool3d(x, geometry: c.geometry)
      let reference = Literal.maxPool3d(x.asDouble, geometry: c.geometry)
      #expect(fast.output.shape == c.geometry.checkedOutputShape(input: c.shape))
      #expect(OpsTesting.roundsTo(fast.output, reference.output), "\(name): values differ")
      #expect(fast.argmax == reference.argmax, "\(name): argmax differs")
    }
  }

  @Test("hand-computed 2×2×2 window: ties go to the first in t, h, w order; a NaN wins (the last NaN)")
  func ties() {
    let g = Pool3DGeometry(kernel: .cube(2))
    let tie = Tensor<Float>(shape: [1, 1, 2, 2, 2], scalars: [1, 3, 3, 0, 2, 3, -1, 0])
    let nan = Tensor<Float>(shape: [1, 1, 2, 2, 2], scalars: [1, 9, .nan, 0, 2, .nan, -1, 0])
    let inf = Tensor<Float>(shape: [1, 1, 2, 2, 2], repeating: -.infinity)
    for r in [Fast.maxPool3d(tie, geometry: g), Literal.maxPool3d(tie, geometry: g)] {
      #expect(r.output.scalars == [3] && r.argmax == [1])
    }
    // PyTorch's `val > max || isnan(val)`: each NaN replaces the running value, so the last
    // NaN in scan order (flat index 5) is reported, and the output is NaN.
    for r in [Fast.maxPool3d(nan, geometry: g), Literal.maxPool3d(nan, geometry: g)] {
      #expect(r.output.scalars[0].isNaN && r.argmax == [5])
    }
    // Nothing beats the initial −∞: the window's first element is reported.
    for r in [Fast.maxPool3d(inf, geometry: g), Literal.maxPool3d(inf, geometry: g)] {
      #expect(r.output.scalars == [-.infinity] && r.argmax == [0])
    }
  }

  @Test("padding is −∞ and never selected: k(1,1,3) p(0,0,1) over [−5, −6, −7] gives [−5, −5, −6]")
  func paddingNeverSelected() {
    let x = Tensor<Float>(shape: [1, 1, 1, 1, 3], scalars: [-5, -6, -7])
    let g = Pool3DGeometry(kernel: Size3(1, 1, 3), stride: .cube(1), padding: Size3(0, 0, 1))
    for r in [Fast.maxPool3d(x, geometry: g), Literal.maxPool3d(x, geometry: g)] {
      #expect(r.output.scalars == [-5, -5, -6] && r.argmax == [0, 0, 1])
    }
  }

  @Test("argmax indexes the whole input: plane (n, c) adds (n·C + c)·T·H·W")
  func flatIndices() {
    let x: Tensor<Float> = Fill.weyl([2, 3, 2, 2, 2])
    let r = Fast.maxPool3d(x, geometry: Pool3DGeometry(kernel: .cube(2)))
    for p in 0..<6 {
      let plane = Array(x.scalars[(8 * p)..<(8 * p + 8)])
      let best = plane.indices.max { plane[$0] < plane[$1] }!
      #expect(Int(r.argmax[p]) == 8 * p + best && r.output.scalars[p] == plane[best])
    }
  }

  @Test(
    "maxPool3dBackward is the VJP of maxPool3d (finite differences, well-separated inputs)",
    arguments: [PoolCase.all[1], PoolCase.all[3], PoolCase.all[5], PoolCase.all[7]])
  func vjp(c: PoolCase) {
    // Max pooling is piecewise linear: the check is valid only if no stencil point x ± 2h·v
    // changes which element is a window's maximum. Values are distinct multiples of 0.05 while
    // the stencil moves each by ≤ 2h·|v_i| ≈ 2e-3·4, so every comparison keeps its outcome.
    var rng = SeededRNG(seed: 90)
    let x = OpsTesting.wellSeparated(c.shape, seed: 91)
    let g = c.geometry
    let check = checkVJP(
      { Literal.maxPool3d($0, geometry: g).output },
      vjp: { x, dy in
        Literal.maxPool3dBackward(dy, argmax: Literal.maxPool3d(x, geometry: g).argmax, inputShape: x.shape)
      },
      at: x, rng: &rng)
    #expect(check.passed, "\(check)")
  }

  @Test(
    "Fast maxPool3dBackward equals the literal's sums (same order) and the Float literal bit for bit",
    arguments: PoolCase.all)
  func backward(c: PoolCase) {
    let x: Tensor<Float> = Fill.weyl(c.shape).map { ($0 * 4).rounded() }  // ties: shared maxima
    let argmax = Fast.maxPool3d(x, geometry: c.geometry).argmax
    let outShape = c.geometry.checkedOutputShape(input: c.shape)
    let dy: Tensor<Float> = Fill.normal(outShape, seed: 92)
    let fast = Fast.maxPool3dBackward(dy, argmax: argmax, inputShape: c.shape)
    let reference = Literal.maxPool3dBackward(dy.asDouble, argmax: argmax, inputShape: c.shape)
    // An input element receives at most one dy per window containing it, ≤ kₜ·k_h·k_w terms.
    let k = c.geometry.kernel.product
    let magnitude = Literal.maxPool3dBackward(dy.asDouble.magnitudes, argmax: argmax, inputShape: c.shape)
    let r = compare(fast, reference, bound: OpsTesting.gammaBound(magnitude, k))
    #expect(r.passed, "\(r)")
    #expect(OpsTesting.identical(fast, Literal.maxPool3dBackward(dy, argmax: argmax, inputShape: c.shape)))
  }
}
