import TensorCore

/// The hyper-parameters of `torch.optim.SGD` (without `maximize` and the foreach/fused variants,
/// which compute the same update): learning rate γ, momentum μ, dampening τ, weight decay λ and
/// Nesterov momentum. Extremal perturbation uses μ = τ = 0.9 (TorchRay's `extremal_perturbation`
/// with γ = 0.01, Li et al.'s `video_perturbation` with γ = 0.05); training uses τ = 0.
public struct SGDSettings: Sendable, Hashable, CustomStringConvertible {
  public let learningRate: Double
  public let momentum: Double
  public let dampening: Double
  public let weightDecay: Double
  public let nesterov: Bool

  /// - Throws: `SGDSettingsError` for what `torch.optim.SGD` refuses — a negative learning
  ///   rate, momentum or weight decay; Nesterov without momentum or with dampening — and for any
  ///   value that is not finite.
  public init(
    learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false
  ) throws(SGDSettingsError) {
    for (name, value) in [
      ("learning rate", learningRate), ("momentum", momentum), ("dampening", dampening), ("weight decay", weightDecay),
    ] where !value.isFinite {
      throw .notFinite(name: name, value: value)
    }
    guard learningRate >= 0 else { throw .negative(name: "learning rate", value: learningRate) }
    guard momentum >= 0 else { throw .negative(name: "momentum", value: momentum) }
    guard weightDecay >= 0 else { throw .negative(name: "weight decay", value: weightDecay) }
    guard !nesterov || (momentum > 0 && dampening == 0) else {
      throw .nesterov(momentum: momentum, dampening: dampening)
    }
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }

  public var description: String {
    "sgd(lr \(learningRate), momentum \(momentum), dampening \(dampening), weight decay \(weightDecay)"
      + (nesterov ? ", nesterov)" : ")")
  }
}

/// A setting that `SGDSettings` refuses, named with its value.
public enum SGDSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
  case notFinite(name: String, value: Double)
  case negative(name: String, value: Double)
  case nesterov(momentum: Double, dampening: Double)

  public var description: String {
    switch self {
    case .notFinite(let name, let v): return "sgd: the \(name) \(v) is not finite"
    case .negative(let name, let v): return "sgd: the \(name) \(v) must be ≥ 0"
    case .nesterov(let m, let d):
      return "sgd: Nesterov momentum needs momentum > 0 and dampening 0 (momentum \(m), dampening \(d))"
    }
  }
}

/// What one SGD step returns: the updated parameter and the momentum buffer to pass to the
/// next step (nil when the momentum is 0, as PyTorch keeps none).
public struct SGDStepResult<Scalar: Sendable>: Sendable {
  public var parameter: Tensor<Scalar>
  public var momentumBuffer: Tensor<Scalar>?

  public init(parameter: Tensor<Scalar>, momentumBuffer: Tensor<Scalar>?) {
    self.parameter = parameter
    self.momentumBuffer = momentumBuffer
  }
}
