/// Reading and writing **safetensors** files (huggingface/safetensors), the tensor file format of
/// this package (Reference/FORMATS.md).
///
/// Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON — an object
/// mapping each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`
/// (offsets into the data buffer, end exclusive), plus an optional `"__metadata__"` object of
/// string → string; then the data buffer: every tensor's elements little-endian, row-major,
/// the tensors tiling the buffer with no gap or overlap.
///
/// The reader treats files as hostile: every number is checked before it is used and nothing is
/// allocated from an unchecked size (`read(contentsOf:)`, `readHeader(contentsOf:)`). The writer
/// produces the bytes the reference implementation produces for the same tensors
/// (`bytes(_:)`, `write(_:to:)`), writing files atomically (`AtomicFile`).
/// Reference/FORMATS.md describes the subset and the checks for readers in other languages.
public enum SafeTensors {
  /// Largest header length accepted or written: 100 000 000 bytes, the reference limit.
  public static let headerLengthLimit = 100_000_000
}
