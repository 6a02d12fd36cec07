/// Reading safetensors files (see `SafeTensors` for the format and Reference/FORMATS.md for
/// the full list of checks).
extension SafeTensors {
  /// Reads and checks a file's header without reading any tensor data: names, dtypes, shapes,
  /// byte ranges and metadata, for listing and validating files.
  ///
  /// Reads 8 bytes, checks the declared header length against the limit and the file size,
  /// then reads exactly that many bytes and runs every header and layout check (the data's
  /// extent is known from the file size).
  /// - Throws: `SafeTensorsError` naming the first problem.
  /// - Complexity: O(N + E log E) for a header of N bytes and E tensors.
  public static func readHeader(contentsOf path: String) throws(SafeTensorsError) -> SafeTensorsHeader {
    try readHeader(from: try openFile(path))
  }

  /// `readHeader(contentsOf:)` for a file already in memory.
  public static func readHeader(bytes: [UInt8]) throws(SafeTensorsError) -> SafeTensorsHeader {
    try readHeader(from: SafeTensorsMemorySource(bytes: bytes))
  }

  /// Reads a whole file: checks the header and layout first (`readHeader`), refuses unsupported
  /// dtypes, then reads each tensor's bytes straight into its storage (no staging copy of the
  /// data). Nothing is allocated from a size the file declares before that size is checked
  /// against the file: tensor storage totals exactly the data buffer, and parsing takes O(N)
  /// memory for a header of N ≤ 100 000 000 bytes.
  /// - Throws: `SafeTensorsError` naming the first problem; `.unsupportedDType` for a valid file
  ///   holding a dtype other than F32, F64, I64, F16, BF16.
  /// - Complexity: O(file size).
  public static func read(contentsOf path: String) throws(SafeTensorsError) -> SafeTensorsFile {
    try read(from: try openFile(path))
  }

  /// `read(contentsOf:)` for a file already in memory.
  public static func read(bytes: [UInt8]) throws(SafeTensorsError) -> SafeTensorsFile {
    try read(from: SafeTensorsMemorySource(bytes: bytes))
  }

  // MARK: Shared implementation

  private static func openFile(_ path: String) throws(SafeTensorsError) -> SafeTensorsFileSource {
    do {
      return SafeTensorsFileSource(file: try ReadOnlyFile(path: path))
    } catch {
      throw .io(path: error.path, reason: error.summary)
    }
  }

  static func readHeader(from source: some SafeTensorsByteSource) throws(SafeTensorsError) -> SafeTensorsHeader {
    let size = source.size
    guard size >= 8 else { throw .fileTooSmall(size: size) }
    var lengthBytes: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
    try readInto(&lengthBytes, from: source, at: 0)
    var declared: UInt64 = 0
    for k in 0..<8 { declared |= UInt64(lengthBytes[k]) << (8 * UInt64(k)) }
    guard declared <= UInt64(headerLengthLimit) else {
      throw .headerTooLarge(length: declared, limit: headerLengthLimit)
    }
    guard declared <= UInt64(size - 8) else { throw .headerExceedsFile(length: declared, available: size - 8) }
    let headerLength = Int(declared)
    var text = [UInt8](repeating: 0, count: headerLength)
    try readInto(&text, from: source, at: 8)
    if let bad = UTF8Validation.firstInvalidIndex(text) { throw .invalidUTF8(offset: 8 + bad) }
    let parsed = try SafeTensorsHeaderParser.parse(text, fileOffset: 8)
    let dataSize = size - 8 - headerLength
    let entries = try SafeTensorsLayout.validate(parsed.entries, bufferSize: dataSize)
    return SafeTensorsHeader(
      entries: entries, metadata: parsed.metadata, headerLength: headerLength, dataSize: dataSize)
  }

  static func read(from source: some SafeTensorsByteSource) throws(SafeTensorsError) -> SafeTensorsFile {
    let header = try readHeader(from: source)
    if let unsupported = header.entries.first(where: { !$0.dtype.isSupported }) {
      throw .unsupportedDType(name: unsupported.name, dtype: unsupported.dtype)
    }
    var file = SafeTensorsFile(metadata: header.metadata)
    for entry in header.entries {
      let tensor = try StoredTensor.decode(entry, from: source, dataStart: header.dataStart)
      try file.setTensor(tensor, named: entry.name)
    }
    return file
  }

  private static func readInto(
    _ bytes: inout [UInt8], from source: some SafeTensorsByteSource, at offset: Int
  ) throws(SafeTensorsError) {
    let failure: SafeTensorsError? = bytes.withUnsafeMutableBytes { raw -> SafeTensorsError? in
      do throws(SafeTensorsError) {
        try source.read(into: raw, at: offset)
        return nil
      } catch {
        return error
      }
    }
    if let failure { throw failure }
  }
}
