import Kernels
import TensorCore
import Testing
import _TestSupport

/// Geometries for the finite-difference checks: stride, padding (also more than half the
/// kernel), dilation, groups, batch > 1, a 2-D case.
let gradientConvCases: [ConvCase] = [
  ConvCase(
    inChannels: 2, outChannels: 3, extent: Size3(3, 4, 5), kernel: .cube(2),
    geometry: Conv3DGeometry(padding: .cube(1)), bias: true),
  ConvCase(
    inChannels: 3, outChannels: 2, extent: Size3(5, 5, 6), kernel: Size3(3, 2, 3),
    geometry: Conv3DGeometry(stride: Size3(2, 1, 3), padding: Size3(1, 0, 2)), bias: true),
  ConvCase(
    inChannels: 2, outChannels: 2, extent: Size3(4, 5, 5), kernel: Size3(2, 2, 2),
    geometry: Conv3DGeometry(padding: Size3(1, 2, 0), dilation: Size3(2, 1, 2)), bias: true),
  ConvCase(
    batch: 2, inChannels: 4, outChannels: 6, extent: Size3(3, 3, 4), kernel: Size3(1, 2, 2),
    geometry: Conv3DGeometry(stride: Size3(1, 2, 1), padding: Size3(0, 1, 1), groups: 2), bias: true),
  ConvCase(
    inChannels: 3, outChannels: 3, extent: Size3(1, 5, 5), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 1, 1), groups: 3), bias: true),
]

@Suite("Conv3D literal backward passes are the vector-Jacobian products of the literal forward")
struct Conv3DGradientTests {
  @Test("backward input, weight and bias agree with fourth-order finite differences", arguments: gradientConvCases)
  func finiteDifferences(c: ConvCase) {
    var rng = SeededRNG(seed: c.seed)
    let x = Tensor<Double>.normal(c.inputShape, using: &rng)
    let w = Tensor<Double>.normal(c.weightShape, std: 0.5, using: &rng)
    let b = Tensor<Double>.normal([c.outChannels], using: &rng)
    let g = c.geometry
    let input = checkVJP(
      { Literal.conv3d($0, weight: w, bias: b, geometry: g) },
      vjp: { _, dy in Literal.conv3dBackwardInput(dy, weight: w, inputShape: c.inputShape, geometry: g) },
      at: x, rng: &rng)
    #expect(input.passed, "input: \(input)")
    let weight = checkVJP(
      { Literal.conv3d(x, weight: $0, bias: b, geometry: g) },
      vjp: { _, dy in Literal.conv3dBackwardWeight(dy, input: x, weightShape: c.weightShape, geometry: g) },
      at: w, rng: &rng)
    #expect(weight.passed, "weight: \(weight)")
    let bias = checkVJP(
      { Literal.conv3d(x, weight: w, bias: $0, geometry: g) },
      vjp: { _, dy in Literal.conv3dBackwardBias(dy) },
      at: b, rng: &rng)
    #expect(bias.passed, "bias: \(bias)")
  }
}
