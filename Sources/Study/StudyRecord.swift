/// One number a study computed: a metric of one method's map of one clip under one model, or a
/// per-model sanity-check value (`video` nil).
public struct StudyRecord: Codable, Sendable, Equatable, Hashable {
  public var model: String
  /// The clip's index in the test split, nil for per-model values.
  public var video: Int?
  /// The clip's class, nil for per-model values.
  public var label: Int?
  /// The method's label (`StudyMethod.label`).
  public var method: String
  public var metric: String
  /// Unit of an insertion/deletion curve (voxel, block, supervoxel), or the randomised layer of a
  /// sanity check.
  public var unit: String?
  /// morf or lerf for curves; the similarity measure for sanity checks.
  public var order: String?
  public var value: Double
  /// p_0 … p_n of a curve.
  public var curve: [Double]?

  public init(
    model: String, video: Int?, label: Int?, method: String, metric: String, unit: String? = nil, order: String? = nil,
    value: Double, curve: [Double]? = nil
  ) {
    self.model = model
    self.video = video
    self.label = label
    self.method = method
    self.metric = metric
    self.unit = unit
    self.order = order
    self.value = value
    self.curve = curve
  }

  /// The columns that identify what the value measures (everything but the value and curve).
  public var key: String {
    [model, video.map { "\($0)" } ?? "-", method, metric, unit ?? "-", order ?? "-"].joined(separator: "|")
  }
}
