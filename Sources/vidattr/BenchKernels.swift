import ArgumentParser
import Benchmarking
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
      Per-row statistic of the timed repetitions, for both sides (ours and PyTorch's), and over \
      the peak measurements (the highest for best): median, \
      or best (the shortest: on a shared machine other tenants only ever add time, so the \
      shortest of several repetitions estimates what the code itself costs).
      """)
  var statistic: TimingStatistic = .median

  @Option(
    help: """
      Passes through the whole table over which each row's timed repetitions are spread (at most \
      --repetitions; default: one pass per repetition, so that every row is timed in every part \
      of the run and slow minutes of a shared machine fall on all rows alike; 1: a row's \
      repetitions back to back). The FMA peak and the in-cache GEMM rate are measured again in \
      every pass.
      """)
  var rounds: Int?

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
    if let r = rounds, r < 1 { throw ValidationError("--rounds must be ≥ 1") }
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
    let passes = min(rounds ?? reps, reps)
    head["statistic"] = "\(statistic.rawValue) of \(reps) timed repetitions per row" as String?
    head["rounds"] = passes
    head.print()

    let startPeak = skipPeak ? 175.0 * Double(threads) : reportPeaks(selected: isa, threads: threads)

    let frames = quick ? 4 : 16
    let rows =
      (convBenchmarkRows(frames: frames, literalMACBudget: quick ? 1e7 : 3e8) + resampleBenchmarkRows(frames: frames))
      .filter { row in filter.map { "\(row.name) \(row.direction) \(row.shape)".contains($0) } ?? true }

    let peer =
      noPytorch
      ? [:]
      : runPyTorchPeer(
        rows: rows, threads: threads, repetitions: reps, rounds: passes, statistic: statistic, python: python)

    // Pass r times every row `reps / passes` times (the first `reps % passes` passes once more),
    // each after one untimed call on freshly made inputs; the literal check runs in the first
    // pass, before the row's timed calls. Each pass starts with short measurements of the FMA
    // peak and of the micro-kernel on L1-resident operands (the ceiling of every row).
    var checks = [BenchmarkCheck?](repeating: nil, count: rows.count)
    var times = [[Double]](repeating: [], count: rows.count)
    var cpuSeconds = [Double](repeating: 0, count: rows.count), wallSeconds = cpuSeconds
    var peaks = skipPeak ? [] : [startPeak]
    var inCache: [Double] = []
    for pass in 0..<passes {
      let passStart = DispatchTime.now().uptimeNanoseconds
      if !skipPeak {
        peaks.append(Throughput.measureFMAPeak(isa: isa, threads: threads, seconds: 0.1))
        inCache.append(Throughput.measureInCacheGEMM(isa: isa, threads: threads, seconds: 0.1))
      }
      let calls = reps / passes + (pass < reps % passes ? 1 : 0)
      for (i, row) in rows.enumerated() {
        let runners = row.make()
        if checks[i] == nil {
          checks[i] =
            timingOnly
            ? BenchmarkCheck(passed: true, worstRatio: 0, literalSeconds: .nan, note: "not checked (--timing-only)")
            : runners.check()
        }
        runners.fast()
        let wallStart = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
        for _ in 0..<calls { times[i].append(secondsOf(runners.fast)) }
        wallSeconds[i] += Double(DispatchTime.now().uptimeNanoseconds - wallStart) * 1e-9
        cpuSeconds[i] += processCPUSeconds() - cpuStart
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - passStart) * 1e-9
      FileHandle.standardError.write(
        Data(
          "bench kernels: pass \(pass + 1)/\(passes) (\(rows.count) rows) in \(String(format: "%.1f", seconds)) s\n"
            .utf8))
    }

    // The denominator: the same statistic over the FMA-peak measurements (the start one and one
    // per pass) as over each row's times — the highest with `best`, the median with `median` —
    // so that a slow minute during one measurement neither inflates nor deflates every fraction.
    let peak = skipPeak ? startPeak : statistic.summary(of: peaks, best: { $0.max()! })
    var peakLine = JSONLine()
    peakLine["peak_gflops"] = peak
    peakLine["method"] =
      skipPeak
      ? "not measured (--skip-peak): assumed 175 GFLOP/s per thread"
      : "\(statistic == .best ? "highest" : "median") of \(peaks.count) measurements of the FMA microbenchmark at "
        + "\(isa.description), \(threads) threads: the start one above and one of 0.1 s at the start of each pass "
        + "(range \(String(format: "%.1f", peaks.min()!))–\(String(format: "%.1f", peaks.max()!)))"
    peakLine["isa"] = isa.description
    peakLine["threads"] = threads
    peakLine["used_for_peak_fraction"] = true
    peakLine.print()
    if !inCache.isEmpty {
      // The micro-kernel's own ceiling at the same moments (see Throughput.measureInCacheGEMM).
      let gemm = statistic.summary(of: inCache, best: { $0.max()! })
      var line = JSONLine()
      line["in_cache_gemm_gflops"] = gemm
      line["in_cache_gemm_fraction"] = gemm / peak
      line["method"] =
        "\(statistic == .best ? "highest" : "median") of \(inCache.count) runs of vidattr_gemm on L1-resident operands "
        + "(16×256 · 256×32, \(threads) threads, 0.1 s each, one at the start of each pass; range "
        + "\(String(format: "%.1f", inCache.min()!))–\(String(format: "%.1f", inCache.max()!))): the rate no convolution "
        + "row can exceed"
      line.print()
    }

    for (i, row) in rows.enumerated() {
      let check = checks[i]!
      let fast = statistic.summary(of: times[i], best: { $0.min()! })
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
      line["cpu_utilisation"] = cpuSeconds[i] / wallSeconds[i] / Double(threads)
      if let t = peer[row.peerKey] {
        line["pytorch_s"] = t
        line["pytorch_ratio"] = t / fast
      }
      line.print()
    }
  }

  /// Prints one line per ISA level and thread count; returns the peak of the selected level
  /// at `threads` threads (the first of the measurements whose highest is the denominator of
  /// every peak_fraction).
  func reportPeaks(selected: FastISA, threads: Int) -> Double {
    var used = 0.0
    for level in FastISA.supported {
      for t in Set([1, threads]).sorted() {
        let gflops = Throughput.measureFMAPeak(isa: level, threads: t, seconds: quick ? 0.1 : 0.3)
        var line = JSONLine()
        line["peak_gflops"] = gflops
        line["method"] =
          "C microbenchmark (Sources/CMicroKernels/fma_peak.c): independent multiply-add chains per thread "
          + "(\(level == .avx512 ? "16 zmm" : level == .avx2 ? "12 ymm" : "32 scalar lanes, separate mul+add")), "
          + "best of 3 runs"
        line["isa"] = level.description
        line["threads"] = t
        if level == selected && t == threads { used = gflops }
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
