import ArgumentParser
import Foundation
import VideoAttribution

/// Which implementation runs: the fast one (default) or the literal reference in Double.
enum ComputePath: String, ExpressibleByArgument, CaseIterable {
  case fast, literal
}

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
