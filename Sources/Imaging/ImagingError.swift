/// Errors from encoding and writing pictures.
public enum ImagingError: Error, Equatable, CustomStringConvertible {
  /// PNG needs 1 ≤ width, height ≤ 2³¹ − 1.
  case unencodableSize(width: Int, height: Int)
  /// zlib's `compress2` returned a code other than `Z_OK`.
  case compressionFailed(code: Int32)
  /// Creating, writing or renaming the file failed; `reason` is the system's message.
  case writeFailed(path: String, reason: String)
  /// A contact sheet was asked for with inconsistent or empty inputs.
  case invalidContactSheet(String)

  public var description: String {
    switch self {
    case let .unencodableSize(w, h):
      return "cannot encode a \(w)×\(h) image as PNG: width and height must be between 1 and 2147483647"
    case let .compressionFailed(code):
      return "zlib compress2 failed with code \(code)"
    case let .writeFailed(path, reason):
      return "could not write \(path): \(reason)"
    case let .invalidContactSheet(reason):
      return "cannot draw the contact sheet: \(reason)"
    }
  }
}
