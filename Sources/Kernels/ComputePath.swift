/// Which implementation runs a computation: the optimised one (Float32, SIMD, threads) or the
/// literal reference (Double, one loop per equation).
///
/// Code that runs on either path is written once, generic over `KernelBackend`, inside a
/// `BackendTask`; `run(_:)` picks the backend. This is the one place the two backends are named
/// for a path choice (the command-line tool's `--path`).
public enum ComputePath: String, Sendable, CaseIterable, CustomStringConvertible {
  /// `FastBackend`.
  case fast
  /// `LiteralBackend<Double>`.
  case literal

  public var description: String { rawValue }

  /// Runs `task` on this path's backend.
  public func run<Task: BackendTask>(_ task: Task) throws -> Task.Output {
    switch self {
    case .fast: return try task.run(on: FastBackend.self)
    case .literal: return try task.run(on: LiteralBackend<Double>.self)
    }
  }
}

/// A computation written once for any backend (a generic closure, which Swift cannot spell).
public protocol BackendTask {
  associatedtype Output
  func run<B: KernelBackend>(on backend: B.Type) throws -> Output
}
