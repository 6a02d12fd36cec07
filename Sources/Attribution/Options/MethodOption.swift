/// One option of attribution methods, declared once with its type, help text, default and
/// requirement; everything else is derived from this declaration: the command-line flag
/// (`--` + `name`), the registry's record of which methods take it, validation, the help text
/// and the check that a method records it in its `parameters` (tested for every method).
///
/// The options are static members (`MethodOption+Catalogue.swift`), so a method reads one as
/// `arguments.value(.steps)`: a misspelt option does not compile. A registry entry may give an
/// option its own default (`.steps.defaulting(to: 25)`).
public struct MethodOption<Value: OptionValue>: Sendable {
  /// The parameter's name, kebab-case (`cam-weights`); the command-line flag is `--name`.
  public let name: String
  /// One line for help texts.
  public let help: String
  /// The value used when the option is not given; nil when the default is not a fixed value
  /// (for example "the network's CAM layer"), which `defaultDescription` then describes.
  public let defaultValue: Value?
  /// The default, as help texts print it.
  public let defaultDescription: String
  /// What a valid value must satisfy (beyond parsing); nil when every value is valid.
  public let requirement: OptionRequirement<Value>?
  /// A flag takes no value on the command line: its presence means `true` (Bool options only).
  public let isFlag: Bool

  public init(
    _ name: String, help: String, default defaultValue: Value?, defaultDescription: String? = nil,
    requirement: OptionRequirement<Value>? = nil, isFlag: Bool = false
  ) {
    precondition(!isFlag || Value.self == Bool.self, "only Bool options can be flags")
    self.name = name
    self.help = help
    self.defaultValue = defaultValue
    self.defaultDescription = defaultDescription ?? defaultValue?.optionText ?? "none"
    self.requirement = requirement
    self.isFlag = isFlag
  }

  /// The same option with another default (a method whose default differs, as DeepLIFT's zero
  /// baseline beside integrated gradients' black clip).
  public func defaulting(to value: Value?, description: String? = nil) -> MethodOption {
    MethodOption(
      name, help: help, default: value, defaultDescription: description ?? value?.optionText ?? defaultDescription,
      requirement: requirement, isFlag: isFlag)
  }

  /// Throws `AttributionError.invalidValue` unless `value` meets the requirement.
  public func validate(_ value: Value) throws {
    if let r = requirement, !r.isSatisfied(by: value) {
      throw AttributionError.invalidValue(option: name, value: value.optionText, expected: r.description)
    }
  }

  /// Parses and validates the text of a value.
  public func parse(_ text: String) throws -> Value {
    guard let v = Value(optionText: text) else {
      throw AttributionError.invalidValue(
        option: name, value: text, expected: requirement?.description ?? Value.optionSyntax)
    }
    try validate(v)
    return v
  }

  /// The option without its value type, for lists of the options a method takes.
  public var erased: AnyMethodOption { AnyMethodOption(self) }
}

/// What a valid value of an option satisfies, with the words a message uses for it.
public struct OptionRequirement<Value>: Sendable {
  /// "an integer ≥ 1", "a number in (0, 1)".
  public let description: String
  let test: @Sendable (Value) -> Bool

  public init(_ description: String, _ test: @escaping @Sendable (Value) -> Bool) {
    self.description = description
    self.test = test
  }

  public func isSatisfied(by value: Value) -> Bool { test(value) }
}

extension OptionRequirement where Value == Int {
  /// value ≥ `minimum`.
  public static func atLeast(_ minimum: Int) -> Self { Self("an integer ≥ \(minimum)") { $0 >= minimum } }
}

extension OptionRequirement where Value == Double {
  /// A finite value ≥ `minimum`.
  public static func finite(atLeast minimum: Double) -> Self {
    Self("a finite number ≥ \(minimum.optionText)") { $0.isFinite && $0 >= minimum }
  }
  /// A finite value > `minimum`.
  public static func finite(above minimum: Double) -> Self {
    Self("a finite number > \(minimum.optionText)") { $0.isFinite && $0 > minimum }
  }
  /// A value strictly between `lower` and `upper`.
  public static func between(_ lower: Double, _ upper: Double) -> Self {
    Self("a number in (\(lower.optionText), \(upper.optionText))") { $0 > lower && $0 < upper }
  }
}

extension OptionRequirement {
  /// Every element of a list meets `element`.
  public static func each<E>(_ element: OptionRequirement<E>) -> Self where Value == [E] {
    Self("a comma-separated list, each \(element.description)") { $0.allSatisfy(element.isSatisfied) }
  }
}

/// A `MethodOption` without its value type: what the registry lists and the command line parses.
public struct AnyMethodOption: Sendable, Hashable, CustomStringConvertible {
  public let name: String
  public let help: String
  /// What a value looks like (`integer`, `per-frame|clip`).
  public let syntax: String
  public let defaultDescription: String
  public let isFlag: Bool
  /// The default value, type-erased (nil: no fixed default).
  public let defaultValue: (any OptionValue)?
  let parseText: @Sendable (String) throws -> any OptionValue
  let validateValue: @Sendable (any OptionValue) throws -> Void

  init<V>(_ option: MethodOption<V>) {
    name = option.name
    help = option.help
    syntax = option.isFlag ? "" : "<\(V.optionSyntax)>"
    defaultDescription = option.defaultDescription
    isFlag = option.isFlag
    defaultValue = option.defaultValue
    parseText = { try option.parse($0) }
    validateValue = { value in
      guard let v = value as? V else {
        throw AttributionError.invalidValue(option: option.name, value: value.optionText, expected: V.optionSyntax)
      }
      try option.validate(v)
    }
  }

  /// Parses and validates the text of a value.
  public func parse(_ text: String) throws -> any OptionValue { try parseText(text) }

  /// Throws unless `value` is of this option's type and meets its requirement.
  public func validate(_ value: any OptionValue) throws { try validateValue(value) }

  /// `--name <syntax>` (or `--name` for a flag).
  public var flag: String { isFlag ? "--\(name)" : "--\(name) \(syntax)" }

  public var description: String { name }
  public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
  public func hash(into h: inout Hasher) { h.combine(name) }
}
