/// What a registry entry's `make` reads: the given options with the entry's defaults, limited
/// to the options the entry declares.
///
/// Reading an option the entry does not declare throws `AttributionError.undeclaredOption` — a
/// mistake in the registry, which the registry tests find by building every method. Every read
/// is recorded, so the same tests also find a declared option that a method never reads.
public struct MethodArguments {
  /// The method being built.
  public let method: String
  public let seed: UInt64
  public let batch: Int
  let given: MethodOptions
  let declared: [String: AnyMethodOption]
  let log: ReadLog

  init(method: String, given: MethodOptions, declared: [AnyMethodOption]) {
    self.method = method
    self.seed = given.seed
    self.batch = given.batch
    self.given = given
    self.declared = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0) })
    self.log = ReadLog()
  }

  /// The given value, else the entry's default; nil when neither exists.
  public func optional<V>(_ option: MethodOption<V>) throws -> V? {
    let d = try declaration(of: option)
    if let v = given[option] { return v }
    return d.defaultValue as? V
  }

  /// The given value, else the entry's default.
  /// - Throws: `undeclaredOption` when the entry neither declares the option nor gives it a default.
  public func value<V>(_ option: MethodOption<V>) throws -> V {
    guard let v = try optional(option) else {
      throw AttributionError.undeclaredOption(method: method, option: option.name + " (it has no default)")
    }
    return v
  }

  /// Whether the option was given (not defaulted).
  public func isGiven<V>(_ option: MethodOption<V>) throws -> Bool {
    _ = try declaration(of: option)
    return given[option] != nil
  }

  private func declaration<V>(of option: MethodOption<V>) throws -> AnyMethodOption {
    guard let d = declared[option.name] else {
      throw AttributionError.undeclaredOption(method: method, option: option.name)
    }
    log.names.insert(option.name)
    return d
  }

  /// Arguments for a hand-made entry (registry tests).
  package static func forTesting(method: String, given: MethodOptions, declared: [AnyMethodOption]) -> MethodArguments {
    MethodArguments(method: method, given: given, declared: declared)
  }

  /// The names of the options read so far (registry tests).
  package var read: Set<String> { log.names }

  final class ReadLog {
    var names: Set<String> = []
  }
}
