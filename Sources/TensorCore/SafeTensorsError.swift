/// Why a safetensors file could not be read or written.
///
/// Every reader check has its own case, so a test can assert which check fired and a user sees
/// what is wrong and where. Byte offsets called `offset` count from the start of the **file**
/// (the header's first byte is at offset 8); `data_offsets` values (`begin`, `end`) are relative
/// to the data buffer that follows the header, as in the format.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
  // MARK: Framing

  /// The file is shorter than the 8-byte header length.
  case fileTooSmall(size: Int)
  /// The declared header length is above the limit every reader enforces (100 000 000 bytes).
  case headerTooLarge(length: UInt64, limit: Int)
  /// The declared header length is longer than what follows the 8-byte length field.
  case headerExceedsFile(length: UInt64, available: Int)

  // MARK: Header text

  /// The header is not valid UTF-8; `offset` is the first byte of the bad sequence.
  case invalidUTF8(offset: Int)
  /// The header is not valid JSON (or ends early, or has something other than whitespace after
  /// the top-level object).
  case invalidJSON(offset: Int, reason: String)
  /// A key occurs twice in one JSON object (the top level, a tensor entry or `__metadata__`).
  /// Keys are compared as Swift strings, i.e. after Unicode canonical equivalence.
  case duplicateKey(key: String, offset: Int)
  /// A tensor entry is not an object `{"dtype", "shape", "data_offsets"}`: wrong JSON type, a
  /// missing or unexpected field, or `data_offsets` without exactly two values.
  case invalidEntry(name: String, offset: Int, reason: String)
  /// A number in `shape` or `data_offsets` is not a non-negative integer that fits in `Int`
  /// (`field` is e.g. `"shape[1]"`).
  case invalidInteger(name: String, field: String, offset: Int, reason: String)
  /// `__metadata__` is not an object whose values are all strings.
  case invalidMetadata(offset: Int, reason: String)
  /// A tensor's dtype is not one of the safetensors dtypes (names are case-sensitive).
  case unknownDType(name: String, dtype: String)

  // MARK: Layout

  /// The shape's element count, or its size in bits, overflows `Int`.
  case shapeOverflow(name: String, dtype: SafeTensorsDType, shape: [Int])
  /// A sub-byte dtype (F4, F6_*) whose element count does not fill whole bytes.
  case misalignedBits(name: String, dtype: SafeTensorsDType, shape: [Int], bits: Int)
  /// `end − begin` differs from element count × element size.
  case shapeByteCountMismatch(name: String, dtype: SafeTensorsDType, shape: [Int], expected: Int, actual: Int)
  /// `data_offsets` has `begin > end`.
  case reversedOffsets(name: String, begin: Int, end: Int)
  /// `data_offsets` reaches past the end of the data buffer (the file may be truncated).
  case offsetsOutOfBounds(name: String, begin: Int, end: Int, bufferSize: Int)
  /// Tensor `name` starts at `begin`, before the tensor `other` that precedes it in the buffer
  /// ends (at `otherEnd`).
  case overlap(name: String, begin: Int, other: String, otherEnd: Int)
  /// Bytes `begin..<end` of the data buffer belong to no tensor (`after`/`before` name the
  /// neighbouring tensors, `nil` at the start or end of the buffer).
  case gap(begin: Int, end: Int, after: String?, before: String?)

  // MARK: Content

  /// The file is valid but holds a dtype this library does not decode.
  case unsupportedDType(name: String, dtype: SafeTensorsDType)
  /// No tensor of that name.
  case tensorNotFound(name: String, available: [String])
  /// The tensor has a dtype the accessor does not accept (`expected` lists what it accepts).
  case wrongDType(name: String, dtype: SafeTensorsDType, expected: String)

  // MARK: Writing

  /// Two tensors with the same name (compared after Unicode canonical equivalence).
  case duplicateName(String)
  /// A tensor may not be called `__metadata__`.
  case reservedName(String)

  // MARK: Files

  /// Opening, reading or writing the file failed.
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case let .fileTooSmall(size):
      return "file is \(size) byte\(size == 1 ? "" : "s") long; a safetensors file starts with an 8-byte header length"
    case let .headerTooLarge(length, limit):
      return "declared header length \(length) bytes exceeds the limit of \(limit) bytes"
    case let .headerExceedsFile(length, available):
      return "declared header length \(length) bytes exceeds the \(available) bytes that follow the length field"
        + " (truncated file?)"
    case let .invalidUTF8(offset):
      return "header is not valid UTF-8: bad byte sequence at byte \(offset)"
    case let .invalidJSON(offset, reason):
      return "header is not valid JSON at byte \(offset): \(reason)"
    case let .duplicateKey(key, offset):
      return "duplicate key \(quoted(key)) at byte \(offset)"
    case let .invalidEntry(name, offset, reason):
      return "tensor \(quoted(name)) at byte \(offset): \(reason)"
    case let .invalidInteger(name, field, offset, reason):
      return "tensor \(quoted(name)): \(field) at byte \(offset) \(reason)"
    case let .invalidMetadata(offset, reason):
      return "__metadata__ at byte \(offset): \(reason)"
    case let .unknownDType(name, dtype):
      return "tensor \(quoted(name)) has unknown dtype \(quoted(dtype)); known dtypes are "
        + SafeTensorsDType.allCases.map(\.name).joined(separator: ", ")
    case let .shapeOverflow(name, dtype, shape):
      return "tensor \(quoted(name)): shape \(Shape.describe(shape)) of \(dtype) overflows the element or byte count"
    case let .misalignedBits(name, dtype, shape, bits):
      return "tensor \(quoted(name)): shape \(Shape.describe(shape)) of \(dtype) takes \(bits) bits,"
        + " which is not a whole number of bytes"
    case let .shapeByteCountMismatch(name, dtype, shape, expected, actual):
      return "tensor \(quoted(name)): shape \(Shape.describe(shape)) of \(dtype) needs \(expected) bytes,"
        + " but data_offsets span \(actual)"
    case let .reversedOffsets(name, begin, end):
      return "tensor \(quoted(name)): data_offsets [\(begin), \(end)] end before they begin"
    case let .offsetsOutOfBounds(name, begin, end, bufferSize):
      return "tensor \(quoted(name)): data_offsets [\(begin), \(end)] reach past the end of the \(bufferSize)-byte"
        + " data buffer (truncated file?)"
    case let .overlap(name, begin, other, otherEnd):
      return "tensor \(quoted(name)) starts at data offset \(begin), inside tensor \(quoted(other)),"
        + " which ends at \(otherEnd)"
    case let .gap(begin, end, after, before):
      let between: String
      switch (after, before) {
      case let (a?, b?): between = "between tensors \(quoted(a)) and \(quoted(b))"
      case let (a?, nil): between = "after the last tensor \(quoted(a))"
      case let (nil, b?): between = "before the first tensor \(quoted(b))"
      case (nil, nil): between = "and the header declares no tensors"
      }
      return "data bytes [\(begin), \(end)) belong to no tensor \(between); tensors must cover the buffer exactly"
    case let .unsupportedDType(name, dtype):
      return "dtype \(dtype) of tensor \(quoted(name)) is not supported (supported: "
        + SafeTensorsDType.allCases.filter(\.isSupported).map(\.name).joined(separator: ", ") + ")"
    case let .tensorNotFound(name, available):
      let list = available.prefix(20).map(quoted).joined(separator: ", ")
      return "no tensor named \(quoted(name)); the file holds \(available.count): \(list)"
        + (available.count > 20 ? ", …" : "")
    case let .wrongDType(name, dtype, expected):
      return "tensor \(quoted(name)) has dtype \(dtype); expected \(expected)"
    case let .duplicateName(name):
      return "two tensors are named \(quoted(name))"
    case let .reservedName(name):
      return "\(quoted(name)) is reserved for the metadata object and cannot name a tensor"
    case let .io(path, reason):
      return "\(path): \(reason)"
    }
  }
}

/// A name in double quotes with control characters escaped, shortened to its first 120
/// Unicode scalars (a hostile file can have a name of 100 MB), for error messages.
private func quoted(_ s: String) -> String {
  var out = "\""
  var shown = 0
  for u in s.unicodeScalars {
    if shown == 120 {
      out += "…"
      break
    }
    shown += 1
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case _ where u.value < 0x20 || u.value == 0x7F: out += "\\u{\(String(u.value, radix: 16))}"
    default: out.unicodeScalars.append(u)
    }
  }
  return out + "\""
}
