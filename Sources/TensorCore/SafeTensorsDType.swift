/// The element types a safetensors header can name, spelled as in the header (`"F32"`, `"BF16"`, …).
///
/// Every dtype of the reference implementation (huggingface/safetensors 0.8) is recognised, so a
/// header can always be listed and its layout validated (`SafeTensors.readHeader`). Reading the
/// *data* is supported for:
///
/// | dtype | read as | write from |
/// | --- | --- | --- |
/// | `F32` | `StoredTensor.float32` (`Tensor<Float>`) | the same |
/// | `F64` | `StoredTensor.float64` (`Tensor<Double>`) | the same |
/// | `I64` | `StoredTensor.int64` (`Tensor<Int64>`) | the same |
/// | `F16` | `StoredTensor.float16Bits` (IEEE binary16 bit patterns; exact conversion to Float) | the same |
/// | `BF16` | `StoredTensor.bfloat16Bits` (bfloat16 bit patterns; exact conversion to Float) | the same |
///
/// A full read of a file holding any other dtype throws `SafeTensorsError.unsupportedDType`.
///
/// The cases are declared in the order of the reference implementation's `Dtype` enum (which it
/// calls "increasing alignment order"); the writer lays tensors out by descending position in this
/// order, then by name, exactly as the reference does, so both produce the same bytes.
public enum SafeTensorsDType: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
  case bool = "BOOL"
  case f4 = "F4"
  case f6E2M3 = "F6_E2M3"
  case f6E3M2 = "F6_E3M2"
  case u8 = "U8"
  case i8 = "I8"
  case f8E5M2 = "F8_E5M2"
  case f8E4M3 = "F8_E4M3"
  case f8E8M0 = "F8_E8M0"
  case f8E4M3FNUZ = "F8_E4M3FNUZ"
  case f8E5M2FNUZ = "F8_E5M2FNUZ"
  case i16 = "I16"
  case u16 = "U16"
  case f16 = "F16"
  case bf16 = "BF16"
  case i32 = "I32"
  case u32 = "U32"
  case f32 = "F32"
  case c64 = "C64"
  case f64 = "F64"
  case i64 = "I64"
  case u64 = "U64"

  /// The header spelling, e.g. `"F32"`.
  public var name: String { rawValue }

  public var description: String { rawValue }

  /// The dtype a header names, or `nil` if the name is not one of the reference dtypes
  /// (names are case-sensitive: `"f32"` is not a dtype).
  public init?(name: String) { self.init(rawValue: name) }

  /// Bits per element (4 for `F4`, 6 for the `F6_*` types, 8…64 for the rest).
  public var bitWidth: Int {
    switch self {
    case .f4: return 4
    case .f6E2M3, .f6E3M2: return 6
    case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: return 8
    case .i16, .u16, .f16, .bf16: return 16
    case .i32, .u32, .f32: return 32
    case .c64, .f64, .i64, .u64: return 64
    }
  }

  /// Whether `SafeTensors.read` decodes this dtype into a `StoredTensor`.
  public var isSupported: Bool {
    switch self {
    case .f32, .f64, .i64, .f16, .bf16: return true
    default: return false
    }
  }

  /// Position in the reference implementation's declaration order; the writer sorts by it,
  /// descending (`I64`, `F64`, `F32`, `BF16`, `F16` for the dtypes we write).
  var layoutRank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

  /// Bits taken by `count` elements, or `nil` when `count × bitWidth` overflows `Int`.
  /// - Complexity: O(1).
  func bitCount(elements count: Int) -> Int? {
    guard count >= 0 else { return nil }
    let (bits, overflow) = count.multipliedReportingOverflow(by: bitWidth)
    return overflow ? nil : bits
  }
}
