import RealModule
import TensorCore

// Dimensions as in Conv3D+Literal.swift. The forward pass is
//   y[n, o, t, h, w] = b[o] + Σ_{c,i,j,l} w[o, c, i, j, l] · x[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, …]
// and each function below differentiates it with respect to one argument, given the
// cotangent dy = ∂L/∂y (shape N×Cout×To×Ho×Wo).

extension Literal {
  /// Gradient of `conv3d` with respect to its input (the adjoint of the forward map x ↦ y).
  ///
  /// Scatter form: every term w[o, c, i, j, l]·x[n, g·Cg + c, tᵢ, hⱼ, wₗ] of the forward sum
  /// sends dy[n, o, t, h, w]·w[o, c, i, j, l] back to the input element it read,
  ///
  ///     dx[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h, w·s_w − p_w + l·d_w]
  ///         += w[o, c, i, j, l] · dy[n, o, t, h, w]
  ///
  /// over n, o, t, h, w, c, i, j, l in that order (the forward loop nest), skipping terms
  /// that read padding. Equivalently (gather form) dx[n, g·Cg + c, τ] = Σ over every (o, tap,
  /// output position) whose window reads τ. This is `torch.nn.grad.conv3d_input`; with
  /// stride > 1 some input elements are read by no window and get 0.
  ///
  /// Shapes: dy N×Cout×To×Ho×Wo, weight Cout×Cg×kt×kh×kw, `inputShape` N×Cin×T×H×W (needed
  /// because several input extents give the same output extent when stride > 1); result
  /// `inputShape`.
  ///
  /// - Precondition: `geometry.outputShape(input: inputShape, weight: weight.shape)` is
  ///   dy's shape.
  /// - Complexity: O(N·Cout·To·Ho·Wo·Cg·kt·kh·kw) time, the cost of the forward pass.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func conv3dBackwardInput<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, weight: Tensor<T>, inputShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<T> {
    let outShape = geometry.checkedOutputShape(input: inputShape, weight: weight.shape)
    precondition(
      dy.shape == outShape,
      "conv3dBackwardInput: dy \(Shape.describe(dy.shape)) must be \(Shape.describe(outShape)) for input "
        + "\(Shape.describe(inputShape)), weight \(Shape.describe(weight.shape)), \(geometry)")
    let s = ConvIndexing(input: inputShape, weight: weight.shape, output: outShape, geometry: geometry)
    let dys = dy.scalars, ws = weight.scalars
    var dx = [T](repeating: 0, count: Shape.elementCount(inputShape))
    for n in 0..<s.batch {
      for o in 0..<s.outChannels {
        let g = o / s.outPerGroup
        for t in 0..<s.outT {
          for h in 0..<s.outH {
            for w in 0..<s.outW {
              let dyValue = dys[s.outputIndex(n, o, t, h, w)]
              for c in 0..<s.inPerGroup {
                for i in 0..<s.kt {
                  for j in 0..<s.kh {
                    for l in 0..<s.kw {
                      guard let xi = s.inputIndex(n, g * s.inPerGroup + c, t, h, w, i, j, l) else { continue }
                      dx[xi] += ws[s.weightIndex(o, c, i, j, l)] * dyValue
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }

  /// Gradient of `conv3d` with respect to its weight.
  ///
  ///     dw[o, c, i, j, l] = Σ_{n, t, h, w} dy[n, o, t, h, w]
  ///                         · x[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h, w·s_w − p_w + l·d_w]
  ///
  /// with g = o / Og and x = 0 in the padding; summed in the order n, t, h, w. This is
  /// `torch.nn.grad.conv3d_weight`.
  ///
  /// Shapes: dy N×Cout×To×Ho×Wo, input N×Cin×T×H×W, `weightShape` Cout×Cg×kt×kh×kw; result
  /// `weightShape`.
  ///
  /// - Precondition: `geometry.outputShape(input: input.shape, weight: weightShape)` is dy's
  ///   shape.
  /// - Complexity: O(N·Cout·To·Ho·Wo·Cg·kt·kh·kw) time, the cost of the forward pass.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func conv3dBackwardWeight<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, input: Tensor<T>, weightShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<T> {
    let outShape = geometry.checkedOutputShape(input: input.shape, weight: weightShape)
    precondition(
      dy.shape == outShape,
      "conv3dBackwardWeight: dy \(Shape.describe(dy.shape)) must be \(Shape.describe(outShape)) for input "
        + "\(Shape.describe(input.shape)), weight \(Shape.describe(weightShape)), \(geometry)")
    let s = ConvIndexing(input: input.shape, weight: weightShape, output: outShape, geometry: geometry)
    let dys = dy.scalars, xs = input.scalars
    var dw = [T](repeating: 0, count: Shape.elementCount(weightShape))
    for o in 0..<s.outChannels {
      let g = o / s.outPerGroup
      for c in 0..<s.inPerGroup {
        for i in 0..<s.kt {
          for j in 0..<s.kh {
            for l in 0..<s.kw {
              var sum: T = 0
              for n in 0..<s.batch {
                for t in 0..<s.outT {
                  for h in 0..<s.outH {
                    for w in 0..<s.outW {
                      guard let xi = s.inputIndex(n, g * s.inPerGroup + c, t, h, w, i, j, l) else { continue }
                      sum += dys[s.outputIndex(n, o, t, h, w)] * xs[xi]
                    }
                  }
                }
              }
              dw[s.weightIndex(o, c, i, j, l)] = sum
            }
          }
        }
      }
    }
    return Tensor(shape: weightShape, scalars: dw)
  }

  /// Gradient of `conv3d` with respect to its bias: db[o] = Σ_{n, t, h, w} dy[n, o, t, h, w],
  /// summed in the order n, t, h, w.
  ///
  /// Shapes: dy N×Cout×To×Ho×Wo; result Cout.
  ///
  /// - Precondition: dy has rank 5.
  /// - Complexity: O(N·Cout·To·Ho·Wo).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func conv3dBackwardBias<T: Real & BinaryFloatingPoint & Sendable>(_ dy: Tensor<T>) -> Tensor<T> {
    precondition(dy.rank == 5, "conv3dBackwardBias: dy \(Shape.describe(dy.shape)) must be N×Cout×To×Ho×Wo")
    let (batch, channels) = (dy.shape[0], dy.shape[1])
    let positions = dy.shape[2] * dy.shape[3] * dy.shape[4]
    var db = [T](repeating: 0, count: channels)
    for o in 0..<channels {
      var sum: T = 0
      for n in 0..<batch {
        for p in 0..<positions {
          sum += dy.scalars[(n * channels + o) * positions + p]
        }
      }
      db[o] = sum
    }
    return Tensor(shape: [channels], scalars: db)
  }
}
