/// Krippendorff's levels of measurement: the difference function δ² between two values c, k
/// (Krippendorff, *Content Analysis*, 2004, §11.3; Krippendorff 2011, "Computing
/// Krippendorff's alpha-reliability").
public enum KrippendorffLevel: String, Sendable, CaseIterable, Codable {
  /// δ² = 0 if c = k, else 1.
  case nominal
  /// δ² = (Σ_{g from c to k} n_g − (n_c + n_k)/2)², n_g the number of pairable values equal
  /// to g: distances by how many values lie between (for ranks, the natural choice).
  case ordinal
  /// δ² = (c − k)².
  case interval
  /// δ² = ((c − k)/(c + k))² (0 when c = k = 0).
  case ratio
}
