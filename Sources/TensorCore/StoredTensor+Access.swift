/// Typed access to a stored tensor: each accessor accepts the dtypes it can return without
/// surprise and throws `SafeTensorsError.wrongDType` naming the tensor otherwise.
extension StoredTensor {
  /// The elements of an `F32` tensor.
  /// - Parameter name: the tensor's name, used in the error.
  /// - Throws: `.wrongDType` for any other dtype.
  public func float32(name: String = "tensor") throws(SafeTensorsError) -> Tensor<Float> {
    guard case let .float32(t) = self else { throw .wrongDType(name: name, dtype: dtype, expected: "F32") }
    return t
  }

  /// The elements of an `F64` tensor.
  /// - Throws: `.wrongDType` for any other dtype.
  public func float64(name: String = "tensor") throws(SafeTensorsError) -> Tensor<Double> {
    guard case let .float64(t) = self else { throw .wrongDType(name: name, dtype: dtype, expected: "F64") }
    return t
  }

  /// The elements of an `I64` tensor.
  /// - Throws: `.wrongDType` for any other dtype.
  public func int64(name: String = "tensor") throws(SafeTensorsError) -> Tensor<Int64> {
    guard case let .int64(t) = self else { throw .wrongDType(name: name, dtype: dtype, expected: "I64") }
    return t
  }

  /// The elements as `Float`: `F32` as stored, `F16` and `BF16` converted exactly (every value of
  /// both is a `Float`), and `F64` rounded to nearest only when `roundingFloat64` is true.
  /// - Throws: `.wrongDType` for `I64`, and for `F64` unless rounding was asked for.
  /// - Complexity: O(count).
  public func floatTensor(name: String = "tensor", roundingFloat64: Bool = false) throws(SafeTensorsError)
    -> Tensor<Float>
  {
    switch self {
    case let .float32(t): return t
    case let .float16Bits(t): return t.map(HalfPrecision.float(binary16:))
    case let .bfloat16Bits(t): return t.map(HalfPrecision.float(bfloat16:))
    case let .float64(t) where roundingFloat64: return Tensor<Float>(converting: t)
    case .float64:
      throw .wrongDType(
        name: name, dtype: dtype, expected: "F32, F16 or BF16 (F64 is rounded only with roundingFloat64: true)")
    case .int64:
      throw .wrongDType(name: name, dtype: dtype, expected: "a floating-point dtype (F32, F16, BF16, F64)")
    }
  }

  /// The elements as `Double`: `F64` as stored; `F32`, `F16` and `BF16` converted exactly.
  /// - Throws: `.wrongDType` for `I64`.
  /// - Complexity: O(count).
  public func doubleTensor(name: String = "tensor") throws(SafeTensorsError) -> Tensor<Double> {
    switch self {
    case let .float64(t): return t
    case let .float32(t): return Tensor<Double>(converting: t)
    case let .float16Bits(t): return t.map { Double(HalfPrecision.float(binary16: $0)) }
    case let .bfloat16Bits(t): return t.map { Double(HalfPrecision.float(bfloat16: $0)) }
    case .int64:
      throw .wrongDType(name: name, dtype: dtype, expected: "a floating-point dtype (F64, F32, F16, BF16)")
    }
  }
}
