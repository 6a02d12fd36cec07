import RealModule
import TensorCore

extension Literal {
  /// The "fade" perturbation z = m ⊙ x (TorchRay's `FADE_PERTURBATION`, whose pyramid
  /// levels x·l/(L − 1) interpolated by `Perturbation.apply` give exactly m·x: Proofs/
  /// extremal-mask.md, P-MASK-5), the mask broadcast over channels.
  ///
  /// Shapes: x N×C×T×H×W, mask A×1×T×H×W → A×C×T×H×W; row a uses clip clips[a] (nil: N = 1).
  ///
  ///     z[a, c, t, h, w] = m[a, 0, t, h, w] · x[clips[a], c, t, h, w]
  ///
  /// - Precondition: shapes as above; clips in 0..<N. (Any real mask is accepted.)
  /// - Complexity: O(A·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func fadePerturbation<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, mask: Tensor<T>, clips: [Int]? = nil
  ) -> Tensor<T> {
    let p = PerturbationShape(
      pyramid: x.shape, mask: mask.shape, clips: clips, function: "fadePerturbation", hasLevels: false)
    var z = Tensor<T>.zeros(p.outputShape)
    for a in 0..<p.masks {
      for c in 0..<p.channels {
        for i in 0..<p.frame {
          z[flat: (a * p.channels + c) * p.frame + i] =
            mask[flat: a * p.frame + i] * x[flat: (p.clips[a] * p.channels + c) * p.frame + i]
        }
      }
    }
    return z
  }

  /// The vector-Jacobian product of `fadePerturbation` with respect to the mask:
  ///
  ///     ∂L/∂m[a, 0, t, h, w] = Σ_c ∂L/∂z[a, c, t, h, w] · x[clips[a], c, t, h, w]
  ///
  /// (channels in ascending order). TorchRay's fade pyramid has the same derivative except
  /// at m = 1, where its `apply` gives 0 (`pyramidPerturbationBackward`).
  ///
  /// Shapes: dz A×C×T×H×W, x N×C×T×H×W → A×1×T×H×W.
  /// - Complexity: O(A·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func fadePerturbationBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dz: Tensor<T>, x: Tensor<T>, clips: [Int]? = nil
  ) -> Tensor<T> {
    let (p, maskShape) = PerturbationShape.fadeBackward(
      dz: dz.shape, x: x.shape, clips: clips, function: "fadePerturbationBackward")
    var dm = Tensor<T>.zeros(maskShape)
    for a in 0..<p.masks {
      for i in 0..<p.frame {
        var sum: T = 0
        for c in 0..<p.channels {
          sum += dz[flat: (a * p.channels + c) * p.frame + i] * x[flat: (p.clips[a] * p.channels + c) * p.frame + i]
        }
        dm[flat: a * p.frame + i] = sum
      }
    }
    return dm
  }
}
