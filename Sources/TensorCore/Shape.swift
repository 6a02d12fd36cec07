/// Shape arithmetic shared by every module: element counts, strides, flat indices, and the
/// text used in error messages.
public enum Shape {
  /// Product of the extents (1 for a scalar shape `[]`).
  @inlinable
  public static func elementCount(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n *= d }
    return n
  }

  /// Product of the extents, or `nil` if it overflows `Int` or an extent is negative.
  /// Used where the shape comes from a file or the command line.
  public static func checkedElementCount(_ shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
      guard d >= 0 else { return nil }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      if o { return nil }
      n = p
    }
    return n
  }

  /// Row-major strides in elements.
  public static func strides(_ shape: [Int]) -> [Int] {
    var s = Array(repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc *= shape[i]
    }
    return s
  }

  /// Flat row-major index of a multi-index.
  /// - Precondition: one index per axis, each within its extent.
  public static func flatIndex(_ index: [Int], shape: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) has \(index.count) entries for shape \(describe(shape))")
    var flat = 0
    for (i, d) in zip(index, shape) {
      precondition(i >= 0 && i < d, "index \(index) outside shape \(describe(shape))")
      flat = flat * d + i
    }
    return flat
  }

  /// "[1, 3, 16, 112, 112]" — the form every error message uses.
  public static func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
  }
}

/// Errors about tensors that come from outside the program (files, the command line).
public enum TensorError: Error, Equatable, CustomStringConvertible {
  /// A tensor had a shape other than the one required.
  case shapeMismatch(name: String, expected: String, actual: [Int])
  /// A tensor held NaN or an infinity where finite values are required.
  case nonFinite(name: String, index: Int)

  public var description: String {
    switch self {
    case let .shapeMismatch(name, expected, actual):
      return "\(name) has shape \(Shape.describe(actual)); expected \(expected)"
    case let .nonFinite(name, index):
      return "\(name) holds a non-finite value (NaN or infinity) at flat index \(index)"
    }
  }
}

extension Tensor where Scalar: BinaryFloatingPoint {
  /// Throws `TensorError.nonFinite` naming the first NaN or infinity.
  public func requireFinite(name: String) throws {
    if let i = scalars.firstIndex(where: { !$0.isFinite }) {
      throw TensorError.nonFinite(name: name, index: i)
    }
  }
}
