/// Why a sanity check or a map comparison cannot run, with cases a caller can switch on.
public enum SanityCheckError: Error, Equatable, CustomStringConvertible {
  /// Two maps (or a map and its clips) that should have the same shape do not.
  case shapeMismatch(what: String, expected: [Int], actual: [Int])
  /// A map holds NaN or ±∞ (clip index).
  case nonFiniteMap(what: String, clip: Int)
  /// A similarity measure needs larger frames than the maps have.
  case frameTooSmall(measure: String, minimum: Int, height: Int, width: Int)
  /// No layer with parameters under this name.
  case unknownLayer(String, known: [String])
  /// The randomisation, random logit or data randomisation needs something the request lacks.
  case invalidRequest(String)

  public var description: String {
    switch self {
    case .shapeMismatch(let what, let expected, let actual):
      return
        "\(what): expected shape \(expected.map(String.init).joined(separator: "×")), got \(actual.map(String.init).joined(separator: "×"))"
    case .nonFiniteMap(let what, let clip): return "\(what): the map of clip \(clip) holds NaN or infinity"
    case .frameTooSmall(let measure, let minimum, let height, let width):
      return "\(measure) needs frames of at least \(minimum)×\(minimum) pixels, the maps have \(height)×\(width)"
    case .unknownLayer(let name, let known):
      return "no layer with parameters named \(name); layers: \(known.joined(separator: ", "))"
    case .invalidRequest(let reason): return reason
    }
  }
}
