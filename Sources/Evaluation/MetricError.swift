import TensorCore

/// Why a metric cannot be computed on the inputs it was given, with cases a caller can switch on.
///
/// Every check runs before any network pass, so a request that throws has computed (and a
/// command has written) nothing. Messages name parameters by their library names (`steps`,
/// `block`); the `vidattr` tool spells them as flags.
public enum MetricError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A map whose shape does not fit the clips: `expected` describes what would fit.
  case mapShape(expected: String, actual: [Int])
  /// A map holding NaN or an infinite value, in clip `clip`.
  case nonFiniteMap(clip: Int)
  /// A metric that needs ground truth the clip file does not hold (`needs`: `boxes`,
  /// `evidence`, `keyframes` or `label`).
  case missingGroundTruth(metric: String, needs: String)
  /// Ground truth whose shape does not fit the clips.
  case groundTruthShape(name: String, expected: String, actual: [Int])
  /// A setting a request needs and was not given (`segments` for the segments unit).
  case missingSetting(name: String, reason: String)
  /// A perturbation unit that covers no voxel (for example a label map with no label).
  case emptyUnitSet(unit: String)
  /// A setting outside its range.
  case invalidSetting(name: String, value: String, expected: String)
  /// A per-clip list (targets, labels) whose length differs from the number of clips.
  case countMismatch(name: String, count: Int, clips: Int)
  /// A target that is not a class of the network.
  case targetOutOfRange(target: Int, classes: Int)
  /// A metric name that is not one of the metrics.
  case unknownMetric(String, valid: [String])

  public var description: String { message(naming: { $0 }) }

  /// The message, with every setting's name spelt by `setting` (a command line passes
  /// `{ "--" + $0 }`).
  public func message(naming setting: (String) -> String) -> String {
    switch self {
    case .mapShape(let expected, let actual):
      return "the attribution map \(Shape.describe(actual)) does not fit the clips: expected \(expected)"
    case .nonFiniteMap(let clip):
      return "the attribution map of clip \(clip) holds NaN or infinite values"
    case .missingGroundTruth(let metric, let needs):
      return "\(metric) needs ground truth \"\(needs)\", which the clip file does not hold"
    case .groundTruthShape(let name, let expected, let actual):
      return "ground truth \"\(name)\" \(Shape.describe(actual)) does not fit the clips: expected \(expected)"
    case .missingSetting(let name, let reason):
      return "\(setting(name)) is needed: \(reason)"
    case .emptyUnitSet(let unit):
      return "the \(unit) unit covers no voxel: nothing to insert or delete"
    case .invalidSetting(let name, let value, let expected):
      return "\(setting(name)) \(value) is not valid: expected \(expected)"
    case .countMismatch(let name, let count, let clips):
      return "\(count) \(name) for \(clips) clips"
    case .targetOutOfRange(let target, let classes):
      return "target \(target) is not a class of the network (0..<\(classes))"
    case .unknownMetric(let name, let valid):
      return "unknown metric \"\(name)\"; valid metrics: \(valid.joined(separator: ", "))"
    }
  }
}
