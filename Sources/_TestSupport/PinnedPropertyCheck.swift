import PropertyBased

/// Property tests with a pinned seed: runs `body` on `count` inputs drawn from `input` by a
/// Xoshiro generator seeded with `seed` — the same cases on every run and machine.
///
/// Why not PropertyBased's `.fixedSeed(a, b, c, d)` trait: it is a reproduction aid that runs a
/// single case and records an issue even when the property holds (its documentation says not
/// to commit it). Expectations inside `body` should name the input so that a failure can be
/// reproduced; combine several inputs with PropertyBased's `zip(_:_:)`.
public func pinnedPropertyCheck<Value>(
  count: Int = 100, seed: (UInt64, UInt64, UInt64, UInt64), input: Generator<Value, some Sequence>,
  _ body: (Value) throws -> Void
) rethrows {
  var rng = Xoshiro(seed: seed)
  for _ in 0..<count { try body(input.run(using: &rng)) }
}
