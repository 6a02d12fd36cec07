import Foundation

/// Runs Benchmarks/pytorch_conv_bench.py on the rows' peer specs with a Python that has
/// torch, at the same thread count; returns seconds by peer key ("shape|direction"). Prints
/// one line saying what happened (including why there are no PyTorch numbers).
func runPyTorchPeer(
  rows: [KernelBenchmarkRow], threads: Int, repetitions: Int, rounds: Int, statistic: TimingStatistic,
  python: String?
)
  -> [String: Double]
{
  var status = JSONLine()
  defer { status.print() }
  let home = FileManager.default.homeDirectoryForCurrentUser.path
  let candidates = [
    python, ProcessInfo.processInfo.environment["VIDATTR_PYTHON"], "\(home)/.cache/vidattr-peers/bin/python",
  ]
  guard
    let interpreter = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
  else {
    status["pytorch"] = "unavailable: no python with torch (set VIDATTR_PYTHON); continuing without peer timings"
    return [:]
  }
  guard let script = locatePeerScript() else {
    status["pytorch"] = "unavailable: Benchmarks/pytorch_conv_bench.py not found from the working directory"
    return [:]
  }
  var specs: [[String: Any]] = []
  var seen = Set<String>()
  for row in rows {
    guard let spec = row.peerSpec, let key = spec["key"] as? String, !seen.contains(key) else { continue }
    seen.insert(key)
    specs.append(spec)
  }
  guard let request = try? JSONSerialization.data(withJSONObject: ["specs": specs]) else { return [:] }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: interpreter)
  process.arguments = [
    script, "--threads", String(threads), "--repetitions", String(repetitions), "--rounds", String(rounds),
    "--statistic", statistic.rawValue,
  ]
  let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  do {
    try process.run()
  } catch {
    status["pytorch"] = "unavailable: could not run \(interpreter): \(error)"
    return [:]
  }
  stdin.fileHandleForWriting.write(request)
  try? stdin.fileHandleForWriting.close()
  let output = stdout.fileHandleForReading.readDataToEndOfFile()
  let errors = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    let why = String(decoding: errors, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    status["pytorch"] = "unavailable: \(interpreter) \(script) failed (\(why)); continuing without peer timings"
    return [:]
  }
  var times: [String: Double] = [:]
  var version = "?"
  for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
    if let v = object["torch_version"] as? String { version = v }
    if let key = object["key"] as? String, let direction = object["direction"] as? String,
      let seconds = object["seconds"] as? Double
    {
      times["\(key)|\(direction)"] = seconds
    }
  }
  status["pytorch"] =
    "torch \(version) via \(interpreter), \(threads) threads, \(statistic.rawValue) of \(repetitions) in \(rounds) passes, each after a warm-up"
  status["pytorch_rows"] = times.count
  return times
}

/// Benchmarks/pytorch_conv_bench.py from the working directory or above the executable.
private func locatePeerScript() -> String? {
  let relative = "Benchmarks/pytorch_conv_bench.py"
  var dirs = [FileManager.default.currentDirectoryPath]
  var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  for _ in 0..<5 {
    dirs.append(dir.path)
    dir = dir.deletingLastPathComponent()
  }
  return dirs.map { "\($0)/\(relative)" }.first { FileManager.default.fileExists(atPath: $0) }
}
