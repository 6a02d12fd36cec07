import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr bench attribution`: integrated gradients (25 steps, Li et al.'s settings) and
/// Grad-CAM on r2plus1d_18 at 1×3×16×112×112, fast path, against Captum on the same machine
/// and thread count, each in a process of its own (peak RSS per run).
struct BenchAttribution: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attribution",
    abstract: "Time integrated gradients and Grad-CAM on r2plus1d_18 against Captum; print JSON lines.")

  @Option(help: "Integrated-gradients steps.") var steps: Int = 25
  @Option(help: "Frames of the clip.") var frames: Int = 16
  @Option(help: "Height and width of the clip.") var size: Int = 112
  @Option(help: "Timed repetitions (median, after one warm-up).") var repetitions: Int = 1
  @Option(
    help:
      "Python with torch, torchvision and captum (default: $VIDATTR_PYTHON, then ~/.cache/vidattr-peers/bin/python).")
  var python: String?
  @Flag(help: "Short run: T = 4, size 56, 5 steps.") var quick = false
  @Option(help: .hidden) var single: String?

  func run() throws {
    let t = quick ? 4 : frames, s = quick ? 56 : size, n = quick ? 5 : steps
    if let method = single {
      try measure(method, frames: t, size: s, steps: n)
      return
    }
    for method in ["ig", "grad_cam"] {
      var line = JSONLine()
      line["method"] = method == "ig" ? "integrated_gradients" : "grad_cam"
      line["model"] = "r2plus1d_18"
      line["shape"] = "1×3×\(t)×\(s)×\(s)"
      if method == "ig" { line["steps"] = n }
      let ours = try runChild([
        CommandLine.arguments[0], "bench", "attribution", "--single", method, "--frames", "\(t)", "--size", "\(s)",
        "--steps", "\(n)", "--repetitions", "\(repetitions)",
      ])
      line["seconds"] = ours["seconds"] as? Double
      line["peak_rss_mb"] = ours["peak_rss_mb"] as? Double
      let home = FileManager.default.homeDirectoryForCurrentUser.path
      let candidates = [
        python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
      ]
      if let interpreter = candidates.compactMap({ $0 }).first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
      }),
        let script = locateBenchmarkScript("captum_attribution_bench.py"),
        let peer = try? runChild([
          interpreter, script, "--method", method, "--threads", "\(FastThreads.count)", "--repetitions",
          "\(repetitions)", "--steps", "\(n)", "--frames", "\(t)", "--size", "\(s)",
        ])
      {
        line["captum_seconds"] = peer["seconds"] as? Double
        line["captum_peak_rss_mb"] = peer["peak_rss_mb"] as? Double
        if let a = ours["seconds"] as? Double, let b = peer["seconds"] as? Double { line["ratio"] = a / b }
        line["captum"] =
          "captum \(peer["captum_version"] ?? "?"), torch \(peer["torch_version"] ?? "?"), \(peer["threads"] ?? "?") threads"
      } else {
        line["captum"] = "unavailable (no python with torch and captum; set VIDATTR_PYTHON)"
      }
      line.print()
    }
  }

  func measure(_ method: String, frames t: Int, size s: Int, steps: Int) throws {
    let net = try Network<FastBackend>(
      .r2plus1d_18, configuration: .standard(for: .r2plus1d_18, classes: 11), initialization: .random(seed: 0))
    var rng = SeededRNG(seed: 1)
    let x = Tensor<Float>.uniform([1, 3, t, s, s], -1, 1, using: &rng)
    let m: any AttributionMethod =
      method == "ig" ? IntegratedGradients(steps: steps, rule: .riemannLeft, baseline: .black) : GradCAM()
    func once() throws { _ = try m.attribute(x, targets: [3], network: net, score: .logit) }
    try once()
    var times: [Double] = []
    for _ in 0..<repetitions {
      let start = Date()
      try once()
      times.append(Date().timeIntervalSince(start))
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    var line = JSONLine()
    line["seconds"] = times.sorted()[times.count / 2]
    line["peak_rss_mb"] = Double(usage.ru_maxrss) / 1024
    line.print()
  }
}
