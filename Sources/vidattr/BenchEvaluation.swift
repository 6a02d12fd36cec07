import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr bench evaluation`: one insertion curve (MoRF, k×k blocks, fade base, 128 steps,
/// probability) of r2plus1d_18 at 1×3×16×112×112 on the fast path, against the same curve
/// computed by Benchmarks/pytorch_insertion_bench.py, each side in a process of its own (peak RSS
/// per side).
///
/// Both sides read the same files, written here to a temporary directory: the network's weights
/// (random initialisation, seed 0, 11 classes, `state_dict()` names that torchvision loads), the
/// clip (uniform in [−1, 1), seed 1) and the map (uniform, seed 2: no ties), so the two curves
/// must agree to Float32 rounding; the largest difference is reported beside the times. Besides
/// wall time, each side reports its process CPU time (user + system, all threads) over the timed
/// runs: on a shared machine it moves less than wall time (though both sides' worker threads
/// poll briefly between loops, which it counts).
struct BenchEvaluation: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluation",
    abstract: "Time one insertion curve on r2plus1d_18 against PyTorch; print a JSON line.")

  @Option(help: "Requested steps.") var steps: Int = 128
  @Option(help: "Block size k.") var block: Int = 7
  @Option(help: "Perturbed clips per network pass (both sides).") var batch: Int = 8
  @Option(help: "Frames of the clip.") var frames: Int = 16
  @Option(help: "Height and width of the clip.") var size: Int = 112
  @Option(help: "Timed repetitions per side (median reported, after a warm-up pass of one batch).")
  var repetitions: Int = 1
  @Option(help: "Python with torch and torchvision (default: $VIDATTR_PYTHON, then ~/.cache/vidattr-peers/bin/python).")
  var python: String?
  @Flag(help: "Short run: T = 4, size 56, 16 steps.") var quick = false
  @Option(help: .hidden) var single: String?

  func run() throws {
    let (t, s, n) = quick ? (4, 56, 16) : (frames, size, steps)
    if let directory = single {
      try measure(directory: directory, steps: n)
      return
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vidattr-bench-evaluation-\(getpid())"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try writeInputs(directory: directory, frames: t, size: s)

    var line = JSONLine()
    line["metric"] = "insertion"
    line["model"] = "r2plus1d_18"
    line["shape"] = "1×3×\(t)×\(s)×\(s)"
    line["unit"] = "block\(block)"
    line["steps"] = n
    line["batch"] = batch
    line["threads"] = FastThreads.count
    line["isa"] = FastISA.selected.description
    let ours = try runChild([
      CommandLine.arguments[0], "bench", "evaluation", "--single", directory, "--steps", "\(n)", "--block", "\(block)",
      "--batch", "\(batch)", "--repetitions", "\(repetitions)",
    ])
    line["seconds"] = ours["seconds"] as? Double
    line["cpu_seconds"] = ours["cpu_seconds"] as? Double
    line["peak_rss_mb"] = ours["peak_rss_mb"] as? Double
    line["auc"] = ours["auc"] as? Double
    line["points"] = ours["points"] as? Int
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let candidates = [
      python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
    ]
    if let interpreter = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }
    ),
      let script = locateBenchmarkScript("pytorch_insertion_bench.py"),
      let peer = try? runChild([
        interpreter, script, "--data", directory, "--threads", "\(FastThreads.count)", "--steps", "\(n)", "--block",
        "\(block)", "--batch", "\(batch)", "--repetitions", "\(repetitions)",
      ])
    {
      line["pytorch_seconds"] = peer["seconds"] as? Double
      line["pytorch_cpu_seconds"] = peer["cpu_seconds"] as? Double
      line["pytorch_peak_rss_mb"] = peer["peak_rss_mb"] as? Double
      line["pytorch_auc"] = peer["auc"] as? Double
      if let a = ours["seconds"] as? Double, let b = peer["seconds"] as? Double { line["ratio"] = a / b }
      if let a = ours["peak_rss_mb"] as? Double, let b = peer["peak_rss_mb"] as? Double { line["rss_ratio"] = a / b }
      if let a = ours["curve"] as? [Double], let b = peer["curve"] as? [Double], a.count == b.count {
        line["max_curve_difference"] = zip(a, b).map { abs($0 - $1) }.max() ?? 0
      } else {
        line["max_curve_difference"] = "curves differ in length"
      }
      line["pytorch"] = "torch \(peer["torch_version"] ?? "?"), \(peer["threads"] ?? "?") threads"
    } else {
      line["pytorch"] = "unavailable (no python with torch and torchvision; set VIDATTR_PYTHON)"
    }
    line.print()
  }

  /// weights.safetensors, clip.safetensors (`input` 1×3×T×S×S) and map.safetensors (`map`
  /// 1×1×T×S×S) in `directory`.
  func writeInputs(directory: String, frames t: Int, size s: Int) throws {
    let net = try Network<FastBackend>(
      .r2plus1d_18, configuration: .standard(for: .r2plus1d_18, classes: 11), initialization: .random(seed: 0))
    try WeightsFile.write(net, to: directory + "/weights.safetensors", version: videoAttributionVersion)
    var rng = SeededRNG(seed: 1)
    let x = Tensor<Float>.uniform([1, 3, t, s, s], -1, 1, using: &rng)
    try SafeTensors.write(try SafeTensorsFile([("input", .float32(x))]), to: directory + "/clip.safetensors")
    var mapRNG = SeededRNG(seed: 2)
    let map = Tensor<Float>.uniform([1, 1, t, s, s], 0, 1, using: &mapRNG)
    try SafeTensors.write(try SafeTensorsFile([("map", .float32(map))]), to: directory + "/map.safetensors")
  }

  /// Times the curve in this process and prints {seconds, peak_rss_mb, auc, points, curve}.
  func measure(directory: String, steps: Int) throws {
    let net: Network<FastBackend> = try WeightsFile.read(contentsOf: directory + "/weights.safetensors").network(
      .r2plus1d_18)
    let x = try SafeTensors.read(contentsOf: directory + "/clip.safetensors").float32(named: "input")
    let raw = try SafeTensors.read(contentsOf: directory + "/map.safetensors").float32(named: "map")
    let maps = try MetricMaps.prepare(
      raw, clipShape: x.shape, postProcessing: PostProcessing(channels: .sum, normalization: .none))
    let settings = InsertionDeletion(
      .insertion, order: .morf, unit: .block(block), base: .fade, steps: steps, batch: batch)
    // Warm-up: one network pass on a batch of clips.
    _ = net.logits(Tensor.concatenate(Array(repeating: x, count: batch)))
    var times: [Double] = [], cpu: [Double] = []
    var curve: InsertionDeletionCurve?
    for _ in 0..<max(repetitions, 1) {
      let (start, startCPU) = (Date(), processCPUSeconds())
      curve = try settings.curves(network: net, clips: x, targets: [3], maps: maps)[0]
      times.append(Date().timeIntervalSince(start))
      cpu.append(processCPUSeconds() - startCPU)
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let points = curve!.curve
    let text = points.map { "\($0)" }.joined(separator: ",")
    print(
      "{\"seconds\":\(times.sorted()[times.count / 2]),\"cpu_seconds\":\(cpu.sorted()[cpu.count / 2]),"
        + "\"peak_rss_mb\":\(Double(usage.ru_maxrss) / 1024),"
        + "\"auc\":\(curve!.auc),\"points\":\(points.count),\"curve\":[\(text)]}")
  }
}
