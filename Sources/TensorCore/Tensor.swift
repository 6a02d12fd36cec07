/// A dense, contiguous, row-major array of scalars with a shape.
///
/// Video tensors are laid out **N C T H W** (batch, channel, time, height, width), the
/// layout of PyTorch's `Conv3d`; lower ranks are used as they come (N×K logits, O×I linear
/// weights, a vector of K). The last axis varies fastest. A `Tensor` is a value: copies
/// share storage until one of them is mutated (copy-on-write through `Array`).
///
/// Shape checks are preconditions with messages that name both shapes; code that handles
/// user input validates shapes first and throws `TensorError` instead (see `TensorError`).
public struct Tensor<Scalar>: Sendable where Scalar: Sendable {
  /// Extent of each axis, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
  public var scalars: [Scalar]

  /// Creates a tensor from a shape and its elements in row-major order.
  /// - Precondition: every extent is ≥ 0 and `scalars.count` is their product.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(Shape.describe(shape))")
    precondition(
      Shape.elementCount(shape) == scalars.count,
      "shape \(Shape.describe(shape)) needs \(Shape.elementCount(shape)) elements, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// Creates a tensor with every element equal to `value`.
  public init(shape: [Int], repeating value: Scalar) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(Shape.describe(shape))")
    self.shape = shape
    self.scalars = Array(repeating: value, count: Shape.elementCount(shape))
  }

  /// Creates a tensor whose element at flat index `i` is `element(i)`.
  @inlinable
  public init(shape: [Int], generating element: (Int) throws -> Scalar) rethrows {
    let n = Shape.elementCount(shape)
    var s: [Scalar] = []
    s.reserveCapacity(n)
    for i in 0..<n { s.append(try element(i)) }
    self.init(shape: shape, scalars: s)
  }

  /// Number of axes.
  @inlinable public var rank: Int { shape.count }
  /// Number of elements.
  @inlinable public var count: Int { scalars.count }

  /// Row-major strides in elements (the last axis has stride 1).
  public var strides: [Int] { Shape.strides(shape) }

  /// The element at a flat (row-major) index.
  @inlinable public subscript(flat i: Int) -> Scalar {
    get { scalars[i] }
    set { scalars[i] = newValue }
  }

  /// The element at a multi-index, one entry per axis.
  public subscript(_ index: Int...) -> Scalar {
    get { scalars[Shape.flatIndex(index, shape: shape)] }
    set { scalars[Shape.flatIndex(index, shape: shape)] = newValue }
  }

  /// The same elements viewed with another shape of the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    precondition(
      Shape.elementCount(newShape) == count,
      "cannot reshape \(Shape.describe(shape)) (\(count) elements) to \(Shape.describe(newShape))")
    return Tensor(shape: newShape, scalars: scalars)
  }

  /// Applies `transform` to every element.
  @inlinable
  public func map<R>(_ transform: (Scalar) throws -> R) rethrows -> Tensor<R> {
    Tensor<R>(shape: shape, scalars: try scalars.map(transform))
  }

  /// Calls `body` with a pointer to the contiguous elements.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the contiguous elements.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }

  /// The `i`-th slice along the first axis (for example one clip of an N×C×T×H×W batch).
  public func slice(_ i: Int) -> Tensor {
    precondition(rank >= 1 && i >= 0 && i < shape[0], "slice \(i) out of range for \(Shape.describe(shape))")
    let inner = Array(shape.dropFirst())
    let n = Shape.elementCount(inner)
    return Tensor(shape: inner, scalars: Array(scalars[(i * n)..<((i + 1) * n)]))
  }

  /// Stacks equally shaped tensors along a new first axis.
  public static func stack(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "stack of no tensors")
    let inner = parts[0].shape
    var s: [Scalar] = []
    s.reserveCapacity(parts.count * parts[0].count)
    for p in parts {
      precondition(p.shape == inner, "stack: shape \(Shape.describe(p.shape)) differs from \(Shape.describe(inner))")
      s.append(contentsOf: p.scalars)
    }
    return Tensor(shape: [parts.count] + inner, scalars: s)
  }

  /// Concatenates tensors along the first axis (their other extents must agree).
  public static func concatenate(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "concatenate of no tensors")
    let inner = Array(parts[0].shape.dropFirst())
    var n0 = 0
    var s: [Scalar] = []
    for p in parts {
      precondition(
        Array(p.shape.dropFirst()) == inner,
        "concatenate: shape \(Shape.describe(p.shape)) differs from [_] + \(Shape.describe(inner))")
      n0 += p.shape[0]
      s.append(contentsOf: p.scalars)
    }
    return Tensor(shape: [n0] + inner, scalars: s)
  }
}

extension Tensor: Equatable where Scalar: Equatable {}

extension Tensor where Scalar: Numeric {
  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
}

extension Tensor where Scalar: BinaryFloatingPoint {
  /// Converts every element to another floating-point type (rounding to nearest).
  @inlinable
  public init<Source: BinaryFloatingPoint>(converting other: Tensor<Source>) {
    self.init(shape: other.shape, scalars: other.scalars.map { Scalar($0) })
  }

  /// True when no element is NaN or infinite.
  public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
    return "Tensor\(Shape.describe(shape))[\(head)\(count > 8 ? ", …" : "")]"
  }
}
