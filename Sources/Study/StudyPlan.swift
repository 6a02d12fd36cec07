/// The work of a study, in a fixed order: one unit per (model, clip, method) — the method's map
/// of the clip and every metric of it — and one per (model, method) for the sanity checks.
/// A shard i of n takes the units whose position is i modulo n, so n shards cover every unit
/// exactly once whatever the machine.
public struct StudyPlan: Sendable {
  public enum Unit: Sendable, Hashable, CustomStringConvertible {
    case clip(model: String, video: Int, method: StudyMethod)
    case model(model: String, method: StudyMethod)

    /// The identifier written after the unit's records (`done` lines of results.jsonl).
    public var key: String {
      switch self {
      case .clip(let m, let v, let method): return "\(m)|\(v)|\(method.label)"
      case .model(let m, let method): return "\(m)|-|\(method.label)"
      }
    }
    public var description: String { key }
  }

  public let units: [Unit]

  /// Every unit of `configuration`, or shard `shard` (0-based) of `shards`.
  public init(_ configuration: StudyConfiguration, shard: Int = 0, of shards: Int = 1) {
    precondition(shards >= 1 && shard >= 0 && shard < shards, "shard \(shard) of \(shards)")
    var all: [Unit] = []
    for model in configuration.models {
      for video in 0..<configuration.videos {
        for method in configuration.methods { all.append(.clip(model: model, video: video, method: method)) }
      }
      if configuration.metrics.contains(StudyMetricKind.sanity.rawValue) {
        for method in configuration.methods { all.append(.model(model: model, method: method)) }
      }
    }
    units = all.enumerated().filter { $0.offset % shards == shard }.map(\.element)
  }
}
