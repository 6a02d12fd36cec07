import Testing

import SyntheticVideo

@Suite("Synthetic configuration: defaults and clear, typed errors")
struct ConfigurationTests {
  typealias E = Synthetic.ConfigurationError

  @Test("defaults: 16 frames of 32×32, all eleven classes in declaration order")
  func defaults() throws {
    let c = Synthetic.Configuration()
    #expect(c.frames == 16 && c.size == 32)
    #expect(c.classes == Synthetic.ActionClass.allCases)
    #expect(Synthetic.classNames.count == 11)
    #expect(Synthetic.classNames[0] == "translate_right" && Synthetic.classNames[10] == "b_then_a")
    try c.validate()
    // The slowest translation at the default size is ≥ 0.6 px/frame.
    #expect(c.slowestTranslation >= 0.6)
  }

  @Test("sizes 16…128 at 16 frames validate", arguments: [16, 24, 32, 48, 64, 96, 112, 128])
  func supportedSizes(size: Int) throws {
    try Synthetic.Configuration(size: size).validate()
  }

  @Test("frames and sizes outside their ranges are rejected with the limit in the message")
  func ranges() {
    #expect(throws: E.framesOutOfRange(7, allowed: 8...128)) { try Synthetic.Configuration(frames: 7).validate() }
    #expect(throws: E.sizeOutOfRange(15, allowed: 16...256)) { try Synthetic.Configuration(size: 15).validate() }
    #expect(throws: E.sizeOutOfRange(0, allowed: 16...256)) { try Synthetic.Configuration(size: 0).validate() }
    #expect(throws: E.sizeOutOfRange(257, allowed: 16...256)) { try Synthetic.Configuration(size: 257).validate() }
    #expect("\(E.sizeOutOfRange(8, allowed: 16...256))".contains("16…256"))
    #expect("\(E.framesOutOfRange(200, allowed: 8...128))".contains("got 200"))
  }

  @Test("clips too long for their size (the actor would leave the frame) are rejected")
  func motionLimit() throws {
    // At 32×32 the translation cap falls below 0.35 px/frame beyond 34 frames.
    try Synthetic.Configuration(frames: 34, size: 32).validate()
    #expect(throws: E.self) { try Synthetic.Configuration(frames: 35, size: 32).validate() }
    do {
      try Synthetic.Configuration(frames: 64, size: 32).validate()
      Issue.record("64 frames at 32×32 validated")
    } catch let error as E {
      guard case let .motionTooSlow(t, s, v, minimum) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(t == 64 && s == 32 && v < minimum)
      #expect("\(error)".contains("pixels per frame") && "\(error)".contains("fewer frames or a larger size"))
    }
    try Synthetic.Configuration(frames: 64, size: 112).validate()
  }

  @Test("class lists: unknown names, duplicates and empty lists are errors that list the known classes")
  func classes() throws {
    #expect(try Synthetic.Configuration.classes(named: "grow,flash") == [.grow, .flash])
    #expect(throws: E.unknownClass("jump", known: Synthetic.classNames)) {
      try Synthetic.Configuration.classes(named: "grow,jump")
    }
    #expect("\(E.unknownClass("jump", known: Synthetic.classNames))".contains("a_then_b"))
    #expect(throws: E.noClasses) { try Synthetic.Configuration(classes: []).validate() }
    #expect(throws: E.duplicateClass("grow")) { try Synthetic.Configuration(classes: [.grow, .grow]).validate() }
    for c in Synthetic.ActionClass.allCases { #expect(try Synthetic.ActionClass(name: c.name) == c) }
  }

  @Test("splits by name: train, validation (or val), test; anything else is an error")
  func splits() throws {
    #expect(try Synthetic.Split(name: "train") == .train)
    #expect(try Synthetic.Split(name: "val") == .validation)
    #expect(try Synthetic.Split(name: "validation") == .validation)
    #expect(throws: E.unknownSplit("dev", known: ["train", "validation", "test"])) { try Synthetic.Split(name: "dev") }
  }

  @Test("distractor levels outside their ranges are rejected by name")
  func distractors() {
    var d = Synthetic.Distractors.standard
    d.noise = 0.5
    #expect(throws: E.distractorOutOfRange("noise", value: 0.5, allowed: "0.0...0.2")) {
      try Synthetic.Configuration(distractors: d).validate()
    }
    d = .standard
    d.blobs = -1
    #expect(throws: E.self) { try Synthetic.Configuration(distractors: d).validate() }
    d = .standard
    d.panSpeed = .nan
    #expect(throws: E.self) { try Synthetic.Configuration(distractors: d).validate() }
  }

  @Test("zero or negative videos and negative start indices are errors; a bad configuration fails early")
  func batchRequests() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16))
    #expect(throws: E.invalidVideoCount(0)) { try generator.batch(split: .train, count: 0) }
    #expect(throws: E.invalidVideoCount(-3)) { try generator.batch(split: .train, count: -3) }
    #expect(throws: E.invalidStartIndex(-1)) { try generator.batch(split: .test, count: 1, startIndex: -1) }
    #expect("\(E.invalidVideoCount(0))" == "the number of videos must be at least 1, got 0")
    #expect(throws: E.self) { try generator.batch(split: .train, count: Int.max / 2) }
    #expect(throws: E.sizeOutOfRange(4, allowed: 16...256)) {
      try Synthetic.Generator(Synthetic.Configuration(size: 4))
    }
  }
}
