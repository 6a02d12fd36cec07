import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The typed option declarations and the registry built on them: every option declared once,
/// read by the methods that declare it, recorded in their parameters, parsed from the command
/// line's words.
@Suite("Method options: one declaration each, read, recorded and parsed as declared")
struct MethodOptionTests {
  /// A valid value of every option that differs from every entry's default for it. An option
  /// added without a sample here fails `everyOptionHasASample`.
  static let samples: [String: String] = [
    "steps": "4", "rule": "riemann_middle", "baseline": "noise", "samples": "3", "noise": "0.2",
    "noise-absolute": "on", "layer": "layer3", "contrast-layer": "layer3", "cam-weights": "clip", "relu": "off",
    "upsampling": "nearest", "epsilon": "0.01", "alpha": "3.0", "beta": "2.0",
    "preset": "v1", "areas": "0.2,0.4", "iterations": "3", "perturbation": "fade", "mask-step": "3",
    "mask-sigma": "5.5",
    "mask-step-t": "2", "mask-sigma-t": "1.5", "reward": "contrastive", "variant": "dual", "ties": "stable",
    "jitter": "on", "core-frames": "4", "core-size": "5", "core-shape": "cylinder",
  ]

  /// Options given one sample value each for `entry`.
  static func sampleOptions(_ entry: MethodRegistry.Entry) throws -> MethodOptions {
    var o = MethodOptions()
    for option in entry.options { try o.set(option, text: try #require(samples[option.name], "\(option.name)")) }
    return o
  }

  @Test("every option some method takes has a sample value that is not any method's default")
  func everyOptionHasASample() throws {
    for option in MethodRegistry.allOptions {
      let text = try #require(Self.samples[option.name], "no sample for option \(option.name)")
      for entry in MethodRegistry.entries {
        guard let declared = entry.options.first(where: { $0.name == option.name }) else { continue }
        let value = try declared.parse(text)
        #expect(
          declared.defaultValue?.optionText != value.optionText,
          "\(entry.name): sample of \(option.name) is its default")
      }
    }
    #expect(Set(Self.samples.keys) == Set(MethodRegistry.allOptions.map(\.name)), "samples for options no method takes")
  }

  @Test("every method reads exactly the options it declares, with defaults and with every option given")
  func entriesReadWhatTheyDeclare() throws {
    for entry in MethodRegistry.entries {
      for options in [MethodOptions(), try Self.sampleOptions(entry)] {
        let (method, read) = try MethodRegistry.makeRecordingReads(entry.name, options: options)
        #expect(method.name == entry.name)
        #expect(read == entry.takes, "\(entry.name) declares \(entry.takes.sorted()) but read \(read.sorted())")
      }
    }
  }

  @Test("every method records each option it takes in its parameters, as given or as defaulted")
  func parametersRecordTheOptions() throws {
    for entry in MethodRegistry.entries {
      let defaulted = try MethodRegistry.make(entry.name, options: MethodOptions())
      for option in entry.options {
        #expect(defaulted.parameters[option.name] != nil, "\(entry.name) does not record \(option.name)")
        if let d = option.defaultValue {
          #expect(defaulted.parameters[option.name] == d.optionText, "\(entry.name): default of \(option.name)")
        }
      }
      let given = try MethodRegistry.make(entry.name, options: try Self.sampleOptions(entry))
      for option in entry.options {
        #expect(
          given.parameters[option.name] == Self.samples[option.name],
          "\(entry.name) records \(option.name) as \(given.parameters[option.name] ?? "nothing")")
      }
      #expect(given.parameters["batch"] == "8", "\(entry.name) records its batch")
    }
  }

  @Test("a method's undeclared option read is a registry error, not a silent default")
  func undeclaredReadIsAnError() throws {
    let entry = MethodRegistry.Entry(name: "probe", summary: "reads steps without declaring it", options: []) { a in
      Saliency(batch: try a.value(.steps))
    }
    let a = MethodArguments.forTesting(method: entry.name, given: MethodOptions(), declared: entry.options)
    #expect(throws: AttributionError.undeclaredOption(method: "probe", option: "steps")) { try entry.make(a) }
  }

  @Test("values read back from their text; every option parses from --name value, --name=value and flags")
  func parsing() throws {
    for option in MethodRegistry.allOptions {
      let text = try #require(Self.samples[option.name])
      let v = try option.parse(text)
      #expect(try option.parse(v.optionText).optionText == v.optionText, "\(option.name) round trip")
      let words = option.isFlag ? ["--\(option.name)"] : ["--\(option.name)", text]
      let parsed = try MethodOptions.parse(arguments: words)
      #expect(parsed.value(named: option.name)?.optionText == v.optionText, "\(option.name) from \(words)")
      let joined = try MethodOptions.parse(arguments: ["--\(option.name)=\(text)"])
      #expect(joined.value(named: option.name)?.optionText == v.optionText, "\(option.name)=\(text)")
    }
    let o = try MethodOptions.parse(arguments: [
      "--steps", "7", "--noise-absolute", "--rule=gauss_legendre", "--noise", "1e-3",
    ])
    #expect(o[.steps] == 7 && o[.noiseAbsolute] == true && o[.rule] == .gaussLegendre && o[.noise] == 1e-3)
    #expect(o.given == ["noise", "noise-absolute", "rule", "steps"])
    // A negative number is a value, not an option.
    let shift = MethodOption<Double>("shift", help: "a signed test option", default: 0)
    let signed = try MethodOptions.parse(arguments: ["--shift", "-2.5"], known: [shift.erased])
    #expect(signed[shift] == -2.5)
    #expect(throws: AttributionError.missingValue(option: "steps")) { try MethodOptions.parse(arguments: ["--steps"]) }
    #expect(throws: AttributionError.missingValue(option: "steps")) {
      try MethodOptions.parse(arguments: ["--steps", "--rule", "riemann_left"])
    }
    #expect(throws: AttributionError.repeatedOption("steps")) {
      try MethodOptions.parse(arguments: ["--steps", "2", "--steps=3"])
    }
    #expect(throws: AttributionError.unexpectedArgument("25")) { try MethodOptions.parse(arguments: ["25"]) }
    #expect(throws: AttributionError.unknownOption("step", valid: MethodRegistry.allOptions.map(\.name).sorted())) {
      try MethodOptions.parse(arguments: ["--step", "25"])
    }
    #expect(throws: AttributionError.invalidValue(option: "relu", value: "yes", expected: "on|off")) {
      try MethodOptions.parse(arguments: ["--relu", "yes"])
    }
    #expect(throws: AttributionError.invalidValue(option: "steps", value: "2.5", expected: "an integer ≥ 1")) {
      try MethodOptions.parse(arguments: ["--steps", "2.5"])
    }
  }

  @Test("a list option reads comma-separated values and refuses empty items")
  func lists() {
    #expect([Double](optionText: "0.05,0.1,0.5") == [0.05, 0.1, 0.5])
    #expect([Double](optionText: "0.05,,0.5") == nil)
    #expect([Double](optionText: "") == nil)
    #expect([0.05, 0.1].optionText == "0.05,0.1")
  }

  @Test("the help of a method lists each of its options with its syntax and default")
  func help() throws {
    let text = MethodRegistry.help(for: try MethodRegistry.entry("integrated_gradients"))
    #expect(text.contains("--steps <integer>   (default: 25)"))
    #expect(
      text.contains(
        "--rule <riemann_left|riemann_right|riemann_middle|riemann_trapezoid|gauss_legendre>   (default: riemann_left)")
    )
    #expect(text.contains("--baseline <zero|black|blur|noise|first_frame>   (default: black)"))
    #expect(MethodRegistry.help(for: try MethodRegistry.entry("deeplift")).contains("(default: zero)"))
    #expect(
      MethodRegistry.help(for: try MethodRegistry.entry("smoothgrad")).contains("--noise-absolute   (default: off)"))
  }

  @Test("errors name options without command-line spelling; a command line can spell them as flags")
  func messages() {
    let e = AttributionError.optionsNotTaken(method: "gradient", options: ["steps"], takes: [])
    #expect(e.description == "gradient does not take steps; its options: none (and seed, batch)")
    #expect(
      e.message(naming: { "--" + $0 }) == "gradient does not take --steps; its options: none (and --seed, --batch)")
    #expect(
      AttributionError.invalidValue(option: "steps", value: "0", expected: "an integer ≥ 1").message(naming: {
        "--" + $0
      })
        == "--steps 0 is not valid: expected an integer ≥ 1")
    var o = MethodOptions()
    o.batch = 0
    #expect(throws: AttributionError.invalidValue(option: "batch", value: "0", expected: "an integer ≥ 1")) {
      try MethodRegistry.make("gradient", options: o)
    }
  }
}
