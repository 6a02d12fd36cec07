import TensorCore

/// Moves per-clip data (noise, baselines, ranges) between Double and a backend's scalar.
///
/// Generic method code is not specialised across modules, so an element loop over
/// `Tensor<B.Scalar>` would run through witness tables (~100 ns/element). These helpers test the
/// scalar type once and run a concrete loop for Float and Double (the only scalars the two paths
/// use), with a generic fallback for anything else.
enum ScalarBridge {
  /// A tensor of `values` rounded to S.
  static func tensor<S: BinaryFloatingPoint & Sendable>(_ values: [Double], shape: [Int]) -> Tensor<S> {
    if S.self == Double.self { return Tensor<Double>(shape: shape, scalars: values) as! Tensor<S> }
    if S.self == Float.self {
      return Tensor<Float>(shape: shape, scalars: values.map { Float($0) }) as! Tensor<S>
    }
    return Tensor(shape: shape, scalars: values.map { S($0) })
  }

  /// (min, max) of the elements of `t` in `range` (flat indices).
  static func extrema<S: BinaryFloatingPoint & Sendable>(_ t: Tensor<S>, _ range: Range<Int>) -> (
    min: Double, max: Double
  ) {
    func scan<F: BinaryFloatingPoint>(_ v: [F]) -> (Double, Double) {
      var lo = v[range.lowerBound], hi = lo
      for i in range {
        lo = Swift.min(lo, v[i])
        hi = Swift.max(hi, v[i])
      }
      return (Double(lo), Double(hi))
    }
    if let f = t as? Tensor<Float> { return scan(f.scalars) }
    if let d = t as? Tensor<Double> { return scan(d.scalars) }
    return scan(t.scalars)
  }
}
