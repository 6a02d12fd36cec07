import Kernels
import TensorCore

/// Whether batch norm uses running statistics (inference, with conv+BN folded) or batch
/// statistics (training).
public enum ForwardMode: Sendable {
  case inference
  case training
}

/// The record of one forward pass that the backward pass reads.
///
/// A tape is created for one forward/backward pair. It holds the backward rule (fixed before
/// the forward pass, because the rule decides what the forward pass must keep), what each
/// layer saved, and the activations and output-gradients of the layers named in `capture`
/// (PyTorch module paths such as `layer4`, as used by CAM methods).
///
/// Memory: a layer keeps only what its backward pass needs under the tape's rule (for the plain
/// gradient a convolution keeps nothing; a ReLU keeps its output, shared with the next layer's
/// input without a copy).
public final class Tape<B: KernelBackend> {
  public typealias T = Tensor<B.Scalar>

  public let mode: ForwardMode
  public let rule: BackwardRule
  /// Module paths whose outputs (forward) and output-gradients (backward) are recorded.
  public let capture: Set<String>
  /// Whether backward passes accumulate parameter gradients (training).
  public let wantsParameterGradients: Bool
  /// Whether the caller needs the gradient with respect to the network's input. When false
  /// (training, which discards it), the first layer to run in the forward pass may skip that
  /// product and return zeros of the input's shape: for a video network's stem, a scatter of
  /// 147 taps per position (`Convolution`); parameter gradients are unaffected.
  public let wantsInputGradient: Bool
  /// The tape of the reference input's forward pass, for rules that compare two passes
  /// (`BackwardRule.needsReference`, DeepLIFT): a layer reads its reference values x₀, y₀ there,
  /// saved under the same module identity. Nil for every other rule.
  public let reference: Tape<B>?

  /// Recorded outputs of captured modules, by path.
  public internal(set) var activations: [String: T] = [:]
  /// Recorded gradients (or relevances) with respect to captured modules' outputs, by path.
  public internal(set) var gradients: [String: T] = [:]
  /// Paths of layers (`Linear`, `FrameLinear`, the `RecurrentHead`'s classifier) whose backward
  /// pass, under every rule, uses the negated weight −W instead of W. Contrastive excitation
  /// backprop sets it between two backward passes of one forward pass to run the "dual"
  /// classifier (Zhang et al. 2016; TorchRay flips the weight's sign the same way); the forward
  /// pass is unaffected.
  public var negatedWeights: Set<String> = []

  private var saved: [ObjectIdentifier: Any] = [:]
  /// The module whose `save` came first in the forward pass: the one that reads the input.
  private var firstSaved: ObjectIdentifier?

  /// Whether layers keep what a backward pass needs (false for forward-only passes, which then
  /// hold no activations beyond the current layer's).
  public let recordsForBackward: Bool

  /// - Parameter reference: with a rule that needs one (DeepLIFT), the tape on which the same
  ///   network ran the reference input under the same rule, at inference, with the same shape
  ///   of input. A tape without a reference can itself serve as one.
  /// - Precondition: a reference, when given, has this tape's rule and inference mode.
  public init(
    mode: ForwardMode = .inference, rule: BackwardRule = .gradient, capture: Set<String> = [],
    parameterGradients: Bool = false, inputGradient: Bool = true, recordsForBackward: Bool = true,
    reference: Tape<B>? = nil
  ) {
    precondition(
      reference.map { $0.rule == rule && $0.mode == .inference && mode == .inference } ?? true,
      "a reference tape must be an inference tape with the same rule (\(rule))")
    self.mode = mode
    self.rule = rule
    self.capture = capture
    self.wantsParameterGradients = parameterGradients
    self.wantsInputGradient = inputGradient
    self.recordsForBackward = recordsForBackward
    self.reference = reference
  }

  /// A tape for a forward pass that will not be followed by a backward pass.
  public static func forwardOnly(capture: Set<String> = []) -> Tape {
    Tape(mode: .inference, rule: .gradient, capture: capture, recordsForBackward: false)
  }

  /// What `module` stored on the reference tape; traps with a message naming the rule when the
  /// tape has no reference or the reference pass did not run `module`.
  func loadReference<V>(_ module: AnyObject, as type: V.Type = V.self) -> V {
    guard let r = reference else {
      preconditionFailure("the \(rule) rule needs a reference tape (the reference input's forward pass)")
    }
    return r.load(module, as: type)
  }

  /// Stores what `module`'s backward pass needs (one value per module per forward pass).
  func save(_ module: AnyObject, _ value: Any) {
    guard recordsForBackward else { return }
    saved[ObjectIdentifier(module)] = value
    if firstSaved == nil { firstSaved = ObjectIdentifier(module) }
  }

  /// Whether `module`'s backward pass may skip the input gradient: the caller does not want
  /// it and `module` ran first in the forward pass (so its input is the network's input).
  func maySkipInputGradient(_ module: AnyObject) -> Bool {
    !wantsInputGradient && firstSaved == ObjectIdentifier(module)
  }

  /// Reads what `module` stored; traps if the forward pass did not run on this tape.
  func load<V>(_ module: AnyObject, as type: V.Type = V.self) -> V {
    guard let v = saved[ObjectIdentifier(module)] as? V else {
      preconditionFailure("backward pass of \(module) without its forward pass on this tape")
    }
    return v
  }

  /// Whether the forward pass of `module` ran on this tape.
  func hasSaved(_ module: AnyObject) -> Bool { saved[ObjectIdentifier(module)] != nil }

  /// Drops everything saved for backward (captures stay).
  public func releaseSaved() { saved.removeAll() }
}
