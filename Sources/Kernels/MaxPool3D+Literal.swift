import RealModule
import TensorCore

// 3-D max pooling, `torch.nn.MaxPool3d(kernel, stride, padding, return_indices=True)` (floor
// mode, dilation 1), and its backward pass.
//
// Shapes: x N×C×T×H×W; y and argmax N×C×To×Ho×Wo with To = ⌊(T + 2pₜ − kₜ)/sₜ⌋ + 1 (likewise
// H, W). Padding is −∞: never selected; the window is clipped to the input.

extension Literal {
  /// Max pooling with the location of each maximum:
  ///
  ///   y[n, c, i, j, l] = max over t ∈ W_T(i), h ∈ W_H(j), w ∈ W_W(l) of x[n, c, t, h, w]
  ///   argmax[n, c, i, j, l] = flat index (into the whole of x) of the selected element
  ///
  /// with W(o) = [o·s − p, o·s − p + k) ∩ [0, extent) per axis. The window is scanned t, then h,
  /// then w ascending, replacing the running maximum when `v > max || v.isNaN`, starting from
  /// −∞ at the window's first element — PyTorch's CPU kernel (`cpu_max_pool`). Consequences:
  /// ties go to the first element in scan order; a NaN in the window is selected (the last NaN
  /// in scan order, since each NaN replaces the running value), so NaN propagates as in
  /// PyTorch; a window of −∞ only reports its first element.
  /// - Precondition: |x| ≤ Int32.max (the indices are Int32).
  /// - Complexity: O(|y|·kₜ·k_h·k_w).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func maxPool3d<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, geometry: Pool3DGeometry)
    -> MaxPoolResult<T>
  {
    let outShape = geometry.checkedOutputShape(input: x.shape)
    precondition(x.count <= Int(Int32.max), "maxPool3d: input \(Shape.describe(x.shape)) too large for Int32 indices")
    let axes = PoolAxis.axes(input: x.shape, output: outShape, geometry: geometry)
    let (N, C, Ti, Hi, Wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    var y = Tensor<T>.zeros(outShape)
    var argmax = [Int32](repeating: 0, count: y.count)
    for n in 0..<N {
      for c in 0..<C {
        for i in 0..<To {
          for j in 0..<Ho {
            for l in 0..<Wo {
              let wt = axes.t.window(i), wh = axes.h.window(j), ww = axes.w.window(l)
              var best = -T.infinity
              var at = (((n * C + c) * Ti + wt.start) * Hi + wh.start) * Wi + ww.start
              for t in wt.start..<wt.end {
                for h in wh.start..<wh.end {
                  for w in ww.start..<ww.end {
                    let index = (((n * C + c) * Ti + t) * Hi + h) * Wi + w
                    let v = x[flat: index]
                    if v > best || v.isNaN {
                      best = v
                      at = index
                    }
                  }
                }
              }
              let o = (((n * C + c) * To + i) * Ho + j) * Wo + l
              y[flat: o] = best
              argmax[o] = Int32(at)
            }
          }
        }
      }
    }
    return MaxPoolResult(output: y, argmax: argmax)
  }

  /// Vector-Jacobian product of `maxPool3d`: each output's cotangent goes to the element it
  /// selected,
  ///
  ///   dx[argmax[o]] += dy[o]   for every output o, in output order,
  ///
  /// accumulating (+=) because windows overlap when the stride is smaller than the kernel.
  /// - Parameters:
  ///   - dy: N×C×To×Ho×Wo.
  ///   - argmax: from `maxPool3d`, one flat input index per element of dy.
  ///   - inputShape: N×C×T×H×W of the forward input.
  /// - Precondition: every index lies in the N·C plane of its output (as `maxPool3d` gives).
  /// - Complexity: O(|x| + |dy|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func maxPool3dBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, argmax: [Int32], inputShape: [Int]
  ) -> Tensor<T> {
    checkMaxPoolBackwardShapes(dy.shape, argmax: argmax, inputShape: inputShape)
    let inPlane = inputShape[2] * inputShape[3] * inputShape[4]
    let outPlane = dy.shape[2] * dy.shape[3] * dy.shape[4]
    var dx = Tensor<T>.zeros(inputShape)
    for o in 0..<dy.count {
      let index = Int(argmax[o])
      precondition(
        outPlane > 0 && index / inPlane == o / outPlane && index >= 0,
        "maxPool3dBackward: argmax[\(o)] = \(index) lies outside its plane of input \(Shape.describe(inputShape))")
      dx[flat: index] += dy[flat: o]
    }
    return dx
  }
}

/// Shape checks shared by both paths of `maxPool3dBackward`.
func checkMaxPoolBackwardShapes(_ dyShape: [Int], argmax: [Int32], inputShape: [Int]) {
  precondition(
    dyShape.count == 5 && inputShape.count == 5 && dyShape[0] == inputShape[0] && dyShape[1] == inputShape[1],
    "maxPool3dBackward: dy \(Shape.describe(dyShape)) and input \(Shape.describe(inputShape)) must be N×C×… alike")
  precondition(
    argmax.count == Shape.elementCount(dyShape),
    "maxPool3dBackward: \(argmax.count) indices for dy \(Shape.describe(dyShape))")
}
