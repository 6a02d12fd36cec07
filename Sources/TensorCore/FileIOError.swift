#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed file-system operation, with the path, the operation and the system's reason.
/// Thrown by `AtomicFile` and the file readers; format-specific APIs wrap it in their own error
/// (`SafeTensorsError.io`).
public struct FileIOError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The path the operation was about (the destination for writes, not the temporary file).
  public var path: String
  /// What was being done: "open", "read", "write", "fsync", "rename", ….
  public var operation: String
  /// `errno` after the failing call, or 0 when the failure was not a system call's.
  public var code: Int32
  /// The system's text for `code`, or an explanation.
  public var reason: String

  public init(path: String, operation: String, code: Int32, reason: String) {
    self.path = path
    self.operation = operation
    self.code = code
    self.reason = reason
  }

  /// An error for the current `errno`.
  static func posix(_ operation: String, path: String, code: Int32 = errno) -> FileIOError {
    FileIOError(path: path, operation: operation, code: code, reason: String(cString: strerror(code)))
  }

  /// "<operation> failed: <reason> (errno N)", without the path.
  public var summary: String {
    code == 0 ? "\(operation) failed: \(reason)" : "\(operation) failed: \(reason) (errno \(code))"
  }

  public var description: String { "\(path): \(summary)" }
}
