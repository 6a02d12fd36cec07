import RealModule
import Kernels
import TensorCore

/// How a freshly built network gets its parameter values.
public enum ParameterInitialization: Sendable {
  /// PyTorch's initialisation for these models (see `ParameterSource.initialValue`), drawn
  /// from `SeededRNG(seed:).split(name)` so each parameter has its own stream.
  case random(seed: UInt64)
  /// The documented integer-hash fill used by the PyTorch cross-check (`HashFill`).
  case hashFill
  /// Values from a `state_dict()` (Float32 tensors by name); every key must match.
  case stateDict([String: Tensor<Float>])
}

/// The error for a state dict that does not fit an architecture: lists **every** missing,
/// unexpected and wrongly shaped key.
public struct WeightLoadingError: Error, CustomStringConvertible, Equatable {
  public var architecture: String
  public var missing: [String]
  public var unexpected: [String]
  public var wrongShape: [(name: String, expected: [Int], found: [Int])]

  public static func == (a: Self, b: Self) -> Bool {
    a.architecture == b.architecture && a.missing == b.missing && a.unexpected == b.unexpected
      && a.wrongShape.map(\.name) == b.wrongShape.map(\.name)
  }

  public var description: String {
    var lines = ["weights do not fit \(architecture):"]
    if !missing.isEmpty { lines.append("  missing (\(missing.count)): " + missing.joined(separator: ", ")) }
    if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
    for w in wrongShape {
      lines.append("  wrong shape: \(w.name) is \(Shape.describe(w.found)), expected \(Shape.describe(w.expected))")
    }
    return lines.joined(separator: "\n")
  }
}

/// PyTorch's default initialisation of the layers of these models; every parameter remembers
/// its own, so that sanity checks can re-initialise layers as PyTorch's `reset_parameters` would.
public enum ParameterInitializer: Sendable, Hashable {
  /// kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2/fan_out),
  /// fan_out = shape[0]·Π shape[2…] (torchvision's VideoResNet and ResNet convs; the same for
  /// Cout×Cin×1×k×k and Cout×Cin×k×k).
  case kaimingNormalFanOut
  /// N(0, σ²) (torchvision VideoResNet's fc: σ = 0.01; TSM's new_fc: 0.001).
  case normal(Double)
  /// U(−b, b) (PyTorch's LSTM: b = 1/√H).
  case uniform(Double)
  /// A constant (batch norm: γ = 1, β = 0, μ = 0, σ² = 1; biases 0).
  case constant(Double)

  /// Fresh values of `shape` drawn from `rng`.
  public func values<S: BinaryFloatingPoint>(_ shape: [Int], rng: inout SeededRNG) -> Tensor<S> {
    switch self {
    case .kaimingNormalFanOut:
      let fanOut = shape[0] * shape.dropFirst(2).reduce(1, *)
      return Tensor.normal(shape, std: (2.0 / Double(fanOut)).squareRoot(), using: &rng)
    case .normal(let s):
      return Tensor.normal(shape, std: s, using: &rng)
    case .uniform(let b):
      return Tensor.uniform(shape, -b, b, using: &rng)
    case .constant(let c):
      return Tensor(shape: shape, repeating: S(c))
    }
  }
}

/// Hands out the parameters of a network while it is being built, and records every
/// mismatch with a state dict.
final class ParameterSource<Scalar: Real & BinaryFloatingPoint & Sendable> {
  let initialization: ParameterInitialization
  private(set) var requested: [String] = []
  private var missing: [String] = []
  private var wrongShape: [(name: String, expected: [Int], found: [Int])] = []

  init(_ initialization: ParameterInitialization) {
    self.initialization = initialization
  }

  typealias Initializer = ParameterInitializer

  /// A parameter of kernel shape `shape`, stored in `state_dict()` as `stateShape` (default:
  /// the same). A state dict may hold either shape (the PyTorch one is expected).
  func make(
    _ name: String, _ shape: [Int], _ role: ParameterRole, _ initializer: Initializer, stateShape: [Int]? = nil
  ) -> Parameter<Scalar> {
    precondition(!requested.contains(name), "parameter \(name) requested twice while building a network")
    requested.append(name)
    let value: Tensor<Scalar>
    switch initialization {
    case .random(let seed):
      var rng = SeededRNG(seed: seed).split(name)
      value = initializer.values(shape, rng: &rng)
    case .hashFill:
      value = Tensor(converting: HashFill.tensor(name: name, shape: shape, role: role))
    case .stateDict(let dict):
      if let t = dict[name] {
        if t.shape == shape || t.shape == stateShape {
          value = Tensor(converting: t.reshaped(shape))
        } else {
          wrongShape.append((name, stateShape ?? shape, t.shape))
          value = Tensor(shape: shape, repeating: 0)
        }
      } else {
        missing.append(name)
        value = Tensor(shape: shape, repeating: 0)
      }
    }
    return Parameter(name: name, role: role, value: value, stateShape: stateShape, initializer: initializer)
  }

  /// Throws if a state dict did not fit; `num_batches_tracked` buffers are ignored.
  func finish(architecture: String) throws {
    guard case .stateDict(let dict) = initialization else { return }
    let wanted = Set(requested)
    let unexpected = dict.keys.filter { !wanted.contains($0) && !$0.hasSuffix("num_batches_tracked") }.sorted()
    if !missing.isEmpty || !unexpected.isEmpty || !wrongShape.isEmpty {
      throw WeightLoadingError(
        architecture: architecture, missing: missing, unexpected: unexpected, wrongShape: wrongShape)
    }
  }
}

/// The integer-hash fill that the PyTorch generator in Reference/ computes bit for bit.
///
/// For element i (row-major) of the tensor named `name`:
///   key = FNV-1a-64(UTF-8 bytes of name);  h = mix(key ⊕ mix(i + 0x9E3779B97F4A7C15)),
///   where mix is the SplitMix64 finaliser (z ^= z>>30; z *= 0xBF58476D1CE4E5B9; z ^= z>>27;
///   z *= 0x94D049BB133111EB; z ^= z>>31, all mod 2⁶⁴);
///   k = h >> 42 (22 bits), u = (k − 2²¹)/2²¹ ∈ [−1, 1), a multiple of 2⁻²¹, so that every
///   value below, including 1 + u/4, is exact in Float32 (and computed without rounding).
/// Value by role (all exact in Float32):
///   weight: u·2⁻ˢ, s = ⌊(⌈log₂ fan_in⌉ + 1)/2⌋, fan_in = Π shape[1…] (so |w| < ≈1/√fan_in);
///   bias: u/16; batch-norm weight γ: 1 + u/4; batch-norm bias β: u/8; running_mean: u/8;
///   running_var: 1 + u/4 (∈ [0.75, 1.25)).
public enum HashFill {
  public static func unit(name: String, index: Int) -> Float {
    var key: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in name.utf8 {
      key ^= UInt64(b)
      key = key &* 0x0000_0100_0000_01B3
    }
    let h = mix(key ^ mix(UInt64(index) &+ 0x9E37_79B9_7F4A_7C15))
    let k = Int64(h >> 42)
    return Float(k - (1 << 21)) * 0x1p-21
  }

  public static func tensor(name: String, shape: [Int], role: ParameterRole) -> Tensor<Float> {
    let fanIn = max(1, shape.dropFirst().reduce(1, *))
    let ceilLog2 = fanIn <= 1 ? 0 : (Int.bitWidth - (fanIn - 1).leadingZeroBitCount)
    let s = (ceilLog2 + 1) / 2
    return Tensor(shape: shape) { i in
      let u = unit(name: name, index: i)
      switch role {
      case .weight: return u * Float(sign: .plus, exponent: -s, significand: 1)
      case .bias: return u / 16
      case .batchNormScale, .runningVariance: return 1 + u / 4
      case .batchNormShift, .runningMean: return u / 8
      }
    }
  }

  static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
