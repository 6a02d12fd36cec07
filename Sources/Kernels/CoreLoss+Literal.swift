import RealModule
import TensorCore

extension Literal {
  /// The core responses of STEP (Li et al., TCSVT 2021): the mean of the mask over the core K
  /// placed at every window, `F.conv3d(mask, K, stride=(1, s, s)) / K.sum()` in the authors'
  /// `CoreLossCalulator.calculate`.
  ///
  /// Shapes: mask A×1×T×H×W → A×1×T_o×H_o×W_o with (T_o, H_o, W_o) =
  /// `core.responseExtent(frames: T, height: H, width: W)`.
  ///
  ///     R[a, t_o, h_o, w_o] = (1/ΣK)·Σ_{t, h, w} K[t, h, w]·m[a, t_o + t, s·h_o + h, s·w_o + w]
  ///
  /// - Precondition: the core fits the mask (`ExtremalCore.responseExtent` does not throw).
  /// - Complexity: O(A·T_o·H_o·W_o·K_t·s²).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func coreResponses<T: Real & BinaryFloatingPoint & Sendable>(
    _ mask: Tensor<T>, core: ExtremalCore
  ) -> Tensor<T> {
    let e = core.requireExtent(maskShape: mask.shape)
    let (kt, s) = (core.frames, core.size)
    let (frames, height, width) = (mask.shape[2], mask.shape[3], mask.shape[4])
    func m(_ a: Int, _ t: Int, _ h: Int, _ w: Int) -> T { mask[flat: ((a * frames + t) * height + h) * width + w] }
    var r = Tensor<T>.zeros([mask.shape[0], 1, e.t, e.h, e.w])
    for a in 0..<mask.shape[0] {
      for to in 0..<e.t {
        for ho in 0..<e.h {
          for wo in 0..<e.w {
            var sum = T.zero
            for t in 0..<kt {
              for h in 0..<s {
                for w in 0..<s where core.weights[(t * s + h) * s + w] == 1 {
                  sum += m(a, to + t, s * ho + h, s * wo + w)
                }
              }
            }
            r[flat: ((a * e.t + to) * e.h + ho) * e.w + wo] = sum / T(core.volume)
          }
        }
      }
    }
    return r
  }

  /// STEP's core loss L_K for every row of a batch of masks, and its gradient (Li et al.,
  /// "Spatio-Temporal Perturbations for Video Attribution", TCSVT 2021; the authors'
  /// `CoreLossCalulator.calculate`).
  ///
  /// Shapes: mask A×1×T×H×W (the padded masks, one row per area), `areas` A values in (0, 1).
  /// Result: A losses and the gradient A×1×T×H×W.
  ///
  /// With the P = T_o·H_o·W_o responses R of `coreResponses` sorted in descending order
  /// (ties in `tieOrder`: position k holds response π[k] before a stable sort; the authors
  /// permute with `torch.randperm`) and n = min(n_K(a), P), n_K from `core.targetCount`:
  ///
  ///     L_K = (1/n)·Σ_{i<n} (R_(i) − 1)² + (1/(P − n))·Σ_{i≥n} R_(i)²
  ///
  /// with the second mean 0 when n = P. (The authors slice `sorted[:, :n_K]` and
  /// `sorted[:, n_K:]`, which gives the same first mean when n_K > P, and a mean over no element
  /// — NaN — as the second when n_K ≥ P; here it is 0, the value that keeps the loss finite.)
  /// Gradient, for the response at sorted position i and every voxel v of the mask:
  ///
  ///     ∂L_K/∂R_(i) = 2(R_(i) − 1)/n  (i < n),   2R_(i)/(P − n)  (i ≥ n)
  ///     ∂L_K/∂m_v = Σ_windows ∂L_K/∂R·K[v − window origin]/ΣK
  ///
  /// (the transpose of the strided correlation; voxels in no window get 0).
  ///
  /// - Precondition: `core.validate` accepts the arguments.
  /// - Complexity: O(A·(P·K_t·s² + P·log P)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func coreLoss<T: Real & BinaryFloatingPoint & Sendable>(
    _ mask: Tensor<T>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder = .stable
  ) -> ExtremalLossResult<T> {
    let e = core.require(maskShape: mask.shape, areas: areas, tieOrder: tieOrder)
    let (rows, frames, height, width) = (mask.shape[0], mask.shape[2], mask.shape[3], mask.shape[4])
    let (kt, s, p) = (core.frames, core.size, e.product)
    let responses = coreResponses(mask, core: core)
    var loss = [T](repeating: 0, count: rows)
    var gradient = Tensor<T>.zeros(mask.shape)
    for a in 0..<rows {
      let r = Array(responses.scalars[(a * p)..<((a + 1) * p)])
      let n = min(core.targetCount(area: areas[a], frames: frames, height: height, width: width), p)
      // Descending order, stable in tie order: ascending order of the negated responses.
      let pi = tieOrder.permutation(row: a, count: p)
      let order = argsort((0..<p).map { k in -r[pi[k]] })
      var first = T.zero, second = T.zero
      var dR = [T](repeating: 0, count: p)
      for i in 0..<p {
        let w = pi[order[i]]
        if i < n {
          first += (r[w] - 1) * (r[w] - 1)
          dR[w] = 2 * (r[w] - 1) / T(n)
        } else {
          second += r[w] * r[w]
          dR[w] = 2 * r[w] / T(p - n)
        }
      }
      loss[a] = first / T(n) + (p > n ? second / T(p - n) : 0)
      // Scatter every window's derivative through the core.
      for to in 0..<e.t {
        for ho in 0..<e.h {
          for wo in 0..<e.w {
            let g = dR[(to * e.h + ho) * e.w + wo] / T(core.volume)
            for t in 0..<kt {
              for h in 0..<s {
                for w in 0..<s where core.weights[(t * s + h) * s + w] == 1 {
                  gradient[flat: ((a * frames + to + t) * height + s * ho + h) * width + s * wo + w] += g
                }
              }
            }
          }
        }
      }
    }
    return ExtremalLossResult(loss: loss, gradient: gradient)
  }
}
