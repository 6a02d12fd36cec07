/// A tensor entry as written in the header, before the layout checks.
struct SafeTensorsRawEntry: Equatable {
  var name: String
  var dtype: SafeTensorsDType
  var shape: [Int]
  var begin: Int
  var end: Int
  /// File offset of the entry's key, for messages.
  var offset: Int
}

/// The header's content as parsed, before the layout checks.
struct SafeTensorsParsedHeader: Equatable {
  /// Tensor entries in header order.
  var entries: [SafeTensorsRawEntry]
  var metadata: [String: String]
}

/// A strict, schema-directed JSON parser for safetensors headers (RFC 8259 syntax).
///
/// It does not build a general JSON tree: it reads exactly the shape the format allows — one
/// object whose values are tensor entries `{"dtype": string, "shape": [int…], "data_offsets":
/// [int, int]}` or the `"__metadata__"` object of strings (or `null`) — and rejects anything else
/// at the first byte that does not fit. Hence:
/// - nesting is bounded by construction (3 levels: header object, entry object, integer array);
///   no recursion, so `[[[[…` of any depth fails at its first `[` with no stack growth;
/// - memory is O(header length): strings are copied once, integers are stored as `Int`;
/// - duplicate keys in any object are errors (RFC 8259 leaves them undefined; Foundation's
///   JSONSerialization and serde_json maps keep the last one);
/// - integers are only accepted where the schema requires them and only as plain non-negative
///   decimal integers that fit in `Int` (`1.5`, `1e3`, `2.0`, `-2`, `-0`, 2⁶³ are errors);
/// - strings must close, escapes must be one of `\" \\ \/ \b \f \n \r \t \uXXXX`, `\u` surrogates
///   must pair (high then low), raw control characters (< U+0020) are rejected;
/// - after the object only JSON whitespace (space, tab, LF, CR) may follow — the reference
///   writer pads with spaces; the reference reader also accepts the other three.
///
/// The input must already be valid UTF-8 (checked by `UTF8Validation` first), so bytes inside
/// strings are copied as they are.
struct SafeTensorsHeaderParser {
  private let text: [UInt8]
  private var i = 0
  /// File offset of `text[0]`, added to every reported offset.
  private let base: Int

  private init(text: [UInt8], base: Int) {
    self.text = text
    self.base = base
  }

  /// Parses a complete header.
  /// - Parameter fileOffset: where `text` starts in the file (8), for error offsets.
  /// - Complexity: O(text.count).
  static func parse(_ text: [UInt8], fileOffset: Int) throws(SafeTensorsError) -> SafeTensorsParsedHeader {
    var parser = SafeTensorsHeaderParser(text: text, base: fileOffset)
    return try parser.parseHeader()
  }

  // MARK: Grammar

  private mutating func parseHeader() throws(SafeTensorsError) -> SafeTensorsParsedHeader {
    skipWhitespace()
    guard peek() == UInt8(ascii: "{") else {
      throw syntax("the header must be a JSON object starting with '{', found \(describeHere())")
    }
    i += 1
    var entries: [SafeTensorsRawEntry] = []
    var metadata: [String: String] = [:]
    var seen = Set<String>()
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      i += 1
    } else {
      while true {
        skipWhitespace()
        let keyOffset = i
        guard peek() == UInt8(ascii: "\"") else {
          throw syntax("expected a tensor name (a string) as object key, found \(describeHere())")
        }
        let key = try parseString()
        guard seen.insert(key).inserted else { throw .duplicateKey(key: key, offset: base + keyOffset) }
        try expectColon(after: key)
        if key.utf8.elementsEqual("__metadata__".utf8) {
          metadata = try parseMetadata()
        } else {
          entries.append(try parseEntry(name: key, keyOffset: keyOffset))
        }
        if try endsAfterSeparator("}", in: "after the value of key \(describe(key))") { break }
      }
    }
    skipWhitespace()
    guard i == text.count else {
      throw syntax("found \(describeHere()) after the header object; only whitespace may follow it")
    }
    return SafeTensorsParsedHeader(entries: entries, metadata: metadata)
  }

  /// `null` (no metadata) or `{ "key": "value", … }`.
  private mutating func parseMetadata() throws(SafeTensorsError) -> [String: String] {
    skipWhitespace()
    let start = i
    if matchLiteral("null") { return [:] }
    try requireValueStart()
    guard peek() == UInt8(ascii: "{") else {
      throw .invalidMetadata(offset: base + start, reason: "must be an object of strings, found \(describeHere())")
    }
    i += 1
    var result: [String: String] = [:]
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      i += 1
      return result
    }
    while true {
      skipWhitespace()
      let keyOffset = i
      guard peek() == UInt8(ascii: "\"") else {
        throw syntax("expected a metadata key (a string), found \(describeHere())")
      }
      let key = try parseString()
      guard result[key] == nil else { throw .duplicateKey(key: key, offset: base + keyOffset) }
      try expectColon(after: key)
      skipWhitespace()
      try requireValueStart()
      guard peek() == UInt8(ascii: "\"") else {
        throw .invalidMetadata(
          offset: base + i, reason: "the value of key \(describe(key)) must be a string, found \(describeHere())")
      }
      result[key] = try parseString()
      if try endsAfterSeparator("}", in: "in __metadata__") { return result }
    }
  }

  /// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}` with the fields in any order.
  private mutating func parseEntry(name: String, keyOffset: Int) throws(SafeTensorsError) -> SafeTensorsRawEntry {
    skipWhitespace()
    try requireValueStart()
    guard peek() == UInt8(ascii: "{") else {
      throw .invalidEntry(
        name: name, offset: base + i,
        reason: "expected an object {\"dtype\", \"shape\", \"data_offsets\"}, found \(describeHere())")
    }
    i += 1
    var dtype: SafeTensorsDType?
    var shape: [Int]?
    var offsets: [Int]?
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      i += 1
    } else {
      while true {
        skipWhitespace()
        let fieldOffset = i
        guard peek() == UInt8(ascii: "\"") else {
          throw syntax("expected a field name (a string) in the entry of \(describe(name)), found \(describeHere())")
        }
        let field = try parseString()
        try expectColon(after: field)
        skipWhitespace()
        let duplicate: Bool
        switch field {
        case _ where field.utf8.elementsEqual("dtype".utf8):
          duplicate = dtype != nil
          if !duplicate { dtype = try parseDType(name: name) }
        case _ where field.utf8.elementsEqual("shape".utf8):
          duplicate = shape != nil
          if !duplicate { shape = try parseIntegerArray(name: name, field: "shape") }
        case _ where field.utf8.elementsEqual("data_offsets".utf8):
          duplicate = offsets != nil
          if !duplicate {
            let start = i
            let values = try parseIntegerArray(name: name, field: "data_offsets")
            guard values.count == 2 else {
              throw .invalidEntry(
                name: name, offset: base + start,
                reason: "data_offsets must hold exactly two integers [begin, end], found \(values.count)")
            }
            offsets = values
          }
        default:
          throw .invalidEntry(
            name: name, offset: base + fieldOffset,
            reason: "unexpected field \(describe(field)); an entry has exactly dtype, shape and data_offsets")
        }
        if duplicate { throw .duplicateKey(key: field, offset: base + fieldOffset) }
        if try endsAfterSeparator("}", in: "in the entry of \(describe(name))") { break }
      }
    }
    var missing: [String] = []
    if dtype == nil { missing.append("dtype") }
    if shape == nil { missing.append("shape") }
    if offsets == nil { missing.append("data_offsets") }
    guard let dtype, let shape, let offsets, offsets.count == 2 else {
      throw .invalidEntry(
        name: name, offset: base + keyOffset, reason: "missing field \(missing.joined(separator: " and "))")
    }
    return SafeTensorsRawEntry(
      name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1], offset: base + keyOffset)
  }

  private mutating func parseDType(name: String) throws(SafeTensorsError) -> SafeTensorsDType {
    try requireValueStart()
    guard peek() == UInt8(ascii: "\"") else {
      throw .invalidEntry(name: name, offset: base + i, reason: "dtype must be a string, found \(describeHere())")
    }
    let spelled = try parseString()
    guard let dtype = SafeTensorsDType(name: spelled) else { throw .unknownDType(name: name, dtype: spelled) }
    return dtype
  }

  /// `[]` or `[n, n, …]` of non-negative integers.
  private mutating func parseIntegerArray(name: String, field: String) throws(SafeTensorsError) -> [Int] {
    try requireValueStart()
    guard peek() == UInt8(ascii: "[") else {
      throw .invalidEntry(
        name: name, offset: base + i,
        reason: "\(field) must be an array of non-negative integers, found \(describeHere())")
    }
    i += 1
    var values: [Int] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      i += 1
      return values
    }
    while true {
      skipWhitespace()
      values.append(try parseInteger(name: name, field: "\(field)[\(values.count)]"))
      if try endsAfterSeparator("]", in: "in \(field) of \(describe(name))") { return values }
    }
  }

  /// A JSON number that must be a plain non-negative integer ≤ `Int.max`.
  private mutating func parseInteger(name: String, field: String) throws(SafeTensorsError) -> Int {
    let start = i
    try requireValueStart()
    guard let first = peek(), first == UInt8(ascii: "-") || isDigit(first) else {
      throw .invalidEntry(
        name: name, offset: base + i, reason: "\(field) must be a non-negative integer, found \(describeHere())")
    }
    // Scan the whole number by the JSON grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
    let negative = first == UInt8(ascii: "-")
    if negative { i += 1 }
    guard let lead = peek(), isDigit(lead) else {
      throw syntax("expected a digit after '-', found \(describeHere())")
    }
    var value: UInt64 = 0
    var overflow = false
    if lead == UInt8(ascii: "0") {
      i += 1
      if let next = peek(), isDigit(next) { throw syntax("numbers may not have leading zeros") }
    } else {
      while let d = peek(), isDigit(d) {
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
        overflow = overflow || o1 || o2
        value = sum
        i += 1
      }
    }
    var fractional = false
    if peek() == UInt8(ascii: ".") {
      i += 1
      guard let d = peek(), isDigit(d) else { throw syntax("expected a digit after '.', found \(describeHere())") }
      while let d = peek(), isDigit(d) { i += 1 }
      fractional = true
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      i += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
      guard let d = peek(), isDigit(d) else {
        throw syntax("expected a digit in the exponent, found \(describeHere())")
      }
      while let d = peek(), isDigit(d) { i += 1 }
      fractional = true
    }
    let token = excerpt(from: start)
    if fractional {
      throw .invalidInteger(
        name: name, field: field, offset: base + start, reason: "is \(token), which is not written as an integer")
    }
    if negative {
      throw .invalidInteger(name: name, field: field, offset: base + start, reason: "is \(token), which is negative")
    }
    guard !overflow, value <= UInt64(Int.max) else {
      throw .invalidInteger(
        name: name, field: field, offset: base + start, reason: "is \(token), which exceeds \(Int.max)")
    }
    return Int(value)
  }

  /// A string starting at the current `"`; returns its unescaped value.
  private mutating func parseString() throws(SafeTensorsError) -> String {
    let start = i
    i += 1  // opening quote (checked by the caller)
    var bytes: [UInt8] = []
    while true {
      guard let b = peek() else {
        throw .invalidJSON(offset: base + start, reason: "unterminated string")
      }
      if b == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: bytes, as: UTF8.self)
      }
      if b < 0x20 {
        throw syntax("raw control character U+\(hex(UInt32(b), digits: 4)) in a string (it must be escaped)")
      }
      if b != UInt8(ascii: "\\") {
        bytes.append(b)
        i += 1
        continue
      }
      let escapeStart = i
      i += 1
      guard let e = peek() else { throw .invalidJSON(offset: base + start, reason: "unterminated string") }
      i += 1
      switch e {
      case UInt8(ascii: "\""): bytes.append(0x22)
      case UInt8(ascii: "\\"): bytes.append(0x5C)
      case UInt8(ascii: "/"): bytes.append(0x2F)
      case UInt8(ascii: "b"): bytes.append(0x08)
      case UInt8(ascii: "f"): bytes.append(0x0C)
      case UInt8(ascii: "n"): bytes.append(0x0A)
      case UInt8(ascii: "r"): bytes.append(0x0D)
      case UInt8(ascii: "t"): bytes.append(0x09)
      case UInt8(ascii: "u"):
        let unit = try parseHex4(escapeStart: escapeStart)
        var scalarValue = UInt32(unit)
        if (0xDC00...0xDFFF).contains(unit) {
          throw .invalidJSON(
            offset: base + escapeStart, reason: "\\u\(hex(UInt32(unit), digits: 4)) is a lone low surrogate")
        }
        if (0xD800...0xDBFF).contains(unit) {
          let lowStart = i
          guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
            throw .invalidJSON(
              offset: base + escapeStart,
              reason: "\\u\(hex(UInt32(unit), digits: 4)) is a high surrogate not followed by a \\u low surrogate")
          }
          i += 2
          let low = try parseHex4(escapeStart: lowStart)
          guard (0xDC00...0xDFFF).contains(low) else {
            throw .invalidJSON(
              offset: base + lowStart,
              reason: "\\u\(hex(UInt32(unit), digits: 4)) is followed by \\u\(hex(UInt32(low), digits: 4)),"
                + " which is not a low surrogate")
          }
          scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        }
        // Surrogates are handled above, so the value is a scalar.
        if let scalar = Unicode.Scalar(scalarValue) {
          bytes.append(contentsOf: scalar.utf8)
        }
      default:
        throw .invalidJSON(offset: base + escapeStart, reason: "invalid escape \\\(describeByte(e))")
      }
    }
  }

  /// Four hex digits after `\u`.
  private mutating func parseHex4(escapeStart: Int) throws(SafeTensorsError) -> UInt16 {
    var value: UInt16 = 0
    for _ in 0..<4 {
      guard let h = peek(), let d = hexValue(h) else {
        throw .invalidJSON(offset: base + escapeStart, reason: "\\u must be followed by four hex digits")
      }
      value = value << 4 | UInt16(d)
      i += 1
    }
    return value
  }

  /// Throws `.invalidJSON` unless a JSON value starts here, so that a schema error (a value of
  /// the wrong type) is only reported for input that is JSON at that point.
  private func requireValueStart() throws(SafeTensorsError) {
    guard let b = peek() else { throw syntax("expected a value, found the end of the header") }
    switch b {
    case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"), 0x30...0x39: return
    case UInt8(ascii: "t") where matchesAhead("true"), UInt8(ascii: "f") where matchesAhead("false"),
      UInt8(ascii: "n") where matchesAhead("null"):
      return
    default: throw syntax("expected a value, found \(describeHere())")
    }
  }

  private mutating func expectColon(after key: String) throws(SafeTensorsError) {
    skipWhitespace()
    guard peek() == UInt8(ascii: ":") else {
      throw syntax("expected ':' after key \(describe(key)), found \(describeHere())")
    }
    i += 1
  }

  // MARK: Lexical helpers

  private func peek(_ ahead: Int = 0) -> UInt8? {
    let j = i + ahead
    return j < text.count ? text[j] : nil
  }

  private mutating func skipWhitespace() {
    while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
  }

  private mutating func matchLiteral(_ literal: StaticString) -> Bool {
    let n = literal.utf8CodeUnitCount
    guard text.count - i >= n else { return false }
    let matches = literal.withUTF8Buffer { lit in
      var k = 0
      while k < n {
        if text[i + k] != lit[k] { return false }
        k += 1
      }
      return true
    }
    if matches { i += n }
    return matches
  }

  private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

  private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
  }

  /// After a member or element: skips whitespace, then consumes ',' (false: another follows)
  /// or `close` (true: the object or array ends); anything else is a syntax error naming
  /// `context`.
  private mutating func endsAfterSeparator(_ close: Unicode.Scalar, in context: String) throws(SafeTensorsError) -> Bool
  {
    skipWhitespace()
    if peek() == UInt8(ascii: ",") {
      i += 1
      return false
    }
    if peek() == UInt8(ascii: close) {
      i += 1
      return true
    }
    throw syntax("expected ',' or '\(close)' \(context), found \(describeHere())")
  }

  private func syntax(_ reason: String) -> SafeTensorsError { .invalidJSON(offset: base + i, reason: reason) }

  /// What sits at the current position, in words: "a string", "an array", "the end of the header"….
  private func describeHere() -> String {
    guard let b = peek() else { return "the end of the header" }
    switch b {
    case UInt8(ascii: "\""): return "a string"
    case UInt8(ascii: "{"): return "an object"
    case UInt8(ascii: "["): return "an array"
    case UInt8(ascii: "-"), 0x30...0x39: return "the number \(excerptNumber())"
    case UInt8(ascii: "t") where matchesAhead("true"), UInt8(ascii: "f") where matchesAhead("false"):
      return "a boolean"
    case UInt8(ascii: "n") where matchesAhead("null"): return "null"
    default: return describeByte(b)
    }
  }

  private func matchesAhead(_ word: String) -> Bool {
    var k = 0
    for u in word.utf8 {
      if peek(k) != u { return false }
      k += 1
    }
    return true
  }

  private func describeByte(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return "byte 0x\(hex(UInt32(b), digits: 2))"
  }

  private func excerptNumber() -> String {
    var j = i
    while j < text.count, j - i < 32,
      (text[j] >= 0x30 && text[j] <= 0x39) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains(text[j])
    {
      j += 1
    }
    return String(decoding: text[i..<j], as: UTF8.self)
  }

  /// The text from `start` to the current position, shortened to 40 bytes.
  private func excerpt(from start: Int) -> String {
    let end = min(i, start + 40)
    return String(decoding: text[start..<end], as: UTF8.self) + (i > end ? "…" : "")
  }

  private func describe(_ key: String) -> String {
    let short = key.count > 60 ? String(key.prefix(60)) + "…" : key
    return "\"\(short)\""
  }

  private func hex(_ v: UInt32, digits: Int) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }
}
