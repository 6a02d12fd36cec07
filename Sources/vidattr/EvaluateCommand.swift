import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr evaluate`: accuracy of weights on clips of the built-in benchmark.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Accuracy of a network on clips of the built-in benchmark (JSON: overall and per class).")

  @OptionGroup var modelOptions: ModelOptions
  @OptionGroup var clips: BenchmarkOptions

  func run() throws {
    let b = try clips.batch()
    let weights = try WeightsFile.read(contentsOf: modelOptions.weights)
    let report = try modelOptions.path.run(
      Accuracy(weights: weights, architecture: modelOptions.model, inputs: b.input, labels: b.labels))
    var line = JSONLine()
    line["architecture"] = modelOptions.model.rawValue
    line["split"] = clips.split.name
    line["videos"] = b.count
    line["accuracy"] = report.accuracy
    line["per_class"] = zip(Synthetic.classNames, report.perClass).map { "\($0):\(String(format: "%.4f", $1))" }
      .joined(separator: ",")
    line.print()
  }

  /// The accuracy of the network on the clips, on either path.
  struct Accuracy: BackendTask {
    let weights: WeightsFile
    let architecture: Architecture
    let inputs: Tensor<Float>
    let labels: [Int]

    func run<B: KernelBackend>(on backend: B.Type) throws -> AccuracyReport {
      let net: Network<B> = try weights.network(architecture)
      try net.validate(inputShape: inputs.shape)
      let clips = LabelledClips(
        inputs: Tensor<B.Scalar>(converting: inputs), labels: labels, classes: Synthetic.classNames.count)
      return AccuracyMeasurement.accuracy(net, clips)
    }
  }
}
