import Foundation
import Study
import Testing
import _TestSupport

/// The plan, the results folder and merging: what makes a study resumable and shardable.
@Suite("Study plan, results folder, shards and merge", .serialized)
struct StudyPlanTests {
  /// A study small enough for the suite: one model, three methods (the random map among them),
  /// three clips, cheap metrics.
  static func configuration(videos: Int = 3) -> StudyConfiguration {
    StudyConfiguration(
      version: "test", models: ["r3d_mini"],
      methods: [
        StudyMethod("random"), StudyMethod("gradient"),
        StudyMethod("grad_cam", options: ["upsampling": "repeat-bilinear"]),
      ],
      metrics: ["insertion", "pointing_game", "evidence_mass", "sanity"], videos: videos, curveSteps: 8, examples: 1,
      sanityGranularity: "network", sanityClips: 1)
  }

  static func temporaryDirectory(_ name: String) -> String {
    let d = NSTemporaryDirectory() + "vidattr-study-\(name)-\(UUID().uuidString)"
    try? FileManager.default.removeItem(atPath: d)
    return d
  }

  static var reference: String { RepositoryPaths.reference("") }

  @Test("n shards cover every unit of the plan exactly once, for n = 1 … 5")
  func shardsPartitionThePlan() {
    let c = Self.configuration(videos: 4)
    let all = StudyPlan(c).units.map(\.key)
    #expect(all.count == 4 * 3 + 3, "a clip unit per (clip, method), a sanity unit per method")
    #expect(Set(all).count == all.count)
    for n in 1...5 {
      let shards = (0..<n).flatMap { StudyPlan(c, shard: $0, of: n).units.map(\.key) }
      #expect(shards.sorted() == all.sorted(), "\(n) shards")
    }
  }

  @Test("a folder holding another study is refused naming what differs; a corrupt study.json is refused")
  func incompatibleFolders() throws {
    let dir = Self.temporaryDirectory("incompatible")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = try StudyStore(directory: dir, header: .init(configuration: Self.configuration(), shard: nil))
    var other = Self.configuration()
    other.videos = 5
    #expect(throws: StudyError.incompatibleFolder(path: dir, differences: ["videos (3 against 5)"])) {
      try StudyStore(directory: dir, header: .init(configuration: other, shard: nil))
    }
    #expect(throws: StudyError.incompatibleFolder(path: dir, differences: ["shard (whole against 0/2)"])) {
      try StudyStore(directory: dir, header: .init(configuration: Self.configuration(), shard: "0/2"))
    }
    try "{not json".write(toFile: dir + "/study.json", atomically: true, encoding: .utf8)
    #expect(throws: StudyError.self) {
      try StudyStore(directory: dir, header: .init(configuration: Self.configuration(), shard: nil))
    }
  }

  @Test("a unit's lines without their done line, or a line cut short, are dropped on loading; finished units stay")
  func resumeAfterAKill() throws {
    let dir = Self.temporaryDirectory("resume")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try StudyStore(directory: dir, header: .init(configuration: Self.configuration(), shard: nil))
    let a = StudyRecord(model: "m", video: 0, label: 0, method: "x", metric: "insertion", value: 0.5)
    try store.append(unit: "m|0|x", records: [a])
    // A kill half-way through the next unit: one of its records and half a line, no done line.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store.resultsFile))
    handle.seekToEndOfFile()
    handle.write(
      Data(#"{"record":{"model":"m","video":1,"method":"x","metric":"insertion","value":0.25}}"#.utf8 + [10]))
    handle.write(Data(#"{"record":{"model":"m","vid"#.utf8))
    handle.closeFile()
    let (records, done) = try store.load()
    #expect(records == [a] && done == ["m|0|x"])
  }

  @Test("a study killed half-way and resumed, and two shards merged, give exactly a single run's records and tables")
  func resumedAndShardedEqualSingle() throws {
    let c = Self.configuration()
    let single = Self.temporaryDirectory("single"), resumed = Self.temporaryDirectory("resumed")
    let shards = [Self.temporaryDirectory("shard0"), Self.temporaryDirectory("shard1")]
    let merged = Self.temporaryDirectory("merged")
    defer { for d in [single, resumed, merged] + shards { try? FileManager.default.removeItem(atPath: d) } }
    try Study.run(c, directory: single, reference: Self.reference, provenance: [:])

    // Killed after 4 units: the progress callback throws, as a kill would stop the loop.
    struct Killed: Error {}
    #expect(throws: Killed.self) {
      try Study.run(c, directory: resumed, reference: Self.reference, provenance: [:]) { done, _, _ in
        if done == 4 { throw Killed() }
      }
    }
    #expect(try StudyStore.readHeader(resumed + "/study.json").configuration == c)
    try Study.run(c, directory: resumed, reference: Self.reference, provenance: [:])

    for (i, d) in shards.enumerated() {
      try Study.run(c, directory: d, shard: (i, 2), reference: Self.reference, provenance: [:])
    }
    try Study.merge(shards, into: merged, provenance: [:])

    let expected = try String(contentsOfFile: single + "/tables.md", encoding: .utf8)
    #expect(expected.contains("gradient") && expected.contains("insertion·block2·morf"))
    for d in [resumed, merged] {
      #expect(try String(contentsOfFile: d + "/tables.md", encoding: .utf8) == expected, "\(d)")
      #expect(
        try String(contentsOfFile: d + "/summary.md", encoding: .utf8)
          == String(contentsOfFile: single + "/summary.md", encoding: .utf8))
      #expect(
        try String(contentsOfFile: d + "/results.csv", encoding: .utf8)
          == String(contentsOfFile: single + "/results.csv", encoding: .utf8))
    }
    #expect(throws: StudyError.incompleteMerge(missing: StudyPlan(c, shard: 1, of: 2).units.count)) {
      try Study.merge([shards[0]], into: Self.temporaryDirectory("incomplete"), provenance: [:])
    }
  }

  @Test("the HTML report is well formed, embeds every picture it names, and the Markdown report's links exist")
  func report() throws {
    let dir = Self.temporaryDirectory("report")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var c = Self.configuration(videos: 2)
    c.metrics = ["insertion", "pointing_game"]
    try Study.run(c, directory: dir, reference: Self.reference, provenance: ["command": "test <&>"])
    let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    #expect(html.contains("test &lt;&amp;&gt;") && !html.contains("test <&>"), "text is escaped")
    // Every element opened is closed, in order (the report writes no void elements but img/meta).
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
      guard let close = rest[open...].firstIndex(of: ">") else { break }
      let tag = rest[rest.index(after: open)..<close]
      rest = rest[rest.index(after: close)...]
      if tag.hasPrefix("!") || tag.hasSuffix("/") { continue }
      let name = tag.split(separator: " ").first.map(String.init) ?? ""
      if ["img", "meta", "rect/", "polyline/", "line/"].contains(name) || name.isEmpty { continue }
      if name.hasPrefix("/") {
        #expect(stack.popLast() == String(name.dropFirst()), "</\(name.dropFirst())> closes what was opened")
      } else {
        stack.append(name)
      }
    }
    #expect(stack.isEmpty, "unclosed: \(stack)")
    #expect(html.contains("data:image/png;base64,") && html.contains("data:image/gif;base64,") && html.contains("<svg"))
    let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
    for link in md.matches(of: /\]\((figures\/[^)]+)\)/).map({ String($0.1) }) {
      #expect(FileManager.default.fileExists(atPath: dir + "/" + link), "\(link)")
    }
  }
}
