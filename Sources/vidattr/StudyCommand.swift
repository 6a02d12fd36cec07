import ArgumentParser
import Foundation
import VideoAttribution

/// `vidattr study`: Li et al.'s comparative study on the built-in benchmark's zoo.
struct StudyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "study",
    abstract: "Run the comparative study of attribution methods on the built-in benchmark's zoo.",
    discussion: """
      Every method × zoo family × metric on the benchmark's test split, into --out: study.json (the \
      configuration), results.jsonl (every number, appended as each unit finishes: a killed run \
      resumes where it stopped), tables.md/csv, summary.md (the papers' questions answered from \
      the numbers), report.md and a self-contained report.html, results.csv/json, figures/.

      The default finishes in minutes on 2 cores with shortened settings (8 integration steps and \
      noise samples, 60 extremal-perturbation iterations, 32-step curves, one clip per class); \
      --full uses the papers' (25, 1200, 128) on five clips per class.

      Spread a study over machines or processes with --shard i/n (each shard its own --out) and \
      join them with `vidattr study merge SHARD_DIR… --out DIR`; see CONTRIBUTING.md, "Running a \
      large study", for Slurm, Kubernetes and GNU parallel.
      """,
    subcommands: [StudyRun.self, StudyMerge.self],
    defaultSubcommand: StudyRun.self)
}

struct StudyRun: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a study (the default).")

  @Option(help: "Output folder (created; resumed when it holds the same study).") var out: String = "study-out"
  @Option(help: "Zoo models, comma-separated (default: r3d_mini,r2plus1d_mini,tsm_mini,cnn_lstm_mini).") var models:
    String?
  @Option(help: "Methods, comma-separated, a subset of the study's (default: all).") var methods: String?
  @Option(help: "Metrics, comma-separated (\(StudyMetricKind.allCases.map(\.rawValue).joined(separator: ", "))).")
  var metrics: String?
  @Option(help: "Test clips (clip i has class i mod 11).") var videos: Int?
  @Option(help: "This process's shard, i/n (0-based i).") var shard: String?
  @Flag(help: "The papers' settings on five clips per class (hours on 2 cores).") var full = false
  @Option(help: "Seed of every random draw.") var seed: UInt64 = 0

  func configuration() throws -> StudyConfiguration {
    var c =
      full ? StudyConfiguration.full(version: videoAttributionVersion) : .standard(version: videoAttributionVersion)
    c.seed = seed
    if let models {
      c.models = models.split(separator: ",").map(String.init)
      for m in c.models where !StudyConfiguration.zooFamilies.contains(m) && Architecture(rawValue: m) == nil {
        throw ValidationError(
          "--models: unknown model \(m); the zoo: \(StudyConfiguration.zooFamilies.joined(separator: ", "))")
      }
    }
    if let methods {
      let names = methods.split(separator: ",").map(String.init)
      for n in names where !c.methods.contains(where: { $0.name == n }) {
        throw ValidationError(
          "--methods: \(n) is not one of the study's methods (\(c.methods.map(\.name).joined(separator: ", ")))")
      }
      c.methods = c.methods.filter { names.contains($0.name) }
    }
    if let metrics {
      let list = metrics.split(separator: ",").map(String.init)
      do { _ = try StudyMetricKind.parse(list) } catch { throw ValidationError("--metrics: \(error)") }
      c.metrics = list
    }
    if let videos {
      guard videos >= 2 else { throw ValidationError("--videos must be ≥ 2, got \(videos)") }
      c.videos = videos
    }
    c.examples = min(c.examples, c.videos)
    return c
  }

  func shardPair() throws -> (index: Int, count: Int)? {
    guard let shard else { return nil }
    let parts = shard.split(separator: "/").compactMap { Int($0) }
    guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
      throw ValidationError("--shard must be i/n with 0 ≤ i < n, got \(shard)")
    }
    return (parts[0], parts[1])
  }

  func validate() throws {
    _ = try configuration()
    _ = try shardPair()
  }

  func run() throws {
    let c = try configuration()
    guard let reference = locateReferenceFile("models") else {
      throw ValidationError("cannot find Reference/models (run from the repository)")
    }
    let started = Date()
    let total = StudyPlan(c, shard: try shardPair()?.index ?? 0, of: try shardPair()?.count ?? 1).units.count
    let progress = ProgressReporter("study", total: total, interval: isatty(2) != 0 ? 2 : 0)
    try Study.run(
      c, directory: out, shard: try shardPair(), reference: (reference as NSString).deletingLastPathComponent,
      provenance: provenance(c), progress: { done, _, unit in progress.update(done: done, detail: "\(unit)") })
    note(String(format: "study: %d units in %.0f s; results in %@", total, Date().timeIntervalSince(started), out))
  }

  func provenance(_ c: StudyConfiguration) -> [String: String] {
    [
      "command": (["vidattr"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
      "version": videoAttributionVersion, "seed": "\(c.seed)",
      "clips": "\(c.videos) test clips, \(c.frames)×\(c.size)²",
    ]
  }
}

struct StudyMerge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge", abstract: "Join the folders of a study's shards into one, with its tables and report.")

  @Argument(help: "The shards' folders.") var shards: [String]
  @Option(help: "Output folder.") var out: String

  func run() throws {
    try Study.merge(
      shards, into: out,
      provenance: [
        "command": (["vidattr"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
        "version": videoAttributionVersion,
      ])
    note("merged \(shards.count) shards into \(out)")
  }
}
