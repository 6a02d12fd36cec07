import TensorCore

/// The share of a map's attribution that lies on the evidence: relevance mass accuracy (Arras,
/// Osman & Samek 2022) in space and time, on the built-in benchmark's voxel evidence mask.
///
///     share = Σ_v a⁺_v·e_v / Σ_v a⁺_v,   a⁺ = max(a, 0),  e ∈ {0, 1}
///
/// over the clip's T×H×W voxels. Only positive attribution counts (as Arras et al.; a
/// normalised map is non-negative anyway). The share is 1 when every attributed voxel is
/// evidence, 0 when none is; a map spread uniformly scores the evidence's volume fraction
/// |E|/|V| (`chance`), the level a random map reaches in expectation. Undefined (nil) for a map
/// with no positive value or a clip without evidence.
///
/// No network: one implementation, in Double, serves both paths.
public enum EvidenceMass {
  /// One clip's outcome.
  public struct Clip: Sendable, Codable, Equatable {
    /// Σ a⁺·e / Σ a⁺, or nil.
    public var share: Double?
    /// |E| / |V|.
    public var chance: Double
    /// |E|.
    public var evidenceVoxels: Int
  }

  /// The share for N clips.
  /// - Parameters:
  ///   - maps: N×1×T×H×W prepared maps.
  ///   - evidence: N×T×H×W, 1 on evidence voxels (any value > 0.5 counts as 1).
  /// - Throws: `MetricError.mapShape`, `.groundTruthShape`.
  /// - Complexity: O(N·T·H·W).
  public static func evaluate(maps: Tensor<Double>, evidence: Tensor<Float>) throws -> [Clip] {
    guard maps.rank == 5, maps.shape[1] == 1 else {
      throw MetricError.mapShape(expected: "N×1×T×H×W", actual: maps.shape)
    }
    let n = maps.shape[0]
    let expected = [n] + Array(maps.shape[2...])
    guard evidence.shape == expected else {
      throw MetricError.groundTruthShape(name: "evidence", expected: Shape.describe(expected), actual: evidence.shape)
    }
    let voxels = maps.count / max(n, 1)
    return (0..<n).map { i in
      var inside = 0.0, total = 0.0
      var count = 0
      for v in (i * voxels)..<((i + 1) * voxels) {
        let a = max(maps.scalars[v], 0)
        total += a
        if evidence.scalars[v] > 0.5 {
          inside += a
          count += 1
        }
      }
      let share: Double? = total > 0 && count > 0 ? inside / total : nil
      return Clip(share: share, chance: Double(count) / Double(voxels), evidenceVoxels: count)
    }
  }
}
