/// The contents of a safetensors file: named tensors and string metadata.
///
/// A value, not a view of a file: reading decodes every tensor; writing serialises the value.
/// Names are unique (compared as Swift strings, i.e. after Unicode canonical equivalence) and
/// may not be `__metadata__`.
///
/// **Order.** Safetensors keys form a JSON object, so their order carries no meaning; `names`
/// lists tensors in the **canonical order** that the writer lays them out in and that the
/// reference implementation uses: by dtype in descending reference-enum order (`I64`, `F64`,
/// `F32`, `BF16`, `F16`), then by the UTF-8 bytes of the name. Reading a file and writing it back
/// therefore gives the same bytes whatever order the tensors were added in.
public struct SafeTensorsFile: Sendable, Equatable {
  /// The tensors by name.
  public private(set) var tensors: [String: StoredTensor]
  /// The `__metadata__` object (string keys and values). Written with keys sorted by their
  /// UTF-8 bytes; omitted from the header when empty.
  public var metadata: [String: String]

  /// A file with no tensors.
  public init(metadata: [String: String] = [:]) {
    self.tensors = [:]
    self.metadata = metadata
  }

  /// A file holding `entries`.
  /// - Throws: `.duplicateName` if two entries share a name, `.reservedName` for `__metadata__`.
  public init(_ entries: [(String, StoredTensor)], metadata: [String: String] = [:]) throws(SafeTensorsError) {
    self.init(metadata: metadata)
    for (name, tensor) in entries {
      guard tensors[name] == nil else { throw .duplicateName(name) }
      try setTensor(tensor, named: name)
    }
  }

  /// Tensor names in canonical order (see the type's documentation).
  /// - Complexity: O(n log n) for n tensors.
  public var names: [String] {
    tensors.map { (name: $0.key, rank: $0.value.dtype.layoutRank) }
      .sorted { a, b in
        a.rank != b.rank ? a.rank > b.rank : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
      }
      .map(\.name)
  }

  /// Number of tensors.
  public var count: Int { tensors.count }

  /// The tensor with that name, if any.
  public subscript(name: String) -> StoredTensor? { tensors[name] }

  /// Adds a tensor, replacing any tensor of the same name.
  /// - Throws: `.reservedName` for `__metadata__`.
  public mutating func setTensor(_ tensor: StoredTensor, named name: String) throws(SafeTensorsError) {
    guard !name.utf8.elementsEqual("__metadata__".utf8) else { throw .reservedName(name) }
    tensors[name] = tensor
  }

  /// Removes and returns the tensor with that name.
  @discardableResult
  public mutating func removeTensor(named name: String) -> StoredTensor? {
    tensors.removeValue(forKey: name)
  }

  /// The tensor with that name.
  /// - Throws: `.tensorNotFound` listing the names the file holds.
  public func tensor(named name: String) throws(SafeTensorsError) -> StoredTensor {
    guard let t = tensors[name] else { throw .tensorNotFound(name: name, available: names) }
    return t
  }

  /// The `F32` tensor with that name. - Throws: `.tensorNotFound`, `.wrongDType`.
  public func float32(named name: String) throws(SafeTensorsError) -> Tensor<Float> {
    try tensor(named: name).float32(name: name)
  }

  /// The `F64` tensor with that name. - Throws: `.tensorNotFound`, `.wrongDType`.
  public func float64(named name: String) throws(SafeTensorsError) -> Tensor<Double> {
    try tensor(named: name).float64(name: name)
  }

  /// The `I64` tensor with that name. - Throws: `.tensorNotFound`, `.wrongDType`.
  public func int64(named name: String) throws(SafeTensorsError) -> Tensor<Int64> {
    try tensor(named: name).int64(name: name)
  }

  /// The tensor with that name as `Float` (see `StoredTensor.floatTensor(name:roundingFloat64:)`):
  /// F32, F16, BF16 exactly; F64 rounded only if `roundingFloat64`.
  /// - Throws: `.tensorNotFound`, `.wrongDType`.
  public func floatTensor(named name: String, roundingFloat64: Bool = false) throws(SafeTensorsError)
    -> Tensor<Float>
  {
    try tensor(named: name).floatTensor(name: name, roundingFloat64: roundingFloat64)
  }

  /// The tensor with that name as `Double` (F64 as stored; F32, F16, BF16 exactly).
  /// - Throws: `.tensorNotFound`, `.wrongDType`.
  public func doubleTensor(named name: String) throws(SafeTensorsError) -> Tensor<Double> {
    try tensor(named: name).doubleTensor(name: name)
  }
}
