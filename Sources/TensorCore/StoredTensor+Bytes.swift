/// Element types stored little-endian in safetensors data.
protocol SafeTensorsScalar: BitwiseCopyable {
  /// The value with its bytes in reverse order (used only on big-endian hosts).
  var byteSwappedForStorage: Self { get }
}

extension Float: SafeTensorsScalar {
  var byteSwappedForStorage: Float { Float(bitPattern: bitPattern.byteSwapped) }
}
extension Double: SafeTensorsScalar {
  var byteSwappedForStorage: Double { Double(bitPattern: bitPattern.byteSwapped) }
}
extension Int64: SafeTensorsScalar {
  var byteSwappedForStorage: Int64 { byteSwapped }
}
extension UInt16: SafeTensorsScalar {
  var byteSwappedForStorage: UInt16 { byteSwapped }
}

/// Where a reader takes bytes from: a file (positioned reads) or an array in memory.
protocol SafeTensorsByteSource {
  /// Total size in bytes.
  var size: Int { get }
  /// Fills `buffer` with the bytes at `offset…`; callers pass only validated ranges.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SafeTensorsError)
}

/// Bytes already in memory.
struct SafeTensorsMemorySource: SafeTensorsByteSource {
  let bytes: [UInt8]
  var size: Int { bytes.count }

  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SafeTensorsError) {
    guard offset >= 0, offset <= bytes.count, buffer.count <= bytes.count - offset else {
      throw .io(path: "<memory>", reason: "read of \(buffer.count) bytes at \(offset) is outside the buffer")
    }
    bytes.withUnsafeBytes { raw in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + buffer.count)]))
    }
  }
}

/// A file read with `pread`.
struct SafeTensorsFileSource: SafeTensorsByteSource {
  let file: ReadOnlyFile
  var size: Int { file.size }

  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SafeTensorsError) {
    do {
      try file.read(into: buffer, at: offset)
    } catch {
      throw .io(path: error.path, reason: error.summary)
    }
  }
}

extension StoredTensor {
  /// Decodes a validated entry's data (supported dtypes only), reading exactly its bytes.
  /// - Precondition: the entry passed `SafeTensorsLayout.validate` and its dtype is supported.
  static func decode(
    _ entry: SafeTensorsHeader.Entry, from source: some SafeTensorsByteSource, dataStart: Int
  ) throws(SafeTensorsError) -> StoredTensor {
    let offset = dataStart + entry.dataOffsets.lowerBound
    let n = entry.elementCount
    switch entry.dtype {
    case .f32: return .float32(Tensor(shape: entry.shape, scalars: try readScalars(n, from: source, at: offset)))
    case .f64: return .float64(Tensor(shape: entry.shape, scalars: try readScalars(n, from: source, at: offset)))
    case .i64: return .int64(Tensor(shape: entry.shape, scalars: try readScalars(n, from: source, at: offset)))
    case .f16:
      return .float16Bits(Tensor(shape: entry.shape, scalars: try readScalars(n, from: source, at: offset)))
    case .bf16:
      return .bfloat16Bits(Tensor(shape: entry.shape, scalars: try readScalars(n, from: source, at: offset)))
    default:
      throw .unsupportedDType(name: entry.name, dtype: entry.dtype)
    }
  }

  /// `count` little-endian scalars read straight into the array's storage (no staging copy).
  private static func readScalars<T: SafeTensorsScalar>(
    _ count: Int, from source: some SafeTensorsByteSource, at offset: Int
  ) throws(SafeTensorsError) -> [T] {
    var failure: SafeTensorsError?
    var values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      do throws(SafeTensorsError) {
        try source.read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        initialized = count
      } catch {
        failure = error
        initialized = 0
      }
    }
    if let failure { throw failure }
    #if _endian(big)
      values = values.map(\.byteSwappedForStorage)
    #endif
    _ = values.count  // `values` is mutated only on big-endian hosts
    return values
  }

  /// Appends the elements' little-endian bytes to `out`.
  /// - Complexity: O(byteCount).
  func appendLittleEndianBytes(to out: inout [UInt8]) {
    switch self {
    case let .float32(t): Self.append(t.scalars, to: &out)
    case let .float64(t): Self.append(t.scalars, to: &out)
    case let .int64(t): Self.append(t.scalars, to: &out)
    case let .float16Bits(t), let .bfloat16Bits(t): Self.append(t.scalars, to: &out)
    }
  }

  private static func append<T: SafeTensorsScalar>(_ scalars: [T], to out: inout [UInt8]) {
    #if _endian(big)
      let stored = scalars.map(\.byteSwappedForStorage)
    #else
      let stored = scalars
    #endif
    stored.withUnsafeBytes { out.append(contentsOf: $0) }
  }
}
