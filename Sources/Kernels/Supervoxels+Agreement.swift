import TensorCore

/// How closely two label maps of the same T×H×W agree; see `Supervoxels.agreement(with:)`.
public struct SupervoxelAgreement: Sendable, Hashable, Codable {
  /// Share of voxels with the same label in both maps (no matching: SLIC implementations that
  /// number supervoxels the same way score 1 only if they agree voxel for voxel).
  public var identical: Double
  /// Share of voxels covered by the matched pairs of a one-to-one matching of the labels,
  /// built greedily by overlap (see `agreement(with:)`).
  public var matched: Double
  /// Adjusted Rand index of the two partitions (1 for equal partitions, about 0 for unrelated
  /// ones; Hubert & Arabie, "Comparing partitions", J. Classification 2 (1985)).
  public var adjustedRand: Double
  /// Number of labels occurring in each map.
  public var segments: [Int]

  public init(identical: Double, matched: Double, adjustedRand: Double, segments: [Int]) {
    self.identical = identical
    self.matched = matched
    self.adjustedRand = adjustedRand
    self.segments = segments
  }
}

extension Supervoxels {
  /// Agreement of two partitions of the same voxels, from their contingency table
  /// n_ab = |{p : self[p] = a, other[p] = b}| over N voxels:
  ///
  /// - identical = Σ_p [self[p] = other[p]] / N;
  /// - matched = Σ_{(a, b) ∈ M} n_ab / N, M built by taking the pairs in decreasing n_ab
  ///   (ties by a, then b) and keeping a pair when neither label is matched yet. It is at most
  ///   the best one-to-one matching's share and equals it when every matched pair holds more
  ///   than half of each of its two segments (such a pair is in every optimal matching), which
  ///   is the case for nearly identical segmentations; a label left unmatched counts as
  ///   disagreement;
  /// - adjusted Rand = (Σ_ab C(n_ab, 2) − E) / (½(Σ_a C(n_a, 2) + Σ_b C(n_b, 2)) − E) with
  ///   E = Σ_a C(n_a, 2)·Σ_b C(n_b, 2)/C(N, 2); 1 when both maps are a single segment or both
  ///   put every voxel apart (the denominator vanishes).
  ///
  /// - Throws: `SLICError.labelMap` when the shapes differ.
  /// - Complexity: O(N + P log P) for P distinct pairs.
  public func agreement(with other: Supervoxels) throws(SLICError) -> SupervoxelAgreement {
    guard shape == other.shape else {
      throw .labelMap(
        reason: "cannot compare label maps of shapes \(Shape.describe(shape)) and \(Shape.describe(other.shape))")
    }
    let n = labels.count
    var table: [Int64: Int] = [:]
    var rows: [Int32: Int] = [:], columns: [Int32: Int] = [:]
    var same = 0
    for p in 0..<n {
      let (a, b) = (labels[p], other.labels[p])
      if a == b { same += 1 }
      table[Int64(a) << 32 | Int64(UInt32(bitPattern: b)), default: 0] += 1
      rows[a, default: 0] += 1
      columns[b, default: 0] += 1
    }
    let pairs = table.map {
      (a: Int32(truncatingIfNeeded: $0.key >> 32), b: Int32(truncatingIfNeeded: $0.key), n: $0.value)
    }
    .sorted { ($1.n, $0.a, $0.b) < ($0.n, $1.a, $1.b) }
    var usedRows = Set<Int32>(), usedColumns = Set<Int32>()
    var matched = 0
    for pair in pairs where !usedRows.contains(pair.a) && !usedColumns.contains(pair.b) {
      usedRows.insert(pair.a)
      usedColumns.insert(pair.b)
      matched += pair.n
    }
    func choose2(_ m: Int) -> Double { Double(m) * Double(m - 1) / 2 }
    let index = table.values.reduce(0) { $0 + choose2($1) }
    let sumRows = rows.values.reduce(0) { $0 + choose2($1) }, sumColumns = columns.values.reduce(0) { $0 + choose2($1) }
    let expected = n > 1 ? sumRows * sumColumns / choose2(n) : 0
    let maximum = (sumRows + sumColumns) / 2
    let rand = maximum == expected ? 1 : (index - expected) / (maximum - expected)
    return SupervoxelAgreement(
      identical: Double(same) / Double(n), matched: Double(matched) / Double(n), adjustedRand: rand,
      segments: [rows.count, columns.count])
  }
}
