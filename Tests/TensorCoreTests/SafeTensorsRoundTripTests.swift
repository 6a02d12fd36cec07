import Foundation
import TensorCore
import Testing

@Suite("SafeTensors round trips: what is written is read back bit for bit")
struct SafeTensorsRoundTripTests {
  /// Random bit patterns, so every exponent, NaN payload and sign shows up.
  static func randomFile(seed: UInt64) throws -> SafeTensorsFile {
    var rng = SeededRNG(seed: seed)
    let shapes: [[Int]] = [[], [3], [2, 3], [1, 2, 3], [2, 1, 3, 2], [1, 3, 2, 2, 3], [0], [2, 0, 3]]
    var entries: [(String, StoredTensor)] = []
    for (k, shape) in shapes.enumerated() {
      let n = Shape.elementCount(shape)
      let f = Tensor<Float>(
        shape: shape, scalars: (0..<n).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) })
      let d = Tensor<Double>(shape: shape, scalars: (0..<n).map { _ in Double(bitPattern: rng.next()) })
      let i = Tensor<Int64>(shape: shape, scalars: (0..<n).map { _ in Int64(bitPattern: rng.next()) })
      let h = Tensor<UInt16>(shape: shape, scalars: (0..<n).map { _ in UInt16(truncatingIfNeeded: rng.next()) })
      entries += [
        ("f32.rank\(shape.count).\(k)", .float32(f)), ("f64.rank\(shape.count).\(k)", .float64(d)),
        ("i64.rank\(shape.count).\(k)", .int64(i)), ("f16.\(k)", .float16Bits(h)), ("bf16.\(k)", .bfloat16Bits(h)),
      ]
    }
    return try SafeTensorsFile(entries, metadata: ["seed": "\(seed)", "method": "round trip", "": "empty key"])
  }

  @Test("F32, F64, I64, F16 and BF16 tensors of rank 0 through 5, empty ones included, survive write and read")
  func roundTripAllDTypesAndRanks() throws {
    let file = try Self.randomFile(seed: 7)
    let bytes = try SafeTensors.bytes(file)
    let back = try SafeTensors.read(bytes: bytes)
    #expect(back == file)
    #expect(back.names == file.names)
    #expect(back.metadata == file.metadata)
    for name in file.names {
      let a = try #require(file[name]), b = try #require(back[name])
      #expect(a.shape == b.shape && a.dtype == b.dtype, "\(name)")
    }
    #expect(try back.float32(named: "f32.rank0.0").shape == [])
    #expect(try back.float32(named: "f32.rank5.5").shape == [1, 3, 2, 2, 3])
    #expect(try back.int64(named: "i64.rank3.3").count == 6)
    #expect(try back.float64(named: "f64.rank1.6").count == 0)
  }

  @Test("write → read → write gives identical bytes, and the order tensors were added in does not matter")
  func writeReadWriteIsByteIdentical() throws {
    let file = try Self.randomFile(seed: 11)
    let first = try SafeTensors.bytes(file)
    let second = try SafeTensors.bytes(try SafeTensors.read(bytes: first))
    #expect(first == second)
    // The same tensors added in reverse order serialise to the same bytes.
    let reversed = try SafeTensorsFile(file.names.reversed().map { ($0, file[$0]!) }, metadata: file.metadata)
    #expect(try SafeTensors.bytes(reversed) == first)
  }

  @Test("NaN payloads, ±∞, −0 and subnormals are preserved bit for bit")
  func specialValuesAreBitExact() throws {
    let floats: [Float] = [
      .nan, -.nan, Float(bitPattern: 0x7FA0_0001), Float(bitPattern: 0xFFC1_2345), .infinity, -.infinity, -0.0, 0,
      .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude,
    ]
    let doubles: [Double] = [
      .nan, Double(bitPattern: 0x7FF0_0000_0000_0001), -.infinity, .infinity, -0.0, .leastNonzeroMagnitude,
      -.greatestFiniteMagnitude,
    ]
    let ints: [Int64] = [.min, .max, 0, -1, 1]
    let file = try SafeTensorsFile([
      ("f", .float32(Tensor(shape: [floats.count], scalars: floats))),
      ("d", .float64(Tensor(shape: [doubles.count], scalars: doubles))),
      ("i", .int64(Tensor(shape: [ints.count], scalars: ints))),
    ])
    let back = try SafeTensors.read(bytes: try SafeTensors.bytes(file))
    #expect(try back.float32(named: "f").scalars.map(\.bitPattern) == floats.map(\.bitPattern))
    #expect(try back.float64(named: "d").scalars.map(\.bitPattern) == doubles.map(\.bitPattern))
    #expect(try back.int64(named: "i").scalars == ints)
    // Bitwise equality: NaN equals the same NaN, 0 differs from −0.
    #expect(StoredTensor.float32(Tensor(shape: [1], scalars: [.nan])) == .float32(Tensor(shape: [1], scalars: [.nan])))
    #expect(StoredTensor.float32(Tensor(shape: [1], scalars: [0])) != .float32(Tensor(shape: [1], scalars: [-0.0])))
  }

  @Test("names with Unicode, quotes, backslashes and control characters, and metadata, round trip")
  func unicodeNamesAndMetadata() throws {
    let names = [
      "α", "名前", "e\u{301}", "tab\tnew\nline", "quote\"back\\slash/", "\u{0}nul", "ctl\u{1}\u{1F}\u{7F}", "😀", "",
    ]
    var entries: [(String, StoredTensor)] = []
    for (k, name) in names.enumerated() {
      entries.append((name, .float32(Tensor(shape: [1], scalars: [Float(k)]))))
    }
    let metadata = ["clé": "valeur \"quoted\" \\ \u{2028}", "multi\nline": "a\tb", "emoji": "😀", "empty": ""]
    let file = try SafeTensorsFile(entries, metadata: metadata)
    let bytes = try SafeTensors.bytes(file)
    let back = try SafeTensors.read(bytes: bytes)
    #expect(back == file)
    for (k, name) in names.enumerated() {
      #expect(try back.float32(named: name).scalars == [Float(k)], "\(name.debugDescription)")
    }
    #expect(back.metadata == metadata)
    #expect(try SafeTensors.bytes(back) == bytes)
  }

  @Test("the header is padded with spaces to a multiple of 8 and metadata keys are written sorted")
  func headerLayout() throws {
    for nameLength in 1...9 {
      let file = try SafeTensorsFile(
        [(String(repeating: "x", count: nameLength), .float32(Tensor(shape: [2], scalars: [1, 2])))],
        metadata: ["b": "2", "a": "1", "c": "3"])
      let bytes = try SafeTensors.bytes(file)
      let n = Int(bytes[0]) | Int(bytes[1]) << 8
      #expect(n % 8 == 0)
      let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
      #expect(header.hasPrefix("{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"},"))
      let unpadded = header.reversed().drop { $0 == " " }
      #expect(unpadded.first == "}" && n - unpadded.count < 8)
      #expect(bytes.count == 8 + n + 8)
    }
  }

  @Test("tensors are laid out by dtype (I64, F64, F32, BF16, F16) then by UTF-8 bytes of the name")
  func canonicalOrder() throws {
    let one = Tensor<Float>(shape: [1], scalars: [1])
    let file = try SafeTensorsFile([
      ("b", .float32(one)), ("a", .float32(one)), ("Z", .float32(one)), ("é", .float32(one)),
      ("h", .float16Bits(Tensor(shape: [1], scalars: [0]))), ("g", .bfloat16Bits(Tensor(shape: [1], scalars: [0]))),
      ("z", .int64(Tensor(shape: [1], scalars: [0]))), ("y", .float64(Tensor(shape: [1], scalars: [0]))),
    ])
    #expect(file.names == ["z", "y", "Z", "a", "b", "é", "g", "h"])
    let header = try SafeTensors.readHeader(bytes: try SafeTensors.bytes(file))
    #expect(header.names == file.names)
    #expect(header.entries.map(\.dataOffsets) == [0..<8, 8..<16, 16..<20, 20..<24, 24..<28, 28..<32, 32..<34, 34..<36])
  }

  @Test("typed accessors return the stored tensor and refuse other dtypes with a clear error")
  func typedAccessors() throws {
    let f = Tensor<Float>(shape: [2], scalars: [1.5, -2])
    let d = Tensor<Double>(shape: [2], scalars: [0.1, 1e300])
    let file = try SafeTensorsFile([
      ("f", .float32(f)), ("d", .float64(d)), ("i", .int64(Tensor(shape: [1], scalars: [4]))),
      ("h", .float16Bits(Tensor(shape: [2], scalars: [0x3E00, 0xC000]))),
      ("b", .bfloat16Bits(Tensor(shape: [2], scalars: [0x3FC0, 0xC000]))),
    ])
    #expect(try file.float32(named: "f") == f)
    #expect(try file.floatTensor(named: "f") == f)
    #expect(try file.doubleTensor(named: "f").scalars == [1.5, -2])
    #expect(try file.floatTensor(named: "h").scalars == [1.5, -2])
    #expect(try file.floatTensor(named: "b").scalars == [1.5, -2])
    #expect(try file.doubleTensor(named: "d") == d)
    #expect(try file.floatTensor(named: "d", roundingFloat64: true).scalars == [Float(0.1), .infinity])
    #expect(throws: SafeTensorsError.wrongDType(name: "d", dtype: .f64, expected: "F32")) {
      try file.float32(named: "d")
    }
    #expect(throws: SafeTensorsError.wrongDType(name: "f", dtype: .f32, expected: "I64")) {
      try file.int64(named: "f")
    }
    do throws(SafeTensorsError) {
      _ = try file.floatTensor(named: "d")
      Issue.record("F64 was converted to Float without roundingFloat64")
    } catch {
      guard case .wrongDType("d", .f64, _) = error else { throw error }
      #expect(error.description.contains("roundingFloat64"))
    }
    do throws(SafeTensorsError) {
      _ = try file.doubleTensor(named: "i")
      Issue.record("I64 was returned as Double")
    } catch {
      guard case .wrongDType("i", .i64, _) = error else { throw error }
    }
    do throws(SafeTensorsError) {
      _ = try file.tensor(named: "missing")
      Issue.record("a missing tensor was found")
    } catch {
      #expect(error == .tensorNotFound(name: "missing", available: ["i", "d", "f", "b", "h"]))
      #expect(error.description.contains("\"missing\""))
    }
  }

  @Test("a file cannot hold two tensors of the same name or one named __metadata__")
  func namesAreUniqueAndNotReserved() throws {
    let t = StoredTensor.float32(Tensor(shape: [], scalars: [1]))
    #expect(throws: SafeTensorsError.duplicateName("a")) { try SafeTensorsFile([("a", t), ("a", t)]) }
    #expect(throws: SafeTensorsError.duplicateName("e\u{301}")) {
      try SafeTensorsFile([("\u{E9}", t), ("e\u{301}", t)])
    }
    #expect(throws: SafeTensorsError.reservedName("__metadata__")) { try SafeTensors.bytes([("__metadata__", t)]) }
    var file = SafeTensorsFile()
    try file.setTensor(t, named: "x")
    try file.setTensor(.int64(Tensor(shape: [], scalars: [2])), named: "x")
    #expect(file.count == 1 && file["x"]?.dtype == .i64)
    #expect(file.removeTensor(named: "x") != nil && file.count == 0)
  }

  @Test("F16 widening agrees with Swift's Float16 for every one of the 65 536 bit patterns")
  func binary16ConversionIsExact() {
    var mismatches = 0
    for bits in 0...UInt16.max {
      let ours = HalfPrecision.float(binary16: bits)
      let swift = Float(Float16(bitPattern: bits))
      if swift.isNaN {
        // Payload: ours shifts the 10 significand bits up by 13, keeping signalling NaNs as they are.
        let expected = (UInt32(bits & 0x8000) << 16) | 0x7F80_0000 | (UInt32(bits & 0x3FF) << 13)
        if !ours.isNaN || ours.bitPattern != expected { mismatches += 1 }
      } else if ours.bitPattern != swift.bitPattern {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
    #expect(HalfPrecision.float(bfloat16: 0x3FC0) == 1.5)
    #expect(HalfPrecision.float(bfloat16: 0xFF80) == -.infinity)
  }

  @Test("files round trip through the file system, and readHeader lists them without the data")
  func fileRoundTrip() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/clip.safetensors"
    let file = try Self.randomFile(seed: 3)
    try SafeTensors.write(file, to: path)
    #expect(try SafeTensors.read(contentsOf: path) == file)
    let header = try SafeTensors.readHeader(contentsOf: path)
    #expect(Set(header.names) == Set(file.names))
    #expect(header.metadata == file.metadata)
    #expect(header.fileSize == STHelpers.contents(path)?.count)
    #expect(header.entry(named: "f32.rank2.2")?.shape == [2, 3])
    #expect(STHelpers.listing(directory) == ["clip.safetensors"])
  }
}
