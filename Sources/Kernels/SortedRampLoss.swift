import TensorCore

/// Which elements of an extremal-perturbation mask share one area budget in the sorted-ramp loss.
public enum AreaGrouping: String, Sendable, Hashable, CaseIterable {
  /// Every H×W frame of every row is a group with its own budget, and a row's loss is the mean
  /// of its frames' losses: 2D-EP, every frame keeps area a.
  case frame
  /// Every row (T×H×W) is one group: 3D-EP, one budget for the clip ("volume").
  case clip
}

/// How a loss that sorts values orders equal ones.
///
/// Sorting decides which element meets which target value; among equal values the choice
/// changes the gradient, not the loss. TorchRay sorts as it finds the mask; Li et al. permute
/// the values randomly before every sort (`torch.randperm`, one permutation per iteration for
/// the area loss and one per area for the core loss), because the mask starts with every
/// element equal to 1.
public enum TieOrder: Sendable, Hashable {
  /// Equal values keep the order of their indices (a stable sort).
  case stable
  /// The values of a group are permuted — position k holds element π[k] — and then sorted
  /// stably, so equal values keep the order of their positions in π. Give one permutation
  /// (used by every row) or one per row; each has the length of a group (H·W for
  /// `AreaGrouping.frame`, where a row's permutation serves each of its frames; T·H·W for
  /// `.clip`; the response count for the core loss). The caller draws them, from its seeded
  /// generator.
  case permuted([[Int]])

  /// The permutation row `row` uses for groups of `count` elements (the identity for `.stable`).
  package func permutation(row: Int, count: Int) -> [Int] {
    switch self {
    case .stable: return Array(0..<count)
    case .permuted(let p): return p.count == 1 ? p[0] : p[row]
    }
  }

  /// Checks that the permutations fit `rows` rows of groups of `count` elements.
  package func validate(rows: Int, count: Int) throws(ExtremalLossError) {
    guard case .permuted(let permutations) = self else { return }
    guard permutations.count == 1 || permutations.count == rows else {
      throw .tiePermutationCount(count: permutations.count, rows: rows)
    }
    for (i, p) in permutations.enumerated() {
      guard p.count == count else { throw .tiePermutation(index: i, expected: count) }
      var seen = [Bool](repeating: false, count: count)
      for k in p {
        guard k >= 0 && k < count && !seen[k] else { throw .tiePermutation(index: i, expected: count) }
        seen[k] = true
      }
    }
  }
}

/// The loss of every row of a batch of masks and its gradient with respect to the mask.
public struct ExtremalLossResult<Scalar: Sendable>: Sendable {
  /// One loss per row (A values).
  public var loss: [Scalar]
  /// ∂loss[a]/∂mask, for every row a at once: the shape of the mask (A×1×T×H×W).
  public var gradient: Tensor<Scalar>

  public init(loss: [Scalar], gradient: Tensor<Scalar>) {
    self.loss = loss
    self.gradient = gradient
  }
}

/// The sorted-ramp area loss of extremal perturbation: shared definitions of
/// `Literal.sortedRampLoss` and `Fast.sortedRampLoss`.
///
/// For a group Ω of n mask values and an area a, the ramp r_a holds z = ⌊n(1 − a)⌋ zeros, then
/// n − z ones, and
///
///     L = (1/n)·‖sort↑(vec m_Ω) − r_a‖²
///
/// (Fong, Patrick & Vedaldi, "Understanding Deep Networks via Extremal Perturbations and
/// Smooth Masks", ICCV 2019; TorchRay's `extremal_perturbation`, torchray/attribution/
/// extremal_perturbation.py, builds `reference` and compares it with `mask.sort()`). Li et al.
/// (Spatio-Temporal Perturbations for Video Attribution, TCSVT 2021) apply it to the whole
/// clip (`vref` in their `video_perturbation`).
public enum SortedRampLoss {
  /// z, the number of zeros of the ramp for a group of n values and area a, as TorchRay and
  /// Li et al. compute it: `int(n * (1 - a))` in float64, i.e. ⌊fl(n·fl(1 − a))⌋. It can be one
  /// less than the exact ⌊n(1 − a)⌋ when n(1 − a) is an integer that rounding brings below
  /// (n = 100, a = 0.9: fl(1 − 0.9)·100 = 9.999999999999998, so z = 9, not 10).
  ///
  /// - Precondition: n ≥ 0 and 0 ≤ a ≤ 1.
  public static func zeroCount(groupSize n: Int, area a: Double) -> Int {
    precondition(n >= 0 && a >= 0 && a <= 1, "zeroCount: group size \(n) and area \(a) (need n ≥ 0, 0 ≤ a ≤ 1)")
    return Int((Double(n) * (1 - a)).rounded(.towardZero))
  }

  /// Groups per row and elements per group of an A×1×T×H×W mask: (T, H·W) for `.frame`,
  /// (1, T·H·W) for `.clip`.
  public static func groupLayout(maskShape s: [Int], grouping: AreaGrouping) -> (groupsPerRow: Int, groupSize: Int) {
    precondition(s.count == 5, "groupLayout: mask \(Shape.describe(s)) must be A×1×T×H×W")
    switch grouping {
    case .frame: return (s[2], s[3] * s[4])
    case .clip: return (1, s[2] * s[3] * s[4])
    }
  }

  /// Checks a mask shape, its areas and the tie order before any work: the mask is A×1×T×H×W
  /// with every extent ≥ 1, there is one area per row, each in (0, 1), and the permutations
  /// (if any) fit the grouping.
  public static func validate(
    maskShape: [Int], areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder
  ) throws(ExtremalLossError) {
    try validateMask(maskShape, areas: areas)
    try tieOrder.validate(rows: maskShape[0], count: groupLayout(maskShape: maskShape, grouping: grouping).groupSize)
  }

  /// The mask and area checks shared with the core loss.
  package static func validateMask(_ s: [Int], areas: [Double]) throws(ExtremalLossError) {
    guard s.count == 5, s[1] == 1, s.allSatisfy({ $0 >= 1 }) else { throw .maskShape(s) }
    guard areas.count == s[0] else { throw .areaCount(areas: areas.count, rows: s[0]) }
    for (i, a) in areas.enumerated() where !(a > 0 && a < 1) { throw .area(index: i, value: a) }
  }

  /// `validate`, trapping with its message (the kernels' precondition).
  package static func require(maskShape: [Int], areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder) {
    do throws(ExtremalLossError) {
      try validate(maskShape: maskShape, areas: areas, grouping: grouping, tieOrder: tieOrder)
    } catch {
      preconditionFailure("sortedRampLoss: \(error)")
    }
  }
}
