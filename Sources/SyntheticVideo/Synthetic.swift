import Imaging
import TensorCore

/// The built-in benchmark: procedurally drawn video clips whose class is decided by an actor's
/// motion or timing, with exact ground truth (label, per-frame evidence boxes, a voxel evidence
/// mask and key frames), generated deterministically from a seed with no download.
///
/// The namespace is `Synthetic` rather than the module's name (swift-numerics' rule: a module
/// is never named like a type inside it). See the "Benchmark" article for every class, the
/// distractors and the ground-truth conventions.
public enum Synthetic {
  /// Bumped whenever a change alters the bytes of any generated clip; recorded in files.
  public static let generatorVersion = 2

  /// The normalisation applied to batches (`Batch.input`): Kinetics-400 mean and std.
  public static let normalization = ChannelNormalization.kinetics

  /// The names of all classes, in label order of the default configuration.
  public static var classNames: [String] { ActionClass.allCases.map(\.name) }

  /// The eleven classes. Each is decided by motion or timing only: the actor's colour, shape,
  /// size and orientation are drawn independently of the class, and distractors are the same
  /// in every class. Speeds are fractions of the frame size, so every class looks the same at
  /// every resolution. Directions are as seen on screen (x to the right, y downwards).
  public enum ActionClass: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// The actor moves to the right at a constant speed, the same orientation and size
    /// throughout. Evidence: the actor in every frame.
    case translateRight
    /// As `translateRight`, moving left.
    case translateLeft
    /// As `translateRight`, moving up (towards y = 0).
    case translateUp
    /// As `translateRight`, moving down.
    case translateDown
    /// The actor turns clockwise on screen about its centre at a constant angular speed, in
    /// place. Actor shapes have no rotational symmetry of order > 2 and turn far less than a
    /// half-turn between frames, so the direction is unambiguous.
    case rotateClockwise
    /// As `rotateClockwise`, anticlockwise.
    case rotateAnticlockwise
    /// The actor's size grows geometrically by a total factor in [2, 2.5] over the clip, in
    /// place; its geometric-mean size is drawn like every other class's size.
    case grow
    /// As `grow`, shrinking.
    case shrink
    /// The actor is visible in 1–3 consecutive frames only, at a random time, in place.
    /// Evidence: the actor in those frames; the other frames carry none.
    case flash
    /// Two markers flash one after the other: marker A (always a ring) for 2–4 frames, then,
    /// after a gap of 0 – T/4 frames, marker B (always a filled disk) for 2–4 frames. Colours,
    /// sizes and positions are random per marker. Every single frame shows A alone, B alone or
    /// nothing in both order classes, and the durations are drawn alike, so only the order
    /// decides (no single frame and no frame average does).
    case aThenB
    /// As `aThenB`, B first.
    case bThenA

    /// The snake_case name used on the command line and in files ("translate_right", …).
    public var name: String {
      switch self {
      case .translateRight: return "translate_right"
      case .translateLeft: return "translate_left"
      case .translateUp: return "translate_up"
      case .translateDown: return "translate_down"
      case .rotateClockwise: return "rotate_clockwise"
      case .rotateAnticlockwise: return "rotate_anticlockwise"
      case .grow: return "grow"
      case .shrink: return "shrink"
      case .flash: return "flash"
      case .aThenB: return "a_then_b"
      case .bThenA: return "b_then_a"
      }
    }

    public var description: String { name }

    /// The class with this name.
    /// - Throws: `Synthetic.ConfigurationError.unknownClass` listing the known names.
    public init(name: String) throws {
      guard let c = ActionClass.allCases.first(where: { $0.name == name }) else {
        throw ConfigurationError.unknownClass(name, known: Synthetic.classNames)
      }
      self = c
    }
  }

  /// The three disjoint splits. Each has its own stream of clips, derived from the
  /// configuration's seed by `SeededRNG(seed:).split(splitName)`.
  public enum Split: String, CaseIterable, Sendable, CustomStringConvertible {
    case train, validation, test

    /// "train", "validation", "test".
    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The split with this name ("val" is accepted for "validation").
    /// - Throws: `Synthetic.ConfigurationError.unknownSplit` listing the known names.
    public init(name: String) throws {
      if name == "val" {
        self = .validation
        return
      }
      guard let s = Split(rawValue: name) else {
        throw ConfigurationError.unknownSplit(name, known: Split.allCases.map(\.rawValue))
      }
      self = s
    }
  }
}
