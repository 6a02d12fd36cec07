import TensorCore

/// An extent, stride, padding or dilation per spatio-temporal axis (T, H, W).
public struct Size3: Hashable, Sendable, CustomStringConvertible {
  public var t: Int
  public var h: Int
  public var w: Int

  public init(_ t: Int, _ h: Int, _ w: Int) {
    self.t = t
    self.h = h
    self.w = w
  }

  /// The same value on all three axes.
  public static func cube(_ n: Int) -> Size3 { Size3(n, n, n) }

  public var product: Int { t * h * w }
  public var array: [Int] { [t, h, w] }
  public var description: String { "(\(t), \(h), \(w))" }
}

/// Output extent of a sliding window along one axis, PyTorch's formula (floor mode):
/// ⌊(in + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1.
@inlinable
public func slidingWindowExtent(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1) -> Int {
  let span = dilation * (kernel - 1) + 1
  let room = input + 2 * padding - span
  return room < 0 ? 0 : room / stride + 1
}

/// Stride, padding, dilation and groups of a 3-D convolution, as `torch.nn.Conv3d`.
///
/// Shapes: input N×Cin×T×H×W, weight Cout×(Cin/groups)×kt×kh×kw, bias Cout, output
/// N×Cout×To×Ho×Wo with To = ⌊(T + 2pₜ − dₜ(kₜ−1) − 1)/sₜ⌋ + 1 and likewise for H, W.
/// Output channel o reads input channels g·(Cin/groups) ..< (g+1)·(Cin/groups) with
/// g = o / (Cout/groups).
public struct Conv3DGeometry: Hashable, Sendable, CustomStringConvertible {
  public var stride: Size3
  public var padding: Size3
  public var dilation: Size3
  public var groups: Int

  public init(
    stride: Size3 = .cube(1), padding: Size3 = .cube(0), dilation: Size3 = .cube(1), groups: Int = 1
  ) {
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    self.groups = groups
  }

  public var description: String {
    "stride \(stride) padding \(padding) dilation \(dilation) groups \(groups)"
  }

  /// Checks input and weight shapes against each other and this geometry; returns the output
  /// shape or a message naming every shape involved.
  public func outputShape(input: [Int], weight: [Int]) -> Result<[Int], KernelShapeError> {
    func fail(_ why: String) -> Result<[Int], KernelShapeError> {
      .failure(
        KernelShapeError(
          "conv3d: \(why) (input \(Shape.describe(input)), weight \(Shape.describe(weight)), \(self))"))
    }
    guard input.count == 5 else { return fail("input must be N×C×T×H×W") }
    guard weight.count == 5 else { return fail("weight must be Cout×Cin/groups×kt×kh×kw") }
    guard groups >= 1, input[1] % groups == 0, weight[0] % groups == 0 else {
      return fail("groups must divide both channel counts")
    }
    guard weight[1] * groups == input[1] else { return fail("weight has \(weight[1]) input channels per group") }
    guard [stride.t, stride.h, stride.w, dilation.t, dilation.h, dilation.w].allSatisfy({ $0 >= 1 }),
      [padding.t, padding.h, padding.w].allSatisfy({ $0 >= 0 }),
      weight[2...].allSatisfy({ $0 >= 1 })
    else { return fail("strides, dilations and kernel extents must be ≥ 1, paddings ≥ 0") }
    let to = slidingWindowExtent(
      input: input[2], kernel: weight[2], stride: stride.t, padding: padding.t, dilation: dilation.t)
    let ho = slidingWindowExtent(
      input: input[3], kernel: weight[3], stride: stride.h, padding: padding.h, dilation: dilation.h)
    let wo = slidingWindowExtent(
      input: input[4], kernel: weight[4], stride: stride.w, padding: padding.w, dilation: dilation.w)
    guard to >= 1, ho >= 1, wo >= 1 else { return fail("the kernel does not fit the padded input") }
    return .success([input[0], weight[0], to, ho, wo])
  }

  /// The output shape; traps with the message of `outputShape(input:weight:)` on a mismatch.
  public func checkedOutputShape(input: [Int], weight: [Int]) -> [Int] {
    switch outputShape(input: input, weight: weight) {
    case .success(let s): return s
    case .failure(let e): preconditionFailure(e.message)
    }
  }

  /// Multiply-adds ×2 of the forward pass (the backward passes cost the same each).
  public func flops(input: [Int], weight: [Int]) -> Double {
    let out = checkedOutputShape(input: input, weight: weight)
    return 2 * Double(out.reduce(1, *)) * Double(weight[1] * weight[2] * weight[3] * weight[4])
  }
}

/// Window, stride and padding of a 3-D pooling, as `torch.nn.MaxPool3d` / `AvgPool3d`
/// (floor mode, dilation 1).
public struct Pool3DGeometry: Hashable, Sendable, CustomStringConvertible {
  public var kernel: Size3
  public var stride: Size3
  public var padding: Size3

  public init(kernel: Size3, stride: Size3? = nil, padding: Size3 = .cube(0)) {
    self.kernel = kernel
    self.stride = stride ?? kernel
    self.padding = padding
  }

  public var description: String { "kernel \(kernel) stride \(stride) padding \(padding)" }

  /// N×C×To×Ho×Wo for an N×C×T×H×W input. PyTorch requires padding ≤ kernel/2.
  public func outputShape(input: [Int]) -> Result<[Int], KernelShapeError> {
    guard input.count == 5 else {
      return .failure(KernelShapeError("pool3d: input \(Shape.describe(input)) must be N×C×T×H×W"))
    }
    let k = kernel.array, s = stride.array, p = padding.array
    for a in 0..<3 where k[a] < 1 || s[a] < 1 || p[a] < 0 || 2 * p[a] > k[a] {
      return .failure(KernelShapeError("pool3d: invalid \(self) (need kernel, stride ≥ 1 and 0 ≤ padding ≤ kernel/2)"))
    }
    var out = [input[0], input[1]]
    for a in 0..<3 {
      let e = slidingWindowExtent(input: input[2 + a], kernel: k[a], stride: s[a], padding: p[a])
      guard e >= 1 else {
        return .failure(KernelShapeError("pool3d: window \(self) does not fit input \(Shape.describe(input))"))
      }
      out.append(e)
    }
    return .success(out)
  }

  public func checkedOutputShape(input: [Int]) -> [Int] {
    switch outputShape(input: input) {
    case .success(let s): return s
    case .failure(let e): preconditionFailure(e.message)
    }
  }
}

/// A shape that does not fit a kernel; the message names every shape involved.
public struct KernelShapeError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
