import TensorCore

/// How a raw map becomes the N×1×T×H×W heat map the papers show and the metrics rank:
/// a channel reduction, then a per-clip normalisation to [0, 1] (as Li et al.'s code does; Reference/SOURCES.md).
///
/// One implementation serves both paths: it runs on the raw map after the method, in Double.
public struct PostProcessing: Sendable, Hashable, CustomStringConvertible {
  /// How the channels of an input-space map are combined (maps with C = 1 are unchanged).
  public enum ChannelReduction: String, Sendable, CaseIterable {
    /// mean_c |m_c| (Li et al.'s Gradient).
    case absMean = "abs_mean"
    /// Σ_c |m_c| (SmoothGrad in Li et al.).
    case sumAbs = "sum_abs"
    /// |Σ_c m_c| (Gradient × Input in Li et al.).
    case absSum = "abs_sum"
    /// Σ_c m_c, signed.
    case sum
    /// max_c |m_c| (Guided Backprop in Li et al.).
    case maxAbs = "max_abs"
  }

  /// How each clip's reduced map is scaled to [0, 1].
  public enum Normalization: Sendable, Hashable, CustomStringConvertible {
    /// (g − min)/(P_q − min) clipped to [0, 1], P_q the q-th percentile of the clip's map
    /// (numpy's linear interpolation). Li et al. use q = 99.9 and q = 99.
    case percentile(Double)
    /// (g − min)/(max − min).
    case minMax
    /// The reduced map as it is.
    case none

    public var description: String {
      switch self {
      case .percentile(let q): return "p\(q)"
      case .minMax: return "minmax"
      case .none: return "none"
      }
    }
  }

  public var channels: ChannelReduction
  public var normalization: Normalization

  public init(channels: ChannelReduction, normalization: Normalization) {
    self.channels = channels
    self.normalization = normalization
  }

  public var description: String { "\(channels.rawValue), \(normalization)" }

  /// N×C×T×H×W → N×1×T×H×W.
  public func apply<S: BinaryFloatingPoint>(_ map: Tensor<S>) -> Tensor<Double> {
    let reduced = Self.reduce(Tensor<Double>(converting: map), channels)
    return Self.normalize(reduced, normalization)
  }

  /// Channel reduction, element by element in the formula's order. - Complexity: O(N·C·T·H·W).
  public static func reduce(_ m: Tensor<Double>, _ r: ChannelReduction) -> Tensor<Double> {
    precondition(m.rank == 5, "post-processing needs N×C×T×H×W, got \(Shape.describe(m.shape))")
    let (n, c, plane) = (m.shape[0], m.shape[1], m.shape[2] * m.shape[3] * m.shape[4])
    var out = Tensor<Double>(shape: [n, 1] + Array(m.shape[2...]), repeating: 0)
    for i in 0..<n {
      for p in 0..<plane {
        var acc = 0.0
        for k in 0..<c {
          let v = m.scalars[(i * c + k) * plane + p]
          switch r {
          case .absMean, .sumAbs: acc += abs(v)
          case .absSum, .sum: acc += v
          case .maxAbs: acc = max(acc, abs(v))
          }
        }
        switch r {
        case .absMean: acc /= Double(c)
        case .absSum: acc = abs(acc)
        default: break
        }
        out.scalars[i * plane + p] = acc
      }
    }
    return out
  }

  /// Per-clip normalisation of an N×1×T×H×W map.
  public static func normalize(_ m: Tensor<Double>, _ how: Normalization) -> Tensor<Double> {
    if case .none = how { return m }
    let n = m.shape[0], per = m.count / max(n, 1)
    var out = m
    for i in 0..<n {
      let values = Array(m.scalars[(i * per)..<((i + 1) * per)])
      let lo = values.min() ?? 0
      let hi: Double
      switch how {
      case .percentile(let q): hi = percentile(values, q)
      case .minMax: hi = values.max() ?? 0
      case .none: hi = 0
      }
      let range = hi - lo
      for j in 0..<per {
        let v = range > 0 ? (values[j] - lo) / range : 0
        out.scalars[i * per + j] = min(max(v, 0), 1)
      }
    }
    return out
  }

  /// The q-th percentile with numpy's default (linear) interpolation:
  /// r = q/100·(n−1), P = v₍⌊r⌋₎ + (r − ⌊r⌋)(v₍⌊r⌋+1₎ − v₍⌊r⌋₎) on the sorted values.
  public static func percentile(_ values: [Double], _ q: Double) -> Double {
    precondition(!values.isEmpty && (0...100).contains(q), "percentile \(q) of \(values.count) values")
    let v = values.sorted()
    let r = q / 100 * Double(v.count - 1)
    let i = Int(r.rounded(.down))
    let f = r - Double(i)
    return i + 1 < v.count ? v[i] + f * (v[i + 1] - v[i]) : v[i]
  }
}
