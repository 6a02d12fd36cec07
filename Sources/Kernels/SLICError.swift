import TensorCore

/// Why SLIC cannot run on a clip with some settings; thrown by `Literal.slic`, `Fast.slic` and
/// `SLICSettings.validate` before any work, and by `Supervoxels.init` for a bad label map.
public enum SLICError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The clip is not C×T×H×W or 1×C×T×H×W with every extent ≥ 1.
  case clipShape([Int])
  /// The clip holds NaN or ±∞ (at this flat index), which scikit-image refuses too.
  case nonFiniteValue(index: Int)
  /// A setting's value cannot be used; `expected` says what it must be.
  case invalidSetting(name: String, value: String, expected: String)
  /// The Lab conversion was asked for a clip that does not have 3 channels.
  case labNeedsThreeChannels(channels: Int)
  /// A label map does not fit its T×H×W or holds a label below the first label.
  case labelMap(reason: String)

  public var description: String {
    switch self {
    case .clipShape(let s):
      return "slic: the clip \(Shape.describe(s)) must be C×T×H×W or 1×C×T×H×W with every extent ≥ 1"
    case .nonFiniteValue(let i):
      return "slic: the clip holds a NaN or infinite value (at flat index \(i))"
    case .invalidSetting(let name, let value, let expected):
      return "slic: \(name) = \(value) is not valid; expected \(expected)"
    case .labNeedsThreeChannels(let c):
      return "slic: the Lab colour space needs 3 channels (RGB), the clip has \(c)"
    case .labelMap(let reason):
      return "supervoxels: \(reason)"
    }
  }
}
