import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr bench networks`: whole-network forward and forward + input-gradient times on the
/// fast path against PyTorch on the same machine and thread count, with peak RSS.
///
/// Each model runs in a child process of its own (this executable with `--single`), and so
/// does PyTorch's, so each peak RSS is that model's alone.
struct BenchNetworks: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "networks",
    abstract: "Time whole networks (forward, forward + input gradient) against PyTorch; print JSON lines.")

  @Option(parsing: .upToNextOption, help: "Architectures to time.")
  var models: [Architecture] = [.r3d_18, .r2plus1d_18]

  @Option(help: "Frames of the clip.") var frames: Int = 16
  @Option(help: "Height and width of the clip.") var size: Int = 112
  @Option(help: "Timed repetitions (median reported, after one warm-up).") var repetitions: Int = 3
  @Option(help: "Python with torch and torchvision (default: $VIDATTR_PYTHON, then ~/.cache/vidattr-peers/bin/python).")
  var python: String?
  @Flag(help: "Short run: T = 4, size 56, one repetition.") var quick = false
  @Flag(help: .hidden) var single = false

  func run() throws {
    let t = quick ? 4 : frames, s = quick ? 56 : size, reps = quick ? 1 : repetitions
    if single {
      try measure(models[0], frames: t, size: s, repetitions: reps)
      return
    }
    let threads = FastThreads.count
    var info = JSONLine()
    info["machine_threads"] = threads
    info["isa"] = FastISA.selected.description
    info.print()
    for model in models {
      var line = JSONLine()
      line["model"] = model.rawValue
      line["shape"] = "1×3×\(t)×\(s)×\(s)"
      let ours = try runChild([
        CommandLine.arguments[0], "bench", "networks", "--single", "--models", model.rawValue,
        "--frames", "\(t)", "--size", "\(s)", "--repetitions", "\(reps)",
      ])
      for key in ["forward_s", "forward_backward_s", "peak_rss_mb", "gflop_forward"] {
        line[key] = ours[key] as? Double
      }
      if let peer = try? pytorch(model, t, s, reps, threads) {
        line["pytorch_forward_s"] = peer["forward_s"] as? Double
        line["pytorch_forward_backward_s"] = peer["forward_backward_s"] as? Double
        line["pytorch_peak_rss_mb"] = peer["peak_rss_mb"] as? Double
        if let a = ours["forward_s"] as? Double, let b = peer["forward_s"] as? Double { line["forward_ratio"] = a / b }
        if let a = ours["forward_backward_s"] as? Double, let b = peer["forward_backward_s"] as? Double {
          line["forward_backward_ratio"] = a / b
        }
        line["pytorch"] = "torch \(peer["torch_version"] ?? "?"), \(peer["threads"] ?? "?") threads"
      } else {
        line["pytorch"] = "unavailable (no python with torch; set VIDATTR_PYTHON)"
      }
      line.print()
    }
  }

  /// Times one model in this process and prints its JSON line.
  func measure(_ model: Architecture, frames t: Int, size s: Int, repetitions: Int) throws {
    let net = try Network<FastBackend>(
      model, configuration: .standard(for: model, classes: 11), initialization: .random(seed: 0))
    var rng = SeededRNG(seed: 1)
    let x = Tensor<Float>.uniform([1, 3, t, s, s], -1, 1, using: &rng)
    func median(_ f: () -> Void) -> Double {
      f()
      var times: [Double] = []
      for _ in 0..<repetitions {
        let start = Date()
        f()
        times.append(Date().timeIntervalSince(start))
      }
      return times.sorted()[times.count / 2]
    }
    let forward = median { _ = net.logits(x) }
    let forwardBackward = median {
      _ = ScoreGradient(network: net, input: x, targets: [3], score: .logit)
    }
    var flops = 0.0
    let tape = Tape<FastBackend>.forwardOnly(capture: Set(net.modulePaths))
    _ = net.forward(x, tape: tape)
    for m in net.root.allModules {
      if let c = m as? Convolution<FastBackend>, let out = tape.activations[c.path] {
        flops += 2 * Double(out.count) * Double(c.weight.shape.dropFirst().reduce(1, *))
      }
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    var line = JSONLine()
    line["forward_s"] = forward
    line["forward_backward_s"] = forwardBackward
    line["peak_rss_mb"] = Double(usage.ru_maxrss) / 1024
    line["gflop_forward"] = flops / 1e9
    line.print()
  }

  func pytorch(_ model: Architecture, _ t: Int, _ s: Int, _ reps: Int, _ threads: Int) throws -> [String: Any] {
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let candidates = [
      python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
    ]
    guard
      let interpreter = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }
      ),
      let script = locateBenchmarkScript("pytorch_network_bench.py")
    else { throw CommandError.peerUnavailable("PyTorch (set VIDATTR_PYTHON or --python)") }
    return try runChild([
      interpreter, script, "--model", model.rawValue, "--threads", "\(threads)",
      "--repetitions", "\(reps)", "--frames", "\(t)", "--size", "\(s)",
    ])
  }
}

/// Runs a command and parses the last line of its stdout as a JSON object.
func runChild(_ arguments: [String]) throws -> [String: Any] {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: arguments[0])
  process.arguments = Array(arguments.dropFirst())
  let out = Pipe()
  process.standardOutput = out
  try process.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0,
    let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
    let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
  else { throw CommandError.childFailed(command: arguments[0], status: process.terminationStatus) }
  return object
}

/// Benchmarks/<name> from the working directory or above the executable.
func locateBenchmarkScript(_ name: String) -> String? { locateRepositoryFile("Benchmarks/\(name)") }

/// Reference/<path> from the working directory or above the executable.
func locateReferenceFile(_ path: String) -> String? { locateRepositoryFile("Reference/\(path)") }

/// A file of the repository, `relative` to its root, found from the working directory or from
/// the folders above the executable (`.build/release/vidattr` sits three levels down).
func locateRepositoryFile(_ relative: String) -> String? {
  var dirs = [FileManager.default.currentDirectoryPath]
  var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  for _ in 0..<5 {
    dirs.append(dir.path)
    dir = dir.deletingLastPathComponent()
  }
  return dirs.map { "\($0)/\(relative)" }.first { FileManager.default.fileExists(atPath: $0) }
}
