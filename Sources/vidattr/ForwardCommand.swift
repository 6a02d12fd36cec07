import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr forward`: logits of every clip of a clip file.
struct ForwardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forward",
    abstract: "Run a network on the clips of a clip file and print their logits.",
    discussion: """
      Prints one JSON object per clip on stdout: {"index":i,"logits":[…],"predicted":k}.
      The input file holds `input` (N×3×T×H×W float32, already normalised).
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Clip file (safetensors with an `input` tensor).")
  var input: String

  @Option(help: "Clips per forward pass (bounds memory).")
  var batch: Int = 8

  func validate() throws {
    guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1, got \(batch)") }
  }

  func run() throws {
    let clips = try ClipFile.read(contentsOf: input)
    let weights = try WeightsFile.read(contentsOf: modelOptions.weights)
    let rows = try modelOptions.path.run(
      Logits(weights: weights, architecture: modelOptions.model, clips: clips.input, batch: batch))
    for (i, row) in rows.enumerated() {
      print(#"{"index":\#(i),"logits":[\#(row.logits.joined(separator: ","))],"predicted":\#(row.predicted)}"#)
    }
  }

  /// Every clip's logits as JSON numbers (each in the shortest text that reads back to the
  /// path's Float32 or Double value) and its predicted class, `batch` clips per forward pass.
  struct Logits: BackendTask {
    let weights: WeightsFile
    let architecture: Architecture
    let clips: Tensor<Float>
    let batch: Int

    func run<B: KernelBackend>(on backend: B.Type) throws -> [(logits: [String], predicted: Int)] {
      let network: Network<B> = try weights.network(architecture)
      let x = Tensor<B.Scalar>(converting: clips)
      try network.validate(inputShape: x.shape)
      let logits = network.logits(x, batch: batch)
      let k = logits.shape[1]
      let predicted = Network<B>.argmaxRows(logits)
      return (0..<logits.shape[0]).map { n in
        let row = logits.scalars[(n * k)..<((n + 1) * k)].map { $0.isFinite ? "\($0)" : "null" }
        return (row, predicted[n])
      }
    }
  }
}
