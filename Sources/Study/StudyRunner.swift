import Attribution
import Foundation
import Kernels
import Networks
import SyntheticVideo
import TensorCore

/// Carries out a study's plan into its store: the units not yet done, in order, each appended
/// with its records as soon as it finishes (so a killed run resumes where it stopped).
public struct StudyRunner {
  public let configuration: StudyConfiguration
  public let store: StudyStore
  public let plan: StudyPlan
  /// Folder holding `models/<model>.safetensors` (the repository's Reference/).
  public let reference: String
  /// Called after every unit with (units done, units in the plan, the unit); throwing stops the
  /// run after that unit (what is done stays done).
  public var progress: (Int, Int, StudyPlan.Unit) throws -> Void = { _, _, _ in }

  public init(configuration: StudyConfiguration, store: StudyStore, plan: StudyPlan, reference: String) {
    self.configuration = configuration
    self.store = store
    self.plan = plan
    self.reference = reference
  }

  /// The benchmark's test clips of the study, with their ground truth.
  public static func clips(_ c: StudyConfiguration) throws -> Synthetic.Batch {
    try Synthetic.Generator(Synthetic.Configuration(frames: c.frames, size: c.size, seed: 0))
      .batch(split: .test, count: c.videos)
  }

  /// A method's seed for one clip of one model: from the study's seed, the model, the clip and
  /// the method's label, so that it is the same in a whole run, a shard and a resumed run.
  public static func seed(_ c: StudyConfiguration, model: String, video: Int?, method: StudyMethod) -> UInt64 {
    var rng = SeededRNG(seed: c.seed).split(model).split(UInt64(video ?? 1 << 32)).split(method.label)
    return rng.next()
  }

  /// Runs every unit of the plan that the store does not hold yet.
  public func run() throws {
    let (_, done) = try store.load()
    let todo = plan.units.filter { !done.contains($0.key) }
    var finished = plan.units.count - todo.count
    guard !todo.isEmpty else { return }
    let batch = try Self.clips(configuration)
    var networks: [String: (network: Network<FastBackend>, weights: WeightsFile)] = [:]
    for unit in todo {
      let model: String
      switch unit {
      case .clip(let m, _, _), .model(let m, _): model = m
      }
      if networks[model] == nil { networks[model] = try network(model) }
      let (network, weights) = networks[model]!
      let records = try StudyUnitEvaluation(
        configuration: configuration, batch: batch, network: network, weights: weights
      )
      .records(for: unit, examples: store.directory + "/maps")
      try store.append(unit: unit.key, records: records)
      finished += 1
      try progress(finished, plan.units.count, unit)
    }
  }

  private func network(_ model: String) throws -> (network: Network<FastBackend>, weights: WeightsFile) {
    guard let architecture = Architecture(rawValue: model) else {
      throw StudyError.unknownModel(model, valid: Architecture.allCases.map(\.rawValue))
    }
    let path = "\(reference)/models/\(model).safetensors"
    guard FileManager.default.fileExists(atPath: path) else {
      throw StudyError.missingWeights(model: model, path: path)
    }
    let weights = try WeightsFile.read(contentsOf: path)
    return (try weights.network(architecture), weights)
  }
}
