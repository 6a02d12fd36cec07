import Kernels
import TensorCore

/// A video classifier on one computation path: clips N×3×T×H×W → logits N×K.
///
/// Built from an architecture, a configuration and a parameter source (random PyTorch-style
/// initialisation, the cross-check hash fill, or a `state_dict()`). The same weights give the
/// same function on `LiteralBackend<Double>` and `FastBackend`; tests compare the two.
///
/// The root is a flat `Sequential` of stages (`stem`, `layer1` … `layer4`, pooling, head), so
/// attribution methods can stop the backward pass at any stage or resume from one.
public final class Network<B: KernelBackend> {
  public typealias T = Tensor<B.Scalar>

  public let architecture: Architecture
  public let configuration: ModelConfiguration
  public let root: Sequential<B>

  /// Builds a network; throws `WeightLoadingError` listing every missing, unexpected or
  /// wrongly shaped key when `initialization` is a state dict, or `ModelConfigurationError`.
  public init(
    _ architecture: Architecture, configuration: ModelConfiguration, initialization: ParameterInitialization
  ) throws {
    try configuration.validate()
    self.architecture = architecture
    self.configuration = configuration
    let source = ParameterSource<B.Scalar>(initialization)
    let builder = ModuleBuilder<B>(source: source)
    let modules: [any NetworkModule<B>]
    switch architecture.family {
    case .convolution3D, .convolution2Plus1D:
      modules = builder.videoResNet(architecture, configuration)
    case .temporalShift:
      modules = builder.temporalShiftNetwork(configuration)
    case .perFrame2D:
      modules = builder.temporalShiftNetwork(configuration, shift: false)
    case .recurrent:
      modules = builder.recurrentNetwork(configuration)
    }
    self.root = Sequential(path: "", modules)
    try source.finish(architecture: architecture.rawValue)
  }

  /// The number of classes (rows of the classifier).
  public var classes: Int { configuration.classes }

  /// Paths of the stages (direct children of the root), in forward order.
  public var stagePaths: [String] { root.modules.map(\.path) }

  /// Every module path in the tree (for `--layer` validation and error messages).
  public var modulePaths: [String] { root.allModules.map(\.path).filter { !$0.isEmpty } }

  /// Every parameter, in `state_dict()` order.
  public var parameters: [Parameter<B.Scalar>] { root.allParameters }

  /// The smallest clip accepted. Every convolution and pool of these models is padded so that
  /// any T, H, W ≥ 1 gives a valid output; below 8×8 pixels the last stages see one pixel and
  /// the model is meaningless, so H, W ≥ 8 is required.
  public var minimumInput: (frames: Int, size: Int) { (1, 8) }

  /// Throws `TensorError` unless `shape` is N×3×T×H×W with N ≥ 1 and T, H, W at least
  /// `minimumInput`.
  public func validate(inputShape shape: [Int]) throws {
    let m = minimumInput
    guard shape.count == 5, shape[0] >= 1, shape[1] == 3, shape[2] >= m.frames, shape[3] >= m.size,
      shape[4] >= m.size
    else {
      throw TensorError.shapeMismatch(
        name: "input of \(architecture)",
        expected: "N×3×T×H×W with N ≥ 1, T ≥ \(m.frames), H and W ≥ \(m.size)", actual: shape)
    }
  }

  /// Logits N×K for clips N×3×T×H×W.
  public func forward(_ x: T, tape: Tape<B>) -> T {
    root.forward(x, tape: tape)
  }

  /// Logits without keeping anything for a backward pass.
  public func logits(_ x: T) -> T {
    forward(x, tape: .forwardOnly())
  }

  /// The backward pass of the forward pass recorded on `tape`, seeded with `seed` (N×K, or the
  /// shape of stage `resumeFrom`'s output), down to the input (N×3×T×H×W) or to the output of
  /// stage `stopAt`.
  public func backward(_ seed: T, tape: Tape<B>, stopAt: String? = nil, resumeFrom: String? = nil) -> T {
    root.backward(seed, tape: tape, stopAt: stopAt, resumeFrom: resumeFrom)
  }

  /// Whether a backward rule is defined on every layer of this network.
  public func supports(_ rule: BackwardRule) -> Bool {
    switch rule {
    case .gradient, .guidedBackprop, .deconvnet, .excitation: return true
    case .lrp, .deepLiftRescale: return architecture.family != .recurrent
    }
  }

  /// The numbers the whole-network rounding-error model needs (see the tests'
  /// `NetworkTolerance`): the largest number of products any one output element sums, and
  /// the number of linear layers (convolutions, fully connected layers, LSTM steps) a signal
  /// passes through, for clips of `frames` frames.
  public func roundingProfile(frames: Int) -> (largestReduction: Int, linearLayers: Int) {
    var k = 1, layers = 0
    for m in root.allModules {
      switch m {
      case let c as Convolution<B>:
        k = max(k, c.weight.shape.dropFirst().reduce(1, *))
        layers += 1
      case let l as Linear<B>:
        k = max(k, l.weight.shape[1])
        layers += 1
      case let f as FrameLinear<B>:
        k = max(k, f.weight.shape[1])
        layers += 1
      case let r as RecurrentHead<B>:
        k = max(k, r.inputWeight.shape[1] + r.hiddenWeight.shape[1])
        layers += frames
      default: break
      }
    }
    return (k, layers)
  }

  /// The layers that own parameters (convolutions with their batch norm, fully connected
  /// layers, the LSTM head), **from the output down** — the order of Adebayo et al.'s
  /// cascading randomisation. Each entry is the module path and its parameters.
  public var parameterizedLayers: [(path: String, parameters: [Parameter<B.Scalar>])] {
    root.allModules.filter { !$0.ownParameters.isEmpty }.map { ($0.path, $0.ownParameters) }.reversed()
  }

  /// Re-initialises the parameters of the layers at `paths` (from `parameterizedLayers`) as the
  /// model's constructor initialised them (each parameter's own `initializer`: torchvision's
  /// kaiming normal fan-out, N(0, 0.01) for the classifier, batch norm γ = 1, β = 0, μ = 0,
  /// σ² = 1 — not `nn.Module.reset_parameters`' kaiming-uniform defaults, which Quantus' MPRT
  /// uses), each layer from its own stream `SeededRNG(seed:).split(path)` and each
  /// parameter from `.split(name)` of that — so a layer's new values do not depend on which
  /// other layers are re-initialised with it. Cascading randomisation passes the top k layers;
  /// independent randomisation one layer.
  /// - Throws: `ModelConfigurationError` naming an unknown layer path.
  public func reinitialize(layers paths: [String], seed: UInt64) throws {
    let layers = parameterizedLayers
    for path in paths {
      guard let layer = layers.first(where: { $0.path == path }) else {
        throw ModelConfigurationError(
          message: "no layer \(path) with parameters; layers: \(layers.map(\.path).joined(separator: ", "))")
      }
      let stream = SeededRNG(seed: seed).split(path)
      for p in layer.parameters {
        var rng = stream.split(p.name)
        p.value = p.initializer.values(p.shape, rng: &rng)
      }
    }
  }

  /// The parameters as a `state_dict()` in Float32, in PyTorch's order.
  public func stateDict() -> [(name: String, value: Tensor<Float>)] {
    parameters.map { ($0.name, Tensor<Float>(converting: $0.value).reshaped($0.stateShape)) }
  }
}
