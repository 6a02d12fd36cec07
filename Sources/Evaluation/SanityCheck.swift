import Attribution
import Kernels
import Networks
import TensorCore

/// The sanity checks of Adebayo et al. 2018 ("Sanity checks for saliency maps"): does a
/// method's map change when what it claims to explain changes?
///
/// - *Model randomisation*: the layers' parameters are re-initialised from the top (the
///   classifier) down, either **cascading** (step k has the top k layers random) or
///   **independent** (step k has layer k alone random); each step's maps are compared with
///   the trained network's.
/// - *Random logit* (Adebayo et al. §3; Sixt et al. 2020): the map of a random other class,
///   compared with the map of the target.
/// - *Data randomisation* (Adebayo et al. §4): the maps of the same architecture trained on
///   permuted labels, compared with the trained network's.
///
/// A method whose maps stay alike is insensitive to what changed. Maps are compared by
/// `MapComparison` (Spearman's ρ of |map|, SSIM, HOG), on the path of the network's backend.
///
/// Re-initialisation uses each parameter's own PyTorch initialiser (`Network.reinitialize`)
/// from a stream of its own, `SeededRNG(seed:).split(layer path).split(parameter name)`: a
/// layer gets the same random values in every step and in both modes, whichever other
/// layers are random with it (Quantus' MPRT instead re-seeds `seed + 1` before every layer, so
/// layers of one shape get the same values; see Reference/evaluation_reliability).
public struct SanityCheck {
  /// The method under test, with its options.
  public var method: any AttributionMethod
  /// What the method explains.
  public var score: ExplainedScore
  public var comparison: MapComparison
  /// Seed of the re-initialisation (model randomisation) or of the random classes (random logit).
  public var seed: UInt64
  public var granularity: LayerGranularity

  public init(
    method: any AttributionMethod, score: ExplainedScore = .logit, comparison: MapComparison = .init(),
    seed: UInt64 = 0,
    granularity: LayerGranularity = .layers
  ) {
    self.method = method
    self.score = score
    self.comparison = comparison
    self.seed = seed
    self.granularity = granularity
  }

  /// The groups of layers randomised together, from the output down.
  public enum LayerGranularity: String, Sendable, CaseIterable, Codable {
    /// Every module with parameters (a convolution with its batch norm, a fully connected
    /// layer, the LSTM): Adebayo et al.'s layer by layer.
    case layers
    /// The network's stages (the root's children: the classifier, layer4 … layer1, the stem).
    case stages
    /// One step with every layer random: the last cascading step alone (Quantus' `skip_layers`).
    case network
  }

  /// What was randomised.
  public enum Test: String, Sendable, CaseIterable, Codable {
    case cascading, independent
    case randomLogit = "random_logit"
    case dataRandomization = "data_randomization"
  }

  /// One comparison: the maps after a change against the original maps.
  public struct Step: Sendable, Codable, Equatable {
    /// 0-based position in the test.
    public var index: Int
    /// The group randomised at this step (its stage or layer path), or the test's name.
    public var label: String
    /// Every layer random in this step's network (cascading: all groups so far).
    public var randomized: [String]
    /// One similarity per clip.
    public var clips: [MapSimilarity]
    /// The mean over clips of each measure, over the clips where it is defined (NaN if none).
    public var mean: MapSimilarity
  }

  /// A whole test of one method.
  public struct Report: Sendable, Codable, Equatable {
    public var method: String
    public var test: Test
    /// The classes explained (random logit: the original targets).
    public var targets: [Int]
    /// Random logit: the random other class of each clip.
    public var otherClasses: [Int]?
    public var steps: [Step]
  }

  /// The layer groups of `network` for `granularity`, from the output down: each a label and
  /// the paths of its parameterised layers (`Network.parameterizedLayers`).
  /// - Complexity: O(modules).
  public static func groups<B>(_ network: Network<B>, granularity: LayerGranularity) -> [(
    label: String, layers: [String]
  )] {
    switch granularity {
    case .layers:
      return network.parameterizedLayers.map { ($0.path, [$0.path]) }
    case .stages:
      return network.root.modules.reversed().compactMap { stage in
        let layers = stage.allModules.filter { !$0.ownParameters.isEmpty }.map(\.path).reversed()
        return layers.isEmpty ? nil : (stage.path, Array(layers))
      }
    case .network:
      return [("network", network.parameterizedLayers.map(\.path))]
    }
  }

  func path<B: KernelBackend>(_: B.Type) -> ComputePath { ComputePath(rawValue: B.pathName) ?? .fast }

  func step<S: BinaryFloatingPoint>(
    _ index: Int, _ label: String, _ randomized: [String], original: Tensor<S>, changed: Tensor<S>, path: ComputePath
  ) throws -> Step {
    let clips = try comparison.compare(original, changed, path: path)
    return Step(index: index, label: label, randomized: randomized, clips: clips, mean: Self.mean(clips))
  }

  /// The mean of each measure over the clips where it is defined.
  static func mean(_ clips: [MapSimilarity]) -> MapSimilarity {
    func m(_ k: SimilarityMeasure) -> Double? {
      let all = clips.compactMap { $0[k] }
      guard !all.isEmpty else { return nil }
      let defined = all.filter { !$0.isNaN }
      return defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }
    return MapSimilarity(spearman: m(.spearman), ssim: m(.ssim), hog: m(.hog))
  }
}
