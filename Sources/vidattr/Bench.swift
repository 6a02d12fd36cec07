import ArgumentParser
import Foundation

/// `vidattr bench …`: benchmarks that validate each fast kernel against the literal one and
/// then time it. Output: one JSON object per line on stdout.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Validate and time the fast kernels against the literal ones (JSON lines).",
    subcommands: [
      BenchKernels.self, BenchNetworks.self, BenchAttribution.self, BenchPerturbation.self, BenchEvaluation.self,
      BenchSupervoxels.self,
    ]
  )
}

/// One line of JSON output, fields in insertion order.
struct JSONLine {
  private var fields: [(String, String)] = []

  subscript(key: String) -> Any? {
    get { nil }
    set {
      guard let newValue else { return }
      fields.append((key, JSONLine.encode(newValue)))
    }
  }

  var text: String { "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}" }

  func print() {
    // One write per line, unbuffered, so that lines appear as rows finish.
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  static func encode(_ value: Any) -> String {
    switch value {
    case let s as String: return quote(s)
    case let b as Bool: return b ? "true" : "false"
    case let i as Int: return String(i)
    case let d as Double:
      guard d.isFinite else { return "null" }
      return String(format: "%.6g", d)
    case let a as [Int]: return "[" + a.map(String.init).joined(separator: ",") + "]"
    default: return quote("\(value)")
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
      }
    }
    return out + "\""
  }
}

/// Wall time of one call, in seconds (process CPU time instead when `benchUsesCPUTime`, a
/// tuning aid for single-thread runs on a shared machine).
func secondsOf(_ body: () -> Void) -> Double {
  if benchUsesCPUTime {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a)
    body()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) * 1e-9
  }
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

nonisolated(unsafe) var benchUsesCPUTime = false

/// CPU time (user + system, all threads) of this process, in seconds.
func processCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// How a benchmark row's repeated timings are summarised (`vidattr bench kernels --statistic`).
enum TimingStatistic: String, ExpressibleByArgument, CaseIterable, Sendable {
  /// The median of the timed calls.
  case median
  /// The shortest timed call.
  case best

  /// This statistic of `samples` (non-empty): `best` (the shortest time or the highest
  /// throughput, as the caller says), or the median.
  func summary(of samples: [Double], best: ([Double]) -> Double) -> Double {
    if self == .best { return best(samples) }
    let sorted = samples.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  }
}
