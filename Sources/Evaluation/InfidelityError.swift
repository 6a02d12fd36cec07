/// Why infidelity or max-sensitivity cannot run, with cases a caller can switch on.
public enum InfidelityError: Error, Equatable, CustomStringConvertible {
  /// A map or a perturbation whose shape does not fit the clips.
  case shapeMismatch(what: String, expected: [Int], actual: [Int])
  /// A map or perturbation holding NaN or ±∞.
  case nonFinite(what: String)
  /// No perturbations were given.
  case noPerturbations
  /// Targets do not fit the clips or the network.
  case targets(String)

  public var description: String {
    switch self {
    case .shapeMismatch(let what, let expected, let actual):
      return
        "\(what): expected shape \(expected.map(String.init).joined(separator: "×")), got \(actual.map(String.init).joined(separator: "×"))"
    case .nonFinite(let what): return "\(what) holds NaN or infinity"
    case .noPerturbations: return "infidelity and sensitivity need at least one perturbation"
    case .targets(let reason): return reason
    }
  }
}
