import PropertyBased
import Testing

/// Runs `body` on `count` inputs drawn from `input` by PropertyBased's Xoshiro generator
/// seeded with the four words of `seed`, so the property is checked on many inputs and on
/// the same inputs in every run.
///
/// Why not `@Test(.fixedSeed(a, b, c, d))` with `propertyCheck`: in swift-property-based
/// 2.0.1, a fixed seed makes `propertyCheck` run its body **once**, and `FixedSeedTrait`
/// records an issue ("A fixed seed was used, but no expectation failure occured") whenever
/// the test passes — the trait is meant for reproducing a failure, not for CI. This helper
/// keeps the library's generators and a pinned four-word seed, and fails only when `body`
/// records a failure. Each failing case's expectation messages should name the input.
func pinnedPropertyCheck<Value>(
  seed: (UInt64, UInt64, UInt64, UInt64), count: Int, input: Generator<Value, some Sequence>,
  _ body: (Value) throws -> Void
) rethrows {
  var rng = Xoshiro(seed: seed)
  for _ in 0..<count {
    try body(input.run(using: &rng))
  }
}
