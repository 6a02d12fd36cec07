import CZlib
import Foundation
import PropertyBased
import Testing
import _TestSupport

import Imaging

/// A minimal PNG reader for the tests: the signature, then chunks (length, type, data, CRC).
struct ParsedPNG {
  struct Chunk {
    var type: String
    var data: [UInt8]
    var crc: UInt32
  }
  var signature: [UInt8]
  var chunks: [Chunk]

  init(_ bytes: [UInt8]) throws {
    struct Truncated: Error {}
    signature = Array(bytes.prefix(8))
    chunks = []
    var i = 8
    func word(_ at: Int) throws -> UInt32 {
      guard at + 4 <= bytes.count else { throw Truncated() }
      return bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
    while i < bytes.count {
      let length = Int(try word(i))
      guard i + 12 + length <= bytes.count else { throw Truncated() }
      let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
      let data = Array(bytes[(i + 8)..<(i + 8 + length)])
      chunks.append(Chunk(type: type, data: data, crc: try word(i + 8 + length)))
      i += 12 + length
    }
  }

  /// The concatenated IDAT payloads inflated by zlib's `uncompress`.
  func inflatedData(expectedCount: Int) -> [UInt8]? {
    let stream = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
    var out = [UInt8](repeating: 0, count: expectedCount + 1)
    var length = uLong(out.count)
    let code = out.withUnsafeMutableBufferPointer { dst in
      stream.withUnsafeBufferPointer { src in
        uncompress(dst.baseAddress, &length, src.baseAddress, uLong(src.count))
      }
    }
    guard code == Z_OK else { return nil }
    return Array(out[..<Int(length)])
  }
}

/// CRC-32 as the PNG specification defines it (polynomial 0xEDB88320, reflected, initial and
/// final XOR 0xFFFFFFFF), bit by bit — independent of zlib.
func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
  var c: UInt32 = 0xFFFF_FFFF
  for b in bytes {
    c ^= UInt32(b)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
  }
  return c ^ 0xFFFF_FFFF
}

@Suite("PNG encoder: signature, chunks, CRCs and a zlib stream of filtered scanlines")
struct PNGTests {
  /// A 3×2 image with six distinct colours.
  static let tiny = RGBImage(
    width: 3, height: 2,
    bytes: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 1, 2, 3])

  @Test("a 3×2 image: signature, IHDR fields, IDAT inflating to the filtered scanlines, empty IEND")
  func tinyImage() throws {
    let png = try ParsedPNG(PNG.encode(Self.tiny))
    #expect(png.signature == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(png.chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
    // width 3, height 2, bit depth 8, colour type 2 (RGB), compression 0, filter 0, interlace 0.
    #expect(png.chunks[0].data == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
    // Each scanline: filter type 0, then the row's bytes.
    let expected: [UInt8] = [0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30, 200, 100, 50, 1, 2, 3]
    #expect(png.inflatedData(expectedCount: expected.count) == expected)
    #expect(png.chunks[2].data.isEmpty)
  }

  @Test("every chunk's CRC is the PNG CRC-32 of its type and data (checked bit by bit)")
  func crcs() throws {
    // The CRC of "IEND" with no data is the well-known AE 42 60 82.
    #expect(referenceCRC(Array("IEND".utf8)) == 0xAE42_6082)
    for image in [Self.tiny, RGBImage(width: 17, height: 5, fill: RGB(9, 8, 7))] {
      let png = try ParsedPNG(PNG.encode(image))
      for chunk in png.chunks {
        #expect(chunk.crc == referenceCRC(Array(chunk.type.utf8) + chunk.data), "\(chunk.type)")
      }
    }
  }

  @Test("random images of any size round-trip through zlib, across IDAT chunk boundaries")
  func roundTrip() throws {
    try pinnedPropertyCheck(
      count: 12, seed: (3, 1, 4, 1), input: zip(Gen.int(in: 1...40), Gen.int(in: 1...40), Gen.uint64())
    ) {
      w, h, seed in
      var rng = SplitMix(seed)
      let image = RGBImage(width: w, height: h, bytes: (0..<(3 * w * h)).map { _ in rng.byte() })
      let png = try ParsedPNG(PNG.encode(image, compressionLevel: 9))
      let filtered = PNG.filteredScanlines(image)
      #expect(png.inflatedData(expectedCount: filtered.count) == filtered, "\(w)×\(h)")
    }
    // 700×600 random pixels compress to more than 1 MiB: several IDAT chunks, one stream.
    var rng = SplitMix(5)
    let big = RGBImage(width: 700, height: 600, bytes: (0..<(3 * 700 * 600)).map { _ in rng.byte() })
    let png = try ParsedPNG(PNG.encode(big, compressionLevel: 1))
    let idats = png.chunks.filter { $0.type == "IDAT" }
    #expect(idats.count >= 2)
    #expect(idats.dropLast().allSatisfy { $0.data.count == PNG.maximumChunkPayload })
    let filtered = PNG.filteredScanlines(big)
    #expect(png.inflatedData(expectedCount: filtered.count) == filtered)
  }

  @Test("an empty image cannot be encoded and says why")
  func emptyImage() {
    #expect(throws: ImagingError.unencodableSize(width: 0, height: 4)) {
      try PNG.encode(RGBImage(width: 0, height: 4))
    }
    #expect("\(ImagingError.unencodableSize(width: 0, height: 4))".contains("between 1 and"))
  }

  @Test("writing is atomic: the file holds the encoded bytes and no temporary file is left behind")
  func writeFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/tiny.png"
    try PNG.write(RGBImage(width: 2, height: 2, fill: .white), to: path)
    try PNG.write(Self.tiny, to: path)  // replaces the first file
    #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == (try PNG.encode(Self.tiny)))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["tiny.png"])
    let missing = dir + "/no/such/dir/x.png"
    #expect(throws: ImagingError.self) { try PNG.write(Self.tiny, to: missing) }
    do {
      try PNG.write(Self.tiny, to: missing)
    } catch {
      #expect("\(error)".contains(missing) && "\(error)".contains("No such file"))
    }
  }
}

/// SplitMix64, for test pixels.
struct SplitMix {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }
}
