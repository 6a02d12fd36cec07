/// Exact widening of the 16-bit floating-point formats safetensors files carry.
///
/// Both are subsets of binary32, so the conversions are exact; NaN payloads are kept (shifted
/// into the wider significand), signs of zeros and infinities are kept.
public enum HalfPrecision {
  /// IEEE 754 binary16 (1 sign, 5 exponent bits biased by 15, 10 significand bits) → `Float`.
  ///
  /// Normal: (−1)ˢ·2^(e−15)·(1 + m/2¹⁰) becomes exponent e − 15 + 127 and significand m·2¹³;
  /// subnormal (e = 0, m ≠ 0): (−1)ˢ·2⁻¹⁴·m/2¹⁰, computed exactly as m·2⁻²⁴;
  /// e = 31: infinity (m = 0) or NaN (payload m·2¹³).
  /// - Complexity: O(1).
  public static func float(binary16 bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)
    switch exponent {
    case 0:
      // Zero or subnormal: m·2⁻²⁴ is exact in Float (m < 2¹⁰).
      let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
      return sign == 0 ? magnitude : -magnitude
    case 0x1F:
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
      return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
    }
  }

  /// bfloat16 (the upper 16 bits of a binary32) → `Float`.
  /// - Complexity: O(1).
  public static func float(bfloat16 bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }
}
