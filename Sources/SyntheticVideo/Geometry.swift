/// Every geometric constant of the benchmark, as a fraction of the frame size S (lengths),
/// per frame (speeds), or in the shapes' local units (an actor's local square [−1, 1]² is
/// scaled by its half-size). Nothing is in absolute pixels, so a 112×112 clip is a 32×32 clip
/// drawn finer.
package enum Geometry {
  /// Keep-out border on every side, fraction of S.
  package static let margin = 0.03
  /// Actor half-size s (local unit → pixels), fraction of S, drawn uniformly.
  package static let actorHalfSize = 0.15...0.19
  /// Largest distance of any actor shape's point from its centre, in local units
  /// (`ShapeKind.boundingRadius` ≤ this, checked by a test).
  package static let maximumBoundingRadius = 1.28
  /// Translation speed cap for short clips, fraction of S per frame (0.9 px/frame at S = 32).
  package static let baseTranslationSpeed = 0.028
  /// Translation speeds are drawn uniformly in [slowestSpeedFactor, 1] × the cap.
  package static let slowestSpeedFactor = 0.8
  /// Angular speed cap (radians per frame); drawn uniformly in [0.8, 1] × this. At 32×32 a
  /// slower rotation moves the actor's tips by well under a pixel per frame, and the mini models
  /// could not tell its direction (version 1 used 0.16 and reached 50–60 % on the two classes).
  package static let angularSpeed = 0.30
  /// Total size factor G of grow / shrink over the clip.
  package static let growthFactor = 2.0...2.5
  /// Marker radius, fraction of S.
  package static let markerRadius = 0.14...0.18
  /// Ring (marker A) inner radius, fraction of its outer radius (a hole of ≥ 2.6 px at 32×32).
  package static let ringInnerRadius = 0.58
  /// Frames a flashing actor is visible.
  package static let flashLength = 1...3
  /// Frames each order marker is visible.
  package static let markerDuration = 2...4

  /// The translation speed cap for a clip of T frames, fraction of S per frame:
  /// min(0.028, (1 − 2·margin − 2·ρ_max·s_max)/(T − 1)), so that the largest actor moving at
  /// the cap for T − 1 frames stays inside the frame with its margin.
  package static func translationSpeedLimit(frames: Int) -> Double {
    let room = 1 - 2 * margin - 2 * maximumBoundingRadius * actorHalfSize.upperBound
    return min(baseTranslationSpeed, room / Double(max(frames - 1, 1)))
  }
}
