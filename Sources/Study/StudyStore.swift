import Foundation
import TensorCore

/// A study's results folder: `study.json` (the configuration and the shard), `results.jsonl`
/// (append-only: each finished unit's records, then a `done` line, written in one call), and
/// the tables and report rendered from them.
///
/// A run killed half-way leaves at most one unit's lines without its `done` line, or a last
/// line cut short; loading ignores both, so the run resumes at that unit and no finished unit
/// is computed twice. A folder made under another configuration, or whose study.json does not
/// parse, is refused with a message naming what differs.
public struct StudyStore {
  public let directory: String
  public var studyFile: String { directory + "/study.json" }
  public var resultsFile: String { directory + "/results.jsonl" }

  /// What study.json holds.
  public struct Header: Codable, Equatable, Sendable {
    public var configuration: StudyConfiguration
    /// "i/n" for a shard, nil for a whole study or a merge.
    public var shard: String?

    public init(configuration: StudyConfiguration, shard: String?) {
      self.configuration = configuration
      self.shard = shard
    }
  }

  /// One line of results.jsonl: a record, or the mark that a unit is complete.
  struct Line: Codable {
    var record: StudyRecord?
    var done: String?
  }

  /// Opens (creating when missing) the folder for `header`.
  /// - Throws: `StudyError.incompatibleFolder` when study.json states another configuration or
  ///   shard, `.corruptFolder` when it does not parse.
  public init(directory: String, header: Header) throws {
    self.directory = directory
    let fm = FileManager.default
    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    if fm.fileExists(atPath: studyFile) {
      let existing = try Self.readHeader(studyFile)
      var differences = header.configuration.differences(from: existing.configuration)
      if existing.shard != header.shard {
        differences.append("shard (\(existing.shard ?? "whole") against \(header.shard ?? "whole"))")
      }
      guard differences.isEmpty else { throw StudyError.incompatibleFolder(path: directory, differences: differences) }
    } else {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write(bytes: Array(try encoder.encode(header)) + [10], to: studyFile)
    }
  }

  /// Reads a folder's study.json.
  public static func readHeader(_ path: String) throws -> Header {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw StudyError.corruptFolder(path: path, reason: "cannot read")
    }
    do {
      return try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw StudyError.corruptFolder(path: path, reason: "study.json does not parse (\(error))")
    }
  }

  /// The records of every complete unit, and the keys of those units.
  public func load() throws -> (records: [StudyRecord], done: Set<String>) {
    try Self.load(resultsFile)
  }

  static func load(_ path: String) throws -> (records: [StudyRecord], done: Set<String>) {
    guard let data = FileManager.default.contents(atPath: path) else { return ([], []) }
    var pending: [StudyRecord] = [], records: [StudyRecord] = [], done: Set<String> = []
    let decoder = JSONDecoder()
    for line in data.split(separator: UInt8(ascii: "\n")) {
      // A line cut short by a kill does not parse: it and the unit it belongs to are dropped.
      guard let l = try? decoder.decode(Line.self, from: Data(line)) else { continue }
      if let r = l.record { pending.append(r) }
      if let key = l.done {
        records += pending
        pending = []
        done.insert(key)
      }
    }
    return (records, done)
  }

  /// Appends a finished unit: its records, then its `done` line, in one write, flushed to disk.
  public func append(unit key: String, records: [StudyRecord]) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var bytes: [UInt8] = []
    for r in records { bytes += Array(try encoder.encode(Line(record: r, done: nil))) + [10] }
    bytes += Array(try encoder.encode(Line(record: nil, done: key))) + [10]
    let fd = open(resultsFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { throw StudyError.io(path: resultsFile, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { throw StudyError.io(path: resultsFile, reason: String(cString: strerror(errno))) }
      offset += n
    }
    guard fsync(fd) == 0 else { throw StudyError.io(path: resultsFile, reason: String(cString: strerror(errno))) }
  }
}

/// Why a study cannot run or merge.
public enum StudyError: Error, Equatable, Sendable, CustomStringConvertible {
  case incompatibleFolder(path: String, differences: [String])
  case corruptFolder(path: String, reason: String)
  case io(path: String, reason: String)
  case unknownMetric(String, valid: [String])
  case unknownModel(String, valid: [String])
  case missingWeights(model: String, path: String)
  case nothingToMerge
  case incompleteMerge(missing: Int)

  public var description: String {
    switch self {
    case .incompatibleFolder(let path, let d):
      return "\(path) holds a study of another configuration: \(d.joined(separator: ", ")) differ; use another folder"
    case .corruptFolder(let path, let reason): return "\(path): \(reason)"
    case .io(let path, let reason): return "\(path): \(reason)"
    case .unknownMetric(let m, let valid): return "unknown metric \"\(m)\"; valid: \(valid.joined(separator: ", "))"
    case .unknownModel(let m, let valid): return "unknown zoo model \"\(m)\"; valid: \(valid.joined(separator: ", "))"
    case .missingWeights(let model, let path): return "no weights for \(model) at \(path)"
    case .nothingToMerge: return "nothing to merge: give the shards' folders"
    case .incompleteMerge(let missing):
      return "the shards miss \(missing) units of the study; finish them before merging"
    }
  }
}
