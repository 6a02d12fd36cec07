import RealModule
import TensorCore

extension Literal {
  /// The stable ascending sort permutation: result[k] is the index of the k-th smallest
  /// element of v, as `torch.argsort(v, stable=True)`.
  ///
  /// Order: the numbers ascending with −0 and +0 equal (IEEE comparison), every NaN after
  /// every number (+∞ included); equal elements (ties, ±0, and all NaNs among themselves)
  /// keep the order of their indices. The extremal-perturbation losses sort with this
  /// (`Literal.sortedRampLoss`, `Literal.coreLoss`).
  ///
  /// A plain top-down merge sort: split in halves, sort each, merge taking from the left half
  /// unless the right element strictly precedes (which makes it stable).
  ///
  /// - Complexity: O(n log n) comparisons, O(n) extra memory.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func argsort<T: Real & BinaryFloatingPoint & Sendable>(_ v: [T]) -> [Int] {
    // a strictly precedes b: NaN precedes nothing, a number precedes every NaN, numbers by <.
    func precedes(_ a: T, _ b: T) -> Bool {
      if a.isNaN { return false }
      if b.isNaN { return true }
      return a < b
    }
    var order = Array(0..<v.count)
    var merged = order
    func mergeSort(_ lo: Int, _ hi: Int) {
      if hi - lo < 2 { return }
      let mid = (lo + hi) / 2
      mergeSort(lo, mid)
      mergeSort(mid, hi)
      var (i, j, k) = (lo, mid, lo)
      while i < mid && j < hi {
        if precedes(v[order[j]], v[order[i]]) {
          merged[k] = order[j]
          j += 1
        } else {
          merged[k] = order[i]
          i += 1
        }
        k += 1
      }
      while i < mid {
        merged[k] = order[i]
        i += 1
        k += 1
      }
      while j < hi {
        merged[k] = order[j]
        j += 1
        k += 1
      }
      for m in lo..<hi { order[m] = merged[m] }
    }
    mergeSort(0, v.count)
    return order
  }

  /// The inverse of a permutation: rank[p[k]] = k, so `rank(of: argsort(v))[i]` is the
  /// position of v[i] in the sorted order.
  ///
  /// - Precondition: `permutation` holds each of 0..<count exactly once.
  /// - Complexity: O(n).
  public static func rank(of permutation: [Int]) -> [Int] {
    var rank = Array(repeating: -1, count: permutation.count)
    for (k, p) in permutation.enumerated() {
      precondition(
        p >= 0 && p < permutation.count && rank[p] < 0, "rank(of:): not a permutation of 0..<\(permutation.count)")
      rank[p] = k
    }
    return rank
  }
}
