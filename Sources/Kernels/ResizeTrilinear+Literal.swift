import RealModule
import TensorCore

/// Where output index `dst` of a linear resize reads along one axis: the two source indices
/// and their weights.
package struct LinearSourceWeights<T: Sendable>: Sendable {
  package var i0: Int
  package var i1: Int
  package var lambda0: T
  package var lambda1: T

  /// (i₀, λ₀) for a = 0, (i₁, λ₁) for a = 1.
  package func corner(_ a: Int) -> (index: Int, weight: T) {
    a == 0 ? (i0, lambda0) : (i1, lambda1)
  }
}

extension Literal {
  /// Trilinear resize of the T, H, W axes, PyTorch's
  /// `F.interpolate(x, size=(T′, H′, W′), mode="trilinear", align_corners=False)`
  /// (`upsample_trilinear3d`).
  ///
  /// Shapes: x N×C×T×H×W → N×C×T′×H′×W′ with (T′, H′, W′) = `size`. Per axis of input
  /// extent `in` and output extent `out` (PyTorch's `area_pixel_compute_source_index` and
  /// `guard_index_and_lambda`, aten/src/ATen/native/UpSample.h):
  ///
  ///     src(d) = max((d + ½)·(in/out) − ½, 0)
  ///     i₀ = min(⌊src⌋, in − 1),  i₁ = min(i₀ + 1, in − 1),  λ₁ = src − i₀,  λ₀ = 1 − λ₁
  ///
  /// and the output is the tensor product of the three axes' weights:
  ///
  ///     out[n, c, t, h, w] = Σ_{a, b, e ∈ {0, 1}} λᵀ_a(t)·λᴴ_b(h)·λᵂ_e(w)·x[n, c, iᵀ_a(t), iᴴ_b(h), iᵂ_e(w)]
  ///
  /// The scale in/out is computed in the scalar type, as PyTorch does for float and double
  /// tensors.
  ///
  /// - Precondition: `x` has rank 5 with T, H, W ≥ 1 and every extent of `size` is ≥ 1.
  /// - Complexity: O(8·N·C·T′·H′·W′).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func resizeTrilinear<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, size: Size3) -> Tensor<T>
  {
    precondition(
      x.rank == 5 && x.shape[2...].allSatisfy({ $0 >= 1 }),
      "resizeTrilinear: x \(Shape.describe(x.shape)) must be N×C×T×H×W with T, H, W ≥ 1")
    precondition(size.t >= 1 && size.h >= 1 && size.w >= 1, "resizeTrilinear: size \(size) must be ≥ 1 on every axis")
    let (n, c, ti, hi, wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (to, ho, wo) = (size.t, size.h, size.w)
    var out = Tensor<T>.zeros([n, c, to, ho, wo])
    for nn in 0..<n {
      for cc in 0..<c {
        for t in 0..<to {
          for h in 0..<ho {
            for w in 0..<wo {
              let wt: LinearSourceWeights<T> = linearSourceWeights(t, input: ti, output: to)
              let wh: LinearSourceWeights<T> = linearSourceWeights(h, input: hi, output: ho)
              let ww: LinearSourceWeights<T> = linearSourceWeights(w, input: wi, output: wo)
              var sum: T = 0
              for a in 0..<2 {
                let (it, lt) = wt.corner(a)
                for b in 0..<2 {
                  let (ih, lh) = wh.corner(b)
                  for e in 0..<2 {
                    let (iw, lw) = ww.corner(e)
                    let source = (((nn * c + cc) * ti + it) * hi + ih) * wi + iw
                    sum += lt * lh * lw * x.scalars[source]
                  }
                }
              }
              out.scalars[(((nn * c + cc) * to + t) * ho + h) * wo + w] = sum
            }
          }
        }
      }
    }
    return out
  }

  /// Source indices and weights of output index `dst` along one axis of a linear resize with
  /// `align_corners=False`, in the scalar type T (see `resizeTrilinear`).
  package static func linearSourceWeights<T: Real & BinaryFloatingPoint & Sendable>(
    _ dst: Int, input: Int, output: Int
  ) -> LinearSourceWeights<T> {
    let scale = T(input) / T(output)
    let src = max(scale * (T(dst) + T(0.5)) - T(0.5), 0)
    let i0 = min(Int(src.rounded(.down)), input - 1)
    let lambda1 = min(max(src - T(i0), 0), 1)
    let i1 = i0 < input - 1 ? i0 + 1 : i0
    return LinearSourceWeights(i0: i0, i1: i1, lambda0: 1 - lambda1, lambda1: lambda1)
  }
}
