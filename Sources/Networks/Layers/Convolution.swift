import RealModule
import Kernels
import TensorCore

/// `Conv3d`, optionally followed by `BatchNorm3d` (PyTorch eval semantics when not training).
///
/// Shapes: x N×Cin×T×H×W → y N×Cout×To×Ho×Wo (see `Conv3DGeometry`). Parameters keep their
/// PyTorch names: `<convPath>.weight` (Cout×Cin/g×kt×kh×kw), `<convPath>.bias`, and for the
/// batch norm `<bnPath>.weight` γ, `.bias` β, `.running_mean` μ, `.running_var` σ².
///
/// Inference runs one convolution with the batch norm folded in
/// (w′ = w·γ/√(σ²+ε), b′ = (b − μ)·γ/√(σ²+ε) + β, `Literal.foldBatchNorm`), so every backward
/// rule sees one linear layer z = w′ ⋆ a + b′, as Zennit's batch-norm canonizer does. The
/// folded weights are cached and recomputed when any parameter changes. Training runs the
/// convolution, then batch norm with batch statistics, and updates the running statistics
/// with momentum 0.1 (unbiased variance), as PyTorch.
///
/// The module's `path` is the batch norm's path when there is one (its output is the batch
/// norm's output), else the convolution's.
public final class Convolution<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>

  public let path: String
  public let convPath: String
  public let geometry: Conv3DGeometry
  public let weight: Parameter<B.Scalar>
  public let bias: Parameter<B.Scalar>?
  public let batchNorm: BatchNormParameters<B.Scalar>?
  /// PyTorch's BatchNorm momentum.
  public static var batchNormMomentum: Double { 0.1 }

  private var foldedCache: (key: [UInt64], weight: T, bias: T?)?

  public init(
    convPath: String, weight: Parameter<B.Scalar>, bias: Parameter<B.Scalar>?, geometry: Conv3DGeometry,
    batchNorm: BatchNormParameters<B.Scalar>?
  ) {
    self.convPath = convPath
    self.path = batchNorm?.path ?? convPath
    self.weight = weight
    self.bias = bias
    self.geometry = geometry
    self.batchNorm = batchNorm
  }

  public var ownParameters: [Parameter<B.Scalar>] {
    [weight] + (bias.map { [$0] } ?? []) + (batchNorm?.parameters ?? [])
  }

  /// The weight and bias of the single linear layer this module is at inference.
  public func effectiveWeightAndBias() -> (weight: T, bias: T?) {
    guard let bn = batchNorm else { return (weight.value, bias?.value) }
    let key = ownParameters.map(\.generation)
    if let c = foldedCache, c.key == key { return (c.weight, c.bias) }
    let folded = Literal.foldBatchNorm(
      convWeight: weight.value, convBias: bias?.value, scale: bn.scale.value, shift: bn.shift.value,
      mean: bn.mean.value, variance: bn.variance.value, epsilon: bn.epsilon)
    foldedCache = (key, folded.weight, folded.bias)
    return (folded.weight, folded.bias)
  }

  private struct InferenceSaved {
    var input: T?
    var inputShape: [Int]
  }
  private struct TrainingSaved {
    var input: T
    var convOutput: T?
    var statistics: BatchNormTrainingResult<B.Scalar>?
  }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    switch tape.mode {
    case .inference:
      let (w, b) = effectiveWeightAndBias()
      tape.save(self, InferenceSaved(input: tape.rule.needsLinearInputs ? x : nil, inputShape: x.shape))
      return B.conv3d(x, weight: w, bias: b, geometry: geometry)
    case .training:
      let y = B.conv3d(x, weight: weight.value, bias: bias?.value, geometry: geometry)
      guard let bn = batchNorm else {
        tape.save(self, TrainingSaved(input: x, convOutput: nil, statistics: nil))
        return y
      }
      let stats = B.batchNormTraining(y, scale: bn.scale.value, shift: bn.shift.value, epsilon: bn.epsilon)
      bn.updateRunningStatistics(stats, momentum: B.Scalar(Self.batchNormMomentum), backend: B.self)
      tape.save(self, TrainingSaved(input: x, convOutput: y, statistics: stats))
      return stats.output
    }
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    if tape.mode == .training {
      let saved: TrainingSaved = tape.load(self)
      var dy = g
      if let bn = batchNorm, let stats = saved.statistics, let y = saved.convOutput {
        let grads = B.batchNormTrainingBackward(g, input: y, scale: bn.scale.value, saved: stats)
        dy = grads.input
        if tape.wantsParameterGradients {
          bn.scale.accumulate(grads.scale, backend: B.self)
          bn.shift.accumulate(grads.shift, backend: B.self)
        }
      }
      if tape.wantsParameterGradients {
        weight.accumulate(
          B.conv3dBackwardWeight(dy, input: saved.input, weightShape: weight.shape, geometry: geometry),
          backend: B.self)
        bias?.accumulate(B.conv3dBackwardBias(dy), backend: B.self)
      }
      if tape.maySkipInputGradient(self) {
        return T(shape: saved.input.shape, repeating: 0)
      }
      return B.conv3dBackwardInput(dy, weight: weight.value, inputShape: saved.input.shape, geometry: geometry)
    }
    let saved: InferenceSaved = tape.load(self)
    let (w, b) = effectiveWeightAndBias()
    let geometry = self.geometry
    switch tape.rule {
    case .gradient, .guidedBackprop, .deconvnet, .deepLiftRescale:
      return B.conv3dBackwardInput(g, weight: w, inputShape: saved.inputShape, geometry: geometry)
    case .excitation:
      let a = saved.input!  // saved because rule.needsLinearInputs
      return RelevanceRules<B>.excitation(
        g, input: a, weight: w,
        forward: { B.conv3d($0, weight: $1!, bias: nil, geometry: geometry) },
        transpose: { B.conv3dBackwardInput($0, weight: $1!, inputShape: a.shape, geometry: geometry) })
    case .lrp(let composite):
      let a = saved.input!  // saved because rule.needsLinearInputs
      return RelevanceRules<B>.lrp(
        g, rule: composite.convolution, input: a, weight: w,
        biasedForward: { B.conv3d($0, weight: w, bias: b, geometry: geometry) },
        forward: { B.conv3d($0, weight: $1!, bias: nil, geometry: geometry) },
        transpose: { B.conv3dBackwardInput($0, weight: $1!, inputShape: a.shape, geometry: geometry) })
    }
  }
}

/// The four tensors of a `BatchNorm3d` / `BatchNorm2d` and its ε.
public final class BatchNormParameters<Scalar: Real & BinaryFloatingPoint & Sendable> {
  public let path: String
  public let scale: Parameter<Scalar>
  public let shift: Parameter<Scalar>
  public let mean: Parameter<Scalar>
  public let variance: Parameter<Scalar>
  public let epsilon: Scalar

  public init(
    path: String, scale: Parameter<Scalar>, shift: Parameter<Scalar>, mean: Parameter<Scalar>,
    variance: Parameter<Scalar>, epsilon: Scalar = 1e-5
  ) {
    self.path = path
    self.scale = scale
    self.shift = shift
    self.mean = mean
    self.variance = variance
    self.epsilon = epsilon
  }

  /// In `state_dict()` order: weight, bias, running_mean, running_var.
  public var parameters: [Parameter<Scalar>] { [scale, shift, mean, variance] }

  /// running ← (1 − m)·running + m·batch, with the unbiased batch variance (PyTorch).
  func updateRunningStatistics<B: KernelBackend>(
    _ s: BatchNormTrainingResult<Scalar>, momentum m: Scalar, backend: B.Type
  ) where B.Scalar == Scalar {
    mean.value = B.addScaled(B.scale(mean.value, by: 1 - m), s.mean, scale: m)
    variance.value = B.addScaled(B.scale(variance.value, by: 1 - m), s.unbiasedVariance, scale: m)
  }
}
