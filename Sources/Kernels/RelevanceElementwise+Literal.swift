import RealModule
import TensorCore

extension Literal {
  /// a − b, element by element. - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func subtract<T: Real & BinaryFloatingPoint & Sendable>(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T> {
    precondition(
      a.shape == b.shape, "subtract: shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) differ")
    var out = a
    for i in 0..<a.count { out.scalars[i] = a.scalars[i] - b.scalars[i] }
    return out
  }

  /// x⁺ = max(x, 0) (NaN stays NaN). - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func positivePart<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    var out = x
    for i in 0..<x.count where x.scalars[i] < 0 { out.scalars[i] = 0 }
    return out
  }

  /// x⁻ = min(x, 0) (NaN stays NaN). - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func negativePart<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    var out = x
    for i in 0..<x.count where x.scalars[i] > 0 { out.scalars[i] = 0 }
    return out
  }

  /// a / b, and 0 where b == 0: the convention of relevance rules, where a unit whose
  /// denominator vanishes (a dead unit) passes nothing down. - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func divideOrZero<T: Real & BinaryFloatingPoint & Sendable>(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T>
  {
    precondition(
      a.shape == b.shape, "divideOrZero: shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) differ")
    var out = a
    for i in 0..<a.count { out.scalars[i] = b.scalars[i] == 0 ? 0 : a.scalars[i] / b.scalars[i] }
    return out
  }

  /// z + ε·sign(z), sign(0) = +1: LRP-ε's stabiliser (Bach et al. 2015), which keeps the
  /// denominator at least ε away from zero. - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func stabilized<T: Real & BinaryFloatingPoint & Sendable>(_ z: Tensor<T>, epsilon: T) -> Tensor<T> {
    var out = z
    for i in 0..<z.count { out.scalars[i] = z.scalars[i] + (z.scalars[i] < 0 ? -epsilon : epsilon) }
    return out
  }

  /// Σ of all elements, left to right in row-major order. - Complexity: O(n).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func sum<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> T {
    var s: T = 0
    for v in x.scalars { s += v }
    return s
  }
}
