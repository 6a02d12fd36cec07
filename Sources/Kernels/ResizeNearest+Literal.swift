import RealModule
import TensorCore

extension Literal {
  /// Nearest-neighbour resize of the T, H, W axes, PyTorch's
  /// `F.interpolate(x, size=(T′, H′, W′), mode="nearest")` (`upsample_nearest3d`).
  ///
  /// Shapes: x N×C×T×H×W → N×C×T′×H′×W′ with (T′, H′, W′) = `size`.
  ///
  ///     out[n, c, t, h, w] = x[n, c, s_T(t), s_H(h), s_W(w)]
  ///
  /// with, per axis of input extent `in` and output extent `out`, the source index of
  /// PyTorch's `nearest_idx` (aten/src/ATen/native/UpSample.h and cpu/UpSampleKernel.cpp):
  /// s(d) = d when out = in, d >> 1 when out = 2·in, otherwise
  /// s(d) = min(⌊fl(fl(in/out)·d)⌋, in − 1) where `fl` is **Float32** arithmetic
  /// (`compute_scales_value<float>` then `floorf(dst_index * scale)` in
  /// `nearest_neighbor_compute_source_index`), whatever the tensor's type. The two special
  /// cases agree with the general formula; the Float32 scale matters when in/out is not a
  /// dyadic fraction. (This is the legacy "nearest" mode, not "nearest-exact".)
  ///
  /// - Precondition: `x` has rank 5 and every extent of `size` is ≥ 1.
  /// - Complexity: O(N·C·T′·H′·W′).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func resizeNearest<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, size: Size3) -> Tensor<T> {
    precondition(x.rank == 5, "resizeNearest: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    precondition(size.t >= 1 && size.h >= 1 && size.w >= 1, "resizeNearest: size \(size) must be ≥ 1 on every axis")
    let (n, c, ti, hi, wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    precondition(
      ti >= 1 && hi >= 1 && wi >= 1,
      "resizeNearest: x \(Shape.describe(x.shape)) has an empty T, H or W axis")
    let (to, ho, wo) = (size.t, size.h, size.w)
    var out = Tensor<T>.zeros([n, c, to, ho, wo])
    for nn in 0..<n {
      for cc in 0..<c {
        for t in 0..<to {
          for h in 0..<ho {
            for w in 0..<wo {
              let st = pyTorchNearestSourceIndex(t, input: ti, output: to)
              let sh = pyTorchNearestSourceIndex(h, input: hi, output: ho)
              let sw = pyTorchNearestSourceIndex(w, input: wi, output: wo)
              out.scalars[(((nn * c + cc) * to + t) * ho + h) * wo + w] =
                x.scalars[(((nn * c + cc) * ti + st) * hi + sh) * wi + sw]
            }
          }
        }
      }
    }
    return out
  }

  /// PyTorch's `nearest_idx(output_index, input_size, output_size, scales = nullopt)`: the
  /// source index along one axis for mode "nearest", computed in Float32 as PyTorch does.
  package static func pyTorchNearestSourceIndex(_ dst: Int, input: Int, output: Int) -> Int {
    if output == input { return dst }
    if output == 2 * input { return dst >> 1 }
    let scale = Float(input) / Float(output)
    return min(Int((Float(dst) * scale).rounded(.down)), input - 1)
  }
}
