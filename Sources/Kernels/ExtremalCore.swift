import TensorCore

/// The solid that STEP's core loss slides over the mask.
public enum CoreShape: String, Sendable, Hashable, CaseIterable {
  /// The ellipsoid inscribed in the K_t×s×s box (Li et al.'s default).
  case ellipsoid
  /// The cylinder along time whose cross-section is the disc inscribed in the s×s square.
  case cylinder
}

/// The core K of STEP's core loss L_K (Li et al., "Spatio-Temporal Perturbations for Video
/// Attribution", TCSVT 2021) exactly as the authors' code builds it (`CoreLossCalulator` in
/// visual_meth/perturbation_area.py of shinkyo0513/Spatio-Temporal-Perturbations-for-Video-
/// Attribution): a binary K_t×s×s kernel, slid over the padded mask with stride (1, s, s).
///
/// **Rasterisation.** Axis coordinates are `numpy.linspace(-1, 1, d)`, computed as numpy does in
/// float64: c_i = fl(fl(i·fl(2/(d − 1))) − 1) for i < d − 1, and c_(d−1) = 1 (d = 1 gives −1). A
/// voxel (t, h, w) belongs to the ellipsoid when fl(√(fl(fl(c_t² + c_h²) + c_w²))) ≤ 1 and to
/// the cylinder when fl(√(fl(c_h² + c_w²))) ≤ 1. Rounding decides the voxels whose exact
/// distance is 1, and the square root is part of it: at s = 11, (c_h, c_w) =
/// (0.6000000000000001, 0.8) — indices 8 and 9 — has distance² 1 + 2⁻⁵², whose square root
/// rounds to 1, so the voxel is inside; comparing the squared distance with 1 would drop it and
/// its mirror images (the cylinder of 8×11×11 has 648 voxels, not 616; the ellipsoid 352).
/// With s = 11 the ellipsoid's voxels fill 352/968 = 0.36 of its box, not π/6 = 0.52: the grid
/// points include the box's faces (c = ±1), where the ellipsoid touches only the centres.
///
/// **Count.** n_K(a) = ⌈a·T·H·W / ⌊K_t·s²·0.5236⌋⌉ for a mask of T×H×W, evaluated as the authors
/// do in float64 (`math.ceil((area*nt*nrow*ncol) / core_kernel_ones)`); 0.5236 ≈ π/6, the
/// volume of an ellipsoid inscribed in a unit box, used for the cylinder too. So n_K full cores
/// hold n_K·ΣK voxels — at the paper's 8×11×11 about 0.70·a·T·H·W for the ellipsoid (352 voxels
/// against 506) and 1.28·a·T·H·W for the cylinder (648).
public struct ExtremalCore: Sendable, Hashable, CustomStringConvertible {
  /// K_t, the core's extent in frames (temporal stride 1).
  public let frames: Int
  /// s, the core's height and width and its spatial stride.
  public let size: Int
  public let shape: CoreShape
  /// K: 1 inside the core, frames×size×size in row-major order (t, h, w).
  public let weights: [UInt8]
  /// ΣK, the number of voxels of the core (the responses' divisor).
  public let volume: Int
  /// ⌊K_t·s²·0.5236⌋, the authors' estimate of the volume, n_K's divisor.
  public let nominalVolume: Int
  /// For every (t, h) row of K, the columns lo..<hi that it contains (lo = hi when none): the core
  /// is convex, so each row of it is one run.
  package let runs: [Range<Int>]

  /// - Throws: `ExtremalLossError` naming the bad argument: frames or size < 1, or a rasterised
  ///   core without voxels (1×1×1, whose only voxel sits at (−1, −1, −1)).
  public init(frames: Int = 8, size: Int = 11, shape: CoreShape = .ellipsoid) throws(ExtremalLossError) {
    guard frames >= 1 else { throw .coreFrames(frames) }
    guard size >= 1 else { throw .coreSize(size) }
    let ct = Self.linspace(frames), cs = Self.linspace(size)
    var weights = [UInt8](repeating: 0, count: frames * size * size)
    for t in 0..<frames {
      for h in 0..<size {
        for w in 0..<size {
          let squared: Double
          switch shape {
          case .ellipsoid: squared = ct[t] * ct[t] + cs[h] * cs[h] + cs[w] * cs[w]
          case .cylinder: squared = cs[h] * cs[h] + cs[w] * cs[w]
          }
          weights[(t * size + h) * size + w] = squared.squareRoot() <= 1 ? 1 : 0
        }
      }
    }
    let volume = weights.reduce(0) { $0 + Int($1) }
    guard volume > 0 else { throw .emptyCore(frames: frames, size: size, shape: shape.rawValue) }
    // A core with a voxel has K_t·s² ≥ 2 (the single voxel of 1×1×1 has coordinates (−1, −1, −1),
    // outside both solids), so ⌊K_t·s²·0.5236⌋ ≥ 1.
    let nominal = Int((Double(frames * size * size) * 0.5236).rounded(.towardZero))
    precondition(nominal > 0, "ExtremalCore: nominal volume 0 for a core with \(volume) voxels")
    var runs: [Range<Int>] = []
    for row in 0..<(frames * size) {
      let cells = weights[(row * size)..<((row + 1) * size)]
      let lo = cells.firstIndex(of: 1).map { $0 - row * size } ?? 0
      let hi = cells.lastIndex(of: 1).map { $0 - row * size + 1 } ?? 0
      precondition(
        cells.dropFirst(lo).prefix(hi - lo).allSatisfy { $0 == 1 }, "ExtremalCore: row \(row) is not one run")
      runs.append(lo..<hi)
    }
    self.frames = frames
    self.size = size
    self.shape = shape
    self.weights = weights
    self.volume = volume
    self.nominalVolume = nominal
    self.runs = runs
  }

  public var description: String { "\(shape.rawValue) core \(frames)×\(size)×\(size) (\(volume) voxels)" }

  /// `numpy.linspace(-1, 1, d)` in float64, as numpy computes it.
  package static func linspace(_ d: Int) -> [Double] {
    if d == 1 { return [-1] }
    let step = 2 / Double(d - 1)
    return (0..<d).map { i in i == d - 1 ? 1 : Double(i) * step + -1 }
  }

  /// The responses' extents (T_o, H_o, W_o) for a mask of T×H×W: T − K_t + 1 and ⌊(H − s)/s⌋ + 1,
  /// ⌊(W − s)/s⌋ + 1 (`F.conv3d` with stride (1, s, s) and no padding; the last H mod s rows and
  /// W mod s columns are in no window).
  ///
  /// - Throws: `.coreLargerThanMask` if the core does not fit.
  public func responseExtent(frames t: Int, height h: Int, width w: Int) throws(ExtremalLossError) -> Size3 {
    guard t >= frames, h >= size, w >= size else {
      throw .coreLargerThanMask(core: [frames, size, size], mask: [t, h, w])
    }
    return Size3(t - frames + 1, (h - size) / size + 1, (w - size) / size + 1)
  }

  /// n_K(a) = ⌈a·T·H·W / ⌊K_t·s²·0.5236⌋⌉, in the authors' float64 order of operations
  /// (((a·T)·H)·W, then the division, then the ceiling).
  ///
  /// - Precondition: 0 < a < 1.
  public func targetCount(area a: Double, frames t: Int, height h: Int, width w: Int) -> Int {
    precondition(a > 0 && a < 1, "ExtremalCore.targetCount: area \(a) must lie in (0, 1)")
    return Int((a * Double(t) * Double(h) * Double(w) / Double(nominalVolume)).rounded(.up))
  }

  /// Checks a mask shape, its areas and the tie order for `coreLoss` before any work: the mask
  /// checks of `SortedRampLoss.validate`, a core that fits the mask, permutations of the
  /// response count.
  public func validate(maskShape s: [Int], areas: [Double], tieOrder: TieOrder) throws(ExtremalLossError) {
    try SortedRampLoss.validateMask(s, areas: areas)
    let e = try responseExtent(frames: s[2], height: s[3], width: s[4])
    try tieOrder.validate(rows: s[0], count: e.product)
  }

  /// The response extents for an A×1×T×H×W mask, trapping if the mask has another rank or the
  /// core does not fit (the precondition of `coreResponses`).
  package func requireExtent(maskShape s: [Int]) -> Size3 {
    precondition(s.count == 5 && s[1] == 1, "coreResponses: mask \(Shape.describe(s)) must be A×1×T×H×W")
    do throws(ExtremalLossError) {
      return try responseExtent(frames: s[2], height: s[3], width: s[4])
    } catch {
      preconditionFailure("coreResponses: \(error)")
    }
  }

  /// `validate`, trapping with its message (the kernels' precondition); returns the extents.
  package func require(maskShape s: [Int], areas: [Double], tieOrder: TieOrder) -> Size3 {
    do throws(ExtremalLossError) {
      try validate(maskShape: s, areas: areas, tieOrder: tieOrder)
      return try responseExtent(frames: s[2], height: s[3], width: s[4])
    } catch {
      preconditionFailure("coreLoss: \(error)")
    }
  }
}
