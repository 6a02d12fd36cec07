/// A value an attribution method's option can take, with the text that spells it on a command
/// line and in an attribution file's metadata (`parameters`).
///
/// `init?(optionText:)` and `optionText` are inverses on valid values, so a value written to a
/// file's metadata reads back unchanged (tested for every declared option).
public protocol OptionValue: Sendable, Equatable {
  /// The value spelt by `text`, or nil when `text` spells no value of this type.
  init?(optionText text: String)
  /// The value's spelling (the shortest text that reads back to the same value).
  var optionText: String { get }
  /// What a value looks like, for help texts: `integer`, `number`, `on|off`, `a|b|c`.
  static var optionSyntax: String { get }
}

extension Int: OptionValue {
  public init?(optionText text: String) { self.init(text) }
  public var optionText: String { "\(self)" }
  public static var optionSyntax: String { "integer" }
}

extension UInt64: OptionValue {
  public init?(optionText text: String) { self.init(text) }
  public var optionText: String { "\(self)" }
  public static var optionSyntax: String { "integer ≥ 0" }
}

extension Double: OptionValue {
  /// Any text Swift reads as a Double, including `nan` and `inf`: an option's requirement, not
  /// its parser, says which numbers it accepts (so the error can name the requirement).
  public init?(optionText text: String) { self.init(text) }
  public var optionText: String { "\(self)" }
  public static var optionSyntax: String { "number" }
}

extension String: OptionValue {
  public init?(optionText text: String) {
    guard !text.isEmpty else { return nil }
    self = text
  }
  public var optionText: String { self }
  public static var optionSyntax: String { "name" }
}

/// A switch, spelt `on` or `off` (as `--relu off`).
extension Bool: OptionValue {
  public init?(optionText text: String) {
    switch text {
    case "on": self = true
    case "off": self = false
    default: return nil
    }
  }
  public var optionText: String { self ? "on" : "off" }
  public static var optionSyntax: String { "on|off" }
}

/// Enumerations with string raw values are spelt by their raw values.
extension OptionValue where Self: RawRepresentable & CaseIterable, RawValue == String {
  public init?(optionText text: String) { self.init(rawValue: text) }
  public var optionText: String { rawValue }
  public static var optionSyntax: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// A list, spelt comma-separated (`--areas 0.05,0.1,0.15,0.5`); never empty.
extension Array: OptionValue where Element: OptionValue {
  public init?(optionText text: String) {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var values: [Element] = []
    for p in parts {
      guard let v = Element(optionText: p) else { return nil }
      values.append(v)
    }
    guard !values.isEmpty else { return nil }
    self = values
  }
  public var optionText: String { map(\.optionText).joined(separator: ",") }
  public static var optionSyntax: String { "\(Element.optionSyntax),…" }
}
