/// The options given for one attribution request: values of declared `MethodOption`s by name,
/// plus the two every method takes (`seed`, `batch`).
///
/// Only given options are stored; a method's registry entry supplies the defaults. Set values
/// with the typed subscript (`options[.steps] = 50`) or from text (`set(_:text:)`,
/// `parse(arguments:)`); `MethodRegistry.make` validates every value against its declaration.
public struct MethodOptions: Sendable, Equatable {
  /// Seed of anything random (noise, random baselines, tie orders).
  public var seed: UInt64 = 0
  /// Clips (or perturbed copies) per internal forward/backward pass; bounds memory.
  public var batch: Int = 8
  private var values: [String: any OptionValue] = [:]

  public init() {}

  /// The given value of `option`, nil when not given.
  public subscript<V>(option: MethodOption<V>) -> V? {
    get { values[option.name] as? V }
    set { values[option.name] = newValue }
  }

  /// The given value by name (type-erased), nil when not given.
  public func value(named name: String) -> (any OptionValue)? { values[name] }

  /// Sets `option` from the text of its value, parsed and validated.
  public mutating func set(_ option: AnyMethodOption, text: String) throws {
    values[option.name] = try option.parse(text)
  }

  /// Names of the given options, sorted.
  public var given: [String] { values.keys.sorted() }

  public static func == (a: MethodOptions, b: MethodOptions) -> Bool {
    a.seed == b.seed && a.batch == b.batch && a.given == b.given
      && a.values.allSatisfy { k, v in b.values[k].map { $0.optionText == v.optionText } ?? false }
  }
}

extension MethodOptions {
  /// Options from command-line words: `--name value`, `--name=value`, and `--name` alone for a
  /// flag, each name one of `MethodRegistry.allOptions`.
  ///
  /// - Throws: `AttributionError.unknownOption` for a name no method takes (listing the valid
  ///   names), `.missingValue` for an option without its value, `.invalidValue` for a value its
  ///   declaration refuses, `.repeatedOption` for a name given twice.
  /// - Complexity: O(words · options).
  public static func parse(arguments words: [String], known: [AnyMethodOption] = MethodRegistry.allOptions) throws
    -> MethodOptions
  {
    var options = MethodOptions()
    var i = 0
    while i < words.count {
      let word = words[i]
      guard word.hasPrefix("--"), word.count > 2 else { throw AttributionError.unexpectedArgument(word) }
      let body = word.dropFirst(2)
      let name: String, inline: String?
      if let eq = body.firstIndex(of: "=") {
        name = String(body[..<eq])
        inline = String(body[body.index(after: eq)...])
      } else {
        name = String(body)
        inline = nil
      }
      guard let option = known.first(where: { $0.name == name }) else {
        throw AttributionError.unknownOption(name, valid: known.map(\.name).sorted())
      }
      guard options.value(named: name) == nil else { throw AttributionError.repeatedOption(name) }
      let text: String
      if let inline {
        text = inline
      } else if option.isFlag {
        text = true.optionText
      } else {
        guard i + 1 < words.count, !words[i + 1].hasPrefix("--") else {
          throw AttributionError.missingValue(option: name)
        }
        i += 1
        text = words[i]
      }
      try options.set(option, text: text)
      i += 1
    }
    return options
  }
}
