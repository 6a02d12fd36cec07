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

  /// The shape under which `state_dict()` stores it, when it differs from the shape the
  /// kernels use: a 2-D network's convolution weight is Cout×Cin×k×k in PyTorch and
  /// Cout×Cin×1×k×k here (a per-frame 3-D kernel).
  public let stateShape: [Int]

  /// How PyTorch initialises it (used to re-initialise layers for sanity checks).
  public let initializer: ParameterInitializer

  public init(
    name: String, role: ParameterRole, value: Tensor<Scalar>, stateShape: [Int]? = nil,
    initializer: ParameterInitializer = .constant(0)
  ) {
    precondition(
      stateShape.map { Shape.elementCount($0) == value.count } ?? true,
      "parameter \(name): state shape \(stateShape.map(Shape.describe) ?? "") does not fit \(Shape.describe(value.shape))"
    )
    self.name = name
    self.role = role
    self.value = value
    self.stateShape = stateShape ?? value.shape
    self.initializer = initializer
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
