import Kernels
import TensorCore
import Testing
import _TestSupport

import Networks

/// Every layer's backward pass under the plain gradient rule is its vector-Jacobian product:
/// checked against fourth-order finite differences of its forward pass, in Double, with a
/// random cotangent and direction (`checkVJP`).
@Suite("Layers: backward passes are vector-Jacobian products (finite differences, Double)")
struct LayerGradientTests {
  @Test("conv3d layer, bias, no batch norm; stride 2 and padding 1")
  func convolution() {
    let m = Make.convolution(
      3, 4, kernel: Size3(2, 3, 3), geometry: Conv3DGeometry(stride: Size3(1, 2, 2), padding: .cube(1)), seed: 1)
    let c = moduleVJPCheck(m, at: Fill.normal([2, 3, 3, 5, 6], seed: 2), seed: 3)
    #expect(c.passed, "\(c)")
  }

  @Test("conv3d + batch norm at inference (folded) and in training (batch statistics)")
  func convolutionBatchNorm() {
    let m = Make.convolution(
      2, 3, kernel: .cube(3), geometry: Conv3DGeometry(padding: .cube(1)), bias: false, batchNorm: true, seed: 4)
    let x: Tensor<Double> = Fill.normal([2, 2, 3, 4, 4], seed: 5)
    let inference = moduleVJPCheck(m, at: x, mode: .inference, seed: 6)
    #expect(inference.passed, "inference: \(inference)")
    let training = moduleVJPCheck(m, at: x, mode: .training, seed: 7)
    #expect(training.passed, "training: \(training)")
  }

  @Test("ReLU, with inputs kept 0.05 away from the kink (finite differences need h·|v| < 0.05)")
  func relu() {
    let m = ReLU<LB>(path: "relu")
    let c = moduleVJPCheck(m, at: Fill.awayFromZero([1, 2, 3, 4, 5], gap: 0.05, seed: 8), seed: 9)
    #expect(c.passed, "\(c)")
  }

  @Test("max pool 1×3×3 stride 1×2×2 padding 0×1×1 on distinct values (no ties within 4h)")
  func maxPool() {
    let m = MaxPool<LB>(
      path: "pool", geometry: Pool3DGeometry(kernel: Size3(1, 3, 3), stride: Size3(1, 2, 2), padding: Size3(0, 1, 1)))
    // A random permutation of a grid spaced 0.1 apart: every window's maximum wins by ≥ 0.1.
    var rng = SeededRNG(seed: 10)
    let n = 2 * 3 * 2 * 5 * 7
    let perm = rng.permutation(n)
    let x = Tensor<Double>(shape: [2, 3, 2, 5, 7], scalars: perm.map { Double($0) * 0.1 })
    let c = moduleVJPCheck(m, at: x, seed: 11)
    #expect(c.passed, "\(c)")
  }

  @Test("adaptive average pool to 1×1×1 and per frame (keepTime)")
  func adaptivePool() {
    let x: Tensor<Double> = Fill.normal([2, 3, 4, 5, 3], seed: 12)
    for keep in [false, true] {
      let m = AdaptiveAveragePool<LB>(path: "pool", outputSize: .cube(1), keepTime: keep)
      let c = moduleVJPCheck(m, at: x, seed: 13)
      #expect(c.passed, "keepTime \(keep): \(c)")
    }
  }

  @Test("linear and per-frame linear")
  func linearLayers() {
    let l = Make.linear(6, 4, seed: 14)
    let c1 = moduleVJPCheck(l, at: Fill.normal([3, 6], seed: 15), seed: 16)
    #expect(c1.passed, "linear: \(c1)")
    let f = FrameLinear<LB>(
      path: "fc6", weight: Make.parameter("fc6.weight", Fill.normal([4, 6], std: 0.5, seed: 17)),
      bias: Make.parameter("fc6.bias", Fill.normal([4], seed: 18), .bias))
    let c2 = moduleVJPCheck(f, at: Fill.normal([2, 6, 5, 1, 1], seed: 19), seed: 20)
    #expect(c2.passed, "frame linear: \(c2)")
  }

  @Test("residual block with a downsampling shortcut (kinks avoided: bias-free block on a shifted input)")
  func residualBlock() {
    let conv1 = Make.convolution(
      2, 3, kernel: .cube(3), geometry: Conv3DGeometry(stride: .cube(2), padding: .cube(1)), batchNorm: true, seed: 21)
    let conv2 = Make.convolution(
      3, 3, kernel: .cube(3), geometry: Conv3DGeometry(padding: .cube(1)), batchNorm: true, seed: 22)
    let down = Make.convolution(
      2, 3, kernel: .cube(1), geometry: Conv3DGeometry(stride: .cube(2)), bias: false, seed: 23)
    let block = ResidualBlock<LB>(path: "block", main: [conv1, ReLU(path: "r"), conv2], shortcut: down)
    let c = moduleVJPCheck(block, at: Fill.normal([1, 2, 4, 6, 6], seed: 24), seed: 25)
    #expect(c.passed, "\(c)")
  }

  @Test("temporal shift wrapping a convolution", arguments: [2, 4])
  func temporalShift(divisor: Int) {
    let conv = Make.convolution(
      8, 3, kernel: Size3(1, 3, 3), geometry: Conv3DGeometry(padding: Size3(0, 1, 1)), seed: 26)
    let m = TemporalShift<LB>(path: "conv1", foldDivisor: divisor, wrapping: conv)
    let c = moduleVJPCheck(m, at: Fill.normal([2, 8, 5, 3, 3], seed: 27), seed: 28)
    #expect(c.passed, "\(c)")
  }

  @Test("LSTM head (back-propagation through time), tanh and ReLU cells", arguments: LSTMActivation.allCases)
  func recurrentHead(activation: LSTMActivation) {
    let f = 5, h = 4, k = 3
    let head = RecurrentHead<LB>(
      path: "lstm", lstmPath: "lstm",
      inputWeight: Make.parameter("lstm.weight_ih_l0", Fill.normal([4 * h, f], std: 0.4, seed: 29)),
      hiddenWeight: Make.parameter("lstm.weight_hh_l0", Fill.normal([4 * h, h], std: 0.4, seed: 30)),
      inputBias: Make.parameter("lstm.bias_ih_l0", Fill.normal([4 * h], std: 0.2, seed: 31), .bias),
      hiddenBias: Make.parameter("lstm.bias_hh_l0", Fill.normal([4 * h], std: 0.2, seed: 32), .bias),
      classifier: Make.linear(h, k, seed: 33), activation: activation)
    // ReLU cells have kinks; a smooth-enough input keeps pre-activations away from 0 with
    // overwhelming probability, and the check reports the failing case if not.
    let c = moduleVJPCheck(head, at: Fill.normal([2, f, 4, 1, 1], seed: 34), seed: 35)
    #expect(c.passed, "\(c)")
  }
}
