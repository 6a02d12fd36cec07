import Foundation
import TensorCore

/// Everything SLIC derives from the settings and the clip's extents before it looks at a
/// value, shared by `Literal.slic` and `Fast.slic` (integer and shape arithmetic only).
package struct SLICPlan: Sendable, Equatable {
  package let channels: Int, frames: Int, height: Int, width: Int
  /// CIE L*a*b* conversion of the rescaled values.
  package let lab: Bool
  /// σ along t, h, w in voxels (after the division by the spacing of an isotropic σ).
  package let sigma: [Double]
  /// Spacing along t, h, w.
  package let spacing: [Double]
  /// 1/compactness, the factor on every colour value.
  package let ratio: Double
  /// The seeds: grid points (t, h, w) in raster order.
  package let seeds: [[Int]]
  /// S, the largest grid step; the spatial term of the distance is d²/S².
  package let step: Double
  /// Steps of the grid for the actual seed count along t, h, w; seed k searches the voxels
  /// within 2·window of its centre along each axis.
  package let window: [Int]
  /// Components below `minSize` voxels are merged; components stop growing at `maxSize`.
  package let minSize: Int, maxSize: Int
  package let settings: SLICSettings

  package var voxels: Int { frames * height * width }
}

extension SLICSettings {
  /// Checks the settings against a clip of C channels and T×H×W voxels.
  /// - Throws: `SLICError.invalidSetting` naming the first bad setting, or
  ///   `.labNeedsThreeChannels`.
  public func validate(channels: Int, frames: Int, height: Int, width: Int) throws(SLICError) {
    _ = try plan(channels: channels, frames: frames, height: height, width: width)
  }

  /// The plan of a run on a clip of C channels and T×H×W voxels (extents ≥ 1).
  package func plan(channels: Int, frames: Int, height: Int, width: Int) throws(SLICError) -> SLICPlan {
    let voxels = frames * height * width
    func bad(_ name: String, _ value: Any, _ expected: String) -> SLICError {
      .invalidSetting(name: name, value: "\(value)", expected: expected)
    }
    guard segments >= 1 && segments <= voxels else {
      throw bad("segments", segments, "an integer in 1…\(voxels) (the clip's T·H·W voxels)")
    }
    guard compactness.isFinite && compactness > 0 else { throw bad("compactness", compactness, "a finite value > 0") }
    guard maxIterations >= 1 else { throw bad("maxIterations", maxIterations, "an integer ≥ 1") }
    let spacing = [self.spacing.x, self.spacing.y, self.spacing.z]
    guard spacing.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw bad("spacing", spacing, "three finite values > 0 (t, h, w)")
    }
    let sigma: [Double]
    switch self.sigma {
    case .isotropic(let s):
      guard s.isFinite && s >= 0 else { throw bad("sigma", s, "a finite value ≥ 0") }
      sigma = spacing.map { s / $0 }
    case .perAxis(let t, let h, let w):
      guard [t, h, w].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw bad("sigma", [t, h, w], "three finite values ≥ 0 (t, h, w)")
      }
      sigma = [t, h, w]
    }
    guard minSizeFactor.isFinite && minSizeFactor >= 0 else {
      throw bad("minSizeFactor", minSizeFactor, "a finite value ≥ 0")
    }
    guard startLabel == 0 || startLabel == 1 else { throw bad("startLabel", startLabel, "0 or 1") }
    let lab: Bool
    switch colourSpace {
    case .automatic: lab = channels == 3
    case .lab:
      guard channels == 3 else { throw .labNeedsThreeChannels(channels: channels) }
      lab = true
    case .asGiven: lab = false
    }

    let shape = [frames, height, width]
    let grid = Self.regularGrid(shape, points: segments)
    var seeds: [[Int]] = []
    for t in stride(from: grid[0].start, to: frames, by: grid[0].step) {
      for h in stride(from: grid[1].start, to: height, by: grid[1].step) {
        for w in stride(from: grid[2].start, to: width, by: grid[2].step) { seeds.append([t, h, w]) }
      }
    }
    // scikit-image's _slic_cython recomputes the grid for the number of seeds it received.
    let window = Self.regularGrid(shape, points: seeds.count).map(\.step)
    let segmentSize = Double(voxels) / Double(seeds.count)
    let minSize = Int(minSizeFactor * segmentSize)
    let maxSize = maxSizeFactor.isFinite && maxSizeFactor > 0 ? Int(min(maxSizeFactor * segmentSize, 1e15)) : 0
    if enforceConnectivity && maxSize < 1 {
      throw bad(
        "maxSizeFactor", maxSizeFactor,
        "a finite value > 0 with ⌊factor·\(voxels)/\(seeds.count)⌋ ≥ 1 (voxels per seed: \(segmentSize))")
    }
    return SLICPlan(
      channels: channels, frames: frames, height: height, width: width, lab: lab, sigma: sigma, spacing: spacing,
      ratio: 1 / compactness, seeds: seeds, step: Double(grid.map(\.step).max()!), window: window,
      minSize: minSize, maxSize: maxSize, settings: self)
  }

  /// About `points` regularly spaced grid points in an array of `shape`, as start and step per
  /// axis, exactly as scikit-image's `regular_grid` (skimage/util/_regular_grid.py) chooses
  /// them: the step is (size/points)^(1/d) along every axis; while an axis is shorter than its
  /// step, the shortest axes in turn take their whole extent as step and the remaining axes
  /// share the rest, (size of the rest/points)^(1/d′); then start = ⌊step/2⌋ and the step is
  /// rounded half to even. Every point when `points` ≥ the size.
  package static func regularGrid(_ shape: [Int], points: Int) -> [(start: Int, step: Int)] {
    let d = shape.count
    // Axes by ascending extent, equal extents in axis order (NumPy's argsort of ≤ 16 items is
    // an insertion sort, hence stable).
    let order = (0..<d).sorted { shape[$0] < shape[$1] || (shape[$0] == shape[$1] && $0 < $1) }
    let sorted = order.map { Double(shape[$0]) }
    var size = sorted.reduce(1, *)
    if size <= Double(points) { return Array(repeating: (0, 1), count: d) }
    var steps = [Double](repeating: Foundation.pow(size / Double(points), 1 / Double(d)), count: d)
    if zip(sorted, steps).contains(where: { $0 < $1 }) {
      for axis in 0..<d {
        steps[axis] = sorted[axis]
        size = sorted[(axis + 1)...].reduce(1, *)
        if axis + 1 < d {
          let rest = Foundation.pow(size / Double(points), 1 / Double(d - axis - 1))
          for a in (axis + 1)..<d { steps[a] = rest }
        }
        if zip(sorted, steps).allSatisfy({ $0 >= $1 }) { break }
      }
    }
    var result = [(start: Int, step: Int)](repeating: (0, 1), count: d)
    for (k, axis) in order.enumerated() {
      result[axis] = (Int((steps[k] / 2).rounded(.down)), Int(steps[k].rounded(.toNearestOrEven)))
    }
    return result
  }
}

extension SLICPlan {
  /// C, T, H, W of a C×T×H×W or 1×C×T×H×W clip with every extent ≥ 1.
  package static func extents(of shape: [Int]) throws(SLICError) -> (c: Int, t: Int, h: Int, w: Int) {
    let s: [Int]
    if shape.count == 5 && shape[0] == 1 {
      s = Array(shape.dropFirst())
    } else if shape.count == 4 {
      s = shape
    } else {
      throw .clipShape(shape)
    }
    guard s.allSatisfy({ $0 >= 1 }) else { throw .clipShape(shape) }
    return (s[0], s[1], s[2], s[3])
  }
}
