import TensorCore

/// Error bounds for comparing a `Fast` (Float) result with a `Literal` (Double) result
/// computed on the **same** inputs (the Float inputs converted exactly to Double).
///
/// The model (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1): a sum of
/// n products computed in floating point with unit roundoff u, in any order and with or
/// without fused multiply-adds, differs from the exact sum by at most γₙ·Σ|terms|, with
/// γₙ = n·u / (1 − n·u). The Double reference carries an error 2²⁹ times smaller, which the
/// bound absorbs. So a fast reduction is checked per element against
/// `γ_(n+extra) · magnitude`, where `magnitude` is Σ|terms| for that element, computed by
/// running the literal kernel on absolute values (for a convolution: conv(|x|, |w|) + |b|).
/// A transposed, shifted or mis-padded result is wrong by O(magnitude) and cannot pass.
public enum Tolerance {
  /// Unit roundoff of Float32: 2⁻²⁴.
  public static let floatUnitRoundoff = 0x1p-24

  /// γₙ for Float32.
  public static func gamma(_ n: Int) -> Double {
    let nu = Double(n) * floatUnitRoundoff
    precondition(nu < 0.5, "γ_\(n) is meaningless in Float32")
    return nu / (1 - nu)
  }

  /// Per-element bound γ_(terms + extraOperations) · magnitude.
  ///
  /// - Parameters:
  ///   - magnitude: Σ|terms| per output element (same shape as the output).
  ///   - terms: the number of terms each output element sums.
  ///   - extraOperations: further roundings per element (bias add, final scaling, …).
  public static func reduction(magnitude: Tensor<Double>, terms: Int, extraOperations: Int = 2) -> Tensor<Double> {
    let g = gamma(terms + extraOperations)
    return magnitude.map { g * $0 }
  }

  /// Per-element bound for an elementwise operation accurate to `ulps` units in the last
  /// place of Float (k·u·|reference|), plus the smallest normal Float so that results
  /// that underflow compare as equal.
  public static func elementwise(reference: Tensor<Double>, ulps: Double) -> Tensor<Double> {
    reference.map { ulps * floatUnitRoundoff * abs($0) + Double(Float.leastNormalMagnitude) }
  }

  /// The same bound for every element.
  public static func uniform(_ value: Double, like reference: Tensor<Double>) -> Tensor<Double> {
    Tensor(shape: reference.shape, repeating: value)
  }
}

/// The result of comparing two tensors element by element against a bound.
public struct Comparison: CustomStringConvertible {
  /// Largest |a − b| / bound over all elements (≤ 1 means within tolerance).
  public var worstRatio: Double
  /// Flat index of the worst element.
  public var worstIndex: Int
  public var worstA: Double
  public var worstB: Double
  public var worstBound: Double
  public var shape: [Int]
  /// Why the shapes could not be compared, if they could not.
  public var shapeProblem: String?

  public var passed: Bool { shapeProblem == nil && worstRatio <= 1 }

  public var description: String {
    if let p = shapeProblem { return p }
    let idx = Shape.strides(shape).reduce(into: ([Int](), worstIndex)) { acc, s in
      acc.0.append(acc.1 / s)
      acc.1 %= s
    }.0
    return "worst element \(idx) of \(Shape.describe(shape)): \(worstA) vs \(worstB), "
      + "|diff| = \(abs(worstA - worstB)), bound \(worstBound) (ratio \(worstRatio))"
  }
}

/// Compares `actual` with `expected` against a per-element `bound`. NaN anywhere in either
/// tensor fails unless both are NaN at the same place.
public func compare(_ actual: Tensor<Double>, _ expected: Tensor<Double>, bound: Tensor<Double>) -> Comparison {
  var c = Comparison(
    worstRatio: 0, worstIndex: 0, worstA: 0, worstB: 0, worstBound: 0, shape: expected.shape, shapeProblem: nil)
  guard actual.shape == expected.shape, bound.shape == expected.shape else {
    c.shapeProblem =
      "shapes differ: actual \(Shape.describe(actual.shape)), expected \(Shape.describe(expected.shape)), "
      + "bound \(Shape.describe(bound.shape))"
    return c
  }
  for i in 0..<expected.count {
    let a = actual.scalars[i], b = expected.scalars[i], t = bound.scalars[i]
    let ratio: Double
    if a.isNaN && b.isNaN {
      ratio = 0
    } else if a.isNaN || b.isNaN {
      ratio = .infinity
    } else if a == b {
      ratio = 0
    } else {
      let d = abs(a - b)
      ratio = t > 0 ? d / t : .infinity
    }
    if ratio > c.worstRatio || (ratio.isNaN) {
      c.worstRatio = ratio.isNaN ? .infinity : ratio
      c.worstIndex = i
      c.worstA = a
      c.worstB = b
      c.worstBound = t
    }
  }
  return c
}

/// Compares a Float result with a Double reference.
public func compare(_ actual: Tensor<Float>, _ expected: Tensor<Double>, bound: Tensor<Double>) -> Comparison {
  compare(Tensor<Double>(converting: actual), expected, bound: bound)
}
