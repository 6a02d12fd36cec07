import TensorCore

extension Fast {
  /// Equals `Literal.argsort` exactly (the same permutation: stable, −0 = +0, NaNs last in
  /// index order).
  ///
  /// An LSD radix sort, stable by construction. Each Float becomes an order-preserving
  /// UInt32 key: −0 is first made +0 (x + 0), then a non-negative pattern gets its sign bit
  /// set and a negative one all bits flipped, so unsigned key order is numeric order; every
  /// NaN gets 0xFFFF_FFFF, above +∞ (0xFF80_0000). Key and index travel together as one
  /// UInt64 (key in the high half). Three counting-sort passes of 11, 11 and 10 bits, least
  /// significant first, scatter the pairs between a scratch buffer and the storage of the
  /// result (so only two n-element buffers are touched); the three histograms come from the
  /// pass that builds the keys, and a pass whose digit is the same for every key is skipped
  /// (masks in [0, 1] share their top bits). Single-threaded and memory-bound: at the
  /// ~300 k elements of an extremal-perturbation mask, three scatters over 2.4 MB plus the
  /// first touch of the two 8-byte-per-element buffers (about a third of the time).
  ///
  /// - Complexity: O(3n + 3·2048) time, O(n) extra memory.
  public static func argsort(_ v: [Float]) -> [Int] {
    let n = v.count
    if n < 2 { return Array(0..<n) }
    precondition(n <= Int(UInt32.max), "argsort: \(n) elements exceed the 32-bit index range")
    let digitBits = 11, passes = 3, buckets = 1 << 11
    let digitMask = UInt64(buckets - 1)
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: passes * buckets)
    let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
    defer {
      counts.deallocate()
      scratch.deallocate()
    }
    counts.initialize(repeating: 0, count: passes * buckets)

    return [Int](unsafeUninitializedCapacity: n) { result, initialized in
      // The result's storage (8 bytes an element, like a pair) is the second buffer.
      result.withMemoryRebound(to: UInt64.self) { resultBuffer in
        let resultPairs = resultBuffer.baseAddress!

        // Keys (in scratch) and the histograms of all three digits, in one pass.
        v.withUnsafeBufferPointer { vb in
          for i in 0..<n {
            let key = UInt64(orderKey(vb[i]))
            scratch[i] = key << 32 | UInt64(i)
            counts[Int(key & digitMask)] += 1
            counts[buckets + Int((key >> 11) & digitMask)] += 1
            counts[2 * buckets + Int(key >> 22)] += 1
          }
        }
        let firstKey = scratch[0] >> 32
        let active = (0..<passes).filter { p in
          counts[p * buckets + Int((firstKey >> UInt64(p * digitBits)) & digitMask)] != n
        }
        var (source, target) = (scratch, resultPairs)
        if active.count % 2 == 0 {
          // The passes alternate buffers; with an even number of them, start from the result's
          // storage so that the last one ends there.
          resultPairs.update(from: scratch, count: n)
          (source, target) = (resultPairs, scratch)
        }
        for p in active {
          let shift = UInt64(32 + p * digitBits)
          let position = counts + p * buckets
          var running = 0
          for d in 0..<buckets {  // exclusive prefix sums: first position of each digit
            let c = position[d]
            position[d] = running
            running += c
          }
          for i in 0..<n {
            let pair = source[i]
            let d = Int((pair >> shift) & digitMask)
            target[position[d]] = pair
            position[d] += 1
          }
          (source, target) = (target, source)
        }
        // The sorted pairs are now in the result's storage; keep their index halves in place.
        for k in 0..<n { resultPairs[k] &= 0xFFFF_FFFF }
      }
      initialized = n
    }
  }

  /// The order-preserving key of `argsort`: unsigned key order is the order of
  /// `Literal.argsort` (−0 = +0, NaNs above +∞ and equal among themselves).
  @inline(__always)
  package static func orderKey(_ x: Float) -> UInt32 {
    let bits = (x + 0).bitPattern  // −0 + 0 = +0
    let flip = UInt32(bitPattern: Int32(bitPattern: bits) >> 31) | 0x8000_0000
    return x.isNaN ? 0xFFFF_FFFF : bits ^ flip
  }
}
