import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr bench kernels [--quick]`.
struct BenchKernels: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernels",
    abstract: "Check each fast kernel against the literal one, then time it; one JSON line per kernel, shape "
      + "and direction.",
    discussion: """
      First lines: the ISA selected and the BLAS library loaded, the measured FP32 FMA peak (per ISA level, \
      one thread and all threads), whether PyTorch is available. Then, per row of the table: \
      {"kernel", "name", "shape", "direction", "check", "worst_ratio", "literal_s", "literal_note", "fast_s", \
      "gflops", "peak_fraction", "cpu_utilisation", "pytorch_s", "pytorch_ratio"}. See Benchmarks/README.md.
      """
  )

  @Flag(help: "Short run: clips of 4 frames, a smaller literal budget, 3 repetitions (well under a minute).")
  var quick = false

  @Option(help: "Timed repetitions per row; default 5, or 3 with --quick.")
  var repetitions: Int?

  @Option(
    help: """
      Per-row statistic of the timed repetitions, for both sides (ours and PyTorch's): median, \
      or best (the shortest: on a shared machine other tenants only ever add time, so the \
      shortest of several repetitions estimates what the code itself costs).
      """)
  var statistic: TimingStatistic = .median

  @Option(help: "Only rows whose \"name direction shape\" contains this text.")
  var filter: String?

  @Option(
    help: "Python with torch for the peer timings (default: $VIDATTR_PYTHON, else ~/.cache/vidattr-peers/bin/python).")
  var python: String?

  @Flag(help: "Skip the PyTorch peer run.")
  var noPytorch = false

  @Flag(help: .hidden)
  var timingOnly = false

  @Flag(help: .hidden)
  var skipPeak = false

  @Flag(help: .hidden)
  var cpuTime = false

  func validate() throws {
    if let r = repetitions, r < 1 { throw ValidationError("--repetitions must be ≥ 1") }
  }

  func run() throws {
    let threads = FastThreads.count
    benchUsesCPUTime = cpuTime
    let isa = FastISA.selected
    var head = JSONLine()
    head["isa_selected"] = isa.description
    head["isa_detected"] = FastISA.detected.description
    head["threads"] = threads
    head["blas"] = loadedBLAS()
    head["build"] = "release" as String?
    let reps = repetitions ?? (quick ? 3 : 5)
    head["statistic"] = "\(statistic.rawValue) of \(reps) timed repetitions per row" as String?
    head.print()

    let peak = skipPeak ? 175.0 * Double(threads) : reportPeaks(selected: isa, threads: threads)

    let frames = quick ? 4 : 16
    let rows = (convBenchmarkRows(frames: frames, literalMACBudget: quick ? 1e7 : 3e8) + resampleBenchmarkRows(frames: frames))
      .filter { row in filter.map { "\(row.name) \(row.direction) \(row.shape)".contains($0) } ?? true }

    let peer =
      noPytorch
      ? [:] : runPyTorchPeer(rows: rows, threads: threads, repetitions: reps, statistic: statistic, python: python)

    for row in rows {
      let runners = row.make()
      let check =
        timingOnly
        ? BenchmarkCheck(passed: true, worstRatio: 0, literalSeconds: .nan, note: "not checked (--timing-only)")
        : runners.check()
      let wallStart = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
      let fast = statistic.seconds(repetitions: reps, runners.fast)
      let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) * 1e-9
      let utilisation = (processCPUSeconds() - cpuStart) / wall / Double(threads)
      var line = JSONLine()
      line["kernel"] = row.kernel
      line["name"] = row.name
      line["shape"] = row.shape
      line["direction"] = row.direction
      line["check"] = check.passed ? "passed" : "FAILED"
      line["worst_ratio"] = check.worstRatio
      line["literal_s"] = check.literalSeconds
      line["literal_note"] = check.note
      line["fast_s"] = fast
      line["gflops"] = row.flops / fast * 1e-9
      line["peak_fraction"] = row.flops / fast * 1e-9 / peak
      line["cpu_utilisation"] = utilisation
      if let t = peer[row.peerKey] {
        line["pytorch_s"] = t
        line["pytorch_ratio"] = t / fast
      }
      line.print()
    }
  }

  /// Prints one line per ISA level and thread count; returns the peak of the selected level
  /// at `threads` threads (the denominator of every peak_fraction).
  func reportPeaks(selected: FastISA, threads: Int) -> Double {
    var used = 0.0
    for level in FastISA.supported {
      for t in Set([1, threads]).sorted() {
        let gflops = Fast.measureFMAPeak(isa: level, threads: t, seconds: quick ? 0.1 : 0.3)
        var line = JSONLine()
        line["peak_gflops"] = gflops
        line["method"] =
          "C microbenchmark (Sources/CMicroKernels/fma_peak.c): independent multiply-add chains per thread "
          + "(\(level == .avx512 ? "16 zmm" : level == .avx2 ? "12 ymm" : "32 scalar lanes, separate mul+add")), "
          + "best of 3 runs"
        line["isa"] = level.description
        line["threads"] = t
        if level == selected && t == threads {
          line["used_for_peak_fraction"] = true
          used = gflops
        }
        line.print()
      }
    }
    return used
  }
}

/// The BLAS shared library mapped into this process, if any (from /proc/self/maps).
func loadedBLAS() -> String {
  guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return "unknown" }
  let names = ["blas", "blis", "mkl"]
  var found: [String] = []
  for line in maps.split(separator: "\n") {
    guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last, path.hasPrefix("/") else {
      continue
    }
    let file = String(path)
    let base = (file as NSString).lastPathComponent.lowercased()
    if names.contains(where: { base.contains($0) }), !found.contains(file) {
      let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? file
      found.append(resolved == file ? file : "\(file) -> \(resolved)")
    }
  }
  return found.isEmpty ? "none loaded (fast kernels use no BLAS)" : found.joined(separator: ", ")
}
