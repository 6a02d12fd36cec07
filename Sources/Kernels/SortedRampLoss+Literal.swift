import RealModule
import TensorCore

extension Literal {
  /// The sorted-ramp area loss of extremal perturbation for every row of a batch of masks,
  /// and its gradient (the regulariser of TorchRay's `extremal_perturbation`, torchray/
  /// attribution/extremal_perturbation.py; per frame for 2D-EP, per clip for Li et al.'s 3D-EP).
  ///
  /// Shapes: mask A×1×T×H×W — the *padded* masks of TorchRay's `MaskGenerator.generate` (its
  /// second result), one row per area; `areas` A values in (0, 1). Result: A losses and the
  /// gradient A×1×T×H×W.
  ///
  /// For each group Ω of n values (a frame, n = H·W, or a row, n = T·H·W; see `AreaGrouping`),
  /// with the ramp r of z = `SortedRampLoss.zeroCount(groupSize: n, area: a)` zeros then ones:
  ///
  ///     s = sort↑(vec m_Ω)          (ties in `tieOrder`)
  ///     L_Ω = (1/n)·Σ_k (s_k − r_k)²
  ///     loss[a] = (1/G)·Σ_Ω L_Ω     (G groups in the row: T for .frame, 1 for .clip)
  ///
  /// and, with rank(j) the position of element j in the sorted order,
  ///
  ///     ∂loss[a]/∂m_j = (2/(G·n))·(m_j − r_rank(j)),
  ///
  /// the derivative of the sorted vector being the permutation itself wherever the values are
  /// distinct (at ties the loss is not differentiable; this is the one-sided derivative of the
  /// chosen order, which is what PyTorch's autograd of `sort` returns). The values are sorted by
  /// `Literal.argsort` (numbers ascending, −0 = +0, NaNs last) after the tie permutation: position
  /// k holds element π[k], so equal values keep their order in π.
  ///
  /// - Precondition: `SortedRampLoss.validate` accepts the arguments.
  /// - Complexity: O(A·T·H·W·log(group size)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func sortedRampLoss<T: Real & BinaryFloatingPoint & Sendable>(
    _ mask: Tensor<T>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder = .stable
  ) -> ExtremalLossResult<T> {
    SortedRampLoss.require(maskShape: mask.shape, areas: areas, grouping: grouping, tieOrder: tieOrder)
    let rows = mask.shape[0]
    let (groups, n) = SortedRampLoss.groupLayout(maskShape: mask.shape, grouping: grouping)
    var loss = [T](repeating: 0, count: rows)
    var gradient = Tensor<T>.zeros(mask.shape)
    for a in 0..<rows {
      let zeros = SortedRampLoss.zeroCount(groupSize: n, area: areas[a])
      let ramp: [T] = (0..<n).map { k in k < zeros ? 0 : 1 }
      let pi = tieOrder.permutation(row: a, count: n)
      for g in 0..<groups {
        let base = (a * groups + g) * n
        // The group in tie order, then its stable ascending order: the k-th smallest value is
        // element π[order[k]] of the group.
        let permuted = (0..<n).map { k in mask[flat: base + pi[k]] }
        let order = argsort(permuted)
        var sum = T.zero
        for k in 0..<n {
          let j = pi[order[k]]
          let d = mask[flat: base + j] - ramp[k]
          sum += d * d
          gradient[flat: base + j] = 2 / (T(groups) * T(n)) * d
        }
        loss[a] += sum / T(n)
      }
      loss[a] /= T(groups)
    }
    return ExtremalLossResult(loss: loss, gradient: gradient)
  }
}
