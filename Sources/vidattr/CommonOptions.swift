import ArgumentParser
import Foundation
import VideoAttribution

extension ComputePath: ExpressibleByArgument {}

extension Architecture: ExpressibleByArgument {}

/// Options every model-running command shares.
struct ModelOptions: ParsableArguments {
  @Option(help: "Architecture (\(Architecture.names)).")
  var model: Architecture

  @Option(help: "Weights file (safetensors with state_dict() names).")
  var weights: String

  @Option(help: "Computation path: fast (Float32, SIMD, threads) or literal (Double, reference loops).")
  var path: ComputePath = .fast
}

/// Writes one line to standard error (progress and diagnostics; stdout carries results).
func note(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// A JSON number: shortest round-trip text, `null` for NaN/∞ (JSON has no such numbers).
func jsonNumber<S: BinaryFloatingPoint & LosslessStringConvertible>(_ x: S) -> String {
  x.isFinite ? "\(x)" : "null"
}

/// Failures of the tool itself (not of the library), with cases a caller can switch on.
enum CommandError: Error, CustomStringConvertible {
  /// A peer library needed for a comparison cannot be found.
  case peerUnavailable(String)
  /// A child process failed or printed no JSON object on its last line.
  case childFailed(command: String, status: Int32)

  var description: String {
    switch self {
    case .peerUnavailable(let what): return "no peer: \(what) not found"
    case .childFailed(let command, let status): return "\(command) failed (exit \(status)) or printed no JSON line"
    }
  }
}
