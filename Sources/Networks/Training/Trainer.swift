import Foundation
import Kernels
import TensorCore

/// A set of labelled clips that hands out mini-batches by index.
public struct LabelledClips<Scalar: Sendable>: Sendable {
  /// Number of clips.
  public var count: Int
  /// Number of classes (labels are in 0..<classes).
  public var classes: Int
  /// Clips `indices` as N×3×T×H×W with their labels.
  public var batch: @Sendable (_ indices: [Int]) -> (inputs: Tensor<Scalar>, labels: [Int])

  public init(
    count: Int, classes: Int, batch: @escaping @Sendable (_ indices: [Int]) -> (inputs: Tensor<Scalar>, labels: [Int])
  ) {
    self.count = count
    self.classes = classes
    self.batch = batch
  }

  /// Clips held in memory.
  public init(inputs: Tensor<Scalar>, labels: [Int], classes: Int) {
    precondition(
      inputs.rank >= 1 && inputs.shape[0] == labels.count,
      "clips \(Shape.describe(inputs.shape)) for \(labels.count) labels")
    let per = inputs.count / max(labels.count, 1)
    let inner = Array(inputs.shape.dropFirst())
    self.count = labels.count
    self.classes = classes
    self.batch = { indices in
      var s: [Scalar] = []
      s.reserveCapacity(indices.count * per)
      for i in indices { s.append(contentsOf: inputs.scalars[(i * per)..<((i + 1) * per)]) }
      return (Tensor(shape: [indices.count] + inner, scalars: s), indices.map { labels[$0] })
    }
  }
}

/// How to train: epochs, batch size, optimiser, learning-rate schedule, seed.
public struct TrainingConfiguration: Sendable, Hashable {
  public enum Schedule: String, Sendable, Hashable, CaseIterable {
    /// The optimiser's learning rate throughout.
    case constant
    /// lr·½(1 + cos(π·s/S)) at step s of S (Loshchilov & Hutter's SGDR without restarts).
    case cosine
  }
  public var epochs: Int
  public var batchSize: Int
  public var optimizer: OptimizerConfiguration
  public var schedule: Schedule
  /// Seeds the order of clips in every epoch (`SeededRNG(seed:).split(epoch).permutation`).
  public var seed: UInt64

  public init(
    epochs: Int, batchSize: Int, optimizer: OptimizerConfiguration, schedule: Schedule = .cosine, seed: UInt64
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.schedule = schedule
    self.seed = seed
  }

  /// The learning rate at step `s` of `total`.
  public func learningRate(step s: Int, of total: Int) -> Double {
    switch schedule {
    case .constant: return optimizer.learningRate
    case .cosine:
      return optimizer.learningRate * 0.5 * (1 + cos(Double.pi * Double(s) / Double(max(total, 1))))
    }
  }
}

/// What one epoch did.
public struct EpochReport: Sendable, Codable {
  public var epoch: Int
  public var meanLoss: Double
  public var trainingAccuracy: Double
  public var validationAccuracy: Double?
  public var seconds: Double
}

/// Accuracy overall and per class.
public struct AccuracyReport: Sendable, Codable {
  public var accuracy: Double
  public var perClass: [Double]
  public var count: Int
}

/// Mini-batch training with cross-entropy, deterministic for a seed: the clip order, the
/// parameter initialisation (done when the network was built) and the arithmetic of the fast
/// path (which does not depend on the thread count) are all fixed by the seed.
public final class Trainer<B: KernelBackend> {
  public let network: Network<B>
  public let configuration: TrainingConfiguration
  public let optimizer: Optimizer<B.Scalar>

  public init(network: Network<B>, configuration: TrainingConfiguration) {
    self.network = network
    self.configuration = configuration
    self.optimizer = Optimizer(configuration.optimizer)
  }

  /// One optimisation step on a batch; returns the loss and the number of correct predictions.
  public func step(inputs: Tensor<B.Scalar>, labels: [Int], learningRate: Double) -> (loss: Double, correct: Int) {
    // The input gradient is discarded: the stem may skip it (`Tape.wantsInputGradient`).
    let tape = Tape<B>(mode: .training, rule: .gradient, parameterGradients: true, inputGradient: false)
    let logits = network.forward(inputs, tape: tape)
    let (loss, gradient) = CrossEntropy.lossAndGradient(logits: logits, labels: labels, backend: B.self)
    _ = network.backward(gradient, tape: tape)
    optimizer.step(network.parameters, learningRate: learningRate)
    return (loss, Self.correct(logits, labels))
  }

  /// Trains for the configured epochs; calls `progress` after every epoch (and `batchProgress`
  /// after every batch) so a command-line tool can report on stderr. Runs with subnormals
  /// flushed to zero (`SubnormalFlushing`), as training drives some values there.
  public func train(
    _ data: LabelledClips<B.Scalar>, validation: LabelledClips<B.Scalar>? = nil,
    batchProgress: ((_ epoch: Int, _ batch: Int, _ batches: Int, _ loss: Double) -> Void)? = nil,
    progress: ((EpochReport) -> Void)? = nil
  ) -> [EpochReport] {
    SubnormalFlushing.flushing {
      trainEpochs(data, validation: validation, batchProgress: batchProgress, progress: progress)
    }
  }

  private func trainEpochs(
    _ data: LabelledClips<B.Scalar>, validation: LabelledClips<B.Scalar>?,
    batchProgress: ((_ epoch: Int, _ batch: Int, _ batches: Int, _ loss: Double) -> Void)?,
    progress: ((EpochReport) -> Void)?
  ) -> [EpochReport] {
    let batches = (data.count + configuration.batchSize - 1) / configuration.batchSize
    let total = configuration.epochs * batches
    var reports: [EpochReport] = []
    var stepIndex = 0
    for epoch in 0..<configuration.epochs {
      let start = Date()
      var rng = SeededRNG(seed: configuration.seed).split(UInt64(epoch))
      let order = rng.permutation(data.count)
      var lossSum = 0.0, correct = 0
      for b in 0..<batches {
        let indices = Array(order[(b * configuration.batchSize)..<min(data.count, (b + 1) * configuration.batchSize)])
        let (x, y) = data.batch(indices)
        let r = step(inputs: x, labels: y, learningRate: configuration.learningRate(step: stepIndex, of: total))
        stepIndex += 1
        lossSum += r.loss * Double(indices.count)
        correct += r.correct
        batchProgress?(epoch, b, batches, r.loss)
      }
      let validationAccuracy = validation.map { evaluate($0).accuracy }
      let report = EpochReport(
        epoch: epoch, meanLoss: lossSum / Double(data.count), trainingAccuracy: Double(correct) / Double(data.count),
        validationAccuracy: validationAccuracy, seconds: Date().timeIntervalSince(start))
      reports.append(report)
      progress?(report)
    }
    return reports
  }

  /// Accuracy of the network (inference mode) on `data`, overall and per class.
  public func evaluate(_ data: LabelledClips<B.Scalar>, batchSize: Int? = nil) -> AccuracyReport {
    AccuracyMeasurement.accuracy(network, data, batchSize: batchSize ?? configuration.batchSize)
  }

  static func correct(_ logits: Tensor<B.Scalar>, _ labels: [Int]) -> Int {
    let k = logits.shape[1]
    var c = 0
    for (i, y) in labels.enumerated() {
      let row = logits.scalars[(i * k)..<((i + 1) * k)]
      if let best = row.indices.max(by: { row[$0] < row[$1] }), best - i * k == y { c += 1 }
    }
    return c
  }
}

/// Accuracy measurement shared by training and the model-zoo tests.
public enum AccuracyMeasurement {
  public static func accuracy<B: KernelBackend>(
    _ network: Network<B>, _ data: LabelledClips<B.Scalar>, batchSize: Int = 32
  ) -> AccuracyReport {
    var hits = [Int](repeating: 0, count: data.classes), totals = hits
    var start = 0
    while start < data.count {
      let indices = Array(start..<min(data.count, start + batchSize))
      let (x, y) = data.batch(indices)
      let logits = network.logits(x)
      let k = logits.shape[1]
      for (i, label) in y.enumerated() {
        let row = Array(logits.scalars[(i * k)..<((i + 1) * k)])
        let predicted = row.indices.max(by: { row[$0] < row[$1] })!
        totals[label] += 1
        if predicted == label { hits[label] += 1 }
      }
      start += batchSize
    }
    let perClass = zip(hits, totals).map { $1 == 0 ? 0 : Double($0) / Double($1) }
    return AccuracyReport(
      accuracy: Double(hits.reduce(0, +)) / Double(max(data.count, 1)), perClass: perClass, count: data.count)
  }
}
