import Kernels
import TensorCore
import _TestSupport

/// One convolution test case: shapes, geometry and whether it has a bias.
struct ConvCase: CustomStringConvertible, Sendable {
  var batch = 1
  var inChannels: Int
  var outChannels: Int
  var extent: Size3
  var kernel: Size3
  var geometry = Conv3DGeometry()
  var bias = false

  var inputShape: [Int] { [batch, inChannels, extent.t, extent.h, extent.w] }
  var weightShape: [Int] {
    [outChannels, inChannels / geometry.groups, kernel.t, kernel.h, kernel.w]
  }
  var outputShape: [Int] { geometry.checkedOutputShape(input: inputShape, weight: weightShape) }
  var kernelVolume: Int { kernel.product }
  /// A seed for the case's fills, derived from its shapes (distinct cases get distinct fills).
  var seed: UInt64 {
    (inputShape + weightShape + geometry.stride.array + geometry.padding.array).reduce(UInt64(17)) {
      $0 &* 31 &+ UInt64($1)
    }
  }
  var positions: Int { outputShape[2] * outputShape[3] * outputShape[4] }

  var description: String {
    "x \(Shape.describe(inputShape)) w \(Shape.describe(weightShape)) \(geometry)\(bias ? " +bias" : "")"
  }
}

/// Float inputs of a case (non-periodic fills), their exact Double images, and the literal
/// Double results and error bounds every fast result is compared with.
struct ConvReference {
  let x, w, dy: Tensor<Float>
  let b: Tensor<Float>?
  let y, dx, dw, db: Tensor<Double>
  let yBound, dxBound, dwBound, dbBound: Tensor<Double>

  init(_ c: ConvCase, seed: UInt64) {
    x = Fill.uniform(c.inputShape, seed: seed)
    w = Fill.weyl(c.weightShape, offset: 0.01)
    b = c.bias ? Fill.uniform([c.outChannels], seed: seed &+ 1) : nil
    dy = Fill.uniform(c.outputShape, seed: seed &+ 2)
    let (xd, wd, bd, dyd) = (x.asDouble, w.asDouble, b?.asDouble, dy.asDouble)
    let g = c.geometry
    y = Literal.conv3d(xd, weight: wd, bias: bd, geometry: g)
    dx = Literal.conv3dBackwardInput(dyd, weight: wd, inputShape: c.inputShape, geometry: g)
    dw = Literal.conv3dBackwardWeight(dyd, input: xd, weightShape: c.weightShape, geometry: g)
    db = Literal.conv3dBackwardBias(dyd)
    // Bounds (Tolerance.reduction): γ_terms · Σ|terms| per element, Σ|terms| being the same
    // literal computation on absolute values. Terms per element:
    //   y:  Cg·kt·kh·kw products (the bias is one of the extra operations);
    //   dx: at most Og·kt·kh·kw products (for each output channel of the group, each tap
    //       reads a given input element from at most one output position);
    //   dw, db: N·To·Ho·Wo products / values.
    let (xa, wa, dya) = (xd.magnitudes, wd.magnitudes, dyd.magnitudes)
    let cg = c.inChannels / g.groups, og = c.outChannels / g.groups
    yBound = Tolerance.reduction(
      magnitude: Literal.conv3d(xa, weight: wa, bias: bd?.magnitudes, geometry: g), terms: cg * c.kernelVolume)
    dxBound = Tolerance.reduction(
      magnitude: Literal.conv3dBackwardInput(dya, weight: wa, inputShape: c.inputShape, geometry: g),
      terms: og * c.kernelVolume)
    dwBound = Tolerance.reduction(
      magnitude: Literal.conv3dBackwardWeight(dya, input: xa, weightShape: c.weightShape, geometry: g),
      terms: c.batch * c.positions)
    dbBound = Tolerance.reduction(magnitude: Literal.conv3dBackwardBias(dya), terms: c.batch * c.positions)
  }

  /// Runs the four fast kernels at `isa` and returns the failures, each naming the case,
  /// the direction and the worst element.
  func failures(_ c: ConvCase, isa: FastISA) -> [String] {
    let g = c.geometry
    let results: [(String, Comparison)] = [
      ("forward", compare(Fast.conv3d(x, weight: w, bias: b, geometry: g, isa: isa), y, bound: yBound)),
      (
        "backward input",
        compare(
          Fast.conv3dBackwardInput(dy, weight: w, inputShape: c.inputShape, geometry: g, isa: isa), dx,
          bound: dxBound)
      ),
      (
        "backward weight",
        compare(
          Fast.conv3dBackwardWeight(dy, input: x, weightShape: c.weightShape, geometry: g, isa: isa), dw,
          bound: dwBound)
      ),
      ("backward bias", compare(Fast.conv3dBackwardBias(dy), db, bound: dbBound)),
    ]
    return results.filter { !$0.1.passed }.map { "\(c) [\(isa)] \($0.0): \($0.1)" }
  }
}
