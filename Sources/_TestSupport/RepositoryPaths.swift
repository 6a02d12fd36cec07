import Foundation

/// Where the repository's committed reference data lives, found from this file's path (tests
/// run from a checkout, so no resource bundle is needed).
public enum RepositoryPaths {
  /// The repository root.
  public static let root: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }()

  /// `Reference/<relative>`.
  public static func reference(_ relative: String) -> String { root + "/Reference/" + relative }
}

/// Checks that take minutes (literal path on full-size networks, long benchmark-model runs)
/// run only when `VIDATTR_EXTENDED_TESTS=1`; CONTRIBUTING.md lists them. Use as
/// `@Test(.enabled(if: ExtendedTests.enabled))`.
public enum ExtendedTests {
  public static var enabled: Bool { ProcessInfo.processInfo.environment["VIDATTR_EXTENDED_TESTS"] == "1" }
}

/// The whole-network error model shared by the network cross-checks.
///
/// One layer that sums K products in Float32 has relative error at most λ·√K·u with
/// probability at least 1 − 2K·exp(−λ²/2) (Higham & Mary, "A new approach to probabilistic
/// rounding error analysis", SIAM J. Sci. Comput. 41 (2019)); λ = 6 makes a violation
/// improbable (< 1.5e-8·K). Errors of successive layers add to first order when the layers'
/// gains are about 1, which batch norm makes the case here; a backward pass traverses the same
/// layers again. So a whole-network Float32 result is checked against a Double reference with
///   |fast − ref| ≤ λ·√K_max·u·(layers traversed)·max|ref|,
/// with K_max the largest reduction in the network. This is thousands of times looser than the
/// errors seen in practice (PyTorch's own float32 logits are within 1e-7 relative of float64)
/// and still thousands of times tighter than any structural mistake, which changes results
/// at O(1) relative.
public enum NetworkTolerance {
  public static let lambda = 6.0
  public static func bound(maxReduction k: Int, layers: Int, scale: Double) -> Double {
    lambda * Double(k).squareRoot() * 0x1p-24 * Double(layers) * scale
  }
}
