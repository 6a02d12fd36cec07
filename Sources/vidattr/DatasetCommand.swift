import ArgumentParser
import Foundation
import VideoAttribution

extension Synthetic.Split: ExpressibleByArgument {
  public init?(argument: String) { try? self.init(name: argument) }
  public static var allValueStrings: [String] { allCases.map(\.name) }
}

/// Options that choose clips of the built-in benchmark.
struct BenchmarkOptions: ParsableArguments {
  @Option(help: "Split: train, val (validation) or test.")
  var split: Synthetic.Split = .test

  @Option(help: "Number of clips (clip i has class i mod 11).")
  var videos: Int = 11

  @Option(help: "Generator seed (the same seed gives the same bytes on every machine).")
  var seed: UInt64 = 0

  @Option(help: "Frames per clip (8…128).")
  var frames: Int = 16

  @Option(help: "Frame width and height in pixels (16…256).")
  var size: Int = 32

  @Option(help: "Index of the first clip within the split.")
  var start: Int = 0

  func validate() throws {
    guard videos >= 1 else { throw ValidationError("--videos must be ≥ 1, got \(videos)") }
    guard start >= 0 else { throw ValidationError("--start must be ≥ 0, got \(start)") }
  }

  func generator() throws -> Synthetic.Generator {
    try Synthetic.Generator(Synthetic.Configuration(frames: frames, size: size, seed: seed))
  }

  func batch() throws -> Synthetic.Batch {
    try generator().batch(split: split, count: videos, startIndex: start)
  }
}

/// `vidattr dataset`: the built-in benchmark's clips.
struct DatasetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dataset",
    abstract: "Export or look at clips of the built-in synthetic benchmark.",
    subcommands: [Export.self, Show.self])

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write clips with their ground truth to a clip file.",
      discussion: """
        The file holds input (N×3×T×H×W float32, Kinetics-normalised), label (int64 N), boxes \
        (N×T×4: x0 y0 x1 y1, NaN where the evidence is not visible), evidence (N×T×H×W, 1 on \
        evidence voxels) and keyframes (N×T). See Reference/FORMATS.md.
        """)

    @OptionGroup var options: BenchmarkOptions
    @Option(help: "Output clip file (.safetensors); written atomically.")
    var output: String

    func run() throws {
      let b = try options.batch()
      let clip = ClipFile(
        input: b.input, labels: b.labels, boxes: b.boxes, evidence: b.evidence.map { Float($0) },
        keyframes: b.keyFrames.map { Float($0) },
        metadata: [
          "generator": "vidattr synthetic v\(Synthetic.generatorVersion)", "split": options.split.name,
          "seed": "\(options.seed)", "start": "\(options.start)", "frames": "\(options.frames)",
          "size": "\(options.size)", "classes": Synthetic.classNames.joined(separator: ","),
          "version": videoAttributionVersion,
        ])
      try clip.write(to: output)
      note("wrote \(b.count) clips (\(Shape.describe(b.input.shape))) to \(output)")
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a contact sheet (clips × frames, evidence boxes drawn) as PNG.")

    @OptionGroup var options: BenchmarkOptions
    @Option(help: "Integer upscaling of every frame.")
    var scale: Int = 4
    @Option(help: "Output PNG; written atomically.")
    var output: String

    func validate() throws {
      guard (1...16).contains(scale) else { throw ValidationError("--scale must be in 1…16, got \(scale)") }
    }

    func run() throws {
      let b = try options.batch()
      let image = try b.contactSheet(ContactSheet(scale: scale))
      try PNG.write(image, to: output)
      note("wrote a \(image.width)×\(image.height) contact sheet of \(b.count) clips to \(output)")
    }
  }
}
