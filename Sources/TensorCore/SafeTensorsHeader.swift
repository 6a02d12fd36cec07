/// What a safetensors header says, after every check: the tensors' names, dtypes, shapes and
/// byte ranges, and the metadata. Obtained without reading any tensor data
/// (`SafeTensors.readHeader`), for listing and validating files.
public struct SafeTensorsHeader: Sendable, Equatable {
  /// One tensor as the header describes it.
  public struct Entry: Sendable, Equatable {
    /// The tensor's name (a key of the header object).
    public var name: String
    /// Element type.
    public var dtype: SafeTensorsDType
    /// Extents, outermost first (`[]` for a scalar).
    public var shape: [Int]
    /// The tensor's bytes within the data buffer (`data_offsets`, end exclusive). The file
    /// offset of the first byte is `SafeTensorsHeader.dataStart + dataOffsets.lowerBound`.
    public var dataOffsets: Range<Int>

    /// Number of elements (product of the extents).
    public var elementCount: Int { Shape.elementCount(shape) }
    /// Number of bytes (`dataOffsets.count`).
    public var byteCount: Int { dataOffsets.count }
  }

  /// The tensors in the order of their data in the buffer (ascending `dataOffsets`; empty
  /// tensors sharing an offset keep their header order).
  public var entries: [Entry]
  /// The `__metadata__` object (empty when absent or `null`).
  public var metadata: [String: String]
  /// Length N of the JSON header in bytes (including any padding spaces).
  public var headerLength: Int
  /// Size of the data buffer in bytes (file size − 8 − N).
  public var dataSize: Int

  /// File offset of the data buffer: 8 + N.
  public var dataStart: Int { 8 + headerLength }
  /// Total file size.
  public var fileSize: Int { dataStart + dataSize }
  /// Tensor names in data order.
  public var names: [String] { entries.map(\.name) }

  /// The entry with that name, if any.
  /// - Complexity: O(number of tensors).
  public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
