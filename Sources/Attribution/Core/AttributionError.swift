import TensorCore

/// Why an attribution request cannot run, with cases a caller can switch on.
///
/// Messages name parameters by their names (`steps`), not by command-line spelling: the
/// library has no command line. The `vidattr` tool adds the `--`.
public enum AttributionError: Error, Equatable, Sendable, CustomStringConvertible {
  // MARK: Requests
  /// No method has this name.
  case unknownMethod(String, valid: [String])
  /// No method takes an option of this name.
  case unknownOption(String, valid: [String])
  /// The method does not take these options.
  case optionsNotTaken(method: String, options: [String], takes: [String])
  /// The option's value is not valid.
  case invalidValue(option: String, value: String, expected: String)
  /// Two options' values do not go together (for example a quadrature rule and too few steps).
  case conflictingOptions([String], reason: String)
  /// An option without its value.
  case missingValue(option: String)
  /// An option given twice.
  case repeatedOption(String)
  /// A word that is not an option (`--name`).
  case unexpectedArgument(String)
  /// A method read an option its registry entry does not declare: a mistake in the registry.
  case undeclaredOption(method: String, option: String)

  // MARK: Networks and inputs
  /// The method needs a backward rule the network does not define.
  case unsupportedRule(method: String, rule: String, architecture: String)
  /// The network has no layer of this path.
  case unknownLayer(method: String, layer: String, architecture: String, valid: [String])
  /// The layer exists but the method cannot read it.
  case unsuitableLayer(method: String, layer: String, reason: String)
  /// The method is not defined for this network.
  case unsuitableNetwork(method: String, architecture: String, reason: String)
  /// The method is not defined for this explained score.
  case unsupportedScore(method: String, score: String, reason: String)
  /// A target count that differs from the clip count.
  case targetCount(targets: Int, clips: Int)
  /// A target that is not a class of the network.
  case targetOutOfRange(target: Int, classes: Int)
  /// Clips of a shape the method cannot take.
  case inputShape(method: String, expected: String, actual: [Int])
  /// Clips holding NaN or infinite values.
  case nonFiniteInput(method: String, clip: Int)

  // MARK: Numerics
  /// A LAPACK routine reported failure.
  case linearAlgebra(routine: String, info: Int, context: String)

  public var description: String { message(naming: { $0 }) }

  /// The message, with every option name spelt by `option` (a command line passes
  /// `{ "--" + $0 }`).
  public func message(naming option: (String) -> String) -> String {
    switch self {
    case .unknownMethod(let name, let valid):
      return "unknown method \"\(name)\"; valid methods: \(valid.joined(separator: ", "))"
    case .unknownOption(let name, let valid):
      return "no method takes an option \(option(name)); options: \(valid.map(option).joined(separator: ", "))"
    case .optionsNotTaken(let method, let options, let takes):
      return "\(method) does not take \(options.map(option).joined(separator: ", ")); its options: "
        + (takes.isEmpty ? "none" : takes.map(option).joined(separator: ", "))
        + " (and \(option("seed")), \(option("batch")))"
    case .invalidValue(let name, let value, let expected):
      return "\(option(name)) \(value) is not valid: expected \(expected)"
    case .conflictingOptions(let options, let reason):
      return "\(options.map(option).joined(separator: " and ")): \(reason)"
    case .missingValue(let name):
      return "\(option(name)) needs a value"
    case .repeatedOption(let name):
      return "\(option(name)) is given twice"
    case .unexpectedArgument(let word):
      return "unexpected \"\(word)\": method options are written --name value"
    case .undeclaredOption(let method, let option):
      return "registry: \(method) reads option \(option), which its entry does not declare"
    case .unsupportedRule(let method, let rule, let architecture):
      return "\(method) needs the \(rule) backward rule, which \(architecture) does not define"
    case .unknownLayer(let method, let layer, let architecture, let valid):
      return "\(method): \(architecture) has no layer \"\(layer)\"; valid layers: \(valid.joined(separator: ", "))"
    case .unsuitableLayer(let method, let layer, let reason):
      return "\(method): layer \"\(layer)\" \(reason)"
    case .unsuitableNetwork(let method, let architecture, let reason):
      return "\(method) cannot explain \(architecture): \(reason)"
    case .unsupportedScore(let method, let score, let reason):
      return "\(method) cannot explain the \(score): \(reason)"
    case .targetCount(let targets, let clips):
      return "\(targets) targets for \(clips) clips"
    case .targetOutOfRange(let target, let classes):
      return "target \(target) is not a class of the network (0..<\(classes))"
    case .inputShape(let method, let expected, let actual):
      return "\(method) needs clips \(expected), got \(Shape.describe(actual))"
    case .nonFiniteInput(let method, let clip):
      return "\(method): clip \(clip) holds NaN or infinite values"
    case .linearAlgebra(let routine, let info, let context):
      return "LAPACK \(routine) failed for \(context) (info \(info))"
    }
  }
}
