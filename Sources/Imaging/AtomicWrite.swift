#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `bytes` to `path` so that readers see either the old file or the complete new one:
/// the bytes go to a fresh temporary file in the same directory (created with `O_EXCL`),
/// are flushed with `fsync`, and the temporary file is renamed over `path` (atomic on POSIX
/// within one file system). On any failure the temporary file is removed and
/// `ImagingError.writeFailed` names the path and the system's reason.
///
/// A minimal private copy for Imaging; `TensorCore.AtomicFile.write(bytes:to:)` (another
/// branch) is meant to replace it.
/// - Complexity: O(bytes.count) plus two system calls per 1 MiB.
package func writeAtomically(bytes: [UInt8], to path: String) throws {
  let slash = path.lastIndex(of: "/")
  let directory = slash.map { String(path[..<$0]) } ?? "."
  let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
  guard !name.isEmpty else { throw ImagingError.writeFailed(path: path, reason: "the path names a directory") }
  var system = SystemRandomNumberGenerator()
  let suffix = String(system.next() as UInt64, radix: 16)
  let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(suffix).tmp"

  func failure() -> ImagingError {
    .writeFailed(path: path, reason: String(cString: strerror(errno)))
  }

  let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw failure() }
  var ok = true
  var error: ImagingError?
  bytes.withUnsafeBytes { raw in
    var offset = 0
    while offset < raw.count {
      let n = write(fd, raw.baseAddress! + offset, min(raw.count - offset, 1 << 20))
      if n < 0 {
        if errno == EINTR { continue }
        error = failure()
        ok = false
        return
      }
      offset += n
    }
  }
  if ok && fsync(fd) != 0 {
    error = failure()
    ok = false
  }
  if close(fd) != 0 && ok {
    error = failure()
    ok = false
  }
  if ok && rename(temporary, path) != 0 {
    error = failure()
    ok = false
  }
  if !ok {
    unlink(temporary)
    throw error!
  }
}
