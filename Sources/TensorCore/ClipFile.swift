/// A clip file (Reference/FORMATS.md): video clips ready for a network, plus what is known about them.
///
/// Tensors: `input` N×3×T×H×W F32, already normalised (required); `label` I64 N; `boxes`
/// F32 N×T×4 (x0, y0, x1, y1 in pixels, NaN where the evidence is not visible); `evidence`
/// F32 N×T×H×W (1 on evidence voxels, else 0); `keyframes` F32 N×T (1 on frames that carry
/// evidence). Metadata is free text (the built-in benchmark records its generator settings).
public struct ClipFile: Sendable {
  public var input: Tensor<Float>
  public var labels: [Int]?
  public var boxes: Tensor<Float>?
  public var evidence: Tensor<Float>?
  public var keyframes: Tensor<Float>?
  public var metadata: [String: String]

  public init(
    input: Tensor<Float>, labels: [Int]? = nil, boxes: Tensor<Float>? = nil, evidence: Tensor<Float>? = nil,
    keyframes: Tensor<Float>? = nil, metadata: [String: String] = [:]
  ) {
    self.input = input
    self.labels = labels
    self.boxes = boxes
    self.evidence = evidence
    self.keyframes = keyframes
    self.metadata = metadata
  }

  /// Number of clips.
  public var count: Int { input.shape.first ?? 0 }

  /// Checks every tensor's shape against `input` and that `input` is finite; the error names
  /// the tensor and the shape it should have.
  public func validate() throws {
    let s = input.shape
    guard s.count == 5, s[1] == 3, s.allSatisfy({ $0 >= 1 }) else {
      throw TensorError.shapeMismatch(name: "input", expected: "N×3×T×H×W with every extent ≥ 1", actual: s)
    }
    try input.requireFinite(name: "input")
    let n = s[0], t = s[2], h = s[3], w = s[4]
    if let l = labels, l.count != n {
      throw TensorError.shapeMismatch(name: "label", expected: "[\(n)]", actual: [l.count])
    }
    if let b = boxes, b.shape != [n, t, 4] {
      throw TensorError.shapeMismatch(name: "boxes", expected: Shape.describe([n, t, 4]), actual: b.shape)
    }
    if let e = evidence, e.shape != [n, t, h, w] {
      throw TensorError.shapeMismatch(name: "evidence", expected: Shape.describe([n, t, h, w]), actual: e.shape)
    }
    if let k = keyframes, k.shape != [n, t] {
      throw TensorError.shapeMismatch(name: "keyframes", expected: Shape.describe([n, t]), actual: k.shape)
    }
  }

  /// Reads and validates a clip file.
  public static func read(contentsOf path: String) throws -> ClipFile {
    let file: SafeTensorsFile
    do {
      file = try SafeTensors.read(contentsOf: path)
    } catch .io(let p, let reason) {
      throw ClipFileError(path: p, reason: reason)
    } catch {
      throw ClipFileError(path: path, reason: "\(error)")
    }
    guard file["input"] != nil else {
      throw ClipFileError(path: path, reason: "no tensor named input (found: \(file.names.joined(separator: ", ")))")
    }
    do {
      var clip = ClipFile(input: try file.floatTensor(named: "input"), metadata: file.metadata)
      if file["label"] != nil {
        let l = try file.int64(named: "label")
        guard l.rank == 1 else { throw TensorError.shapeMismatch(name: "label", expected: "[N]", actual: l.shape) }
        clip.labels = l.scalars.map { Int($0) }
      }
      if file["boxes"] != nil { clip.boxes = try file.floatTensor(named: "boxes") }
      if file["evidence"] != nil { clip.evidence = try file.floatTensor(named: "evidence") }
      if file["keyframes"] != nil { clip.keyframes = try file.floatTensor(named: "keyframes") }
      try clip.validate()
      return clip
    } catch {
      throw ClipFileError(path: path, reason: "\(error)")
    }
  }

  /// Writes the clip file atomically.
  public func write(to path: String) throws {
    try validate()
    var entries: [(String, StoredTensor)] = [("input", .float32(input))]
    if let l = labels { entries.append(("label", .int64(Tensor(shape: [l.count], scalars: l.map { Int64($0) })))) }
    if let b = boxes { entries.append(("boxes", .float32(b))) }
    if let e = evidence { entries.append(("evidence", .float32(e))) }
    if let k = keyframes { entries.append(("keyframes", .float32(k))) }
    try SafeTensors.write(try SafeTensorsFile(entries, metadata: metadata), to: path)
  }
}

/// A clip file that cannot be used.
public struct ClipFileError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { "\(path): \(reason)" }
}
