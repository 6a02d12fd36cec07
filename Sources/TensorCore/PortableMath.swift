/// Elementary functions written with `+ − × ÷` only, so that their results are the same
/// bits on every IEEE-754 machine and every C library.
///
/// Why: platform `log`/`sin` differ in the last ulp between glibc, macOS and musl, and the
/// seeded random numbers, the synthetic benchmark clips and every golden vector derived from
/// them must be identical everywhere. Each function uses a fixed argument reduction and a
/// fixed polynomial evaluated in a fixed order; accuracy is a few ulps (tests check against
/// the platform functions to 4e-16 relative), which is plenty for sampling and drawing. They
/// are not used on numerical hot paths.
public enum PortableMath {
  // ln 2 split so that n·ln2Hi is exact for |n| < 2^20 (Cody & Waite).
  @usableFromInline static let ln2Hi = 6.93147180369123816490e-01
  @usableFromInline static let ln2Lo = 1.90821492927058770002e-10
  // π/2 in three parts for the same purpose.
  @usableFromInline static let halfPi1 = 1.57079632673412561417e+00
  @usableFromInline static let halfPi2 = 6.07710050650619224932e-11
  @usableFromInline static let halfPi3 = 2.02226624879595063154e-21
  /// 2/π.
  @usableFromInline static let twoOverPi = 6.36619772367581382433e-01

  /// Natural logarithm of `x`.
  ///
  /// x = m·2ᵉ with m ∈ [√½, √2); log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.1716, summed
  /// as 2(s + s³/3 + … + s²³/23) (the next term is below 2⁻⁵⁶ of the first);
  /// log x = e·ln2 + log m. NaN for x < 0 or NaN, −∞ for 0, +∞ for +∞.
  public static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return .infinity }
    // Swift's exponent/significand normalise subnormals too: m ∈ [1, 2).
    var e = Int(x.exponent)
    var m = x.significand
    if m > 1.4142135623730951 {
      m *= 0.5
      e += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    // Horner on the odd series, highest term first.
    var p = 1.0 / 23.0
    var k = 21.0
    while k >= 1 {
      p = p * s2 + 1.0 / k
      k -= 2
    }
    let logM = 2 * s * p
    let ed = Double(e)
    return ed * ln2Hi + (ed * ln2Lo + logM)
  }

  /// eˣ.
  ///
  /// n = round(x/ln2), r = x − n·ln2 (two-part constant), |r| ≤ ln2/2; eʳ by its Taylor
  /// polynomial to degree 14 (remainder < 2⁻⁶⁰); result r·2ⁿ. Overflows to +∞ above 709.78,
  /// underflows to 0 below −745.2.
  public static func exp(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    if x > 709.782712893384 { return .infinity }
    if x < -745.2 { return 0 }
    let n = (x / ln2Hi).rounded(.toNearestOrEven)
    let r = (x - n * ln2Hi) - n * ln2Lo
    var p = 1.0
    var k = 14.0
    while k >= 1 {
      p = 1 + p * r / k
      k -= 1
    }
    return scale(p, by: Int(n))
  }

  /// sin x for |x| ≤ 2²⁰ (beyond that the three-part reduction loses bits; precondition).
  public static func sin(_ x: Double) -> Double {
    let (q, r) = reduceHalfPi(x)
    switch q & 3 {
    case 0: return sinPoly(r)
    case 1: return cosPoly(r)
    case 2: return -sinPoly(r)
    default: return -cosPoly(r)
    }
  }

  /// cos x for |x| ≤ 2²⁰.
  public static func cos(_ x: Double) -> Double {
    let (q, r) = reduceHalfPi(x)
    switch q & 3 {
    case 0: return cosPoly(r)
    case 1: return -sinPoly(r)
    case 2: return -cosPoly(r)
    default: return sinPoly(r)
    }
  }

  /// x = q·π/2 + r with |r| ≤ π/4.
  @usableFromInline
  static func reduceHalfPi(_ x: Double) -> (Int, Double) {
    precondition(x.isFinite && abs(x) <= 1_048_576, "PortableMath sin/cos argument \(x) outside ±2^20")
    let q = (x * twoOverPi).rounded(.toNearestOrEven)
    let r = ((x - q * halfPi1) - q * halfPi2) - q * halfPi3
    return (Int(q), r)
  }

  /// Taylor polynomial of sin on [−π/4, π/4] to degree 19 (remainder < 1e-20).
  @usableFromInline
  static func sinPoly(_ r: Double) -> Double {
    let r2 = r * r
    var p = 1.0
    var k = 19.0
    while k >= 3 {
      p = 1 - p * r2 / (k * (k - 1))
      k -= 2
    }
    return r * p
  }

  /// Taylor polynomial of cos on [−π/4, π/4] to degree 20.
  @usableFromInline
  static func cosPoly(_ r: Double) -> Double {
    let r2 = r * r
    var p = 1.0
    var k = 20.0
    while k >= 2 {
      p = 1 - p * r2 / (k * (k - 1))
      k -= 2
    }
    return p
  }

  /// x·2ⁿ, exact unless the result leaves the normal range.
  @usableFromInline
  static func scale(_ x: Double, by n: Int) -> Double {
    var v = x
    var e = n
    // Apply in steps that keep each factor a normal power of two.
    while e > 1000 { v *= 0x1p1000; e -= 1000 }
    while e < -1000 { v *= 0x1p-1000; e += 1000 }
    return v * Double(sign: .plus, exponent: e, significand: 1)
  }
}
