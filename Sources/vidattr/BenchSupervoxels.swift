import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr bench supervoxels`: 3-D SLIC on one clip of the built-in benchmark at the papers'
/// size, fast and literal paths, against scikit-image's `slic` on the same stack
/// (Benchmarks/skimage_slic_bench.py), with the agreement of the labels.
struct BenchSupervoxels: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "supervoxels",
    abstract: "Time 3-D SLIC (fast, literal) against scikit-image's slic on one clip; print JSON lines.",
    discussion: """
      The clip is the first of the benchmark's test split at --frames × --size × --size, as pixel values \
      (its Kinetics normalisation undone), segmented with Li et al.'s settings (256 segments, σ 1, SLICO) \
      unless told otherwise. One line per implementation: {"implementation", "shape", "seconds", \
      "cpu_seconds", "threads", "segments", "identical", "matched", "adjusted_rand"}, the agreement taken against \
      scikit-image's float64 labels (or the literal path's without Python). Seconds are wall-clock medians; \
      cpu_seconds the process CPU time of the same runs (all threads), which a busy machine inflates less. \
      See Benchmarks/README.md.
      """)

  @Option(help: "Frames of the clip.") var frames: Int = 16
  @Option(help: "Height and width of the clip.") var size: Int = 112
  @Option(help: "SLIC's n_segments.") var segments: Int = 256
  @Option(help: "SLIC's compactness.") var compactness: Double = 10
  @Option(help: "SLIC's sigma (isotropic).") var sigma: Double = 1
  @Flag(inversion: .prefixedNo, help: "SLICO (slic_zero).") var slicZero = true
  @Option(help: "Timed repetitions of the fast path and of scikit-image (median, after one untimed run).")
  var repetitions: Int = 5
  @Option(help: "Python with scikit-image (default: $VIDATTR_PYTHON, then ~/.cache/vidattr-peers/bin/python).")
  var python: String?
  @Flag(help: "Skip scikit-image.") var noPeer = false

  func validate() throws {
    guard repetitions >= 1 else { throw ValidationError("--repetitions must be ≥ 1") }
  }

  func run() throws {
    let batch = try Synthetic.Generator(Synthetic.Configuration(frames: frames, size: size, seed: 0))
      .batch(split: .test, count: 1)
    let pixels = Synthetic.normalization.denormalized(batch.input.slice(0), channelAxis: 0)
    let settings = SLICSettings(
      segments: segments, compactness: compactness, sigma: .isotropic(sigma), slicZero: slicZero)
    try settings.validate(channels: 3, frames: frames, height: size, width: size)
    let shape = "3×\(frames)×\(size)×\(size)"

    _ = try Fast.slic(pixels, settings: settings)
    var times: [Double] = [], cpu: [Double] = []
    var fast: Supervoxels?
    for _ in 0..<repetitions {
      let (start, cpuStart) = (Date(), processCPUSeconds())
      fast = try Fast.slic(pixels, settings: settings)
      times.append(Date().timeIntervalSince(start))
      cpu.append(processCPUSeconds() - cpuStart)
    }
    let (literalStart, literalCPUStart) = (Date(), processCPUSeconds())
    let literal = try Literal.slic(Tensor<Double>(converting: pixels), settings: settings)
    let literalSeconds = Date().timeIntervalSince(literalStart), literalCPU = processCPUSeconds() - literalCPUStart

    let peer = noPeer ? nil : runScikitImage(pixels, frames: frames, size: size)
    let reference = peer?.float64 ?? literal
    func line(_ name: String, _ seconds: Double?, _ cpuSeconds: Double?, _ labels: Supervoxels, note: String? = nil)
      throws
    {
      var l = JSONLine()
      l["implementation"] = name
      l["shape"] = shape
      l["settings"] = "n_segments \(segments), compactness \(compactness), sigma \(sigma), slic_zero \(slicZero)"
      l["seconds"] = seconds
      l["cpu_seconds"] = cpuSeconds
      l["threads"] = name == "fast" ? FastThreads.count : 1
      l["segments"] = labels.count
      let a = try labels.agreement(with: reference)
      l["agreement_with"] = peer == nil ? "literal" : "scikit-image float64"
      l["identical"] = a.identical
      l["matched"] = a.matched
      l["adjusted_rand"] = a.adjustedRand
      l["note"] = note
      l.print()
    }
    func median(_ v: [Double]) -> Double { TimingStatistic.median.summary(of: v, best: { $0.min()! }) }
    try line("fast", median(times), median(cpu), fast!)
    try line("literal", literalSeconds, literalCPU, literal, note: "Double, one run")
    if let peer {
      try line("scikit-image float64", peer.seconds64, peer.cpu64, peer.float64, note: peer.version)
      try line("scikit-image float32", peer.seconds32, peer.cpu32, peer.float32, note: peer.version)
    } else if !noPeer {
      var l = JSONLine()
      l["scikit-image"] = "unavailable (no python with scikit-image, or Benchmarks/skimage_slic_bench.py not found)"
      l.print()
    }
  }

  /// Runs Benchmarks/skimage_slic_bench.py on the stack; nil when Python or the script is missing.
  func runScikitImage(_ pixels: Tensor<Float>, frames: Int, size: Int)
    -> (
      float64: Supervoxels, float32: Supervoxels, seconds64: Double, seconds32: Double, cpu64: Double?, cpu32: Double?,
      version: String
    )?
  {
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let candidates = [
      python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
    ]
    guard
      let interpreter = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }
      ),
      let script = locateBenchmarkScript("skimage_slic_bench.py")
    else { return nil }
    // T×H×W×3, the layout scikit-image takes.
    let voxels = frames * size * size
    var stack = [Float](repeating: 0, count: voxels * 3)
    for v in 0..<voxels {
      for c in 0..<3 { stack[v * 3 + c] = pixels.scalars[c * voxels + v] }
    }
    let directory = FileManager.default.temporaryDirectory.path
    let id = ProcessInfo.processInfo.processIdentifier
    let (input, output) = (
      "\(directory)/vidattr-slic-\(id)-in.safetensors", "\(directory)/vidattr-slic-\(id)-out.safetensors"
    )
    defer {
      try? FileManager.default.removeItem(atPath: input)
      try? FileManager.default.removeItem(atPath: output)
    }
    guard
      let file = try? SafeTensorsFile([
        ("pixels", StoredTensor(Tensor(shape: [frames, size, size, 3], scalars: stack)))
      ]),
      (try? SafeTensors.write(file, to: input)) != nil
    else { return nil }
    var arguments = [
      interpreter, script, "--input", input, "--labels-out", output, "--repetitions", "\(repetitions)",
      "--segments", "\(segments)", "--compactness", "\(compactness)", "--sigma", "\(sigma)",
    ]
    if slicZero { arguments.append("--slic-zero") }
    guard let result = try? runChild(arguments), let labels = try? SafeTensors.read(contentsOf: output) else {
      return nil
    }
    func map(_ name: String) -> Supervoxels? {
      guard let t = try? labels.floatTensor(named: name) else { return nil }
      return try? Supervoxels(frames: frames, height: size, width: size, labels: t.scalars.map { Int32($0) })
    }
    guard let a = map("float64"), let b = map("float32"), let s64 = result["float64_seconds"] as? Double,
      let s32 = result["float32_seconds"] as? Double
    else { return nil }
    let version =
      "scikit-image \(result["skimage_version"] ?? "?"), numpy \(result["numpy_version"] ?? "?"), one thread"
    return (a, b, s64, s32, result["float64_cpu_seconds"] as? Double, result["float32_cpu_seconds"] as? Double, version)
  }
}
