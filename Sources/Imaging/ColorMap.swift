/// A colour map: a value in [0, 1] → an sRGB colour, for drawing heat maps.
///
/// Values are clamped to [0, 1] first; NaN is drawn as 0. Maps are piecewise linear between
/// control points (in sRGB component space) and fully defined by this file, so pictures are the
/// same bytes everywhere.
public struct ColorMap: Sendable, Equatable {
  /// A short name ("heat", "jet", "gray").
  public let name: String
  /// Control points (position, r, g, b), positions strictly increasing from 0 to 1.
  public let controlPoints: [(Double, Double, Double, Double)]

  /// A map through the given control points (position, r, g, b), each component in [0, 1].
  /// - Precondition: at least two points, positions strictly increasing, first 0 and last 1.
  public init(name: String, controlPoints: [(Double, Double, Double, Double)]) {
    precondition(controlPoints.count >= 2, "a colour map needs at least two control points")
    precondition(controlPoints.first!.0 == 0 && controlPoints.last!.0 == 1, "control points must span [0, 1]")
    for i in 1..<controlPoints.count {
      precondition(controlPoints[i - 1].0 < controlPoints[i].0, "control point positions must increase")
    }
    self.name = name
    self.controlPoints = controlPoints
  }

  /// "heat": black → purple → red → orange → pale yellow, in the spirit of matplotlib's
  /// *inferno* (our own five control points, not its table). Its relative luminance
  /// 0.2126 R + 0.7152 G + 0.0722 B rises monotonically from 0.003 to 0.97 (checked by a test),
  /// so brighter always means larger, also in gray-scale print.
  public static let heat = ColorMap(
    name: "heat",
    controlPoints: [
      (0.00, 0.00, 0.00, 0.02),
      (0.25, 0.26, 0.04, 0.41),
      (0.50, 0.73, 0.21, 0.33),
      (0.75, 0.98, 0.55, 0.04),
      (1.00, 0.99, 1.00, 0.64),
    ])

  /// "jet": MATLAB's classic rainbow, r = clamp(1.5 − |4v − 3|), g = clamp(1.5 − |4v − 2|),
  /// b = clamp(1.5 − |4v − 1|), written as its control points (dark blue → blue → cyan →
  /// yellow → red → dark red). Not perceptually ordered; kept because the papers' figures use it.
  public static let jet = ColorMap(
    name: "jet",
    controlPoints: [
      (0.000, 0.0, 0.0, 0.5),
      (0.125, 0.0, 0.0, 1.0),
      (0.375, 0.0, 1.0, 1.0),
      (0.625, 1.0, 1.0, 0.0),
      (0.875, 1.0, 0.0, 0.0),
      (1.000, 0.5, 0.0, 0.0),
    ])

  /// "gray": v → (v, v, v).
  public static let gray = ColorMap(name: "gray", controlPoints: [(0, 0, 0, 0), (1, 1, 1, 1)])

  /// The colour components (r, g, b) ∈ [0, 1]³ of value v (clamped; NaN → 0).
  /// - Complexity: O(number of control points).
  public func components(_ v: Double) -> (Double, Double, Double) {
    let x = v.isNaN ? 0 : min(max(v, 0), 1)
    var i = 1
    while i < controlPoints.count - 1 && x > controlPoints[i].0 { i += 1 }
    let (p0, r0, g0, b0) = controlPoints[i - 1]
    let (p1, r1, g1, b1) = controlPoints[i]
    let f = (x - p0) / (p1 - p0)
    return (r0 + f * (r1 - r0), g0 + f * (g1 - g0), b0 + f * (b1 - b0))
  }

  /// The 8-bit colour of value v (clamped to [0, 1]; NaN → 0).
  public func callAsFunction(_ v: Double) -> RGB {
    let (r, g, b) = components(v)
    return RGB(unit: r, g, b)
  }

  public static func == (a: ColorMap, b: ColorMap) -> Bool {
    a.name == b.name && a.controlPoints.count == b.controlPoints.count
      && zip(a.controlPoints, b.controlPoints).allSatisfy { $0 == $1 }
  }
}
