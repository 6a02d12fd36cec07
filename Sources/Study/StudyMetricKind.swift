import Evaluation

/// The metrics a study can compute: `Evaluation.MetricKind`'s per-clip metrics and the
/// per-model sanity check.
public enum StudyMetricKind: String, Sendable, CaseIterable, Codable {
  case insertion, deletion
  case pointingGame = "pointing_game"
  case temporalPointingGame = "temporal_pointing_game"
  case evidenceMass = "evidence_mass"
  case temporalFaithfulness = "temporal_faithfulness"
  case sanity

  /// The per-clip metric of `Evaluation`, nil for the sanity check.
  var perClip: MetricKind? { MetricKind(rawValue: rawValue) }

  /// The metrics of a comma-separated list, each once, in the list's order.
  public static func parse(_ list: [String]) throws -> [StudyMetricKind] {
    var out: [StudyMetricKind] = []
    for name in list {
      guard let m = StudyMetricKind(rawValue: name) else {
        throw StudyError.unknownMetric(name, valid: allCases.map(\.rawValue))
      }
      if !out.contains(m) { out.append(m) }
    }
    return out
  }
}
