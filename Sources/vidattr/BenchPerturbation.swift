import ArgumentParser
import Foundation
import Synchronization
import VideoAttribution

/// `vidattr bench perturbation`: STEP with Li et al.'s settings (4 areas as one batch) per
/// iteration, fast against literal against the same loop in PyTorch on TorchRay's mask generator
/// (Benchmarks/pytorch_step_bench.py), each in a process of its own (peak RSS per run).
struct BenchPerturbation: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "perturbation",
    abstract: "Time STEP iterations on r2plus1d_18 and a zoo model against PyTorch; print JSON lines.",
    discussion: """
      One line per model: seconds per iteration (median of --iterations after one warm-up \
      iteration) of our fast path, our literal path (zoo model only: the literal r2plus1d_18 takes \
      hours per iteration), and PyTorch; peak RSS of each; the time of a full explanation \
      (1200 iterations) projected from the per-iteration time. r2plus1d_18: random weights \
      (seed 0), 11 classes, a random clip 1×3×16×112×112; r2plus1d_mini: the zoo's weights on a \
      random 1×3×16×32×32 clip.
      """)

  @Option(help: "Timed iterations per run (after one warm-up iteration).") var iterations: Int = 3
  @Option(help: "Models: r2plus1d_18, r2plus1d_mini (comma-separated).") var models: String =
    "r2plus1d_18,r2plus1d_mini"
  @Option(
    help:
      "Python with torch, torchvision and torchray (default: $VIDATTR_PYTHON, then ~/.cache/vidattr-peers/bin/python).")
  var python: String?
  @Flag(help: "Skip the PyTorch peer.") var noPytorch = false
  @Option(help: .hidden) var single: String?

  func validate() throws {
    guard iterations >= 1 else { throw ValidationError("--iterations must be ≥ 1, got \(iterations)") }
  }

  func run() throws {
    if let single {
      let parts = single.split(separator: ":").map(String.init)
      try measure(model: parts[0], path: ComputePath(rawValue: parts[1]) ?? .fast)
      return
    }
    for model in models.split(separator: ",").map(String.init) {
      guard ["r2plus1d_18", "r2plus1d_mini"].contains(model) else {
        throw ValidationError("--models: unknown model \(model) (r2plus1d_18, r2plus1d_mini)")
      }
      var line = JSONLine()
      line["method"] = "step"
      line["model"] = model
      line["shape"] = model == "r2plus1d_18" ? "1×3×16×112×112" : "1×3×16×32×32"
      line["areas"] = "0.05,0.1,0.15,0.5"
      line["threads"] = FastThreads.count
      line["isa"] = "\(FastISA.selected)"
      let paths: [ComputePath] = model == "r2plus1d_mini" ? [.fast, .literal] : [.fast]
      var ours: [ComputePath: Double] = [:]
      for path in paths {
        note("bench perturbation: \(model) \(path)…")
        let r = try runChild([
          CommandLine.arguments[0], "bench", "perturbation", "--single", "\(model):\(path)", "--iterations",
          "\(iterations)",
        ])
        line["\(path)_seconds_per_iteration"] = r["seconds"] as? Double
        line["\(path)_peak_rss_mb"] = r["peak_rss_mb"] as? Double
        ours[path] = r["seconds"] as? Double
      }
      if let f = ours[.fast] {
        line["fast_full_explanation_minutes"] = f * 1200 / 60
        if let l = ours[.literal] { line["literal_over_fast"] = l / f }
      }
      if noPytorch {
        line["pytorch"] = "skipped (--no-pytorch)"
      } else if let peer = pytorch(model) {
        line["pytorch_seconds_per_iteration"] = peer["seconds_per_iteration"] as? Double
        line["pytorch_peak_rss_mb"] = peer["peak_rss_mb"] as? Double
        line["pytorch"] = "torch \(peer["torch_version"] ?? "?"), \(peer["threads"] ?? "?") threads"
        if let f = ours[.fast], let p = peer["seconds_per_iteration"] as? Double {
          line["fast_over_pytorch"] = f / p
          line["pytorch_full_explanation_minutes"] = p * 1200 / 60
        }
      } else {
        line["pytorch"] = "unavailable (no python with torch and torchray; set VIDATTR_PYTHON)"
      }
      line.print()
    }
  }

  private func pytorch(_ model: String) -> [String: Any]? {
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let candidates = [
      python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
    ]
    guard
      let interpreter = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }
      ),
      let script = locateBenchmarkScript("pytorch_step_bench.py")
    else { return nil }
    let size = model == "r2plus1d_18" ? 112 : 32
    note("bench perturbation: \(model) pytorch…")
    return try? runChild([
      interpreter, script, "--model", model, "--threads", "\(FastThreads.count)", "--iterations", "\(iterations)",
      "--frames", "16", "--size", "\(size)",
    ])
  }

  /// Runs STEP for 1 + `iterations` iterations and prints the median seconds of the timed ones.
  private func measure(model: String, path: ComputePath) throws {
    let size = model == "r2plus1d_18" ? 112 : 32
    let weights: WeightsFile
    if model == "r2plus1d_18" {
      let net = try Network<FastBackend>(
        .r2plus1d_18, configuration: .standard(for: .r2plus1d_18, classes: 11), initialization: .random(seed: 0))
      weights = WeightsFile(stateDict: Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.value) }))
    } else {
      guard let file = locateReferenceFile("models/r2plus1d_mini.safetensors") else {
        throw CommandError.peerUnavailable("Reference/models/r2plus1d_mini.safetensors")
      }
      weights = try WeightsFile.read(contentsOf: file)
    }
    var rng = SeededRNG(seed: 1)
    let clip = Tensor<Float>.uniform([1, 3, 16, size, size], -1, 1, using: &rng)
    var settings = ExtremalSettings.preset(.tcsvt, grouping: .clip, core: .init())
    settings.iterations = iterations + 1
    let stamps = Mutex([Date]())
    let method = ExtremalPerturbation(
      .step, settings: settings, preset: .tcsvt, batch: 4, progress: { _, _ in stamps.withLock { $0.append(Date()) } })
    stamps.withLock { $0.append(Date()) }
    _ = try AttributionRun(method: method, targets: .fixed(3), path: path).run(
      weights: weights, architecture: Architecture(rawValue: model)!, clips: clip)
    let times = stamps.withLock { s in (2..<s.count).map { s[$0].timeIntervalSince(s[$0 - 1]) } }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    var line = JSONLine()
    line["seconds"] = times.sorted()[times.count / 2]
    line["peak_rss_mb"] = Double(usage.ru_maxrss) / 1024
    line.print()
  }
}
