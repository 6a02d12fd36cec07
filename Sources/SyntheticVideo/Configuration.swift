import TensorCore

extension Synthetic {
  /// Levels of the distractors: things in the clip that carry no class information and are
  /// drawn from the same distribution in every class. All are desaturated (gray), so they never
  /// look like an actor, and all are drawn *under* the evidence, which is never occluded.
  public struct Distractors: Sendable, Equatable {
    /// Maximum number of soft gray blobs doing a random walk (each clip draws 0…blobs).
    public var blobs: Int
    /// Amplitude of the smooth gray value-noise texture of the background (0 = flat gray).
    public var backgroundContrast: Double
    /// Maximum camera-pan speed of the background, as a fraction of the frame size per frame
    /// (each clip draws a direction uniformly and a speed uniformly in [0, panSpeed]).
    public var panSpeed: Double
    /// Standard deviation of the independent per-pixel, per-channel noise (triangular
    /// distribution), in pixel units of [0, 1].
    public var noise: Double

    public init(blobs: Int = 2, backgroundContrast: Double = 0.2, panSpeed: Double = 0.008, noise: Double = 0.03) {
      self.blobs = blobs
      self.backgroundContrast = backgroundContrast
      self.panSpeed = panSpeed
      self.noise = noise
    }

    /// The defaults: up to 2 blobs, contrast 0.2, pan ≤ 0.008·size per frame, noise 0.03.
    public static let standard = Distractors()
    /// No distractors: a flat gray background and the evidence only.
    public static let none = Distractors(blobs: 0, backgroundContrast: 0, panSpeed: 0, noise: 0)

    /// Allowed ranges, chosen so that the background stays inside [0, 1] before noise and the
    /// pan stays slower than the slowest actor.
    public static let blobRange = 0...8
    public static let contrastRange = 0.0...0.3
    public static let panSpeedRange = 0.0...0.02
    public static let noiseRange = 0.0...0.2
  }

  /// What to generate: clip length and size, which classes (labels are positions in
  /// `classes`), distractor levels and the seed.
  public struct Configuration: Sendable, Equatable {
    /// T, frames per clip (default 16, the papers' clip length).
    public var frames: Int
    /// H = W, the frame size in pixels (default 32; 112 is the papers' size).
    public var size: Int
    /// The classes, label i being `classes[i]` (default: all eleven in declaration order).
    public var classes: [ActionClass]
    public var distractors: Distractors
    /// Seed of the whole data set; splits and clips derive their streams from it.
    public var seed: UInt64

    public init(
      frames: Int = 16, size: Int = 32, classes: [ActionClass] = ActionClass.allCases,
      distractors: Distractors = .standard, seed: UInt64 = 0
    ) {
      self.frames = frames
      self.size = size
      self.classes = classes
      self.distractors = distractors
      self.seed = seed
    }

    /// T ∈ 8…128: the order classes need room for two markers of up to 4 frames each.
    public static let framesRange = 8...128
    /// H = W ∈ 16…256: below 16 the actors (half-size ≥ 0.12·size before shrinking) are too
    /// few pixels to show a shape; above 256 a clip no longer fits a sensible batch.
    public static let sizeRange = 16...256
    /// Slowest translation allowed, in pixels per frame. The translation speed is capped so
    /// the actor never leaves the frame (`Geometry.translationSpeedLimit`); when the cap falls
    /// below this, the clip is too long for its size.
    public static let minimumTranslationSpeed = 0.35

    /// Slowest translation speed any clip of this configuration draws, in pixels per frame.
    public var slowestTranslation: Double {
      Geometry.slowestSpeedFactor * Geometry.translationSpeedLimit(frames: frames) * Double(size)
    }

    /// Checks every field.
    /// - Throws: `ConfigurationError` naming the field, its value and the limit.
    public func validate() throws {
      guard Configuration.framesRange.contains(frames) else {
        throw ConfigurationError.framesOutOfRange(frames, allowed: Configuration.framesRange)
      }
      guard Configuration.sizeRange.contains(size) else {
        throw ConfigurationError.sizeOutOfRange(size, allowed: Configuration.sizeRange)
      }
      guard slowestTranslation >= Configuration.minimumTranslationSpeed else {
        throw ConfigurationError.motionTooSlow(
          frames: frames, size: size, pixelsPerFrame: slowestTranslation,
          minimum: Configuration.minimumTranslationSpeed)
      }
      guard !classes.isEmpty else { throw ConfigurationError.noClasses }
      var seen = Set<ActionClass>()
      for c in classes {
        guard seen.insert(c).inserted else { throw ConfigurationError.duplicateClass(c.name) }
      }
      let d = distractors
      guard Distractors.blobRange.contains(d.blobs) else {
        throw ConfigurationError.distractorOutOfRange(
          "blobs", value: Double(d.blobs), allowed: "\(Distractors.blobRange)")
      }
      let checks: [(String, Double, ClosedRange<Double>)] = [
        ("backgroundContrast", d.backgroundContrast, Distractors.contrastRange),
        ("panSpeed", d.panSpeed, Distractors.panSpeedRange),
        ("noise", d.noise, Distractors.noiseRange),
      ]
      for (name, value, range) in checks where !range.contains(value) {
        throw ConfigurationError.distractorOutOfRange(name, value: value, allowed: "\(range)")
      }
    }

    /// Parses a comma-separated list of class names ("grow,shrink").
    /// - Throws: `ConfigurationError.unknownClass` for a name that is not a class.
    public static func classes(named list: String) throws -> [ActionClass] {
      try list.split(separator: ",").map { try ActionClass(name: String($0)) }
    }
  }

  /// Why a configuration or a request cannot be generated. Every message names the value and
  /// the limit it broke.
  public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case framesOutOfRange(Int, allowed: ClosedRange<Int>)
    case sizeOutOfRange(Int, allowed: ClosedRange<Int>)
    case motionTooSlow(frames: Int, size: Int, pixelsPerFrame: Double, minimum: Double)
    case noClasses
    case duplicateClass(String)
    case unknownClass(String, known: [String])
    case unknownSplit(String, known: [String])
    case distractorOutOfRange(String, value: Double, allowed: String)
    case invalidVideoCount(Int)
    case invalidStartIndex(Int)
    case batchTooLarge(count: Int, elementsPerClip: Int)

    public var description: String {
      switch self {
      case let .framesOutOfRange(t, allowed):
        return "frames must be in \(allowed.lowerBound)…\(allowed.upperBound), got \(t)"
          + " (the order classes need two markers of up to 4 frames each)"
      case let .sizeOutOfRange(s, allowed):
        return "size must be in \(allowed.lowerBound)…\(allowed.upperBound) pixels, got \(s)"
          + " (below \(allowed.lowerBound) the actors cannot be drawn)"
      case let .motionTooSlow(t, s, v, minimum):
        let speed = (v * 100).rounded() / 100
        return "\(t) frames at \(s)×\(s) pixels: to keep the moving actor inside the frame the translation"
          + " classes would move only \(speed) pixels per frame, below the minimum \(minimum);"
          + " use fewer frames or a larger size"
      case .noClasses:
        return "no classes selected; choose at least one of \(Synthetic.classNames.joined(separator: ", "))"
      case let .duplicateClass(name):
        return "class \(name) is listed twice"
      case let .unknownClass(name, known):
        return "unknown class \"\(name)\"; known classes: \(known.joined(separator: ", "))"
      case let .unknownSplit(name, known):
        return "unknown split \"\(name)\"; known splits: \(known.joined(separator: ", "))"
      case let .distractorOutOfRange(name, value, allowed):
        return "distractor level \(name) = \(value) is outside \(allowed)"
      case let .invalidVideoCount(n):
        return "the number of videos must be at least 1, got \(n)"
      case let .invalidStartIndex(i):
        return "the first clip index must be ≥ 0, got \(i)"
      case let .batchTooLarge(n, e):
        return "\(n) clips of \(e) values each do not fit in memory"
      }
    }
  }
}
