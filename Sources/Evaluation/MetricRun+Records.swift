import Attribution

extension MetricRun {
  /// The mean of the defined values, or nil when none is.
  static func mean(_ values: [Double?]) -> (value: Double?, count: Int) {
    let defined = values.compactMap { $0 }
    guard !defined.isEmpty else { return (nil, 0) }
    var sum = 0.0
    for v in defined { sum += v }
    return (sum / Double(defined.count), defined.count)
  }

  /// One record per curve (value = AUC), then their mean.
  static func records(_ curves: [InsertionDeletionCurve]) -> [MetricRecord] {
    guard let first = curves.first else { return [] }
    var out = curves.enumerated().map { i, c in
      var r = MetricRecord(index: i, metric: c.mode.rawValue, value: c.auc)
      r.unit = c.unit
      r.order = c.order.rawValue
      r.curve = c.curve
      r.target = c.target
      r.base = c.base.rawValue
      r.score = c.score
      r.units = c.units
      r.unitsPerStep = c.unitsPerStep
      return r
    }
    let (m, count) = mean(curves.map(\.auc))
    var s = MetricRecord(index: nil, metric: first.mode.rawValue, value: m)
    s.unit = first.unit
    s.order = first.order.rawValue
    s.summary = "mean"
    s.clips = count
    s.base = first.base.rawValue
    s.score = first.score
    out.append(s)
    return out
  }

  /// Pointing game: per clip hits / annotated frames; the class-mean accuracy.
  static func records(_ clips: [PointingGame.Clip], _ accuracy: ClassMeanAccuracy) -> [MetricRecord] {
    var out = clips.enumerated().map { i, c in
      var r = MetricRecord(index: i, metric: MetricKind.pointingGame.rawValue, value: c.score)
      r.unit = "frame"
      r.frames = c.frames.count
      r.hits = c.hits
      r.tied = c.frames.filter(\.tied).count
      return r
    }
    var s = MetricRecord(index: nil, metric: MetricKind.pointingGame.rawValue, value: accuracy.accuracy)
    s.unit = "frame"
    s.summary = "class_mean"
    s.clips = clips.filter { !$0.frames.isEmpty }.count
    s.frames = clips.map(\.frames.count).reduce(0, +)
    s.hits = clips.map(\.hits).reduce(0, +)
    out.append(s)
    return out
  }

  /// Temporal pointing game: per clip 1 / 0 (null when the clip does not take part); the
  /// class-mean accuracy.
  static func records(_ clips: [TemporalPointingGame.Clip], _ accuracy: ClassMeanAccuracy) -> [MetricRecord] {
    let name = MetricKind.temporalPointingGame.rawValue
    var out = clips.enumerated().map { i, c in
      var r = MetricRecord(index: i, metric: name, value: c.score)
      r.unit = "clip"
      r.frames = c.frameMass.count
      r.pointed = c.frame
      r.tied = c.tied ? 1 : 0
      r.frameAttribution = c.frameMass
      return r
    }
    var s = MetricRecord(index: nil, metric: name, value: accuracy.accuracy)
    s.unit = "clip"
    s.summary = "class_mean"
    s.clips = clips.filter(\.counted).count
    s.hits = clips.filter { $0.counted && $0.hit }.count
    out.append(s)
    return out
  }

  /// Evidence mass: per clip the share (and the chance level); their means.
  static func records(_ clips: [EvidenceMass.Clip]) -> [MetricRecord] {
    let name = MetricKind.evidenceMass.rawValue
    var out = clips.enumerated().map { i, c in
      var r = MetricRecord(index: i, metric: name, value: c.share)
      r.unit = "voxel"
      r.chance = c.chance
      return r
    }
    let (m, count) = mean(clips.map(\.share))
    var s = MetricRecord(index: nil, metric: name, value: m)
    s.unit = "voxel"
    s.summary = "mean"
    s.clips = count
    s.chance = mean(clips.filter { $0.share != nil }.map(\.chance)).value
    out.append(s)
    return out
  }

  /// Temporal faithfulness: per clip the correlation with its drops and frame attributions;
  /// the mean correlation.
  static func records(_ clips: [TemporalFaithfulness.Clip], base: PerturbationBase, score: ExplainedScore)
    -> [MetricRecord]
  {
    let name = MetricKind.temporalFaithfulness.rawValue
    var out = clips.enumerated().map { i, c in
      var r = MetricRecord(index: i, metric: name, value: c.correlation)
      r.unit = "frame"
      r.target = c.target
      r.base = base.rawValue
      r.score = score.rawValue
      r.drops = c.drops
      r.frameAttribution = c.frameAttribution
      return r
    }
    let (m, count) = mean(clips.map(\.correlation))
    var s = MetricRecord(index: nil, metric: name, value: m)
    s.unit = "frame"
    s.summary = "mean"
    s.clips = count
    s.base = base.rawValue
    s.score = score.rawValue
    out.append(s)
    return out
  }
}
