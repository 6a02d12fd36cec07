import Kernels
import RealModule
import TensorCore

/// An optimiser with PyTorch's update rule, applied to every trainable parameter.
public enum OptimizerConfiguration: Sendable, Hashable, CustomStringConvertible {
  /// `torch.optim.SGD(lr, momentum, dampening=0, weight_decay, nesterov=False)`:
  /// g ← g + λp; b ← μb + g (b = g on the first step); p ← p − lr·b.
  case sgd(learningRate: Double, momentum: Double, weightDecay: Double)
  /// `torch.optim.Adam(lr, betas, eps, weight_decay)` (L2 added to the gradient, not AdamW):
  /// g ← g + λp; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
  case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double)

  public var learningRate: Double {
    switch self {
    case .sgd(let lr, _, _), .adam(let lr, _, _, _, _): return lr
    }
  }

  public var description: String {
    switch self {
    case let .sgd(lr, m, wd): return "sgd(lr \(lr), momentum \(m), weight decay \(wd))"
    case let .adam(lr, b1, b2, e, wd): return "adam(lr \(lr), betas (\(b1), \(b2)), eps \(e), weight decay \(wd))"
    }
  }
}

/// Optimiser state for one network's parameters (momentum buffers, Adam moments, step count).
public final class Optimizer<Scalar: Real & BinaryFloatingPoint & Sendable> {
  public let configuration: OptimizerConfiguration
  private var first: [ObjectIdentifier: [Scalar]] = [:]
  private var second: [ObjectIdentifier: [Scalar]] = [:]
  public private(set) var steps = 0

  public init(_ configuration: OptimizerConfiguration) {
    self.configuration = configuration
  }

  /// Applies one update with learning rate `learningRate` (the schedule's value) to every
  /// trainable parameter that has a gradient, then clears the gradients.
  public func step(_ parameters: [Parameter<Scalar>], learningRate: Double) {
    steps += 1
    for p in parameters where p.role.isTrainable {
      guard let g = p.gradient else { continue }
      let id = ObjectIdentifier(p)
      var value = p.value
      switch configuration {
      case let .sgd(_, momentum, weightDecay):
        var buffer = first[id]
        Self.sgd(
          &value.scalars, g.scalars, &buffer, learningRate: Scalar(learningRate), momentum: Scalar(momentum),
          weightDecay: Scalar(weightDecay))
        first[id] = buffer
      case let .adam(_, b1, b2, eps, weightDecay):
        var m = first[id] ?? Array(repeating: 0, count: value.count)
        var v = second[id] ?? Array(repeating: 0, count: value.count)
        Self.adam(
          &value.scalars, g.scalars, &m, &v, step: steps, learningRate: Scalar(learningRate), beta1: Scalar(b1),
          beta2: Scalar(b2), epsilon: Scalar(eps), weightDecay: Scalar(weightDecay))
        first[id] = m
        second[id] = v
      }
      p.value = value
      p.gradient = nil
    }
  }

  /// One SGD step on flat arrays: `Literal.sgdStep` (PyTorch's loop, element by element) with
  /// dampening 0, which is the same arithmetic for every finite parameter.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func sgd(
    _ p: inout [Scalar], _ g: [Scalar], _ buffer: inout [Scalar]?, learningRate: Scalar, momentum: Scalar,
    weightDecay: Scalar
  ) {
    let settings: SGDSettings
    do {
      settings = try SGDSettings(
        learningRate: Double(learningRate), momentum: Double(momentum), weightDecay: Double(weightDecay))
    } catch {
      preconditionFailure("Optimizer: \(error)")
    }
    let shape = [p.count]
    let step = Literal.sgdStep(
      Tensor(shape: shape, scalars: p), gradient: Tensor(shape: shape, scalars: g),
      momentumBuffer: buffer.map { Tensor(shape: shape, scalars: $0) }, settings: settings)
    p = step.parameter.scalars
    buffer = step.momentumBuffer?.scalars
  }

  /// One Adam step on flat arrays (PyTorch's non-fused, non-AMSGrad loop).
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  static func adam(
    _ p: inout [Scalar], _ g: [Scalar], _ m: inout [Scalar], _ v: inout [Scalar], step t: Int, learningRate: Scalar,
    beta1: Scalar, beta2: Scalar, epsilon: Scalar, weightDecay: Scalar
  ) {
    let c1 = 1 - Scalar.pow(beta1, t), c2 = 1 - Scalar.pow(beta2, t)
    let stepSize = learningRate / c1
    let c2Root = c2.squareRoot()
    for i in 0..<p.count {
      let d = g[i] + weightDecay * p[i]
      m[i] = beta1 * m[i] + (1 - beta1) * d
      v[i] = beta2 * v[i] + (1 - beta2) * d * d
      let denominator = v[i].squareRoot() / c2Root + epsilon
      p[i] -= stepSize * m[i] / denominator
    }
  }
}
