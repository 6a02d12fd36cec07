import Foundation
import TensorCore

/// The comparative study of Li et al. on the built-in benchmark, as a library: run (a whole
/// study or a shard) into a folder, merge shards, render the report.
public enum Study {
  /// Runs `configuration` (or one shard of it) into `directory`, resuming what is there, then
  /// renders its report unless it is a shard.
  public static func run(
    _ configuration: StudyConfiguration, directory: String, shard: (index: Int, count: Int)? = nil, reference: String,
    provenance: [String: String], progress: @escaping (Int, Int, StudyPlan.Unit) throws -> Void = { _, _, _ in }
  ) throws {
    let header = StudyStore.Header(configuration: configuration, shard: shard.map { "\($0.index)/\($0.count)" })
    let store = try StudyStore(directory: directory, header: header)
    let plan = StudyPlan(configuration, shard: shard?.index ?? 0, of: shard?.count ?? 1)
    var runner = StudyRunner(configuration: configuration, store: store, plan: plan, reference: reference)
    runner.progress = progress
    try runner.run()
    if shard == nil { try render(directory: directory, provenance: provenance) }
  }

  /// Merges shards' folders into `directory`: every shard must hold the same configuration and
  /// together every unit of the plan; the merged folder then holds exactly a single run's
  /// records (in the plan's order) and its report.
  public static func merge(_ shards: [String], into directory: String, provenance: [String: String]) throws {
    guard let first = shards.first else { throw StudyError.nothingToMerge }
    let configuration = try StudyStore.readHeader(first + "/study.json").configuration
    var byUnit: [String: [StudyRecord]] = [:]
    for dir in shards {
      let header = try StudyStore.readHeader(dir + "/study.json")
      let d = configuration.differences(from: header.configuration)
      guard d.isEmpty else { throw StudyError.incompatibleFolder(path: dir, differences: d) }
      let (records, done) = try StudyStore.load(dir + "/results.jsonl")
      var grouped: [String: [StudyRecord]] = [:]
      for r in records { grouped[Self.unitKey(r), default: []].append(r) }
      for key in done { byUnit[key] = grouped[key] ?? [] }
      let maps = dir + "/maps"
      if FileManager.default.fileExists(atPath: maps) { try copyTree(maps, to: directory + "/maps") }
    }
    let plan = StudyPlan(configuration)
    let missing = plan.units.filter { byUnit[$0.key] == nil }.count
    guard missing == 0 else { throw StudyError.incompleteMerge(missing: missing) }
    let store = try StudyStore(directory: directory, header: .init(configuration: configuration, shard: nil))
    let (_, already) = try store.load()
    for unit in plan.units where !already.contains(unit.key) {
      try store.append(unit: unit.key, records: byUnit[unit.key]!)
    }
    try render(directory: directory, provenance: provenance)
  }

  /// The unit a record belongs to (`StudyPlan.Unit.key`).
  static func unitKey(_ r: StudyRecord) -> String { "\(r.model)|\(r.video.map { "\($0)" } ?? "-")|\(r.method)" }

  /// Writes the tables, summary and report of a whole study's folder.
  public static func render(directory: String, provenance: [String: String]) throws {
    let header = try StudyStore.readHeader(directory + "/study.json")
    let configuration = header.configuration
    let (unordered, done) = try StudyStore.load(directory + "/results.jsonl")
    // The plan's order, whatever order the units were run or merged in.
    let position = Dictionary(uniqueKeysWithValues: StudyPlan(configuration).units.enumerated().map { ($1.key, $0) })
    let records = unordered.enumerated().sorted {
      (position[unitKey($0.element)] ?? .max, $0.offset) < (position[unitKey($1.element)] ?? .max, $1.offset)
    }.map(\.element)
    let tables = StudyTables(records: records, configuration: configuration)
    let summary = StudySummary(tables: tables, seed: configuration.seed)
    var sections = summary.sections
    let total = StudyPlan(configuration).units.count
    if done.count < total { sections.insert(("Incomplete", "\(done.count) of \(total) units are done."), at: 0) }
    let pictures = try StudyFigures.pictures(directory: directory, configuration: configuration)
    let curves = StudyFigures.curves(records: records, configuration: configuration)
    try AtomicFileText.write(tables.markdown(), to: directory + "/tables.md")
    try AtomicFileText.write(tables.csv, to: directory + "/tables.csv")
    try AtomicFileText.write(
      sections.map { "## \($0.title)\n\n\($0.markdown)" }.joined(separator: "\n\n"), to: directory + "/summary.md")
    try StudyReport(
      configuration: configuration, records: records, provenance: provenance, sections: sections, pictures: pictures,
      curves: curves
    ).write(to: directory)
  }

  static func copyTree(_ source: String, to destination: String) throws {
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: source) else { return }
    while let relative = e.nextObject() as? String {
      var isDirectory: ObjCBool = false
      let from = source + "/" + relative, to = destination + "/" + relative
      guard fm.fileExists(atPath: from, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        try fm.createDirectory(atPath: to, withIntermediateDirectories: true)
      } else if !fm.fileExists(atPath: to) {
        try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.copyItem(atPath: from, toPath: to)
      }
    }
  }
}

/// Text written atomically (`AtomicFile`).
enum AtomicFileText {
  static func write(_ text: String, to path: String) throws {
    try AtomicFile.write(bytes: Array(text.utf8), to: path)
  }
}
