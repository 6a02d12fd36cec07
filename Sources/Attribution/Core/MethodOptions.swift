/// Every option an attribution method may take, as given on the command line; a method reads
/// the ones it uses and `MethodRegistry` refuses options a method does not use.
public struct MethodOptions: Sendable, Equatable {
  /// Integration or perturbation steps (`--steps`).
  public var steps: Int?
  /// Quadrature rule of integrated gradients (`--rule`).
  public var rule: String?
  /// Baseline of integrated gradients / DeepLIFT (`--baseline`).
  public var baseline: String?
  /// Noise samples (`--samples`).
  public var samples: Int?
  /// Noise level (`--noise`): a fraction of the clip's range, or absolute with `noiseAbsolute`.
  public var noise: Double?
  public var noiseAbsolute: Bool?
  /// Layer path for CAM-type and excitation methods (`--layer`).
  public var layer: String?
  /// Grad-CAM weights: `per-frame` (Li et al.) or `clip` (Captum's LayerGradCam).
  public var camWeights: String?
  /// Grad-CAM's ReLU on the map (on by default, as TorchRay and the papers).
  public var relu: Bool?
  /// Upsampling of layer maps: `trilinear` or `nearest`.
  public var upsampling: String?
  /// LRP-ε's ε, αβ's α and β.
  public var epsilon: Double?
  public var alpha: Double?
  public var beta: Double?
  /// Contrastive excitation backprop's contrast layer.
  public var contrastLayer: String?
  /// Seed of anything random (`--seed`).
  public var seed: UInt64 = 0
  /// Clips per internal forward/backward pass (`--batch`), bounds memory.
  public var batch: Int = 8

  public init() {}

  /// Names of the options that were given (non-nil), in command-line spelling.
  public var given: [String] {
    var g: [String] = []
    if steps != nil { g.append("steps") }
    if rule != nil { g.append("rule") }
    if baseline != nil { g.append("baseline") }
    if samples != nil { g.append("samples") }
    if noise != nil { g.append("noise") }
    if noiseAbsolute != nil { g.append("noise-absolute") }
    if layer != nil { g.append("layer") }
    if camWeights != nil { g.append("cam-weights") }
    if relu != nil { g.append("relu") }
    if upsampling != nil { g.append("upsampling") }
    if epsilon != nil { g.append("epsilon") }
    if alpha != nil { g.append("alpha") }
    if beta != nil { g.append("beta") }
    if contrastLayer != nil { g.append("contrast-layer") }
    return g
  }
}
