import Foundation

/// The metrics `MetricRun` computes, by their command-line names.
public enum MetricKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
  case insertion
  case deletion
  case pointingGame = "pointing_game"
  case temporalPointingGame = "temporal_pointing_game"
  case evidenceMass = "evidence_mass"
  case temporalFaithfulness = "temporal_faithfulness"

  public var description: String { rawValue }

  /// The ground truth the metric needs from the clip file (`boxes`, `keyframes`, `evidence`),
  /// besides `label` for the class means of the pointing games.
  public var groundTruth: [String] {
    switch self {
    case .insertion, .deletion, .temporalFaithfulness: return []
    case .pointingGame: return ["boxes", "label"]
    case .temporalPointingGame: return ["keyframes", "label"]
    case .evidenceMass: return ["evidence"]
    }
  }

  /// Whether the metric runs the network.
  public var usesNetwork: Bool { self == .insertion || self == .deletion || self == .temporalFaithfulness }

  /// The metrics of a comma-separated list ("insertion,deletion,pointing_game"), in the list's
  /// order, each once.
  /// - Throws: `MetricError.unknownMetric` naming the valid metrics, `.invalidSetting` for an
  ///   empty list.
  public static func parse(list: String) throws -> [MetricKind] {
    var out: [MetricKind] = []
    for word in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
      guard let m = MetricKind(rawValue: word) else {
        throw MetricError.unknownMetric(word, valid: allCases.map(\.rawValue))
      }
      if !out.contains(m) { out.append(m) }
    }
    guard !out.isEmpty else {
      throw MetricError.invalidSetting(
        name: "metrics", value: "\"\(list)\"", expected: "a comma-separated list of metrics")
    }
    return out
  }
}
