import Foundation

/// Insertion and deletion curves drawn as a self-contained SVG document: the fraction of units
/// taken (0 … 1) across, the score down to 0 and up to 1 (or to the largest point when a logit
/// curve exceeds 1), one polyline per curve with its area shaded, a legend with each curve's AUC.
///
/// Pure text, no dependency: `vidattr metrics --plot` writes one file per clip and metric, and
/// a report can inline the same string.
public enum CurvePlot {
  /// One curve to draw: points p_0 … p_m at x = k/m.
  public struct Series: Sendable {
    public var label: String
    public var points: [Double]
    public init(label: String, points: [Double]) {
      self.label = label
      self.points = points
    }
  }

  static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

  /// The SVG document (width × height pixels).
  /// - Complexity: O(total points).
  public static func svg(title: String, series: [Series], yLabel: String = "score", width: Int = 420, height: Int = 300)
    -> String
  {
    let (left, right, top, bottom) = (52.0, 12.0, 28.0, 40.0)
    let (w, h) = (Double(width) - left - right, Double(height) - top - bottom)
    let finite = series.flatMap(\.points).filter(\.isFinite)
    let yMax = max(1, finite.max() ?? 1)
    let yMin = min(0, finite.min() ?? 0)
    func px(_ x: Double) -> String { format(left + x * w) }
    func yPosition(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * h }
    func py(_ y: Double) -> String { format(yPosition(y)) }
    var s = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
      viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="11">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(format(left))" y="16" font-size="12">\(escape(title))</text>

      """
    // Axes and ticks.
    s += "<g stroke=\"#444\" fill=\"none\"><rect x=\"\(px(0))\" y=\"\(py(yMax))\" width=\"\(format(w))\" "
    s += "height=\"\(format(h))\"/></g>\n"
    for i in 0...4 {
      let f = Double(i) / 4
      let yv = yMin + f * (yMax - yMin)
      s += "<text x=\"\(px(f))\" y=\"\(format(top + h + 14))\" text-anchor=\"middle\">\(format(f))</text>\n"
      s +=
        "<text x=\"\(format(left - 6))\" y=\"\(format(yPosition(yv) + 4))\" text-anchor=\"end\">\(format(yv))</text>\n"
    }
    s += "<text x=\"\(px(0.5))\" y=\"\(format(top + h + 30))\" text-anchor=\"middle\">fraction of units taken</text>\n"
    s += "<text x=\"12\" y=\"\(format(top + h / 2))\" transform=\"rotate(-90 12 \(format(top + h / 2)))\" "
    s += "text-anchor=\"middle\">\(escape(yLabel))</text>\n"
    for (i, c) in series.enumerated() where c.points.count >= 2 {
      let colour = colours[i % colours.count]
      let m = Double(c.points.count - 1)
      let coords = c.points.enumerated().map { k, p in "\(px(Double(k) / m)),\(py(p.isFinite ? p : yMin))" }
      let area = "\(px(0)),\(py(yMin)) " + coords.joined(separator: " ") + " \(px(1)),\(py(yMin))"
      s += "<polygon points=\"\(area)\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
      s +=
        "<polyline points=\"\(coords.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
      let auc = InsertionDeletion.auc(c.points)
      s += "<text x=\"\(format(left + w - 4))\" y=\"\(format(top + 14 + 14 * Double(i)))\" text-anchor=\"end\" "
      s += "fill=\"\(colour)\">\(escape(c.label)) AUC \(format(auc, digits: 3))</text>\n"
    }
    return s + "</svg>\n"
  }

  /// x with at most `digits` decimals, trailing zeros dropped ("0.5", "1", "0.734").
  static func format(_ x: Double, digits: Int = 2) -> String {
    var t = String(format: "%.\(digits)f", x)
    if t.contains(".") {
      while t.hasSuffix("0") { t.removeLast() }
      if t.hasSuffix(".") { t.removeLast() }
    }
    return t == "-0" ? "0" : t
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
