import RealModule
import TensorCore

// Adaptive 3-D average pooling, `torch.nn.AdaptiveAvgPool3d(outputSize)`, and its backward
// pass. With outputSize (1, 1, 1) it is the global average pool of the video classifiers.
//
// Shapes: x N×C×T×H×W; y N×C×To×Ho×Wo (To, Ho, Wo = outputSize, each ≥ 1).

extension Literal {
  /// Adaptive average pooling. Per axis, output i of Out covers the input bin
  /// B(i) = [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉) (PyTorch's `start_index` / `end_index`; bins may
  /// overlap when In is not a multiple of Out, and repeat elements when Out > In). Then
  ///
  ///   y[n, c, i, j, l] = (Σ_{t ∈ B_T(i)} Σ_{h ∈ B_H(j)} Σ_{w ∈ B_W(l)} x[n, c, t, h, w])
  ///                      / (|B_T(i)|·|B_H(j)|·|B_W(l)|)
  ///
  /// PyTorch divides the sum by the three extents in turn (three roundings); this divides once
  /// by their product (one rounding), the same value in exact arithmetic.
  /// - Complexity: O(Σ over outputs of |B_T|·|B_H|·|B_W|), which is O(|x| + |y|) when Out ≤ In on every axis.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func adaptiveAvgPool3d<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, outputSize: Size3)
    -> Tensor<T>
  {
    let outShape = adaptivePoolOutputShape(input: x.shape, outputSize: outputSize)
    let (N, C, Ti, Hi, Wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    var y = Tensor<T>.zeros(outShape)
    for n in 0..<N {
      for c in 0..<C {
        for i in 0..<To {
          for j in 0..<Ho {
            for l in 0..<Wo {
              let bt = adaptiveBin(i, input: Ti, output: To)
              let bh = adaptiveBin(j, input: Hi, output: Ho)
              let bw = adaptiveBin(l, input: Wi, output: Wo)
              var sum = T.zero
              for t in bt {
                for h in bh {
                  for w in bw { sum += x[flat: (((n * C + c) * Ti + t) * Hi + h) * Wi + w] }
                }
              }
              y[flat: (((n * C + c) * To + i) * Ho + j) * Wo + l] = sum / T(bt.count * bh.count * bw.count)
            }
          }
        }
      }
    }
    return y
  }

  /// Vector-Jacobian product of `adaptiveAvgPool3d`:
  ///
  ///   dx[n, c, t, h, w] += dy[n, c, i, j, l] / (|B_T(i)|·|B_H(j)|·|B_W(l)|)   for t ∈ B_T(i), h ∈ B_H(j), w ∈ B_W(l),
  ///
  /// over the outputs in order; the output size is read from dy.
  /// - Parameters:
  ///   - dy: N×C×To×Ho×Wo.
  ///   - inputShape: N×C×T×H×W of the forward input.
  /// - Complexity: as the forward pass.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func adaptiveAvgPool3dBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, inputShape: [Int]
  ) -> Tensor<T> {
    checkAdaptivePoolBackwardShapes(dy.shape, inputShape: inputShape)
    let (N, C, Ti, Hi, Wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (To, Ho, Wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    var dx = Tensor<T>.zeros(inputShape)
    for n in 0..<N {
      for c in 0..<C {
        for i in 0..<To {
          for j in 0..<Ho {
            for l in 0..<Wo {
              let bt = adaptiveBin(i, input: Ti, output: To)
              let bh = adaptiveBin(j, input: Hi, output: Ho)
              let bw = adaptiveBin(l, input: Wi, output: Wo)
              let g = dy[flat: (((n * C + c) * To + i) * Ho + j) * Wo + l] / T(bt.count * bh.count * bw.count)
              for t in bt {
                for h in bh {
                  for w in bw { dx[flat: (((n * C + c) * Ti + t) * Hi + h) * Wi + w] += g }
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

/// N×C×To×Ho×Wo for adaptive pooling, with the shape checks of both paths.
func adaptivePoolOutputShape(input: [Int], outputSize: Size3) -> [Int] {
  precondition(
    input.count == 5 && input[2] >= 1 && input[3] >= 1 && input[4] >= 1,
    "adaptiveAvgPool3d: input \(Shape.describe(input)) must be N×C×T×H×W with T, H, W ≥ 1")
  precondition(
    outputSize.t >= 1 && outputSize.h >= 1 && outputSize.w >= 1,
    "adaptiveAvgPool3d: output size \(outputSize) must be ≥ 1 on every axis")
  return [input[0], input[1], outputSize.t, outputSize.h, outputSize.w]
}

/// Shape checks of both paths of `adaptiveAvgPool3dBackward`.
func checkAdaptivePoolBackwardShapes(_ dyShape: [Int], inputShape: [Int]) {
  precondition(
    dyShape.count == 5 && inputShape.count == 5 && dyShape[0] == inputShape[0] && dyShape[1] == inputShape[1]
      && dyShape[2...].allSatisfy({ $0 >= 1 }) && inputShape[2...].allSatisfy({ $0 >= 1 }),
    "adaptiveAvgPool3dBackward: dy \(Shape.describe(dyShape)) and input \(Shape.describe(inputShape)) must be "
      + "N×C×To×Ho×Wo and N×C×T×H×W with every extent ≥ 1")
}
