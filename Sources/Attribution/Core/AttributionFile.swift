import Foundation
import TensorCore

/// An attribution file (Reference/FORMATS.md): the raw maps and what made them.
///
/// Tensors: `attribution` F32 N×C×T×H×W (raw, before post-processing; C = 3 for input-space
/// maps, 1 for layer maps upsampled to the clip), `target` I64 N, `score` F64 N (the explained
/// score at x), `delta` F64 N for integrated-gradients methods (completeness error), and a
/// method's further per-clip tensors in F32 under their own names (extremal perturbation:
/// `masks` N×A×T×H×W, `history` N×iterations×A×3). Metadata:
/// `method`, `parameters` (JSON object of every parameter), `score` (logit | probability),
/// `path` (literal | fast), `seed`, `model`, `weights`, `input`, `version`.
public struct AttributionFile: Sendable {
  public var attribution: Tensor<Float>
  public var targets: [Int]
  public var scores: [Double]
  public var delta: [Double]?
  /// Further per-clip tensors, clip axis first.
  public var extras: [String: Tensor<Float>]
  public var metadata: [String: String]

  /// The names the file's own tensors use; extras take any other name.
  public static let reservedNames: Set<String> = ["attribution", "target", "score", "delta"]

  public init(
    attribution: Tensor<Float>, targets: [Int], scores: [Double], delta: [Double]?,
    extras: [String: Tensor<Float>] = [:], metadata: [String: String]
  ) {
    precondition(extras.keys.allSatisfy { !Self.reservedNames.contains($0) }, "an extra tensor takes a reserved name")
    self.attribution = attribution
    self.targets = targets
    self.scores = scores
    self.delta = delta
    self.extras = extras
    self.metadata = metadata
  }

  /// The metadata's `parameters` JSON for a method's parameters (keys sorted).
  public static func parametersJSON(_ p: [String: String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(p)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  /// Writes the file atomically.
  public func write(to path: String) throws {
    let n = attribution.shape.first ?? 0
    precondition(
      targets.count == n && scores.count == n && (delta?.count ?? n) == n, "attribution file: per-clip lengths differ")
    var entries: [(String, StoredTensor)] = [
      ("attribution", .float32(attribution)),
      ("target", .int64(Tensor(shape: [n], scalars: targets.map { Int64($0) }))),
      ("score", .float64(Tensor(shape: [n], scalars: scores))),
    ]
    if let d = delta { entries.append(("delta", .float64(Tensor(shape: [n], scalars: d)))) }
    for name in extras.keys.sorted() { entries.append((name, .float32(extras[name]!))) }
    try SafeTensors.write(try SafeTensorsFile(entries, metadata: metadata), to: path)
  }

  /// Reads an attribution file, checking that the per-clip tensors agree with the map.
  public static func read(contentsOf path: String) throws -> AttributionFile {
    let f = try SafeTensors.read(contentsOf: path)
    let a = try f.floatTensor(named: "attribution")
    guard a.rank == 5 else {
      throw TensorError.shapeMismatch(name: "attribution", expected: "N×C×T×H×W", actual: a.shape)
    }
    let n = a.shape[0]
    let t = try f.int64(named: "target"), s = try f.doubleTensor(named: "score")
    guard t.shape == [n] else { throw TensorError.shapeMismatch(name: "target", expected: "[\(n)]", actual: t.shape) }
    guard s.shape == [n] else { throw TensorError.shapeMismatch(name: "score", expected: "[\(n)]", actual: s.shape) }
    var delta: [Double]? = nil
    if f["delta"] != nil {
      let d = try f.doubleTensor(named: "delta")
      guard d.shape == [n] else { throw TensorError.shapeMismatch(name: "delta", expected: "[\(n)]", actual: d.shape) }
      delta = d.scalars
    }
    var extras: [String: Tensor<Float>] = [:]
    for name in f.names where !reservedNames.contains(name) {
      let e = try f.floatTensor(named: name)
      guard e.rank >= 1, e.shape[0] == n else {
        throw TensorError.shapeMismatch(name: name, expected: "[\(n), …]", actual: e.shape)
      }
      extras[name] = e
    }
    return AttributionFile(
      attribution: a, targets: t.scalars.map { Int($0) }, scores: s.scalars, delta: delta, extras: extras,
      metadata: f.metadata)
  }
}
