import Foundation
import TensorCore
import Testing

/// The failure modes below work as root (CI runs as root, where permission bits do not stop a
/// write): a missing directory, a parent that is a file, a destination that is a directory, and
/// failures injected at each step through the package-level test hook.
@Suite("AtomicFile and SafeTensors.write replace files atomically")
struct AtomicFileTests {
  static let good: [UInt8] = Array("the good old contents".utf8)

  @Test("a write creates the file, then replaces it, leaving no temporary behind")
  func writeAndReplace() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/out.bin"
    try AtomicFile.write(bytes: Self.good, to: path)
    #expect(STHelpers.contents(path) == Self.good)
    try AtomicFile.write(bytes: [1, 2, 3], to: path)
    #expect(STHelpers.contents(path) == [1, 2, 3])
    try AtomicFile.write(bytes: [], to: path)
    #expect(STHelpers.contents(path) == [])
    #expect(STHelpers.listing(directory) == ["out.bin"])
    // The temporary goes next to the destination, whatever form the path has. (Relative paths
    // are not exercised directly: changing the working directory would race other tests.)
    #expect(AtomicFile.split("a/b/c") == ("a/b", "c"))
    #expect(AtomicFile.split("c") == (".", "c"))
    #expect(AtomicFile.split("/c") == ("/", "c"))
    #expect(AtomicFile.split("a/") == ("a", ""))
  }

  @Test("writing into a directory that does not exist throws .io with the path")
  func missingDirectory() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/no/such/dir/x.safetensors"
    do throws(SafeTensorsError) {
      try SafeTensors.write([("x", .float32(Tensor(shape: [1], scalars: [1])))], to: path)
      Issue.record("wrote into a missing directory")
    } catch {
      guard case let .io(errorPath, reason) = error else { Issue.record("\(error)"); return }
      #expect(errorPath == path)
      #expect(reason.contains("No such file or directory"))
      #expect(error.description.hasPrefix(path + ": "))
    }
    #expect(STHelpers.listing(directory).isEmpty)
  }

  @Test("a destination that is a directory, or under a regular file, fails without leftovers")
  func destinationIsADirectory() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let occupied = directory + "/taken"
    try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: occupied + "/inside", contents: Data(Self.good)))
    let file = try SafeTensorsFile([("x", .float32(Tensor(shape: [1], scalars: [1])))])
    do throws(SafeTensorsError) {
      try SafeTensors.write(file, to: occupied)
      Issue.record("replaced a directory")
    } catch {
      guard case let .io(errorPath, reason) = error else { Issue.record("\(error)"); return }
      #expect(errorPath == occupied && reason.hasPrefix("rename failed"))
    }
    // The directory and its contents are untouched, and the temporary is gone.
    #expect(STHelpers.listing(directory) == ["taken"])
    #expect(STHelpers.contents(occupied + "/inside") == Self.good)

    let regular = directory + "/plain"
    #expect(FileManager.default.createFile(atPath: regular, contents: Data(Self.good)))
    #expect(throws: FileIOError.self) { try AtomicFile.write(bytes: [1], to: regular + "/child") }
    #expect(throws: FileIOError.self) { try AtomicFile.write(bytes: [1], to: directory + "/") }
    #expect(STHelpers.listing(directory) == ["plain", "taken"])
    #expect(STHelpers.contents(regular) == Self.good)
  }

  @Test("a failure at any step leaves an existing file untouched and removes the temporary")
  func failureAtEachStep() throws {
    let directory = try STHelpers.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/weights.safetensors"
    try AtomicFile.write(bytes: Self.good, to: path)
    for step in AtomicFile.Step.allCases {
      do throws(FileIOError) {
        try AtomicFile.write(bytes: Array(repeating: 0xAB, count: 100_000), to: path, failingAt: step)
        Issue.record("no failure injected at \(step)")
      } catch {
        #expect(error.path == path && error.code == EIO, "\(step)")
      }
      #expect(STHelpers.contents(path) == Self.good, "\(step)")
      #expect(STHelpers.listing(directory) == ["weights.safetensors"], "\(step)")
    }
    // Without a failure the same call replaces the file.
    try AtomicFile.write(bytes: [7], to: path, failingAt: nil)
    #expect(STHelpers.contents(path) == [7])
  }
}
