import Foundation
import TensorCore
import Testing

/// Each malformed input is refused with the specific error case of the check that catches it.
@Suite("SafeTensors reader refuses malformed files with a specific error")
struct SafeTensorsMalformedTests {
  typealias E = SafeTensorsError
  static let f32x2 = STHelpers.bytes([1, 2] as [Float])
  static func entry(_ name: String = "a", dtype: String = "F32", shape: String = "[2]", offsets: String = "[0,8]")
    -> String
  {
    #"{"\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}}"#
  }
  static let valid = STHelpers.file(entry(), data: f32x2)

  /// The error for a header text (with the given data), asserting the read fails.
  func error(_ header: String, data: [UInt8] = [], sourceLocation: SourceLocation = #_sourceLocation) -> E? {
    let e = STHelpers.readError(STHelpers.file(header, data: data))
    if e == nil { Issue.record("accepted: \(header.prefix(200))", sourceLocation: sourceLocation) }
    return e
  }

  @Test("the valid base case used below is accepted")
  func baseCaseIsValid() throws {
    #expect(STHelpers.readError(Self.valid) == nil)
    #expect(try SafeTensors.read(bytes: Self.valid).float32(named: "a").scalars == [1, 2])
  }

  @Test("files shorter than 8 bytes, cut inside the header, or cut inside the data")
  func truncated() {
    for n in 0..<8 { #expect(STHelpers.readError(Array(Self.valid.prefix(n))) == .fileTooSmall(size: n)) }
    let headerLength = Self.valid.count - 16
    for cut in [9, 20, 8 + headerLength - 1] {
      #expect(
        STHelpers.readError(Array(Self.valid.prefix(cut)))
          == .headerExceedsFile(length: UInt64(headerLength), available: cut - 8))
    }
    for missing in 1...8 {
      #expect(
        STHelpers.readError(Array(Self.valid.dropLast(missing)))
          == .offsetsOutOfBounds(name: "a", begin: 0, end: 8, bufferSize: 8 - missing))
    }
  }

  @Test("absurd header lengths are refused before anything is allocated")
  func absurdHeaderLength() {
    let body = Array(Self.valid.dropFirst(8))
    func withLength(_ n: UInt64) -> E? { STHelpers.readError(STHelpers.littleEndian(n) + body) }
    #expect(withLength(1 << 63) == .headerTooLarge(length: 1 << 63, limit: 100_000_000))
    #expect(withLength(.max) == .headerTooLarge(length: .max, limit: 100_000_000))
    #expect(withLength(100_000_001) == .headerTooLarge(length: 100_000_001, limit: 100_000_000))
    #expect(withLength(100_000_000) == .headerExceedsFile(length: 100_000_000, available: body.count))
    #expect(
      withLength(UInt64(body.count) + 1) == .headerExceedsFile(length: UInt64(body.count) + 1, available: body.count))
    // The whole rest of the file as header: the data's bytes (00 00 80 3F …) follow the JSON, and
    // 0x80 at data byte 2 is not UTF-8.
    #expect(withLength(UInt64(body.count)) == .invalidUTF8(offset: 8 + (body.count - 8) + 2))
    guard case .invalidJSON = withLength(0) else { Issue.record("empty header accepted"); return }
  }

  @Test("offsets past the end, overlapping, with gaps, or reversed")
  func badOffsets() {
    #expect(
      error(Self.entry(shape: "[4]", offsets: "[0,16]"), data: Self.f32x2)
        == .offsetsOutOfBounds(name: "a", begin: 0, end: 16, bufferSize: 8))
    // A consistent declaration of 4 TiB in a tiny file is refused before anything is allocated.
    #expect(
      error(Self.entry(shape: "[1099511627776]", offsets: "[0,4398046511104]"), data: Self.f32x2)
        == .offsetsOutOfBounds(name: "a", begin: 0, end: 1 << 42, bufferSize: 8))
    #expect(
      error(Self.entry(shape: "[0]", offsets: "[9,9]"), data: Self.f32x2)
        == .offsetsOutOfBounds(name: "a", begin: 9, end: 9, bufferSize: 8))
    let overlapping =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
    #expect(error(overlapping, data: Self.f32x2 + Self.f32x2) == .overlap(name: "b", begin: 4, other: "a", otherEnd: 8))
    let same =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    #expect(error(same, data: Self.f32x2) == .overlap(name: "b", begin: 0, other: "a", otherEnd: 8))
    let emptyInside =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#
    #expect(error(emptyInside, data: Self.f32x2) == .overlap(name: "b", begin: 4, other: "a", otherEnd: 8))
    let gap =
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
    #expect(error(gap, data: Self.f32x2 + [0, 0, 0, 0]) == .gap(begin: 4, end: 8, after: "a", before: "b"))
    #expect(
      error(Self.entry(shape: "[1]", offsets: "[4,8]"), data: Self.f32x2)
        == .gap(begin: 0, end: 4, after: nil, before: "a"))
    #expect(error(Self.entry(), data: Self.f32x2 + [0]) == .gap(begin: 8, end: 9, after: "a", before: nil))
    #expect(error("{}", data: [1, 2, 3]) == .gap(begin: 0, end: 3, after: nil, before: nil))
    #expect(
      error(Self.entry(shape: "[0]", offsets: "[8,0]"), data: Self.f32x2)
        == .reversedOffsets(name: "a", begin: 8, end: 0))
  }

  @Test("unknown dtypes, and shapes that disagree with the byte count or overflow")
  func badDTypeAndShape() {
    #expect(error(Self.entry(dtype: "F33"), data: Self.f32x2) == .unknownDType(name: "a", dtype: "F33"))
    #expect(error(Self.entry(dtype: "f32"), data: Self.f32x2) == .unknownDType(name: "a", dtype: "f32"))
    #expect(error(Self.entry(dtype: ""), data: Self.f32x2) == .unknownDType(name: "a", dtype: ""))
    #expect(
      error(Self.entry(shape: "[3]"), data: Self.f32x2)
        == .shapeByteCountMismatch(name: "a", dtype: .f32, shape: [3], expected: 12, actual: 8))
    #expect(
      error(Self.entry(dtype: "F64"), data: Self.f32x2)
        == .shapeByteCountMismatch(name: "a", dtype: .f64, shape: [2], expected: 16, actual: 8))
    #expect(
      error(Self.entry(shape: "[1099511627776,1099511627776]"), data: Self.f32x2)
        == .shapeOverflow(name: "a", dtype: .f32, shape: [1 << 40, 1 << 40]))
    #expect(
      error(Self.entry(shape: "[2305843009213693952]", offsets: "[0,8]"), data: Self.f32x2)
        == .shapeOverflow(name: "a", dtype: .f32, shape: [1 << 61]))
    // Empty, but its strides would overflow: refused (the reference would accept it).
    #expect(
      error(Self.entry(shape: "[0,4611686018427387904,4]", offsets: "[0,0]"))
        == .shapeOverflow(name: "a", dtype: .f32, shape: [0, 1 << 62, 4]))
    #expect(STHelpers.readError(STHelpers.file(Self.entry(shape: "[4611686018427387904,0]", offsets: "[0,0]"))) == nil)
    #expect(
      error(Self.entry(dtype: "F4", shape: "[3]", offsets: "[0,2]"), data: [0, 0])
        == .misalignedBits(name: "a", dtype: .f4, shape: [3], bits: 12))
  }

  @Test("negative, fractional, exponent and too large numbers where integers are required")
  func badIntegers() {
    func expectInteger(
      _ shape: String, _ offsets: String = "[0,8]", field: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
      let e = error(Self.entry(shape: shape, offsets: offsets), data: Self.f32x2, sourceLocation: sourceLocation)
      guard case let .invalidInteger("a", f, _, _) = e, f == field else {
        Issue.record(
          "expected invalidInteger at \(field), got \(String(describing: e))", sourceLocation: sourceLocation)
        return
      }
    }
    expectInteger("[-2]", field: "shape[0]")
    expectInteger("[-0]", field: "shape[0]")
    expectInteger("[1.5]", field: "shape[0]")
    expectInteger("[2.0]", field: "shape[0]")
    expectInteger("[1e3]", field: "shape[0]")
    expectInteger("[2E+0]", field: "shape[0]")
    expectInteger("[1,9223372036854775808]", field: "shape[1]")
    expectInteger("[123456789012345678901234567890]", field: "shape[0]")
    expectInteger("[2]", "[0,8.0]", field: "data_offsets[1]")
    expectInteger("[2]", "[-1,8]", field: "data_offsets[0]")
    // Grammar errors in numbers are JSON errors.
    for bad in ["[02]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]", "[0x10]", "[2,]", "[,2]", "[2 3]"] {
      guard case .invalidJSON = error(Self.entry(shape: bad), data: Self.f32x2) else {
        Issue.record("\(bad) is not reported as invalid JSON")
        continue
      }
    }
    // The description says which tensor and field.
    let e = error(Self.entry(shape: "[1.5]"), data: Self.f32x2)
    #expect(e?.description == #"tensor "a": shape[0] at byte 37 is 1.5, which is not written as an integer"#)
  }

  @Test("several kinds of invalid JSON")
  func invalidJSON() throws {
    let cases = [
      "", " ", "{", "}", "[]", "null", "\"a\"", "{\"a\"}", "{\"a\":}", "{\"a\" {}}", "{'a':{}}", "{a:{}}",
      Self.entry() + ",", "{" + Self.entry().dropFirst().dropLast() + ",}",
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8"#,
      #"{"a":{"dtype":"F32" "shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a"#, #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} }"#,
      #"{"a\x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a\u12":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a\udc00":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a\ud800\u0041":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
      "{\"a\u{1}\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
      "{\"a\tb\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
      "\u{FEFF}" + Self.entry(),
      #"{"__metadata__":nul}"#,
      #"{"__metadata__":{"a":"b",}}"#,
    ]
    for header in cases {
      guard case .invalidJSON = error(header, data: Self.f32x2) else {
        Issue.record("not reported as invalid JSON: \(header.debugDescription)")
        continue
      }
    }
    // A valid surrogate pair is accepted.
    let pair = #"{"\ud83d\ude00":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    #expect(try SafeTensors.read(bytes: STHelpers.file(pair, data: Self.f32x2)).names == ["😀"])
    // The offset points at the problem.
    #expect(error(#"{"a" {}}"#) == .invalidJSON(offset: 8 + 5, reason: "expected ':' after key \"a\", found an object"))
  }

  @Test("anything but whitespace after the JSON object is refused")
  func trailingGarbage() {
    for tail in ["x", "\0", "{}", ",", "  }", " \u{0B}", "\u{C}"] {
      guard case .invalidJSON = error(Self.entry() + tail, data: Self.f32x2) else {
        Issue.record("trailing \(tail.debugDescription) accepted")
        continue
      }
    }
    for tail in ["", "   ", "       ", " \t\r\n"] {
      #expect(STHelpers.readError(STHelpers.file(Self.entry() + tail, data: Self.f32x2)) == nil)
    }
  }

  @Test("bytes that are not UTF-8 are refused with their offset")
  func nonUTF8() {
    let prefix = Array(#"{"a"#.utf8)  // the bad bytes start at header byte 3, file byte 11
    let suffix = Array(#"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
    for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82]] {
      let bytes = STHelpers.file(headerBytes: prefix + bad + suffix, data: Self.f32x2)
      #expect(STHelpers.readError(bytes) == .invalidUTF8(offset: 11), "\(bad)")
    }
    let truncatedAtEnd = STHelpers.file(headerBytes: Array("{}".utf8) + [0xE2, 0x82])
    #expect(STHelpers.readError(truncatedAtEnd) == .invalidUTF8(offset: 10))
  }

  @Test("duplicate keys in the header, in an entry and in the metadata")
  func duplicateKeys() {
    let twice =
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
    #expect(error(twice, data: Self.f32x2) == .duplicateKey(key: "a", offset: 8 + 54))
    let field = #"{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    #expect(error(field, data: Self.f32x2) == .duplicateKey(key: "dtype", offset: 8 + 20))
    let metadata = #"{"__metadata__":{"k":"1","k":"2"}}"#
    #expect(error(metadata) == .duplicateKey(key: "k", offset: 8 + 25))
    let twoMetadata = #"{"__metadata__":{},"__metadata__":{}}"#
    #expect(error(twoMetadata) == .duplicateKey(key: "__metadata__", offset: 8 + 19))
    // Canonically equivalent spellings (precomposed é, e + combining acute) are one name.
    let equivalent =
      "{\"\u{E9}\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
      + "\"e\u{301}\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
    guard case .duplicateKey = error(equivalent, data: Self.f32x2) else {
      Issue.record("canonically equivalent names accepted")
      return
    }
  }

  @Test("metadata that is not an object of strings")
  func badMetadata() {
    for value in ["1", "true", "null", "[]", "{\"b\":\"c\"}", "1.5"] {
      guard case .invalidMetadata = error("{\"__metadata__\":{\"a\":\(value)}}") else {
        Issue.record("metadata value \(value) accepted")
        continue
      }
    }
    for metadata in ["[]", "\"x\"", "1", "true", "[[[[", "{\"a\":[\"b\"]}"] {
      guard case .invalidMetadata = error("{\"__metadata__\":\(metadata)}") else {
        Issue.record("metadata \(metadata) accepted")
        continue
      }
    }
  }

  @Test("tensor entries with missing, unexpected or mistyped fields")
  func badEntries() {
    let cases = [
      #"{"a":[]}"#, #"{"a":"F32"}"#, #"{"a":null}"#, #"{"a":{}}"#,
      #"{"a":{"dtype":"F32","shape":[2]}}"#,
      #"{"a":{"shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}"#,
      #"{"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":[null],"data_offsets":[0,8]}}"#,
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":{"begin":0}}}"#,
    ]
    for header in cases {
      guard case .invalidEntry(name: "a", _, _) = error(header, data: Self.f32x2) else {
        Issue.record("not reported as an invalid entry: \(header)")
        continue
      }
    }
  }

  @Test("100 000 nested brackets fail cleanly wherever they appear")
  func deepNesting() {
    let brackets = String(repeating: "[", count: 100_000)
    let braces = String(repeating: "{", count: 100_000)
    guard case .invalidJSON = error(brackets) else { Issue.record("top-level [[[[ accepted"); return }
    guard case .invalidJSON = error(braces) else { Issue.record("top-level {{{{ accepted"); return }
    guard case .invalidEntry = error("{\"a\":" + brackets) else { Issue.record("entry [[[[ accepted"); return }
    guard case .invalidEntry = error("{\"a\":{\"shape\":" + brackets) else {
      Issue.record("shape [[[[ accepted"); return
    }
    guard case .invalidJSON = error("{\"a\":" + braces) else { Issue.record("entry {{{{ accepted"); return }
    guard case .invalidMetadata = error("{\"__metadata__\":{\"k\":" + brackets) else {
      Issue.record("metadata [[[[ accepted")
      return
    }
  }

  @Test("every error description names what is wrong and where")
  func descriptions() {
    #expect(
      E.fileTooSmall(size: 3).description
        == "file is 3 bytes long; a safetensors file starts with an 8-byte header length")
    #expect(E.headerTooLarge(length: 1 << 63, limit: 100_000_000).description.contains("9223372036854775808"))
    #expect(
      E.overlap(name: "b", begin: 4, other: "a", otherEnd: 8).description
        == #"tensor "b" starts at data offset 4, inside tensor "a", which ends at 8"#)
    #expect(
      E.gap(begin: 4, end: 8, after: "a", before: "b").description
        == #"data bytes [4, 8) belong to no tensor between tensors "a" and "b"; tensors must cover the buffer exactly"#)
    #expect(
      E.unsupportedDType(name: "x", dtype: .f16).description.hasPrefix(#"dtype F16 of tensor "x" is not supported"#))
    #expect(
      E.shapeByteCountMismatch(name: "w", dtype: .f32, shape: [3], expected: 12, actual: 8).description
        == #"tensor "w": shape [3] of F32 needs 12 bytes, but data_offsets span 8"#)
    #expect(E.duplicateKey(key: "a\nb", offset: 9).description == #"duplicate key "a\u{a}b" at byte 9"#)
    // A hostile file's megabyte-long name is shortened in messages.
    let long = String(repeating: "x", count: 1_000_000)
    #expect(E.reversedOffsets(name: long, begin: 1, end: 0).description.count < 200)
    #expect(error("{\"" + long + "\":null}")?.description.count ?? .max < 300)
    #expect(
      E.io(path: "/x/y", reason: "open failed: No such file or directory (errno 2)").description
        == "/x/y: open failed: No such file or directory (errno 2)")
  }

  @Test("reading a missing file, a directory or a truncated file names the path or the cut")
  func fileErrors() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let missing = directory + "/missing.safetensors"
    do throws(SafeTensorsError) {
      _ = try SafeTensors.read(contentsOf: missing)
      Issue.record("read a missing file")
    } catch {
      guard case let .io(path, reason) = error else { Issue.record("\(error)"); return }
      #expect(path == missing && reason.contains("open") && reason.contains("errno 2"))
    }
    do throws(SafeTensorsError) {
      _ = try SafeTensors.readHeader(contentsOf: directory)
      Issue.record("read a directory")
    } catch {
      #expect(error == .io(path: directory, reason: "open failed: is a directory"))
    }
    let cut = directory + "/cut.safetensors"
    #expect(FileManager.default.createFile(atPath: cut, contents: Data(Self.valid.dropLast(3))))
    #expect(throws: E.offsetsOutOfBounds(name: "a", begin: 0, end: 8, bufferSize: 5)) {
      try SafeTensors.read(contentsOf: cut)
    }
    #expect(
      FileManager.default.createFile(atPath: cut, contents: Data(STHelpers.littleEndian(1 << 63) + [0x7B, 0x7D])))
    #expect(throws: E.headerTooLarge(length: 1 << 63, limit: 100_000_000)) { try SafeTensors.read(contentsOf: cut) }
  }
}
