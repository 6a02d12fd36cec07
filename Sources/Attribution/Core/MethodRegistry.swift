/// Every attribution method by its name, with the options it takes.
///
/// An entry lists its options as `MethodOption` declarations (with its own defaults where they
/// differ); from that list come the check that a request gives only options the method takes,
/// the validation of their values, the help text (`help`) and the command line's parser
/// (`allOptions`). The registry tests build every method with its defaults and with every option
/// given, and check that each entry reads exactly the options it declares and records each in
/// the method's `parameters`.
public enum MethodRegistry {
  /// One method: its name, a one-line summary, the options it takes, and how to build it.
  public struct Entry: Sendable {
    public var name: String
    public var summary: String
    /// The options, in the order help texts list them.
    public var options: [AnyMethodOption]
    public var make: @Sendable (MethodArguments) throws -> any AttributionMethod

    public init(
      name: String, summary: String, options: [AnyMethodOption],
      make: @escaping @Sendable (MethodArguments) throws -> any AttributionMethod
    ) {
      self.name = name
      self.summary = summary
      self.options = options
      self.make = make
    }

    /// The names of the options the method takes.
    public var takes: Set<String> { Set(options.map(\.name)) }
  }

  /// All methods, in the order the help lists them. Each family contributes its entries.
  public static var entries: [Entry] {
    gradientFamilyEntries + integralEntries + camExcitationEntries + relevanceEntries + extremalEntries
  }

  /// The method names.
  public static var names: [String] { entries.map(\.name) }

  /// Every option some method takes, each once (the first declaration of a name), in entry order.
  public static var allOptions: [AnyMethodOption] {
    var seen: Set<String> = []
    return entries.flatMap(\.options).filter { seen.insert($0.name).inserted }
  }

  /// The entry of method `name`.
  /// - Throws: `AttributionError.unknownMethod` naming the valid methods.
  public static func entry(_ name: String) throws -> Entry {
    guard let e = entries.first(where: { $0.name == name }) else {
      throw AttributionError.unknownMethod(name, valid: names)
    }
    return e
  }

  /// Builds method `name` from `options`.
  /// - Throws: `AttributionError`: `.unknownMethod`; `.optionsNotTaken` naming the options the
  ///   method takes when it was given others; `.invalidValue` for a value its declaration
  ///   refuses or a batch below 1; whatever the method's own checks throw.
  public static func make(_ name: String, options: MethodOptions) throws -> any AttributionMethod {
    try makeRecordingReads(name, options: options).method
  }

  /// `make`, also returning the names of the options the entry read (registry tests).
  package static func makeRecordingReads(_ name: String, options: MethodOptions) throws -> (
    method: any AttributionMethod, read: Set<String>
  ) {
    let entry = try entry(name)
    let extra = options.given.filter { !entry.takes.contains($0) }
    guard extra.isEmpty else {
      throw AttributionError.optionsNotTaken(method: name, options: extra, takes: entry.options.map(\.name))
    }
    for option in entry.options {
      if let v = options.value(named: option.name) { try option.validate(v) }
    }
    guard options.batch >= 1 else {
      throw AttributionError.invalidValue(option: "batch", value: "\(options.batch)", expected: "an integer ≥ 1")
    }
    let arguments = MethodArguments(method: name, given: options, declared: entry.options)
    let method = try entry.make(arguments)
    return (method, arguments.read)
  }

  /// Help for one method: its name and summary, then one line per option with its value
  /// syntax and default, then its help.
  public static func help(for entry: Entry) -> String {
    var lines = ["\(entry.name) — \(entry.summary)"]
    if entry.options.isEmpty { lines.append("  options: none (besides seed and batch)") }
    for o in entry.options {
      lines.append("  \(o.flag)   (default: \(o.defaultDescription))")
      lines.append("      \(o.help)")
    }
    return lines.joined(separator: "\n")
  }

  static let gradientFamilyEntries: [Entry] = [
    Entry(name: "gradient", summary: "∂s/∂x (saliency)", options: []) { Saliency(batch: $0.batch) },
    Entry(name: "gradient_x_input", summary: "x ⊙ ∂s/∂x", options: []) { GradientTimesInput(batch: $0.batch) },
    Entry(name: "guided_backprop", summary: "ReLUs pass positive gradients where the input was positive", options: []) {
      RuleSaliency(.guidedBackprop, batch: $0.batch)
    },
    Entry(name: "deconvnet", summary: "ReLUs pass the positive part of the gradient", options: []) {
      RuleSaliency(.deconvnet, batch: $0.batch)
    },
    Entry(
      name: "random", summary: "independent uniform numbers per voxel: the baseline (Li et al.'s method 0)", options: []
    ) {
      RandomMap(seed: $0.seed, batch: $0.batch)
    },
  ]
}
