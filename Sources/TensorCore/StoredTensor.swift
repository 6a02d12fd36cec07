/// A tensor as stored in a safetensors file: its elements in one of the supported dtypes.
///
/// F16 and BF16 tensors are kept as their 16-bit patterns, so reading and writing them is
/// lossless; `floatTensor(name:)` and `doubleTensor(name:)` convert them exactly.
///
/// Equality is **bitwise**: two stored tensors are equal when dtype, shape and every element's
/// bit pattern agree (so a NaN equals the same NaN, and 0 ≠ −0). That is the equality of the
/// bytes on disk, which is what a storage type should compare.
public enum StoredTensor: Sendable {
  /// `F32`.
  case float32(Tensor<Float>)
  /// `F64`.
  case float64(Tensor<Double>)
  /// `I64`.
  case int64(Tensor<Int64>)
  /// `F16`: IEEE 754 binary16 bit patterns.
  case float16Bits(Tensor<UInt16>)
  /// `BF16`: bfloat16 bit patterns (the upper half of a binary32).
  case bfloat16Bits(Tensor<UInt16>)

  /// An `F32` tensor.
  public init(_ tensor: Tensor<Float>) { self = .float32(tensor) }
  /// An `F64` tensor.
  public init(_ tensor: Tensor<Double>) { self = .float64(tensor) }
  /// An `I64` tensor.
  public init(_ tensor: Tensor<Int64>) { self = .int64(tensor) }

  /// The dtype written to the header.
  public var dtype: SafeTensorsDType {
    switch self {
    case .float32: return .f32
    case .float64: return .f64
    case .int64: return .i64
    case .float16Bits: return .f16
    case .bfloat16Bits: return .bf16
    }
  }

  /// Extents, outermost first.
  public var shape: [Int] {
    switch self {
    case let .float32(t): return t.shape
    case let .float64(t): return t.shape
    case let .int64(t): return t.shape
    case let .float16Bits(t), let .bfloat16Bits(t): return t.shape
    }
  }

  /// Number of elements.
  public var count: Int {
    switch self {
    case let .float32(t): return t.count
    case let .float64(t): return t.count
    case let .int64(t): return t.count
    case let .float16Bits(t), let .bfloat16Bits(t): return t.count
    }
  }

  /// Bytes the elements take on disk.
  public var byteCount: Int { count * (dtype.bitWidth / 8) }
}

extension StoredTensor: Equatable {
  public static func == (a: StoredTensor, b: StoredTensor) -> Bool {
    switch (a, b) {
    case let (.float32(x), .float32(y)):
      return x.shape == y.shape && x.scalars.elementsEqual(y.scalars) { $0.bitPattern == $1.bitPattern }
    case let (.float64(x), .float64(y)):
      return x.shape == y.shape && x.scalars.elementsEqual(y.scalars) { $0.bitPattern == $1.bitPattern }
    case let (.int64(x), .int64(y)):
      return x == y
    case let (.float16Bits(x), .float16Bits(y)), let (.bfloat16Bits(x), .bfloat16Bits(y)):
      return x == y
    default:
      return false
    }
  }
}
