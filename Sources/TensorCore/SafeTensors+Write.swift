/// Writing safetensors files.
///
/// **Determinism.** The output depends only on the file's *contents* (the set of named tensors
/// and the metadata), never on insertion order or hashing, and equals what the reference
/// implementation (`safetensors.torch.save_file` / `safetensors.numpy.save`) writes:
/// - tensors laid out in `SafeTensorsFile.names` order — dtype in descending reference order
///   (`I64`, `F64`, `F32`, `BF16`, `F16`), then name by UTF-8 bytes — with contiguous
///   `data_offsets` from 0, and the header's keys in that same order;
/// - `"__metadata__"` first when the metadata is non-empty, its keys sorted by UTF-8 bytes
///   (the reference writes them in hash-map order, so with two or more keys only ours is
///   reproducible; with zero or one key the bytes are identical);
/// - compact JSON (no whitespace), strings escaped as serde_json does: `\"`, `\\`, `\b`, `\f`,
///   `\n`, `\r`, `\t`, other controls below U+0020 as `\u00xx` (lower-case hex), everything else
///   (including `/`, DEL and non-ASCII) as raw UTF-8;
/// - the header padded with spaces to a multiple of 8 bytes, so the data starts 8-aligned.
/// Hence write → read → write is byte-identical.
extension SafeTensors {
  /// The file's bytes (see the extension's documentation for the exact layout).
  /// - Throws: `.headerTooLarge` if the header would exceed `headerLengthLimit` (readers would
  ///   refuse the file).
  /// - Complexity: O(total bytes).
  public static func bytes(_ file: SafeTensorsFile) throws(SafeTensorsError) -> [UInt8] {
    let names = file.names
    var header: [UInt8] = []
    var dataSize = 0
    header.append(UInt8(ascii: "{"))
    var first = true
    if !file.metadata.isEmpty {
      appendJSONString("__metadata__", to: &header)
      header.append(contentsOf: ":{".utf8)
      let keys = file.metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (k, key) in keys.enumerated() {
        if k > 0 { header.append(UInt8(ascii: ",")) }
        appendJSONString(key, to: &header)
        header.append(UInt8(ascii: ":"))
        appendJSONString(file.metadata[key] ?? "", to: &header)
      }
      header.append(UInt8(ascii: "}"))
      first = false
    }
    for name in names {
      guard let tensor = file.tensors[name] else { continue }
      if !first { header.append(UInt8(ascii: ",")) }
      first = false
      let begin = dataSize
      dataSize += tensor.byteCount
      appendJSONString(name, to: &header)
      header.append(contentsOf: ":{\"dtype\":".utf8)
      appendJSONString(tensor.dtype.name, to: &header)
      header.append(contentsOf: ",\"shape\":[".utf8)
      header.append(contentsOf: tensor.shape.map(String.init).joined(separator: ",").utf8)
      header.append(contentsOf: "],\"data_offsets\":[\(begin),\(dataSize)]}".utf8)
    }
    header.append(UInt8(ascii: "}"))
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    guard header.count <= headerLengthLimit else {
      throw .headerTooLarge(length: UInt64(header.count), limit: headerLengthLimit)
    }

    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + dataSize)
    var n = UInt64(header.count)
    for _ in 0..<8 {
      out.append(UInt8(truncatingIfNeeded: n))
      n >>= 8
    }
    out.append(contentsOf: header)
    for name in names { file.tensors[name]?.appendLittleEndianBytes(to: &out) }
    return out
  }

  /// The bytes of a file holding `tensors` and `metadata`.
  /// - Throws: `.duplicateName`, `.reservedName`, `.headerTooLarge`.
  public static func bytes(
    _ tensors: [(String, StoredTensor)], metadata: [String: String] = [:]
  ) throws(SafeTensorsError) -> [UInt8] {
    try bytes(try SafeTensorsFile(tensors, metadata: metadata))
  }

  /// Writes `file` to `path` atomically (`AtomicFile.write`): on failure an existing file at
  /// `path` is left as it was and no temporary file remains.
  /// - Throws: `.io(path:reason:)` naming the path and the failing operation; the errors of
  ///   `bytes(_:)`.
  /// - Complexity: O(total bytes).
  public static func write(_ file: SafeTensorsFile, to path: String) throws(SafeTensorsError) {
    let data = try bytes(file)
    do {
      try AtomicFile.write(bytes: data, to: path)
    } catch {
      throw .io(path: error.path, reason: error.summary)
    }
  }

  /// Writes `tensors` and `metadata` to `path` atomically.
  /// - Throws: `.duplicateName`, `.reservedName`, `.headerTooLarge`, `.io`.
  public static func write(
    _ tensors: [(String, StoredTensor)], metadata: [String: String] = [:], to path: String
  ) throws(SafeTensorsError) {
    try write(try SafeTensorsFile(tensors, metadata: metadata), to: path)
  }

  /// Appends `s` as a JSON string literal, escaped as serde_json does.
  package static func appendJSONString(_ s: String, to out: inout [UInt8]) {
    let hexDigits = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
      switch b {
      case 0x22: out.append(contentsOf: [0x5C, 0x22])  // \"
      case 0x5C: out.append(contentsOf: [0x5C, 0x5C])  // \\
      case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
      case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
      case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0x00..<0x20:
        out.append(contentsOf: "\\u00".utf8)
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0xF)])
      default: out.append(b)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
