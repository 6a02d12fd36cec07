import Kernels
import TensorCore

/// What a named tensor of a network is for. Buffers (running statistics) are not trained.
public enum ParameterRole: String, Sendable {
  case weight, bias, batchNormScale, batchNormShift, runningMean, runningVariance

  /// Whether an optimiser updates it.
  public var isTrainable: Bool { self != .runningMean && self != .runningVariance }
}

/// A named tensor of a network, with PyTorch's `state_dict()` name
/// (e.g. `layer1.0.conv1.0.0.weight`).
///
/// A class, so that layers, optimisers and the re-initialisation used by sanity checks all see
/// the same storage. `generation` increases on every assignment of `value`, which lets layers
/// cache derived tensors (folded batch norm, clamped weights) and notice when they are stale.
public final class Parameter<Scalar: Sendable> {
  public let name: String
  public let role: ParameterRole
  public var value: Tensor<Scalar> {
    didSet {
      precondition(
        value.shape == oldValue.shape,
        "parameter \(name): new shape \(Shape.describe(value.shape)) differs from \(Shape.describe(oldValue.shape))")
      generation &+= 1
    }
  }
  /// Accumulated gradient of the training loss (nil until a training backward pass runs).
  public var gradient: Tensor<Scalar>?
  /// Changes on every assignment of `value`.
  public private(set) var generation: UInt64 = 0

  public init(name: String, role: ParameterRole, value: Tensor<Scalar>) {
    self.name = name
    self.role = role
    self.value = value
  }

  public var shape: [Int] { value.shape }
}

extension Parameter where Scalar: Numeric {
  /// Adds `g` to the accumulated gradient.
  func accumulate<B: KernelBackend>(_ g: Tensor<Scalar>, backend: B.Type) where B.Scalar == Scalar {
    if let old = gradient {
      gradient = B.add(old, g)
    } else {
      gradient = g
    }
  }
}
