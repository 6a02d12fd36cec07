#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Replaces a file's contents atomically: a reader sees either the old file or the complete new
/// one, never a partial write, and a failed write leaves the old file as it was.
///
/// Steps: create a uniquely named temporary `.<name>.tmp-<pid>-<random>` in the destination's
/// directory (`O_CREAT | O_EXCL`, mode 0666 less the umask), write all bytes, `fsync`, close,
/// `rename` over the destination (atomic on POSIX file systems within one directory), then
/// `fsync` the directory so the rename itself is durable (best effort: the new file is already
/// in place, so a failure there is not reported). If any step before the rename fails, the
/// temporary is removed and the error thrown; the destination is not touched.
///
/// The new file gets default permissions; those of a file it replaces are not copied.
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically (see the type's documentation).
  /// - Throws: `FileIOError` naming `path`, the failing operation and the system's reason —
  ///   e.g. the directory does not exist, or `path` is an existing directory.
  /// - Complexity: O(bytes.count).
  public static func write(bytes: [UInt8], to path: String) throws(FileIOError) {
    try write(bytes: bytes, to: path, failingAt: nil)
  }

  /// A step at which a test can make `write` fail, to check the failure path as root (where
  /// permission-based failures do not happen).
  package enum Step: Sendable, CaseIterable {
    case create, write, sync, rename
  }

  /// `write(bytes:to:)`, failing with a simulated `EIO` at `failingAt` (test hook).
  package static func write(bytes: [UInt8], to path: String, failingAt step: Step?) throws(FileIOError) {
    let (directory, name) = split(path)
    guard !name.isEmpty, name != ".", name != ".." else {
      throw FileIOError(path: path, operation: "write", code: EISDIR, reason: "the path names a directory")
    }
    func simulated(_ s: Step, _ operation: String) -> FileIOError? {
      s == step
        ? FileIOError(path: path, operation: operation, code: EIO, reason: "simulated failure (test hook)") : nil
    }

    // Create the temporary with a name no one else uses.
    var random = SystemRandomNumberGenerator()
    var temporary = ""
    var fd: Int32 = -1
    for _ in 0..<16 {
      let suffix = String(random.next() & 0xFFFF_FFFF_FFFF, radix: 36)
      temporary = directory + "/." + name + ".tmp-\(getpid())-" + suffix
      fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd >= 0 || (errno != EEXIST && errno != EINTR) { break }
    }
    guard fd >= 0 else {
      let code = errno
      throw .posix("create a temporary file in \(directory)", path: path, code: code)
    }
    if let e = simulated(.create, "create") {
      _ = close(fd)
      _ = unlink(temporary)
      throw e
    }

    // Everything up to the rename removes the temporary on failure.
    func abandon(_ error: FileIOError, closing: Bool) -> FileIOError {
      if closing { _ = close(fd) }
      _ = unlink(temporary)
      return error
    }
    if let e = simulated(.write, "write") { throw abandon(e, closing: true) }
    let writeError: FileIOError? = bytes.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        guard let base = raw.baseAddress else { break }
        let n = posixWrite(fd, base + done, raw.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          return FileIOError.posix("write", path: path)
        }
        if n == 0 { return FileIOError(path: path, operation: "write", code: 0, reason: "no progress") }
        done += n
      }
      return nil
    }
    if let writeError { throw abandon(writeError, closing: true) }
    if let e = simulated(.sync, "fsync") { throw abandon(e, closing: true) }
    guard fsync(fd) == 0 else { throw abandon(.posix("fsync", path: path), closing: true) }
    guard close(fd) == 0 else { throw abandon(.posix("close", path: path), closing: false) }
    if let e = simulated(.rename, "rename") { throw abandon(e, closing: false) }
    guard rename(temporary, path) == 0 else { throw abandon(.posix("rename", path: path), closing: false) }

    // Make the rename durable; the data is already in place, so failures here are ignored.
    let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
    if dirFD >= 0 {
      _ = fsync(dirFD)
      _ = close(dirFD)
    }
  }

  /// Directory and last component of `path` ("a/b/c" → ("a/b", "c"), "c" → (".", "c"),
  /// "/c" → ("/", "c")).
  package static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    let name = String(path[path.index(after: slash)...])
    return (directory.isEmpty ? "/" : directory, name)
  }
}

/// `write(2)`, named apart from `AtomicFile.write` (member lookup would shadow the C function).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
