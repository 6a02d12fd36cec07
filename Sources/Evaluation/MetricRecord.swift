import TensorCore

/// One result of `MetricRun`: one metric on one clip, or a summary over clips — a line of
/// `vidattr metrics --output FILE.jsonl`.
///
/// JSON keys in this order (absent keys omitted): `index` (the clip, null for a summary),
/// `metric`, `unit`, `order`, `value`, `curve`, then `summary` (what a summary averages:
/// `mean` or `class_mean`), `clips` (clips a summary counts), `target`, `base`, `score`,
/// `units`, `units_per_step`, `frames`, `hits`, `tied`, `pointed` (the frame a temporal pointing
/// game points at), `chance`, `drops`,
/// `frame_attribution`. `value` is null where the metric is undefined for the clip (a pointing
/// game without annotated frames, a correlation of a constant series).
public struct MetricRecord: Sendable, Equatable, Codable {
  public var index: Int?
  public var metric: String
  public var unit: String?
  public var order: String?
  public var value: Double?
  public var curve: [Double]?
  public var summary: String?
  public var clips: Int?
  public var target: Int?
  public var base: String?
  public var score: String?
  public var units: Int?
  public var unitsPerStep: Int?
  public var frames: Int?
  public var hits: Int?
  public var tied: Int?
  public var pointed: Int?
  public var chance: Double?
  public var drops: [Double]?
  public var frameAttribution: [Double]?

  public init(index: Int?, metric: String, value: Double?) {
    self.index = index
    self.metric = metric
    self.value = value
  }

  enum CodingKeys: String, CodingKey {
    case index, metric, unit, order, value, curve, summary, clips, target, base, score, units
    case unitsPerStep = "units_per_step"
    case frames, hits, tied, pointed, chance, drops
    case frameAttribution = "frame_attribution"
  }

  /// The record as one line of JSON, keys in the documented order, numbers in their shortest
  /// round-trip form, non-finite numbers as null. (`JSONEncoder` on Linux does not keep the order.)
  /// - Complexity: O(length of the curves).
  public var jsonLine: String {
    var fields: [String] = ["\"index\":" + (index.map(String.init) ?? "null"), "\"metric\":" + Self.quote(metric)]
    func add(_ key: String, _ text: String?) {
      if let text { fields.append("\"\(key)\":" + text) }
    }
    add("unit", unit.map(Self.quote))
    add("order", order.map(Self.quote))
    fields.append("\"value\":" + (value.map(Self.number) ?? "null"))
    add("curve", curve.map(Self.numbers))
    add("summary", summary.map(Self.quote))
    add("clips", clips.map(String.init))
    add("target", target.map(String.init))
    add("base", base.map(Self.quote))
    add("score", score.map(Self.quote))
    add("units", units.map(String.init))
    add("units_per_step", unitsPerStep.map(String.init))
    add("frames", frames.map(String.init))
    add("hits", hits.map(String.init))
    add("tied", tied.map(String.init))
    add("pointed", pointed.map(String.init))
    add("chance", chance.map(Self.number))
    add("drops", drops.map(Self.numbers))
    add("frame_attribution", frameAttribution.map(Self.numbers))
    return "{" + fields.joined(separator: ",") + "}"
  }

  static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
  static func numbers(_ xs: [Double]) -> String { "[" + xs.map(number).joined(separator: ",") + "]" }
  /// A JSON string literal, escaped as serde_json does (`SafeTensors.appendJSONString`).
  static func quote(_ s: String) -> String {
    var bytes: [UInt8] = []
    SafeTensors.appendJSONString(s, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}
