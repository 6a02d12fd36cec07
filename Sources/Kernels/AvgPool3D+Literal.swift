import RealModule
import TensorCore

// 3-D average pooling, `torch.nn.AvgPool3d(kernel, stride, padding, count_include_pad)` (floor
// mode, no divisor override), and its backward pass.
//
// Shapes: x N×C×T×H×W; y N×C×To×Ho×Wo with To = ⌊(T + 2pₜ − kₜ)/sₜ⌋ + 1 (likewise H, W).
// Padding is zero.

extension Literal {
  /// Average pooling. Per axis, output o's window is [o·s − p, o·s − p + k); the elements read
  /// are those inside the input, W(o) = window ∩ [0, extent). Then
  ///
  ///   y[n, c, i, j, l] = (Σ_{t ∈ W_T(i)} Σ_{h ∈ W_H(j)} Σ_{w ∈ W_W(l)} x[n, c, t, h, w]) / D(i, j, l)
  ///
  /// with PyTorch's divisor (`avg_pool3d_out_frame`):
  /// - countIncludePad = true (PyTorch's default): D = Π over axes of
  ///   (min(o·s − p + k, extent + p) − (o·s − p)), the window clipped to the *padded* input —
  ///   in floor mode always kₜ·k_h·k_w (see `PoolAxis`), padding zeros counted;
  /// - countIncludePad = false: D = |W_T(i)|·|W_H(j)|·|W_W(l)|, the number of input elements read.
  /// - Complexity: O(|y|·kₜ·k_h·k_w).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func avgPool3d<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<T> {
    let outShape = geometry.checkedOutputShape(input: x.shape)
    let axes = PoolAxis.axes(input: x.shape, output: outShape, geometry: geometry)
    let (N, C, Ti, Hi, Wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    var y = Tensor<T>.zeros(outShape)
    for n in 0..<N {
      for c in 0..<C {
        for i in 0..<To {
          for j in 0..<Ho {
            for l in 0..<Wo {
              let wt = axes.t.window(i), wh = axes.h.window(j), ww = axes.w.window(l)
              let divisor =
                countIncludePad
                ? wt.paddedExtent * wh.paddedExtent * ww.paddedExtent
                : (wt.end - wt.start) * (wh.end - wh.start) * (ww.end - ww.start)
              var sum = T.zero
              for t in wt.start..<wt.end {
                for h in wh.start..<wh.end {
                  for w in ww.start..<ww.end {
                    sum += x[flat: (((n * C + c) * Ti + t) * Hi + h) * Wi + w]
                  }
                }
              }
              y[flat: (((n * C + c) * To + i) * Ho + j) * Wo + l] = sum / T(divisor)
            }
          }
        }
      }
    }
    return y
  }

  /// Vector-Jacobian product of `avgPool3d`: every element an output read receives that
  /// output's cotangent divided by its divisor,
  ///
  ///   dx[n, c, t, h, w] += dy[n, c, i, j, l] / D(i, j, l)   for t ∈ W_T(i), h ∈ W_H(j), w ∈ W_W(l),
  ///
  /// over the outputs in order (PyTorch's `avg_pool3d_backward_out_frame`; windows overlap
  /// when the stride is smaller than the kernel, hence +=).
  /// - Parameters:
  ///   - dy: N×C×To×Ho×Wo.
  ///   - inputShape: N×C×T×H×W of the forward input.
  /// - Complexity: O(|x| + |dy|·kₜ·k_h·k_w).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func avgPool3dBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, inputShape: [Int], geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<T> {
    let outShape = geometry.checkedOutputShape(input: inputShape)
    precondition(
      dy.shape == outShape,
      "avgPool3dBackward: dy \(Shape.describe(dy.shape)) is not the output \(Shape.describe(outShape)) of input "
        + "\(Shape.describe(inputShape)) with \(geometry)")
    let axes = PoolAxis.axes(input: inputShape, output: outShape, geometry: geometry)
    let (N, C, Ti, Hi, Wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    var dx = Tensor<T>.zeros(inputShape)
    for n in 0..<N {
      for c in 0..<C {
        for i in 0..<To {
          for j in 0..<Ho {
            for l in 0..<Wo {
              let wt = axes.t.window(i), wh = axes.h.window(j), ww = axes.w.window(l)
              let divisor =
                countIncludePad
                ? wt.paddedExtent * wh.paddedExtent * ww.paddedExtent
                : (wt.end - wt.start) * (wh.end - wh.start) * (ww.end - ww.start)
              let g = dy[flat: (((n * C + c) * To + i) * Ho + j) * Wo + l] / T(divisor)
              for t in wt.start..<wt.end {
                for h in wh.start..<wh.end {
                  for w in ww.start..<ww.end {
                    dx[flat: (((n * C + c) * Ti + t) * Hi + h) * Wi + w] += g
                  }
                }
              }
            }
          }
        }
      }
    }
    return dx
  }
}
