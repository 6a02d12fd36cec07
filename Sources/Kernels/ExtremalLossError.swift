import TensorCore

/// A setting of the extremal-perturbation losses (sorted-ramp area loss, STEP's core loss) that
/// cannot be used, named with its value. Thrown by `SortedRampLoss.validate` and
/// `ExtremalCore.init` / `ExtremalCore.validate`, which callers run on user input before any
/// work; the loss kernels themselves trap with the same message (a programming error there).
public enum ExtremalLossError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The mask is not A×1×T×H×W with every extent ≥ 1.
  case maskShape([Int])
  /// The number of areas differs from the number of mask rows A.
  case areaCount(areas: Int, rows: Int)
  /// `areas[index]` is not in the open interval (0, 1).
  case area(index: Int, value: Double)
  /// A tie permutation list holds neither one permutation nor one per row.
  case tiePermutationCount(count: Int, rows: Int)
  /// `permutations[index]` is not a permutation of 0..<expected.
  case tiePermutation(index: Int, expected: Int)
  /// The core's frame count K_t is < 1.
  case coreFrames(Int)
  /// The core's spatial size (and stride) is < 1.
  case coreSize(Int)
  /// The rasterised core has no voxel, so its responses would divide by ΣK = 0.
  case emptyCore(frames: Int, size: Int, shape: String)
  /// The core (K_t×s×s) does not fit the mask's T×H×W.
  case coreLargerThanMask(core: [Int], mask: [Int])

  public var description: String {
    switch self {
    case .maskShape(let s):
      return "extremal loss: the mask \(Shape.describe(s)) must be A×1×T×H×W with every extent ≥ 1"
    case .areaCount(let areas, let rows):
      return "extremal loss: \(areas) areas for a mask of \(rows) rows (one area per row)"
    case .area(let i, let v):
      return "extremal loss: areas[\(i)] = \(v) must lie in (0, 1)"
    case .tiePermutationCount(let c, let rows):
      return "extremal loss: \(c) tie permutations for \(rows) rows (give one, or one per row)"
    case .tiePermutation(let i, let n):
      return "extremal loss: tie permutation \(i) is not a permutation of 0..<\(n)"
    case .coreFrames(let k):
      return "core loss: the core's frame count \(k) must be ≥ 1"
    case .coreSize(let s):
      return "core loss: the core's spatial size \(s) must be ≥ 1"
    case .emptyCore(let k, let s, let shape):
      return "core loss: the \(shape) core of \(k)×\(s)×\(s) voxels contains no voxel"
    case .coreLargerThanMask(let core, let mask):
      return "core loss: the core \(Shape.describe(core)) is larger than the mask's T×H×W \(Shape.describe(mask))"
    }
  }
}
