import RealModule
import TensorCore

// Elementwise arithmetic on tensors of equal shape (no broadcasting).

extension Literal {
  /// c_i = a_i + b_i.
  /// - Precondition: a and b have the same shape.
  /// - Complexity: O(|a|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func add<T: Real & BinaryFloatingPoint & Sendable>(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T> {
    checkElementwiseShapes("add", a.shape, b.shape)
    var c = Tensor<T>.zeros(a.shape)
    for i in 0..<a.count { c[flat: i] = a[flat: i] + b[flat: i] }
    return c
  }

  /// c_i = a_i · b_i (the Hadamard product).
  /// - Precondition: a and b have the same shape.
  /// - Complexity: O(|a|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func multiply<T: Real & BinaryFloatingPoint & Sendable>(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T> {
    checkElementwiseShapes("multiply", a.shape, b.shape)
    var c = Tensor<T>.zeros(a.shape)
    for i in 0..<a.count { c[flat: i] = a[flat: i] * b[flat: i] }
    return c
  }

  /// y_i = s · x_i.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func scale<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, by s: T) -> Tensor<T> {
    var y = Tensor<T>.zeros(x.shape)
    for i in 0..<x.count { y[flat: i] = s * x[flat: i] }
    return y
  }

  /// c_i = a_i + s · b_i (an "axpy"; the product is rounded, then the sum: no fused multiply-add).
  /// - Precondition: a and b have the same shape.
  /// - Complexity: O(|a|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func addScaled<T: Real & BinaryFloatingPoint & Sendable>(_ a: Tensor<T>, _ b: Tensor<T>, scale s: T)
    -> Tensor<T>
  {
    checkElementwiseShapes("addScaled", a.shape, b.shape)
    var c = Tensor<T>.zeros(a.shape)
    for i in 0..<a.count { c[flat: i] = a[flat: i] + s * b[flat: i] }
    return c
  }
}

/// Precondition of the binary elementwise kernels: equal shapes (no broadcasting).
func checkElementwiseShapes(_ kernel: String, _ a: [Int], _ b: [Int]) {
  precondition(a == b, "\(kernel): shapes \(Shape.describe(a)) and \(Shape.describe(b)) differ (no broadcasting)")
}
