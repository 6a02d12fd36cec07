import RealModule
import TensorCore

// Fully connected layer, `torch.nn.Linear(I, O)`: y = x·Wᵀ + b, and its three VJPs.
//
// Shapes: x N×I, weight O×I (PyTorch's layout), bias O, y N×O.

extension Literal {
  /// y[n, o] = Σ_i x[n, i]·W[o, i] + b[o]   (b = 0 when `bias` is nil).
  /// - Parameters:
  ///   - x: N×I.
  ///   - weight: O×I.
  ///   - bias: O, or nil.
  /// - Returns: N×O.
  /// - Complexity: O(N·O·I).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func linear<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?
  ) -> Tensor<T> {
    checkLinearShapes(x.shape, weight: weight.shape, bias: bias?.shape)
    let (N, I, O) = (x.shape[0], x.shape[1], weight.shape[0])
    var y = Tensor<T>.zeros([N, O])
    for n in 0..<N {
      for o in 0..<O {
        var sum = T.zero
        for i in 0..<I { sum += x[flat: n * I + i] * weight[flat: o * I + i] }
        y[flat: n * O + o] = sum + (bias?[flat: o] ?? T.zero)
      }
    }
    return y
  }

  /// VJP of `linear` with respect to x: dx[n, i] = Σ_o dy[n, o]·W[o, i]   (dx = dy·W).
  /// - Parameters:
  ///   - dy: N×O.
  ///   - weight: O×I.
  /// - Returns: N×I.
  /// - Complexity: O(N·O·I).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func linearBackwardInput<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, weight: Tensor<T>
  ) -> Tensor<T> {
    precondition(
      dy.rank == 2 && weight.rank == 2 && dy.shape[1] == weight.shape[0],
      "linearBackwardInput: dy \(Shape.describe(dy.shape)) must be N×O for weight \(Shape.describe(weight.shape)) (O×I)"
    )
    let (N, O, I) = (dy.shape[0], weight.shape[0], weight.shape[1])
    var dx = Tensor<T>.zeros([N, I])
    for n in 0..<N {
      for i in 0..<I {
        var sum = T.zero
        for o in 0..<O { sum += dy[flat: n * O + o] * weight[flat: o * I + i] }
        dx[flat: n * I + i] = sum
      }
    }
    return dx
  }

  /// VJP of `linear` with respect to W: dW[o, i] = Σ_n dy[n, o]·x[n, i]   (dW = dyᵀ·x, O×I).
  /// - Parameters:
  ///   - dy: N×O.
  ///   - input: x, N×I.
  /// - Returns: O×I.
  /// - Complexity: O(N·O·I).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func linearBackwardWeight<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, input: Tensor<T>
  ) -> Tensor<T> {
    precondition(
      dy.rank == 2 && input.rank == 2 && dy.shape[0] == input.shape[0],
      "linearBackwardWeight: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(input.shape)) "
        + "must be N×O and N×I"
    )
    let (N, O, I) = (dy.shape[0], dy.shape[1], input.shape[1])
    var dw = Tensor<T>.zeros([O, I])
    for o in 0..<O {
      for i in 0..<I {
        var sum = T.zero
        for n in 0..<N { sum += dy[flat: n * O + o] * input[flat: n * I + i] }
        dw[flat: o * I + i] = sum
      }
    }
    return dw
  }

  /// VJP of `linear` with respect to b: db[o] = Σ_n dy[n, o].
  /// - Parameter dy: N×O.
  /// - Returns: O.
  /// - Complexity: O(N·O).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func linearBackwardBias<T: Real & BinaryFloatingPoint & Sendable>(_ dy: Tensor<T>) -> Tensor<T> {
    precondition(dy.rank == 2, "linearBackwardBias: dy \(Shape.describe(dy.shape)) must be N×O")
    let (N, O) = (dy.shape[0], dy.shape[1])
    var db = Tensor<T>.zeros([O])
    for o in 0..<O {
      var sum = T.zero
      for n in 0..<N { sum += dy[flat: n * O + o] }
      db[flat: o] = sum
    }
    return db
  }
}

/// Shape checks of both paths of `linear`.
func checkLinearShapes(_ x: [Int], weight: [Int], bias: [Int]?) {
  precondition(
    x.count == 2 && weight.count == 2 && x[1] == weight[1],
    "linear: input \(Shape.describe(x)) must be N×I for weight \(Shape.describe(weight)) (O×I)")
  if let b = bias {
    precondition(
      b == [weight[0]], "linear: bias \(Shape.describe(b)) must be [\(weight[0])] for weight \(Shape.describe(weight))")
  }
}
