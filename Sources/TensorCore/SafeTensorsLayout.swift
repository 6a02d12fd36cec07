/// The layout checks a reader applies to parsed header entries before touching any data.
enum SafeTensorsLayout {
  /// Checks every entry against its dtype and shape and against the data buffer, then checks
  /// that the entries tile the buffer, and returns them in data order.
  ///
  /// Per entry, in header order:
  /// 1. element count = ∏ shape and bits = count × dtype bits without overflow, and the product
  ///    of the non-zero extents fits in `Int` too (`.shapeOverflow`) — stricter than the reference
  ///    only for absurd empty shapes such as `[0, 2⁶², 4]`, whose row-major strides would
  ///    overflow in any code that indexes the tensor;
  /// 2. bits is a whole number of bytes (`.misalignedBits`, only possible for F4/F6);
  /// 3. begin ≤ end (`.reversedOffsets`);
  /// 4. end − begin = bits / 8 (`.shapeByteCountMismatch`);
  /// 5. end ≤ buffer size (`.offsetsOutOfBounds`).
  ///
  /// Then, sorted by (begin, end, header position) as the reference implementation does — so
  /// the header's key order does not matter — each entry must start where the previous one
  /// ended (`.gap` if later, `.overlap` if earlier), starting at 0, and the last must end at
  /// the buffer size (`.gap` for uncovered trailing bytes). Zero-byte tensors take no room but
  /// must still sit exactly at the running offset.
  ///
  /// All arithmetic is on values already bounded by `Int.max`, with overflow checks where a
  /// product is formed, so no input can trap.
  /// - Complexity: O(E log E + Σ rank) for E entries.
  static func validate(
    _ raw: [SafeTensorsRawEntry], bufferSize: Int
  ) throws(SafeTensorsError) -> [SafeTensorsHeader.Entry] {
    for e in raw {
      guard let count = Shape.checkedElementCount(e.shape), let bits = e.dtype.bitCount(elements: count),
        nonZeroExtentsFit(e.shape)
      else {
        throw .shapeOverflow(name: e.name, dtype: e.dtype, shape: e.shape)
      }
      guard bits % 8 == 0 else {
        throw .misalignedBits(name: e.name, dtype: e.dtype, shape: e.shape, bits: bits)
      }
      guard e.begin <= e.end else { throw .reversedOffsets(name: e.name, begin: e.begin, end: e.end) }
      guard e.end - e.begin == bits / 8 else {
        throw .shapeByteCountMismatch(
          name: e.name, dtype: e.dtype, shape: e.shape, expected: bits / 8, actual: e.end - e.begin)
      }
      guard e.end <= bufferSize else {
        throw .offsetsOutOfBounds(name: e.name, begin: e.begin, end: e.end, bufferSize: bufferSize)
      }
    }
    let order = raw.indices.sorted { a, b in
      (raw[a].begin, raw[a].end, a) < (raw[b].begin, raw[b].end, b)
    }
    var cursor = 0
    var previous: String?
    for k in order {
      let e = raw[k]
      if e.begin > cursor { throw .gap(begin: cursor, end: e.begin, after: previous, before: e.name) }
      if e.begin < cursor, let previous {
        throw .overlap(name: e.name, begin: e.begin, other: previous, otherEnd: cursor)
      }
      cursor = e.end
      previous = e.name
    }
    if cursor < bufferSize { throw .gap(begin: cursor, end: bufferSize, after: previous, before: nil) }
    return order.map { k in
      let e = raw[k]
      return SafeTensorsHeader.Entry(name: e.name, dtype: e.dtype, shape: e.shape, dataOffsets: e.begin..<e.end)
    }
  }

  /// Whether the product of the non-zero extents fits in `Int`, so every stride and partial
  /// product of the shape does.
  private static func nonZeroExtentsFit(_ shape: [Int]) -> Bool {
    var product = 1
    for d in shape where d > 0 {
      let (p, overflow) = product.multipliedReportingOverflow(by: d)
      if overflow { return false }
      product = p
    }
    return true
  }
}
