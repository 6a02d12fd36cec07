/// Strict UTF-8 validation that reports where the first bad sequence starts.
///
/// Accepts exactly the well-formed sequences of Unicode §3.9 table 3-7: no overlong forms,
/// no surrogates (U+D800…U+DFFF), nothing above U+10FFFF, no truncated sequence at the end.
enum UTF8Validation {
  /// Index of the first byte of the first ill-formed sequence, or `nil` if `bytes` is valid.
  /// - Complexity: O(n).
  static func firstInvalidIndex(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
      let b0 = bytes[i]
      if b0 < 0x80 {
        i += 1
        continue
      }
      // Allowed range of the second byte and the sequence length, by lead byte.
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch b0 {
      case 0xC2...0xDF: length = 2
      case 0xE0: length = 3; low = 0xA0  // no overlong 3-byte forms
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED: length = 3; high = 0x9F  // no surrogates
      case 0xF0: length = 4; low = 0x90  // no overlong 4-byte forms
      case 0xF1...0xF3: length = 4
      case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
      default: return i  // continuation byte, C0, C1 or F5…FF as a lead byte
      }
      guard n - i >= length else { return i }
      let b1 = bytes[i + 1]
      guard b1 >= low && b1 <= high else { return i }
      var k = 2
      while k < length {
        guard bytes[i + k] & 0xC0 == 0x80 else { return i }
        k += 1
      }
      i += length
    }
    return nil
  }
}
