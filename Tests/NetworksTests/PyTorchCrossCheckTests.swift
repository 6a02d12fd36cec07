import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The networks against PyTorch (Reference/networks, made by generate_networks.py): every
/// architecture built with the HashFill weights that the generator also used, run on the same
/// clip, compared with PyTorch's float64 logits, input gradient and last-stage activation.
///
/// Literal path (Double) vs PyTorch float64: both compute the same sums in different orders in
/// Double; 1e-10 relative to the tensor's largest value leaves a factor > 10⁴ over the
/// accumulated rounding (≤ 18 layers × γ₁₄₀₀₀(Double) ≈ 3e-11 at worst, typically 1e-15) and
/// is far below any modelling error. Fast path (Float32) vs float64: `NetworkTolerance`.
@Suite("Networks agree with PyTorch (torchvision, official TSM layout, CNN-LSTM)", .serialized)
struct PyTorchCrossCheckTests {
  static let mini: [Architecture] = [.r3d_mini, .mc3_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini]
  static let full: [Architecture] = [
    .r3d_18, .mc3_18, .r2plus1d_18, .tsm_resnet18, .tsm_resnet50, .cnn_lstm_resnet18, .cnn_lstm_resnet50,
  ]

  struct Vectors {
    var input: Tensor<Float>
    var logits: Tensor<Double>
    var targets: [Int]
    var inputGradient: Tensor<Double>
    var activationPath: String
    var activation: Tensor<Double>
    var file: SafeTensorsFile
    /// Relative rounding of the stored gradient and activation: 2⁻²⁴ when the generator
    /// stored them as Float32 (the full-size models), 0 for Float64.
    var storageRounding: Double
  }

  static func vectors(_ a: Architecture) throws -> Vectors {
    let input = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/input.safetensors"))
    let f = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/\(a.rawValue).safetensors"))
    let activationName = try #require(f.names.first { $0.hasPrefix("activation.") })
    return Vectors(
      input: try input.float32(named: "input"), logits: try f.doubleTensor(named: "logits"),
      targets: try f.int64(named: "target").scalars.map { Int($0) },
      inputGradient: try f.doubleTensor(named: "input_gradient"),
      activationPath: String(activationName.dropFirst("activation.".count)),
      activation: try f.doubleTensor(named: activationName), file: f,
      storageRounding: { if case .float32 = f["input_gradient"] { return 0x1p-24 } else { return 0 } }())
  }

  static func network<B: KernelBackend>(_ a: Architecture, _: B.Type) throws -> Network<B> {
    try Network<B>(a, configuration: .standard(for: a, classes: 11), initialization: .hashFill)
  }

  /// Logits, ∂Σₙ logit[n, targetₙ]/∂x and the captured activation on backend B.
  static func outputs<B: KernelBackend>(_ net: Network<B>, _ x: Tensor<B.Scalar>, targets: [Int], capture: String)
    -> (logits: Tensor<B.Scalar>, gradient: Tensor<B.Scalar>, activation: Tensor<B.Scalar>)
  {
    let tape = Tape<B>(mode: .inference, rule: .gradient, capture: [capture])
    let logits = net.forward(x, tape: tape)
    var seed = Tensor<B.Scalar>(shape: logits.shape, repeating: 0)
    for (n, c) in targets.enumerated() { seed.scalars[n * logits.shape[1] + c] = 1 }
    let gradient = net.backward(seed, tape: tape)
    return (logits, gradient, tape.activations[capture]!)
  }

  static func maxAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { max($0, abs($1)) } }

  static func expectClose(
    _ got: Tensor<Double>, _ ref: Tensor<Double>, bound: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let c = compare(got, ref, bound: Tolerance.uniform(bound, like: ref))
    #expect(c.passed, "\(what): \(c)", sourceLocation: sourceLocation)
    // The measured difference, for the record (Reference/networks/README.md quotes these lines).
    let worst = zip(got.scalars, ref.scalars).map { abs($0 - $1) }.max() ?? 0
    print("cross-check \(what): max |diff| \(worst), relative to max |ref| \(worst / max(maxAbs(ref), 1e-300))")
  }

  func literalCheck(_ a: Architecture) throws {
    let v = try Self.vectors(a)
    let net = try Self.network(a, LiteralBackend<Double>.self)
    let out = Self.outputs(net, v.input.asDouble, targets: v.targets, capture: v.activationPath)
    let rounding = v.storageRounding
    Self.expectClose(out.logits, v.logits, bound: 1e-10 * Self.maxAbs(v.logits), "\(a) logits")
    Self.expectClose(
      out.gradient, v.inputGradient, bound: (1e-10 + rounding) * Self.maxAbs(v.inputGradient), "\(a) input gradient")
    Self.expectClose(
      out.activation, v.activation, bound: (1e-10 + rounding) * Self.maxAbs(v.activation), "\(a) \(v.activationPath)")
  }

  func fastCheck(_ a: Architecture) throws {
    let v = try Self.vectors(a)
    let net = try Self.network(a, FastBackend.self)
    let (k, layers) = net.roundingProfile(frames: v.input.shape[2])
    let out = Self.outputs(net, v.input, targets: v.targets, capture: v.activationPath)
    func bound(_ ref: Tensor<Double>, _ passes: Int) -> Double {
      NetworkTolerance.bound(maxReduction: k, layers: passes * layers, scale: Self.maxAbs(ref))
    }
    Self.expectClose(out.logits.asDouble, v.logits, bound: bound(v.logits, 1), "\(a) logits (fast)")
    Self.expectClose(
      out.gradient.asDouble, v.inputGradient, bound: bound(v.inputGradient, 2), "\(a) input gradient (fast)")
    Self.expectClose(out.activation.asDouble, v.activation, bound: bound(v.activation, 1), "\(a) activation (fast)")
  }

  @Test("literal path (Double) equals PyTorch float64 on the mini models", arguments: mini)
  func literalMini(_ a: Architecture) throws { try literalCheck(a) }

  @Test(
    "fast path (Float32) is within the rounding model of PyTorch float64, every architecture", arguments: mini + full)
  func fastAll(_ a: Architecture) throws { try fastCheck(a) }

  @Test(
    "literal path (Double) equals PyTorch float64 on the full-size models (extended)",
    .enabled(if: ExtendedTests.enabled),
    arguments: full)
  func literalFull(_ a: Architecture) throws { try literalCheck(a) }
}
