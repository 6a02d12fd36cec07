import Foundation
import TensorCore
import Testing

/// Building blocks shared by the safetensors suites.
enum STHelpers {
  /// A file from a header text and data bytes, with the header length set to the text's
  /// UTF-8 length (no padding): the smallest form the format allows.
  static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
    file(headerBytes: Array(header.utf8), data: data)
  }

  /// A file from raw header bytes (which need not be UTF-8) and data bytes.
  static func file(headerBytes: [UInt8], data: [UInt8] = []) -> [UInt8] {
    littleEndian(UInt64(headerBytes.count)) + headerBytes + data
  }

  static func littleEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

  static func bytes(_ values: [Float]) -> [UInt8] { values.flatMap { littleEndian(UInt64($0.bitPattern)).prefix(4) } }
  static func bytes(_ values: [Double]) -> [UInt8] { values.flatMap { littleEndian($0.bitPattern) } }
  static func bytes(_ values: [Int64]) -> [UInt8] { values.flatMap { littleEndian(UInt64(bitPattern: $0)) } }

  /// The error `read(bytes:)` throws, or `nil` if it succeeds. Also checks that `readHeader`
  /// agrees: it throws the same error, except for `.unsupportedDType`, which only a full read
  /// raises.
  static func readError(_ bytes: [UInt8]) -> SafeTensorsError? {
    var headerError: SafeTensorsError?
    do { _ = try SafeTensors.readHeader(bytes: bytes) } catch { headerError = error }
    do {
      _ = try SafeTensors.read(bytes: bytes)
      if let headerError { Issue.record("readHeader threw \(headerError) but read succeeded") }
      return nil
    } catch {
      if case .unsupportedDType = error {
        if let headerError { Issue.record("readHeader threw \(headerError); read found only \(error)") }
      } else {
        if headerError != error { Issue.record("readHeader threw \(String(describing: headerError)), read \(error)") }
      }
      return error
    }
  }

  /// A fresh empty directory under the system's temporary directory.
  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "vidattr-st-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Names in a directory (hidden ones included).
  static func listing(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }

  static func contents(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
  }
}
