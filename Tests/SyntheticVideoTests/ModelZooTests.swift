import Foundation
import Kernels
import Networks
import SyntheticVideo
import TensorCore
import Testing
import _TestSupport

/// The committed model zoo (Reference/models, made by Reference/models/train.sh): every model
/// reloads and reaches, on the benchmark's fixed test split, the accuracy recorded in its
/// metadata when it was trained — within 1 point (the recorded figure is computed by the same
/// code on the same 550 clips, so any drift means the weights, the generator or the network
/// changed).
@Suite("Model zoo: committed weights reload and reproduce their recorded test accuracy", .serialized)
struct ModelZooTests {
  static let zoo: [Architecture] = [.r3d_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini, .tsn_mini]

  /// The test split every model was evaluated on at the end of training.
  static let test: (inputs: Tensor<Float>, labels: [Int]) = {
    let b = try! Synthetic.Generator(Synthetic.Configuration()).batch(split: .test, count: 550)
    return (b.input, b.labels)
  }()

  @Test("accuracy on the 550-clip test split is within 1 point of the recorded figure", arguments: zoo)
  func recordedAccuracy(_ a: Architecture) throws {
    let path = RepositoryPaths.reference("models/\(a.rawValue).safetensors")
    let weights = try WeightsFile.read(contentsOf: path)
    let recorded = try #require(weights.metadata["training.test_accuracy"].flatMap(Double.init))
    let net: Network<FastBackend> = try weights.network(a)
    let report = AccuracyMeasurement.accuracy(
      net, LabelledClips(inputs: Self.test.inputs, labels: Self.test.labels, classes: 11), batchSize: 32)
    #expect(abs(report.accuracy - recorded) <= 0.01, "\(a): \(report.accuracy) vs recorded \(recorded)")
    switch a {
    case .tsn_mini:
      break  // the per-frame baseline: P-BENCH-1 below
    case .cnn_lstm_mini:
      // At chance on the direction of rotation, which its per-frame pooled features do not
      // carry (Reference/models/README.md, "cnn_lstm_mini"); it reaches 90 % by getting every
      // other class right, which is what it must keep doing.
      for (label, accuracy) in report.perClass.enumerated() where !Self.rotation.contains(label) {
        #expect(accuracy >= 0.95, "\(a) on \(Synthetic.classNames[label]): \(accuracy)")
      }
      #expect(report.accuracy >= 0.90, "\(a) is below the 90 % the benchmark needs: \(report.accuracy)")
    default:
      #expect(report.accuracy >= 0.90, "\(a) is below the 90 % the benchmark needs: \(report.accuracy)")
    }
  }

  /// The label of a class, by its name.
  static func label(_ name: String) -> Int { Synthetic.classNames.firstIndex(of: name)! }

  static let rotation: Set<Int> = [label("rotate_clockwise"), label("rotate_anticlockwise")]

  /// The time-reversed pairs of classes, Proofs/benchmark.md P-BENCH-1.
  static let pairs: [(name: String, labels: [Int])] = [
    ("right/left", ["translate_right", "translate_left"]), ("up/down", ["translate_up", "translate_down"]),
    ("clockwise/anticlockwise", ["rotate_clockwise", "rotate_anticlockwise"]), ("grow/shrink", ["grow", "shrink"]),
    ("A-then-B/B-then-A", ["a_then_b", "b_then_a"]),
  ].map { ($0.0, $0.1.map(label)) }

  /// Accuracy within each pair: the mean of the two classes' accuracies.
  static func pairAccuracies(_ a: Architecture) throws -> [Double] {
    let net: Network<FastBackend> = try WeightsFile.read(
      contentsOf: RepositoryPaths.reference("models/\(a.rawValue).safetensors")
    )
    .network(a)
    let report = AccuracyMeasurement.accuracy(
      net, LabelledClips(inputs: test.inputs, labels: test.labels, classes: 11), batchSize: 32)
    return pairs.map { p in p.labels.map { report.perClass[$0] }.reduce(0, +) / Double(p.labels.count) }
  }

  @Test(
    "P-BENCH-1: the per-frame baseline is at chance within every time-reversed pair of classes; temporal models are not"
  )
  func perFrameBaselineAtChance() throws {
    for (p, accuracy) in zip(Self.pairs, try Self.pairAccuracies(.tsn_mini)) {
      #expect(accuracy <= 0.5 + 0.2, "tsn_mini on \(p.name): \(accuracy)")
    }
    for a in [Architecture.r3d_mini, .r2plus1d_mini] {
      for (p, accuracy) in zip(Self.pairs, try Self.pairAccuracies(a)) {
        #expect(accuracy > 0.85, "\(a) on \(p.name): \(accuracy)")
      }
    }
  }
}
