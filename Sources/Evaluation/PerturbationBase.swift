import Kernels
import RealModule
import TensorCore

/// What a removed voxel shows in insertion and deletion (and in temporal faithfulness).
///
/// - `fade`: 0 in the network's normalised input space — the dataset's mean colour — Li et
///   al.'s `remove_method="fade"` (`torch.zeros_like`), the papers' setting.
/// - `blur`: the clip blurred per frame with RISE's kernel (Petsiuk et al. 2018, `gkern(11, 5)`
///   in their evaluation code, reused by Li et al.'s `remove_method="blur"`): the 11×11 kernel
///   k = g ⊗ g with g = `blurTaps` (below), correlated with every H×W frame of every channel
///   with 5 zero pixels of padding (`conv2d(x, k, padding=5)`).
///
/// **RISE's kernel is not an 11-tap Gaussian of σ 5.** `gkern` filters an 11×11 delta with
/// `scipy.ndimage.gaussian_filter(·, 5)`, whose 41 taps (radius ⌊4σ + ½⌋ = 20) are folded back
/// into the 11 pixels by the filter's `reflect` boundary: g[i] = Σ_j w_j·[refl(i + j) = 5] with
/// w_j ∝ exp(−j²/50), |j| ≤ 20, and refl the half-sample reflection (… 1 0 | 0 1 … 10 | 10 9 …).
/// So g is nearly flat (g[5] = 0.0940, g[0] = g[10] = 0.0880) and sums to 1, a box-like blur
/// of 11 pixels rather than a Gaussian; `blurTaps` computes it that way, and the cross-check
/// (Reference/evaluation) compares it with SciPy's.
public enum PerturbationBase: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
  case fade, blur

  public var description: String { rawValue }

  /// The base of every clip of x (N×C×T×H×W): zeros, or every frame blurred.
  /// - Complexity: O(N·C·T·H·W·22) for `blur` (two depthwise 11-tap passes), O(size) for `fade`.
  public func make<B: KernelBackend>(_ x: Tensor<B.Scalar>, backend: B.Type) -> Tensor<B.Scalar> {
    precondition(x.rank == 5, "base: clips \(Shape.describe(x.shape)) must be N×C×T×H×W")
    switch self {
    case .fade:
      return Tensor<B.Scalar>.zeros(x.shape)
    case .blur:
      let c = x.shape[1]
      let taps = Self.blurTaps().map { B.Scalar($0) }
      let radius = taps.count / 2
      // Depthwise (groups = C): along H with weight C×1×1×11×1, then along W with C×1×1×1×11.
      let alongH = Tensor<B.Scalar>(
        shape: [c, 1, 1, taps.count, 1], scalars: Array((0..<c).map { _ in taps }.joined()))
      let alongW = Tensor<B.Scalar>(shape: [c, 1, 1, 1, taps.count], scalars: alongH.scalars)
      let h = B.conv3d(
        x, weight: alongH, bias: nil,
        geometry: Conv3DGeometry(padding: Size3(0, radius, 0), groups: c))
      return B.conv3d(
        h, weight: alongW, bias: nil,
        geometry: Conv3DGeometry(padding: Size3(0, 0, radius), groups: c))
    }
  }

  /// RISE's blur taps g[0…10] (see the type's documentation), computed in Double:
  /// w_j = exp(−j²/(2·5²)) / Σ_{|i|≤20} exp(−i²/(2·5²)) for |j| ≤ 20, and
  /// g[i] = Σ_{j=−20…20, refl(i+j) = 5} w_j, refl(q) = q for 0 ≤ q < 11, −q − 1 below, 21 − q above
  /// (applied until the index is inside).
  /// - Complexity: O(41).
  public static func blurTaps(length: Int = 11, sigma: Double = 5) -> [Double] {
    let radius = Int(4 * sigma + 0.5)
    var weights: [Double] = []
    for j in -radius...radius { weights.append(Double.exp(-Double(j * j) / (2 * sigma * sigma))) }
    var total = 0.0
    for w in weights { total += w }
    func reflect(_ q: Int) -> Int {
      var q = q
      while q < 0 || q >= length { q = q < 0 ? -q - 1 : 2 * length - q - 1 }
      return q
    }
    let centre = length / 2
    var taps = [Double](repeating: 0, count: length)
    for i in 0..<length {
      for j in -radius...radius where reflect(i + j) == centre { taps[i] += weights[j + radius] / total }
    }
    return taps
  }
}
