import Kernels
import TensorCore

/// Inputs and checks shared by the SLIC tests.
enum SLICTesting {
  /// A C×T×H×W clip in [0, 1]: piecewise-constant colours on a coarse grid of `cells`
  /// (blocks of nearly equal size along each axis), plus uniform noise of amplitude `noise`.
  /// Real frames are like this — regions of similar colour with texture — and the noise keeps
  /// every value distinct.
  static func blocky(
    _ c: Int, _ t: Int, _ h: Int, _ w: Int, cells: (Int, Int, Int), noise: Double, seed: UInt64
  ) -> Tensor<Float> {
    var rng = SeededRNG(seed: seed)
    let (ct, ch, cw) = cells
    let colours = (0..<(c * ct * ch * cw)).map { _ in rng.uniform() }
    var out = Tensor<Float>(shape: [c, t, h, w], repeating: 0)
    for channel in 0..<c {
      for z in 0..<t {
        for y in 0..<h {
          for x in 0..<w {
            let cell = ((channel * ct + z * ct / t) * ch + y * ch / h) * cw + x * cw / w
            let value = (1 - noise) * colours[cell] + noise * rng.uniform()
            out[channel, z, y, x] = Float(value)
          }
        }
      }
    }
    return out
  }

  /// The labels whose voxels do not form one 6-connected region (flood fill from each label's
  /// first voxel over face neighbours of the same label).
  static func disconnectedLabels(_ s: Supervoxels) -> [Int32] {
    let (t, h, w) = (s.frames, s.height, s.width)
    var seen = [Bool](repeating: false, count: s.labels.count)
    var firstSeen = Set<Int32>(), broken = Set<Int32>()
    for start in s.labels.indices where !seen[start] {
      let label = s.labels[start]
      if firstSeen.contains(label) {
        broken.insert(label)
      }
      firstSeen.insert(label)
      var stack = [start]
      seen[start] = true
      while let v = stack.popLast() {
        let (z, y, x) = (v / (h * w), (v / w) % h, v % w)
        let neighbours = [
          x + 1 < w ? v + 1 : -1, x > 0 ? v - 1 : -1, y + 1 < h ? v + w : -1, y > 0 ? v - w : -1,
          z + 1 < t ? v + h * w : -1, z > 0 ? v - h * w : -1,
        ]
        for u in neighbours where u >= 0 && !seen[u] && s.labels[u] == label {
          seen[u] = true
          stack.append(u)
        }
      }
    }
    return broken.sorted()
  }

  /// The labels renumbered by the raster order of their first voxel, from `start`: two maps
  /// describe the same partition with the same numbering rule iff these agree.
  static func rasterNumbered(_ labels: [Int32], start: Int32) -> [Int32] {
    var map: [Int32: Int32] = [:]
    return labels.map { l in
      if let m = map[l] { return m }
      let m = start + Int32(map.count)
      map[l] = m
      return m
    }
  }
}
