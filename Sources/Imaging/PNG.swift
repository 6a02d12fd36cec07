import CZlib

/// PNG output (ISO/IEC 15948, W3C PNG 2nd edition) for `RGBImage`: 8-bit RGB (colour type 2),
/// no interlace, every scanline with filter type 0 ("None"), compressed as one zlib stream by
/// zlib's `compress2` and cut into IDAT chunks of at most 1 MiB; chunk CRCs by zlib's `crc32`.
///
/// Filter "None" keeps the encoder a direct statement of the format; the pictures written here
/// (contact sheets, heat maps: large flat areas) compress well without prediction filters.
public enum PNG {
  /// The 8-byte PNG signature 89 50 4E 47 0D 0A 1A 0A.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Largest IDAT payload written in one chunk.
  public static let maximumChunkPayload = 1 << 20

  /// The PNG file bytes of `image`. `compressionLevel` is zlib's 0 … 9 (default 6).
  /// - Throws: `ImagingError.unencodableSize` for an empty image, `.compressionFailed` if
  ///   zlib fails.
  /// - Complexity: O(width · height).
  public static func encode(_ image: RGBImage, compressionLevel: Int32 = 6) throws -> [UInt8] {
    guard image.width >= 1, image.height >= 1, image.width <= Int(Int32.max), image.height <= Int(Int32.max)
    else { throw ImagingError.unencodableSize(width: image.width, height: image.height) }
    precondition((0...9).contains(compressionLevel), "zlib level must be 0…9, got \(compressionLevel)")

    var header: [UInt8] = []
    appendBigEndian(UInt32(image.width), to: &header)
    appendBigEndian(UInt32(image.height), to: &header)
    header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace

    let compressed = try deflate(filteredScanlines(image), level: compressionLevel)
    var out = signature
    out += chunk("IHDR", header)
    var offset = 0
    repeat {
      let end = min(offset + maximumChunkPayload, compressed.count)
      out += chunk("IDAT", Array(compressed[offset..<end]))
      offset = end
    } while offset < compressed.count
    out += chunk("IEND", [])
    return out
  }

  /// Encodes `image` and writes it to `path` atomically (temporary file + rename).
  /// - Throws: the errors of `encode`, and `ImagingError.writeFailed` naming the path.
  public static func write(_ image: RGBImage, to path: String, compressionLevel: Int32 = 6) throws {
    try writeAtomically(bytes: encode(image, compressionLevel: compressionLevel), to: path)
  }

  /// The uncompressed image data: per scanline the filter-type byte 0 followed by the row's
  /// 3·width bytes.
  package static func filteredScanlines(_ image: RGBImage) -> [UInt8] {
    let rowBytes = 3 * image.width
    var data = [UInt8]()
    data.reserveCapacity(image.height * (rowBytes + 1))
    for y in 0..<image.height {
      data.append(0)
      data += image.bytes[(y * rowBytes)..<((y + 1) * rowBytes)]
    }
    return data
  }

  /// A chunk: length (4 bytes, big endian, of the data only), type, data, CRC-32 of type + data.
  package static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    precondition(typeBytes.count == 4, "PNG chunk types have four letters, got \(type)")
    var out: [UInt8] = []
    out.reserveCapacity(12 + data.count)
    appendBigEndian(UInt32(data.count), to: &out)
    out += typeBytes
    out += data
    appendBigEndian(crc(typeBytes + data), to: &out)
    return out
  }

  /// zlib's CRC-32 (the PNG polynomial) of `bytes`.
  package static func crc(_ bytes: [UInt8]) -> UInt32 {
    let initial = crc32(0, nil, 0)
    let value = bytes.withUnsafeBufferPointer { p in
      crc32(initial, p.baseAddress, uInt(p.count))
    }
    return UInt32(truncatingIfNeeded: value)
  }

  private static func deflate(_ data: [UInt8], level: Int32) throws -> [UInt8] {
    var capacity = compressBound(uLong(data.count))
    var out = [UInt8](repeating: 0, count: Int(capacity))
    let code = out.withUnsafeMutableBufferPointer { dst in
      data.withUnsafeBufferPointer { src in
        compress2(dst.baseAddress, &capacity, src.baseAddress, uLong(src.count), level)
      }
    }
    guard code == Z_OK else { throw ImagingError.compressionFailed(code: code) }
    out.removeSubrange(Int(capacity)...)
    return out
  }

  private static func appendBigEndian(_ v: UInt32, to out: inout [UInt8]) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }
}
