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
    switch modelOptions.path {
    case .fast:
      let network: Network<FastBackend> = try weights.network(modelOptions.model)
      try emit(network, clips.input)
    case .literal:
      let network: Network<LiteralBackend<Double>> = try weights.network(modelOptions.model)
      try emit(network, Tensor<Double>(converting: clips.input))
    }
  }

  private func emit<B: KernelBackend>(_ network: Network<B>, _ input: Tensor<B.Scalar>) throws
  where B.Scalar: LosslessStringConvertible {
    try network.validate(inputShape: input.shape)
    let n = input.shape[0]
    var start = 0
    while start < n {
      let end = min(n, start + batch)
      let x = Tensor.concatenate((start..<end).map { input.slice($0).reshaped([1] + Array(input.shape.dropFirst())) })
      let logits = network.logits(x)
      let k = logits.shape[1]
      for i in 0..<(end - start) {
        let row = Array(logits.scalars[(i * k)..<((i + 1) * k)])
        let predicted = row.indices.max { row[$0] < row[$1] } ?? 0
        print(#"{"index":\#(start + i),"logits":[\#(row.map(jsonNumber).joined(separator: ","))],"predicted":\#(predicted)}"#)
      }
      start = end
    }
  }
}
