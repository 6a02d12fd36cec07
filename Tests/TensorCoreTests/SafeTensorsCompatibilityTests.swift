import Foundation
import TensorCore
import Testing

/// Files from the reference implementation (huggingface/safetensors 0.8.0, see
/// Reference/make_safetensors_fixtures.py) are read correctly, and our writer produces the
/// same bytes for the same tensors.
@Suite("SafeTensors compatibility with the reference implementation")
struct SafeTensorsCompatibilityTests {
  @Test("bytes derived by hand from the format description are read, and written identically")
  func handDerivedBytes() throws {
    // {"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}} is 64 bytes: already a
    // multiple of 8, so no padding; then six little-endian floats 0…5.
    let header = #"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#
    #expect(header.utf8.count == 64)
    let expected: [UInt8] =
      [64, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [
        0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40,
      ]
    let file = try SafeTensors.read(bytes: expected)
    #expect(try file.float32(named: "attn.0") == Tensor(shape: [1, 2, 3], scalars: [0, 1, 2, 3, 4, 5]))
    #expect(try SafeTensors.bytes(file) == expected)

    // An empty file is "{}" padded to 8 bytes; one metadata key, 35 bytes padded to 40.
    let empty: [UInt8] = [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8)
    #expect(try SafeTensors.bytes(SafeTensorsFile()) == empty)
    #expect(try SafeTensors.read(bytes: empty) == SafeTensorsFile())
    let withMetadata: [UInt8] = [40, 0, 0, 0, 0, 0, 0, 0] + Array(#"{"__metadata__":{"framework":"pt"}}     "#.utf8)
    #expect(try SafeTensors.bytes(SafeTensorsFile(metadata: ["framework": "pt"])) == withMetadata)
    #expect(try SafeTensors.read(bytes: withMetadata).metadata == ["framework": "pt"])
  }

  @Test("reference file: two F32 tensors")
  func basic() throws {
    let file = try SafeTensors.read(bytes: SafeTensorsFixtures.basic)
    #expect(file.names == ["bias", "weight"])
    #expect(try file.float32(named: "weight") == Tensor(shape: [2, 3], scalars: [-1, -0.5, 0, 0.5, 1, 1.5]))
    #expect(try file.float32(named: "bias") == Tensor(shape: [3], scalars: [0.25, -0.125, 3]))
    #expect(file.metadata.isEmpty)
    #expect(try SafeTensors.bytes(file) == SafeTensorsFixtures.basic)
  }

  @Test("reference file: I64, F64, rank-5, scalar and empty tensors with one metadata key")
  func mixedRanks() throws {
    let file = try SafeTensors.read(bytes: SafeTensorsFixtures.mixedRanks)
    #expect(file.names == ["label", "double", "empty", "rank5", "scalar"])
    #expect(try file.int64(named: "label").scalars == [3, -7])
    #expect(try file.float64(named: "double") == Tensor(shape: [2, 2], scalars: [1, -2.5, 1e300, -1e-300]))
    #expect(try file.float32(named: "rank5") == Tensor(shape: [1, 2, 1, 1, 2], scalars: [0, 1, 2, 3]))
    #expect(try file.float32(named: "scalar") == Tensor(shape: [], scalars: [2.5]))
    #expect(try file.float32(named: "empty") == Tensor(shape: [0, 3], scalars: []))
    #expect(file.metadata == ["format": "pt"])
    // Rebuilt from scratch in another order, the tensors serialise to the reference's bytes.
    let rebuilt = try SafeTensorsFile(
      [
        ("scalar", .float32(Tensor(shape: [], scalars: [2.5]))),
        ("rank5", .float32(Tensor(shape: [1, 2, 1, 1, 2], scalars: [0, 1, 2, 3]))),
        ("empty", .float32(Tensor(shape: [0, 3], scalars: []))),
        ("double", .float64(Tensor(shape: [2, 2], scalars: [1, -2.5, 1e300, -1e-300]))),
        ("label", .int64(Tensor(shape: [2], scalars: [3, -7]))),
      ], metadata: ["format": "pt"])
    #expect(try SafeTensors.bytes(rebuilt) == SafeTensorsFixtures.mixedRanks)
  }

  @Test("reference file: NaN, ±∞, −0, subnormals and integer extremes")
  func specialValues() throws {
    let file = try SafeTensors.read(bytes: SafeTensorsFixtures.specialValues)
    let f = try file.float32(named: "f32").scalars
    #expect(f[0].isNaN && f[1] == .infinity && f[2] == -.infinity)
    #expect(f[3].bitPattern == (-0.0 as Float).bitPattern && f[4] == .leastNonzeroMagnitude)
    #expect(f[5] == .greatestFiniteMagnitude)
    let d = try file.float64(named: "f64").scalars
    #expect(d[0].isNaN && d[1] == .infinity && d[2] == -.infinity && d[3].bitPattern == (-0.0 as Double).bitPattern)
    #expect(d[4] == .leastNonzeroMagnitude && d[5] == .greatestFiniteMagnitude)
    #expect(try file.int64(named: "i64").scalars == [.min, .max, 0, -1])
    #expect(try SafeTensors.bytes(file) == SafeTensorsFixtures.specialValues)
  }

  @Test("reference file: F16 and BF16 from PyTorch convert exactly to Float")
  func halfPrecision() throws {
    let file = try SafeTensors.read(bytes: SafeTensorsFixtures.halfPrecision)
    #expect(file.names == ["b", "h"])
    let h = try file.floatTensor(named: "h").scalars
    #expect(Array(h[0..<5]) == [1.5, -2, 65504, 0x1p-24, .infinity])
    #expect(h[5].isNaN && h[6].bitPattern == (-0.0 as Float).bitPattern)
    let b = try file.floatTensor(named: "b").scalars
    // 3e38 rounds to the nearest bfloat16 (0x7F62 → 3.0085e38); 2⁻¹³³ is a bfloat16 subnormal.
    #expect(b[0] == 1.5 && b[1] == -2 && b[2] == Float(bitPattern: 0x7F62_0000) && b[3] == 0x1p-133)
    #expect(b[4] == -.infinity && b[5].isNaN && b[6].bitPattern == (-0.0 as Float).bitPattern)
    #expect(try file.doubleTensor(named: "h").scalars[2] == 65504)
    #expect(try SafeTensors.bytes(file) == SafeTensorsFixtures.halfPrecision)
  }

  @Test("reference file: Unicode and escaped names, Unicode metadata")
  func unicodeNames() throws {
    let file = try SafeTensors.read(bytes: SafeTensorsFixtures.unicodeNames)
    #expect(file.names == ["ctl\u{1}\u{1F}\u{7F}", "emoji😀", "quote\"back\\slash/", "tab\tand\nnewline", "α", "名前"])
    #expect(try file.float32(named: "名前").scalars == [2])
    #expect(try file.float32(named: "ctl\u{1}\u{1F}\u{7F}").scalars == [5])
    #expect(file.metadata == ["note": "é \u{2028} 😀 \"q\""])
    #expect(try SafeTensors.bytes(file) == SafeTensorsFixtures.unicodeNames)
  }

  @Test("reference files: metadata only, and nothing at all")
  func emptyFiles() throws {
    let onlyMetadata = try SafeTensors.read(bytes: SafeTensorsFixtures.onlyMetadata)
    #expect(onlyMetadata.count == 0 && onlyMetadata.metadata == ["method": "gradient"])
    #expect(try SafeTensors.bytes(onlyMetadata) == SafeTensorsFixtures.onlyMetadata)
    let empty = try SafeTensors.read(bytes: SafeTensorsFixtures.empty)
    #expect(empty == SafeTensorsFile())
    #expect(try SafeTensors.bytes(empty) == SafeTensorsFixtures.empty)
  }

  @Test("header order, leading whitespace and trailing newlines the reference accepts are accepted")
  func toleratedVariants() throws {
    let data = STHelpers.bytes([1, 2] as [Float])
    // Keys in reverse data order: the reader sorts by offsets, as the reference does.
    let reordered = STHelpers.file(
      #"{"b":{"data_offsets":[4,8],"shape":[1],"dtype":"F32"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
      data: data)
    let file = try SafeTensors.read(bytes: reordered)
    #expect(try file.float32(named: "a").scalars == [1] && file.float32(named: "b").scalars == [2])
    #expect(try SafeTensors.readHeader(bytes: reordered).names == ["a", "b"])
    let spaced = STHelpers.file(
      " \t\r\n{ \"a\" : { \"dtype\" : \"F32\" , \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ] } }\n", data: data)
    #expect(try SafeTensors.read(bytes: spaced).float32(named: "a").scalars == [1, 2])
    let nullMetadata = STHelpers.file(#"{"__metadata__":null}"#)
    #expect(try SafeTensors.read(bytes: nullMetadata) == SafeTensorsFile())
    // A valid file holding a dtype we do not decode can still be listed.
    let i32 = STHelpers.file(#"{"x":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#, data: data)
    #expect(try SafeTensors.readHeader(bytes: i32).entries.first?.dtype == .i32)
    #expect(throws: SafeTensorsError.unsupportedDType(name: "x", dtype: .i32)) { try SafeTensors.read(bytes: i32) }
    // Sub-byte dtypes: four F4 values fill two bytes.
    let f4 = STHelpers.file(#"{"x":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}"#, data: [0, 0])
    #expect(try SafeTensors.readHeader(bytes: f4).entries.first?.byteCount == 2)
  }

  /// Set VIDATTR_SAFETENSORS_EXPORT to a directory to have this test write our files there with
  /// a description of their contents; `python Reference/make_safetensors_fixtures.py --check DIR`
  /// then loads them with the reference reader and compares (recorded in Reference/FORMATS.md).
  @Test("our files can be exported for a check by the reference reader")
  func exportForReferenceCheck() throws {
    var files: [(String, SafeTensorsFile)] = [
      ("random", try SafeTensorsRoundTripTests.randomFile(seed: 5)),
      ("basic", try SafeTensors.read(bytes: SafeTensorsFixtures.basic)),
      ("unicode", try SafeTensors.read(bytes: SafeTensorsFixtures.unicodeNames)),
      ("special", try SafeTensors.read(bytes: SafeTensorsFixtures.specialValues)),
    ]
    // NumPy has no bfloat16: drop BF16 tensors from the exported random file.
    for name in files[0].1.names where files[0].1[name]?.dtype == .bf16 { files[0].1.removeTensor(named: name) }
    for (_, file) in files { #expect(try SafeTensors.read(bytes: try SafeTensors.bytes(file)) == file) }
    guard let directory = ProcessInfo.processInfo.environment["VIDATTR_SAFETENSORS_EXPORT"] else { return }
    let numpyNames: [SafeTensorsDType: String] = [.f32: "float32", .f64: "float64", .i64: "int64", .f16: "float16"]
    for (stem, file) in files {
      try SafeTensors.write(file, to: "\(directory)/\(stem).safetensors")
      var tensors: [String: Any] = [:]
      for name in file.names {
        let t = file[name]!
        var bytes: [UInt8] = []
        for b in try SafeTensors.bytes([("x", t)]).suffix(t.byteCount) { bytes.append(b) }
        tensors[name] = [
          "dtype": numpyNames[t.dtype] ?? "?", "shape": t.shape,
          "hex": bytes.map { String(format: "%02x", $0) }.joined(),
        ]
      }
      let json = try JSONSerialization.data(withJSONObject: ["tensors": tensors, "metadata": file.metadata])
      try json.write(to: URL(fileURLWithPath: "\(directory)/\(stem).expected.json"))
    }
  }
}
