import Kernels
import TensorCore
import _TestSupport

import Networks

typealias LB = LiteralBackend<Double>
typealias FB = FastBackend

/// Helpers to build single layers with chosen parameter values.
enum Make {
  static func parameter(_ name: String, _ t: Tensor<Double>, _ role: ParameterRole = .weight) -> Parameter<Double> {
    Parameter(name: name, role: role, value: t)
  }

  static func batchNorm(_ path: String, channels c: Int, seed: UInt64) -> BatchNormParameters<Double> {
    var rng = SeededRNG(seed: seed)
    func vec(_ lo: Double, _ hi: Double) -> Tensor<Double> { Tensor(shape: [c]) { _ in rng.uniform(lo, hi) } }
    return BatchNormParameters(
      path: path, scale: parameter(path + ".weight", vec(0.5, 1.5), .batchNormScale),
      shift: parameter(path + ".bias", vec(-0.3, 0.3), .batchNormShift),
      mean: parameter(path + ".running_mean", vec(-0.2, 0.2), .runningMean),
      variance: parameter(path + ".running_var", vec(0.5, 1.5), .runningVariance))
  }

  static func convolution(
    _ cin: Int, _ cout: Int, kernel: Size3, geometry: Conv3DGeometry = Conv3DGeometry(), bias: Bool = true,
    batchNorm: Bool = false, seed: UInt64
  ) -> Convolution<LB> {
    let w: Tensor<Double> = Fill.normal(
      [cout, cin / geometry.groups, kernel.t, kernel.h, kernel.w], std: 0.5, seed: seed)
    let b: Tensor<Double>? = bias ? Fill.normal([cout], std: 0.3, seed: seed + 1) : nil
    return Convolution(
      convPath: "conv", weight: parameter("conv.weight", w), bias: b.map { parameter("conv.bias", $0, .bias) },
      geometry: geometry, batchNorm: batchNorm ? Self.batchNorm("bn", channels: cout, seed: seed + 2) : nil)
  }

  static func linear(_ i: Int, _ o: Int, seed: UInt64) -> Linear<LB> {
    Linear(
      path: "fc", weight: parameter("fc.weight", Fill.normal([o, i], std: 0.5, seed: seed)),
      bias: parameter("fc.bias", Fill.normal([o], std: 0.3, seed: seed + 1), .bias))
  }
}

/// Runs a module's forward pass on a fresh tape and returns both, for backward tests.
func run<M: NetworkModule>(
  _ m: M, _ x: Tensor<M.Backend.Scalar>, rule: BackwardRule = .gradient, mode: ForwardMode = .inference
) -> (Tensor<M.Backend.Scalar>, Tape<M.Backend>) {
  let tape = Tape<M.Backend>(mode: mode, rule: rule)
  let y = m.forward(x, tape: tape)
  return (y, tape)
}

/// The explicit matrix of a linear map f: Rⁿ → Rᵐ (row k = output k), built from f applied to
/// unit vectors.
func explicitMatrix(inputShape: [Int], _ f: (Tensor<Double>) -> Tensor<Double>) -> [[Double]] {
  let n = Shape.elementCount(inputShape)
  var columns: [[Double]] = []
  for j in 0..<n {
    var e = Tensor<Double>(shape: inputShape, repeating: 0)
    e.scalars[j] = 1
    columns.append(f(e).scalars)
  }
  let m = columns.first?.count ?? 0
  return (0..<m).map { k in (0..<n).map { j in columns[j][k] } }
}

/// The VJP check of a module's backward pass (gradient rule) against its forward pass.
func moduleVJPCheck<M: NetworkModule>(_ m: M, at x: Tensor<Double>, mode: ForwardMode = .inference, seed: UInt64)
  -> VJPCheck where M.Backend == LB
{
  var rng = SeededRNG(seed: seed)
  return checkVJP(
    { run(m, $0, mode: mode).0 },
    vjp: { x, dy in
      let (_, tape) = run(m, x, mode: mode)
      return m.backward(dy, tape: tape)
    }, at: x, rng: &rng)
}
