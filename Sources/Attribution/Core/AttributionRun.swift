import Kernels
import Networks
import TensorCore

/// One attribution request carried out on a chosen path: the network built from its weights,
/// the targets chosen, the method run, the maps returned in Float32 (the attribution file's
/// type) whichever path computed them.
///
/// This is what `vidattr attribute` does between reading its files and writing its outputs, so
/// that the library, the tests and later commands share it.
public struct AttributionRun {
  public var method: any AttributionMethod
  public var targets: TargetSelection
  public var score: ExplainedScore
  public var path: ComputePath
  /// Clips per forward pass when the targets are the predicted classes.
  public var batch: Int

  public init(
    method: any AttributionMethod, targets: TargetSelection = .predicted, score: ExplainedScore = .logit,
    path: ComputePath = .fast, batch: Int = 8
  ) {
    self.method = method
    self.targets = targets
    self.score = score
    self.path = path
    self.batch = batch
  }

  /// What a run produced: the maps (N×C×T×H×W, Float32), the explained score at each clip,
  /// IG's completeness errors, and the targets that were explained.
  public struct Outcome {
    public var result: AttributionResult<Float>
    public var targets: [Int]
  }

  /// Runs the method on `clips` (N×3×T×H×W, normalised) with the network `architecture` built
  /// from `weights` on this run's path.
  ///
  /// - Throws: `TensorError` when the clips do not fit the network, `WeightLoadingError` when the
  ///   weights do not fit the architecture, `AttributionError` for targets the network does not
  ///   have or a method that cannot run on it.
  public func run(weights: WeightsFile, architecture: Architecture, clips: Tensor<Float>) throws -> Outcome {
    try path.run(Task(run: self, weights: weights, architecture: architecture, clips: clips))
  }

  /// The attribution file's metadata for this run (`AttributionFile`): method, parameters (JSON),
  /// score and path, plus `extra` (model, weights, input, seed, version as the caller knows them).
  public func metadata(extra: [String: String] = [:]) -> [String: String] {
    var m = extra
    m["method"] = method.name
    m["parameters"] = AttributionFile.parametersJSON(method.parameters)
    m["score"] = score.rawValue
    m["path"] = path.rawValue
    return m
  }

  private struct Task: BackendTask {
    let run: AttributionRun
    let weights: WeightsFile
    let architecture: Architecture
    let clips: Tensor<Float>

    func run<B: KernelBackend>(on backend: B.Type) throws -> Outcome {
      let network: Network<B> = try weights.network(architecture)
      let x = Tensor<B.Scalar>(converting: clips)
      try network.validate(inputShape: x.shape)
      let targets = try run.targets.resolve(for: x, network: network, batch: run.batch)
      let r = try run.method.attribute(x, targets: targets, network: network, score: run.score)
      let map = B.Scalar.self == Float.self ? r.map as! Tensor<Float> : Tensor<Float>(converting: r.map)
      return Outcome(
        result: AttributionResult(map: map, scores: r.scores, delta: r.delta, extras: r.extras), targets: targets)
    }
  }
}
