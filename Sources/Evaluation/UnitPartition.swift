import Kernels

/// One clip's T×H×W voxels partitioned into perturbation units (`PerturbationUnit`): the unit
/// of every voxel, the number of units, and each unit's importance under a map.
///
/// Units are numbered in a fixed order that the rankings use to break ties: voxels in
/// row-major (t, h, w) order; blocks by (t, block row, block column); segments by (t, label)
/// with `perFrame`, else by label, labels ascending.
public struct UnitPartition: Sendable, Equatable {
  /// T, H, W.
  public let size: Size3
  /// The unit of voxel (t·H + h)·W + w, in 0..<count.
  public let unitOfVoxel: [Int32]
  /// Number of units.
  public let count: Int
  /// How importance pools the map over a unit.
  public let pooling: PerturbationUnit.Pooling
  /// What the partition is, for results ("voxel", "block7", "segments").
  public let name: String

  init(size: Size3, unitOfVoxel: [Int32], count: Int, pooling: PerturbationUnit.Pooling, name: String) {
    self.size = size
    self.unitOfVoxel = unitOfVoxel
    self.count = count
    self.pooling = pooling
    self.name = name
  }

  /// The partition of a T×H×W clip into `unit`s; `labels` (T·H·W integers in row-major order)
  /// is required for `.segments` and ignored otherwise.
  ///
  /// - Throws: `MetricError.invalidSetting` for a block size below 1 or labels of the wrong
  ///   count, `.emptyUnitSet` when there is no unit (an empty clip, or segments without labels).
  /// - Complexity: O(T·H·W), plus O(L log L) for L distinct segments.
  public static func make(_ unit: PerturbationUnit, size: Size3, labels: [Int64]? = nil) throws -> UnitPartition {
    let voxels = size.product
    guard voxels > 0 else { throw MetricError.emptyUnitSet(unit: unit.description) }
    switch unit {
    case .voxel:
      return UnitPartition(
        size: size, unitOfVoxel: (0..<voxels).map { Int32($0) }, count: voxels, pooling: .mean, name: unit.description)
    case .block(let k):
      guard k >= 1 else { throw MetricError.invalidSetting(name: "block", value: "\(k)", expected: "an integer ≥ 1") }
      let rows = (size.h + k - 1) / k, columns = (size.w + k - 1) / k
      var map = [Int32](repeating: 0, count: voxels)
      for t in 0..<size.t {
        for h in 0..<size.h {
          for w in 0..<size.w {
            map[(t * size.h + h) * size.w + w] = Int32((t * rows + h / k) * columns + w / k)
          }
        }
      }
      return UnitPartition(
        size: size, unitOfVoxel: map, count: size.t * rows * columns, pooling: .mean, name: unit.description)
    case .segments(let perFrame):
      guard let labels else { throw MetricError.emptyUnitSet(unit: unit.description) }
      guard labels.count == voxels else {
        throw MetricError.invalidSetting(
          name: "segments", value: "\(labels.count) labels", expected: "one label per voxel (\(voxels))")
      }
      // Key of a voxel: (t, label) or label; units are the distinct keys in ascending order.
      let plane = size.h * size.w
      let keys: [(Int, Int64)] = (0..<voxels).map { v in (perFrame ? v / plane : 0, labels[v]) }
      let distinct = Set(keys.map { Key(frame: $0.0, label: $0.1) }).sorted()
      guard !distinct.isEmpty else { throw MetricError.emptyUnitSet(unit: unit.description) }
      var index: [Key: Int32] = [:]
      for (i, key) in distinct.enumerated() { index[key] = Int32(i) }
      let map = keys.map { index[Key(frame: $0.0, label: $0.1)]! }
      return UnitPartition(size: size, unitOfVoxel: map, count: distinct.count, pooling: .sum, name: unit.description)
    }
  }

  private struct Key: Hashable, Comparable {
    var frame: Int
    var label: Int64
    static func < (a: Key, b: Key) -> Bool { (a.frame, a.label) < (b.frame, b.label) }
  }

  /// Voxels per unit.
  public var sizes: [Int] {
    var s = [Int](repeating: 0, count: count)
    for u in unitOfVoxel { s[Int(u)] += 1 }
    return s
  }

  /// The importance of every unit under `map` (T·H·W values of one clip's N×1×T×H×W map):
  /// the mean or the sum of the map over the unit's voxels (`pooling`), summed in voxel order
  /// in Double.
  /// - Complexity: O(T·H·W).
  public func importance(_ map: ArraySlice<Double>) -> [Double] {
    precondition(map.count == unitOfVoxel.count, "importance: \(map.count) map values for \(unitOfVoxel.count) voxels")
    var total = [Double](repeating: 0, count: count)
    var members = [Int](repeating: 0, count: count)
    for (v, value) in zip(unitOfVoxel, map) {
      total[Int(v)] += value
      members[Int(v)] += 1
    }
    guard pooling == .mean else { return total }
    return zip(total, members).map { $0 / Double($1) }
  }
}
