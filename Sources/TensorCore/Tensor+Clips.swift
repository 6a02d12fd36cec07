extension Tensor {
  /// Items `range` along the first axis, as their own tensor: clips `range` of an N×C×T×H×W
  /// batch, rows of an N×K matrix.
  ///
  /// - Precondition: rank ≥ 1 and `range` lies in 0…shape[0].
  /// - Complexity: O(range.count · size of one item) (a contiguous copy).
  public func clips(_ range: Range<Int>) -> Tensor {
    precondition(
      rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
      "clips \(range) of \(Shape.describe(shape))")
    let per = Shape.elementCount(Array(shape.dropFirst()))
    return Tensor(
      shape: [range.count] + Array(shape.dropFirst()),
      scalars: Array(scalars[(range.lowerBound * per)..<(range.upperBound * per)]))
  }

  /// Frames `range` of every clip and channel of an N×C×T×H×W tensor, as N×C×|range|×H×W
  /// (contiguous copies of whole frames).
  ///
  /// - Precondition: rank 5 and `range` lies in 0…T.
  /// - Complexity: O(N·C·range.count·H·W).
  public func frames(_ range: Range<Int>) -> Tensor {
    precondition(
      rank == 5 && range.lowerBound >= 0 && range.upperBound <= shape[2],
      "frames \(range) of \(Shape.describe(shape))")
    let plane = shape[3] * shape[4], t = shape[2]
    var out: [Scalar] = []
    out.reserveCapacity(shape[0] * shape[1] * range.count * plane)
    for nc in 0..<(shape[0] * shape[1]) {
      out.append(contentsOf: scalars[((nc * t + range.lowerBound) * plane)..<((nc * t + range.upperBound) * plane)])
    }
    return Tensor(shape: [shape[0], shape[1], range.count, shape[3], shape[4]], scalars: out)
  }
}
