/// What insertion and deletion reveal or remove at a time: the kind of unit a clip's T×H×W
/// voxels are partitioned into, and how a unit's importance comes from the map.
///
/// - `voxel`: every voxel is a unit (Li et al.'s "cm"); importance = the map's value.
/// - `block(k)`: k×k pixel blocks of each frame, tiled from the top-left corner (Li et al.'s
///   "cm_16": 7×7 blocks, 16×16 per 112×112 frame); importance = the **mean** of the map over the
///   block, the average pooling of their code. Where k does not divide H or W the last row or
///   column of blocks is narrower and is averaged over the pixels it has (Li et al.'s code
///   asserts that k divides the frame; Quantus' `RegionPerturbation` pads instead).
/// - `segments`: the cells of an integer label map T×H×W (one per clip, e.g. SLIC supervoxels on
///   the T×H×W×3 stack); with `perFrame` (Li et al.'s supervoxel unit) a unit is the pixels of
///   one label in one frame, otherwise all voxels of a label; importance = the **sum** of the
///   map over the unit, as their `evaluate_by_superpixel`.
public enum PerturbationUnit: Sendable, Hashable, CustomStringConvertible {
  case voxel
  case block(Int)
  case segments(perFrame: Bool)

  /// "voxel", "block7", "segments", "segments3d" (`perFrame: false`).
  public var description: String {
    switch self {
    case .voxel: return "voxel"
    case .block(let k): return "block\(k)"
    case .segments(let perFrame): return perFrame ? "segments" : "segments3d"
    }
  }

  /// How the map is pooled over a unit's voxels to give its importance.
  public enum Pooling: String, Sendable {
    case mean, sum
  }

  public var pooling: Pooling {
    switch self {
    case .voxel, .block: return .mean
    case .segments: return .sum
    }
  }
}
