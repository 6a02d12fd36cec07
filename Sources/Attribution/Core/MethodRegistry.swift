/// Every attribution method by its command-line name, with the options it takes.
public enum MethodRegistry {
  /// One method: its name, a one-line summary, the options it reads, and how to build it.
  public struct Entry: Sendable {
    public var name: String
    public var summary: String
    public var options: Set<String>
    public var make: @Sendable (MethodOptions) throws -> any AttributionMethod

    public init(
      name: String, summary: String, options: Set<String>,
      make: @escaping @Sendable (MethodOptions) throws -> any AttributionMethod
    ) {
      self.name = name
      self.summary = summary
      self.options = options
      self.make = make
    }
  }

  /// All methods, in the order the help lists them. Each family contributes its entries.
  public static var entries: [Entry] {
    gradientFamilyEntries + integralEntries + camExcitationEntries + relevanceEntries
  }

  /// The method names, comma-separated (for messages).
  public static var names: String { entries.map(\.name).joined(separator: ", ") }

  /// Builds method `name` from `options`; throws naming the valid methods for an unknown name,
  /// or the options the method takes when one it does not take was given.
  public static func make(_ name: String, options: MethodOptions) throws -> any AttributionMethod {
    guard let entry = entries.first(where: { $0.name == name }) else {
      throw AttributionError("unknown method \"\(name)\"; valid methods: \(names)")
    }
    let extra = options.given.filter { !entry.options.contains($0) }
    guard extra.isEmpty else {
      let valid = entry.options.isEmpty ? "none" : entry.options.sorted().map { "--" + $0 }.joined(separator: ", ")
      throw AttributionError(
        "\(name) does not take \(extra.map { "--" + $0 }.joined(separator: ", ")); its options: \(valid) "
          + "(and --seed, --batch, --target, --score, --path)")
    }
    guard options.batch >= 1 else { throw AttributionError("--batch must be ≥ 1, got \(options.batch)") }
    return try entry.make(options)
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
  ]
}
