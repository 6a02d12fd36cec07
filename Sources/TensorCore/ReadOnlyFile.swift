#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A regular file opened for positioned reads (`pread`), so a reader can fetch exactly the
/// ranges it has validated and never more. The descriptor is closed when the value goes away.
final class ReadOnlyFile {
  let path: String
  /// Size in bytes when opened.
  let size: Int
  private let descriptor: Int32

  /// Opens `path` and records its size.
  /// - Throws: `FileIOError` if it cannot be opened or is not a regular file.
  init(path: String) throws(FileIOError) {
    var fd: Int32
    repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw .posix("open", path: path) }
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      let error = FileIOError.posix("stat", path: path)
      _ = close(fd)
      throw error
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      _ = close(fd)
      let kind = status.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file"
      throw FileIOError(path: path, operation: "open", code: 0, reason: "is \(kind)")
    }
    self.path = path
    self.size = Int(status.st_size)
    self.descriptor = fd
  }

  /// Fills `buffer` with the bytes at `offset…`.
  /// - Throws: `FileIOError` on a read error or if the file ends first (it shrank after `init`).
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileIOError) {
    var done = 0
    while done < buffer.count {
      guard let base = buffer.baseAddress else { return }
      let n = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        throw .posix("read", path: path)
      }
      if n == 0 {
        throw FileIOError(
          path: path, operation: "read", code: 0,
          reason: "file ended at byte \(offset + done) while \(buffer.count - done) more bytes were expected"
            + " (it changed while being read)")
      }
      done += n
    }
  }

  deinit {
    _ = close(descriptor)
  }
}
