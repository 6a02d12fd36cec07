import TensorCore

extension Fast {
  /// Equals `Literal.sortedRampLoss`: every element meets the same ramp value, so the gradient
  /// is bit for bit that of `Literal.sortedRampLoss` in Float, and the loss is the same sum of
  /// squares accumulated in Double (in index order instead of sorted order) and rounded once.
  ///
  /// No sort. The loss needs only which elements take the z first positions of the sorted
  /// order — those meet the ramp's zeros, the others its ones. With the order-preserving keys of
  /// `Fast.argsort`, that order is by (key, position in the tie permutation); its first z
  /// elements are every key below κ, the key at position z − 1, plus the first z − #(keys < κ)
  /// elements with key κ in tie order. κ comes from a radix select: histograms of the top 11
  /// (made while the keys are), the middle 11 and the low 10 key bits, each over the keys that
  /// share the digits found so far. One more pass writes the gradient
  /// (2/(G·n))·(m_j − r_j) and adds (m_j − r_j)² in Double, choosing r_j without branches on the
  /// data (on a clamped mask a quarter of the elements can tie at κ = key(1) in random places:
  /// that pass took 0.86 ms with branches against 0.30 ms without on 287 k elements, and 0.21
  /// against 0.30 ms without ties — thread CPU time, interleaved, best of 25); with a tie
  /// permutation, the elements with key κ are settled afterwards in its order. Groups (A·T frames or A clips) run in parallel, each on
  /// one thread, and a row's loss adds its groups in order, so results do not depend on the
  /// thread count.
  ///
  /// - Complexity: O(5·A·T·H·W) time (A·T·134² ≈ 4·287 k for STEP's four areas at 112×112),
  ///   4 bytes of keys per element of a group in flight.
  public static func sortedRampLoss(
    _ mask: Tensor<Float>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder = .stable
  ) -> ExtremalLossResult<Float> {
    SortedRampLoss.require(maskShape: mask.shape, areas: areas, grouping: grouping, tieOrder: tieOrder)
    let rows = mask.shape[0]
    let (groups, n) = SortedRampLoss.groupLayout(maskShape: mask.shape, grouping: grouping)
    let zeros = areas.map { SortedRampLoss.zeroCount(groupSize: n, area: $0) }
    let permutations = (0..<rows).map { a -> [Int]? in
      if case .stable = tieOrder { return nil }
      return tieOrder.permutation(row: a, count: n)
    }
    let scale = 2 / (Float(groups) * Float(n))
    var sums = [Double](repeating: 0, count: rows * groups)
    // Every element of the gradient is written once, by its group.
    let gradient = [Float](unsafeUninitializedCapacity: mask.count) { g, initialized in
      mask.withUnsafeBufferPointer { m in
        sums.withUnsafeMutableBufferPointer { s in
          parallelFor(rows * groups) { group in
            let a = group / groups
            s[group] = rampGroup(
              m.baseAddress! + group * n, gradient: g.baseAddress! + group * n, count: n, zeros: zeros[a],
              permutation: permutations[a], scale: scale)
          }
        }
      }
      initialized = mask.count
    }
    let loss = (0..<rows).map { a in
      var total = 0.0
      for group in 0..<groups { total += sums[a * groups + group] / Double(n) }
      return Float(total / Double(groups))
    }
    return ExtremalLossResult(loss: loss, gradient: Tensor(shape: mask.shape, scalars: gradient))
  }

  /// One group of `sortedRampLoss`: writes the gradient and returns Σ (m_j − r_j)² in Double.
  private static func rampGroup(
    _ v: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count n: Int, zeros z: Int,
    permutation: [Int]?, scale c: Float
  ) -> Double {
    var sum = 0.0
    if z == 0 || z == n {
      let r: Float = z == 0 ? 1 : 0
      for j in 0..<n {
        g[j] = c * (v[j] - r)
        let d = Double(v[j]) - Double(r)  // exact
        sum += d * d
      }
      return sum
    }
    let keys = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
    defer { keys.deallocate() }
    var top = [Int](repeating: 0, count: 2048)  // histogram of the keys' top 11 bits
    top.withUnsafeMutableBufferPointer { top in
      for j in 0..<n {
        keys[j] = orderKey(v[j])
        top[Int(keys[j] &>> 21)] += 1
      }
    }
    let (kappa, smaller) = selectKey(keys, count: n, rank: z - 1, topCounts: top)
    var quota = z - smaller  // elements with key κ that meet a zero, the first ones in tie order
    // One pass in index order, without branches on the data (ties at κ can be a quarter of a
    // clamped mask, in random places). In index order the ties are settled here; with a tie
    // permutation they get a provisional 1 and no term of the sum, and are settled below.
    let deferTies = permutation != nil ? 1 : 0
    for j in 0..<n {
      let k = keys[j]
      let tie = k == kappa ? 1 : 0
      let above = k > kappa ? 1 : 0
      let exhausted = quota <= 0 ? 1 : 0
      let r = Float(above | (tie & (exhausted | deferTies)))
      quota -= tie & (1 - deferTies)
      g[j] = c * (v[j] - r)
      let d = Double(v[j]) - Double(r)
      sum += d * d * Double(1 - (tie & deferTies))  // adds +0 for a deferred tie: no change
    }
    if let pi = permutation {
      for j in pi where keys[j] == kappa {
        let r: Float = quota > 0 ? 0 : 1
        quota -= 1
        g[j] = c * (v[j] - r)
        let d = Double(v[j]) - Double(r)
        sum += d * d
      }
    }
    return sum
  }

  /// The key at 0-based position `rank` of the ascending order of `keys`, and how many keys are
  /// smaller: an MSD radix select on digits of 11, 11 and 10 bits, given the histogram of the
  /// top digit.
  private static func selectKey(_ keys: UnsafePointer<UInt32>, count n: Int, rank: Int, topCounts: [Int])
    -> (key: UInt32, smaller: Int)
  {
    var counts = topCounts
    var prefix: UInt32 = 0, smaller = 0, remaining = rank
    for (shift, bits) in [(21, 11), (10, 11), (0, 10)] as [(UInt32, UInt32)] {
      let digitMask: UInt32 = (1 << bits) - 1
      let high = shift + bits  // the digits above this one form `prefix`
      if high < 32 {
        counts.withUnsafeMutableBufferPointer { c in
          c.update(repeating: 0)
          for j in 0..<n where keys[j] &>> high == prefix { c[Int((keys[j] &>> shift) & digitMask)] += 1 }
        }
      }
      var digit = 0
      while remaining >= counts[digit] {
        remaining -= counts[digit]
        smaller += counts[digit]
        digit += 1
      }
      prefix = prefix << bits | UInt32(digit)
    }
    return (prefix, smaller)
  }
}
