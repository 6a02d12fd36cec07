import RealModule
import TensorCore

extension Literal {
  /// TorchRay's `Perturbation.apply(mask)`: per pixel, linear interpolation between the two
  /// pyramid levels that bracket m·(L − 1).
  ///
  /// Shapes: pyramid N×L×C×T×H×W (`blurPyramid`), mask A×1×T×H×W → A×C×T×H×W. Row a uses
  /// clip n = clips[a] (nil: N must be 1 and every row uses it). For every a, c, t, h, w:
  ///
  ///     w = m·(L − 1),  k = ⌊w⌋,  f = w − k,  k′ = min(k + 1, L − 1)
  ///     z[a, c, t, h, w] = (1 − f)·y[n, k, c, t, h, w] + f·y[n, k′, c, t, h, w]
  ///
  /// m = 1 gives level L − 1 (the clip), m = 0 level 0 (the most blurred), m = l/(L − 1)
  /// exactly level l; z is continuous and piecewise linear in m.
  ///
  /// - Precondition: shapes as above; every mask value in [0, 1] (TorchRay's `gather` fails
  ///   outside); clips in 0..<N.
  /// - Complexity: O(A·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func pyramidPerturbation<T: Real & BinaryFloatingPoint & Sendable>(
    _ pyramid: Tensor<T>, mask: Tensor<T>, clips: [Int]? = nil
  ) -> Tensor<T> {
    let p = PerturbationShape(pyramid: pyramid.shape, mask: mask.shape, clips: clips, function: "pyramidPerturbation")
    checkUnitInterval("pyramidPerturbation", mask)
    var z = Tensor<T>.zeros(p.outputShape)
    for a in 0..<p.masks {
      let n = p.clips[a]
      for c in 0..<p.channels {
        for i in 0..<p.frame {
          let (k, f, k1) = pyramidLevels(mask[flat: a * p.frame + i], levels: p.levels)
          let y0 = pyramid[flat: ((n * p.levels + k) * p.channels + c) * p.frame + i]
          let y1 = pyramid[flat: ((n * p.levels + k1) * p.channels + c) * p.frame + i]
          z[flat: (a * p.channels + c) * p.frame + i] = (1 - f) * y0 + f * y1
        }
      }
    }
    return z
  }

  /// The vector-Jacobian product of `pyramidPerturbation` with respect to the mask, as
  /// PyTorch's autograd differentiates TorchRay's `apply` (⌊·⌋ has derivative 0):
  ///
  ///     ∂L/∂m[a, 0, t, h, w] = Σ_c ∂L/∂z[a, c, t, h, w] · (L − 1)·(y_k′ − y_k)
  ///
  /// with k, k′ from m as in the forward pass (channels summed in ascending order). At m = 1,
  /// k = k′ = L − 1 and the result is 0 (TorchRay's gradient there is 0 too); at an interior
  /// level m = l/(L − 1) it is the derivative from the right. The pyramid is fixed data (no
  /// gradient flows to the clip).
  ///
  /// Shapes: dz A×C×T×H×W, pyramid N×L×C×T×H×W, mask A×1×T×H×W → A×1×T×H×W.
  /// - Precondition: as `pyramidPerturbation`, and dz of the output's shape.
  /// - Complexity: O(A·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func pyramidPerturbationBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dz: Tensor<T>, pyramid: Tensor<T>, mask: Tensor<T>, clips: [Int]? = nil
  ) -> Tensor<T> {
    let p = PerturbationShape(
      pyramid: pyramid.shape, mask: mask.shape, clips: clips, function: "pyramidPerturbationBackward")
    checkUnitInterval("pyramidPerturbationBackward", mask)
    precondition(
      dz.shape == p.outputShape,
      "pyramidPerturbationBackward: dz \(Shape.describe(dz.shape)) must be \(Shape.describe(p.outputShape))")
    let scale = T(p.levels - 1)
    var dm = Tensor<T>.zeros(mask.shape)
    for a in 0..<p.masks {
      let n = p.clips[a]
      for i in 0..<p.frame {
        let (k, _, k1) = pyramidLevels(mask[flat: a * p.frame + i], levels: p.levels)
        var sum: T = 0
        for c in 0..<p.channels {
          let y0 = pyramid[flat: ((n * p.levels + k) * p.channels + c) * p.frame + i]
          let y1 = pyramid[flat: ((n * p.levels + k1) * p.channels + c) * p.frame + i]
          sum += dz[flat: (a * p.channels + c) * p.frame + i] * (scale * (y1 - y0))
        }
        dm[flat: a * p.frame + i] = sum
      }
    }
    return dm
  }

  /// k = ⌊m(L − 1)⌋, f = m(L − 1) − k, k′ = min(k + 1, L − 1), for m in [0, 1].
  @inlinable
  static func pyramidLevels<T: Real & BinaryFloatingPoint>(_ m: T, levels: Int) -> (Int, T, Int) {
    let w = m * T(levels - 1)
    let kf = w.rounded(.down)
    let k = Int(kf)
    return (k, w - kf, min(k + 1, levels - 1))
  }

  /// Precondition: every element in [0, 1] (NaN fails).
  static func checkUnitInterval<T: BinaryFloatingPoint>(_ function: String, _ mask: Tensor<T>) {
    if let i = mask.scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      preconditionFailure("\(function): mask value \(mask.scalars[i]) at flat index \(i) is outside [0, 1]")
    }
  }
}

/// The shapes shared by the perturbation kernels: a pyramid N×L×C×T×H×W (or a clip
/// N×C×T×H×W with L = 1 for fade), masks A×1×T×H×W, the clip of each mask row.
struct PerturbationShape {
  var clipCount: Int
  var levels: Int
  var channels: Int
  var masks: Int
  /// T·H·W.
  var frame: Int
  var clips: [Int]
  var outputShape: [Int]

  /// For a pyramid (`hasLevels`) or a clip; checks every shape and clip index.
  init(pyramid: [Int], mask: [Int], clips: [Int]?, function: String, hasLevels: Bool = true) {
    let what = hasLevels ? "pyramid" : "x"
    precondition(
      pyramid.count == (hasLevels ? 6 : 5),
      "\(function): \(what) \(Shape.describe(pyramid)) must be \(hasLevels ? "N×L×C×T×H×W" : "N×C×T×H×W")")
    let spatial = Array(pyramid.suffix(3))
    precondition(
      mask.count == 5 && mask[1] == 1 && Array(mask.suffix(3)) == spatial && mask[0] >= 1,
      "\(function): mask \(Shape.describe(mask)) must be A×1×\(spatial.map(String.init).joined(separator: "×"))"
        + " for \(what) \(Shape.describe(pyramid))")
    clipCount = pyramid[0]
    levels = hasLevels ? pyramid[1] : 1
    channels = hasLevels ? pyramid[2] : pyramid[1]
    masks = mask[0]
    frame = Shape.elementCount(spatial)
    if hasLevels { precondition(levels >= 2, "\(function): the pyramid has \(levels) level(s); at least 2 needed") }
    if let clips {
      precondition(clips.count == masks, "\(function): \(clips.count) clip indices for \(masks) mask rows")
      let available = pyramid[0]
      precondition(
        clips.allSatisfy { $0 >= 0 && $0 < available },
        "\(function): clip indices \(clips) must lie in 0..<\(available)")
      self.clips = clips
    } else {
      precondition(
        pyramid[0] == 1, "\(function): \(what) holds \(pyramid[0]) clips; give the clip of each mask row (clips:)")
      self.clips = Array(repeating: 0, count: masks)
    }
    outputShape = [masks, channels] + spatial
  }

  /// For fade's backward: the shapes implied by dz A×C×T×H×W and the clip x N×C×T×H×W
  /// (the mask shape is A×1×T×H×W), with dz checked against them.
  static func fadeBackward(dz: [Int], x: [Int], clips: [Int]?, function: String) -> (PerturbationShape, mask: [Int]) {
    precondition(dz.count == 5, "\(function): dz \(Shape.describe(dz)) must be A×C×T×H×W")
    let mask = [dz[0], 1] + Array(dz[2...])
    let p = PerturbationShape(pyramid: x, mask: mask, clips: clips, function: function, hasLevels: false)
    precondition(
      dz == p.outputShape, "\(function): dz \(Shape.describe(dz)) must be \(Shape.describe(p.outputShape))")
    return (p, mask)
  }
}
