import TensorCore

/// The colour space SLIC clusters in (scikit-image's `convert2lab`).
public enum SLICColourSpace: String, Sendable, Hashable, Codable, CaseIterable {
  /// CIE L*a*b* when the clip has 3 channels, the values as given otherwise (scikit-image's
  /// default `convert2lab=None` with a channel axis).
  case automatic
  /// CIE L*a*b* (D65, 2° observer) of the rescaled values read as sRGB; needs 3 channels.
  case lab
  /// The rescaled values as given, any number of channels (`convert2lab=False`).
  case asGiven
}

/// The width of the Gaussian that smooths the stack before clustering (scikit-image's `sigma`).
public enum SLICSmoothing: Sendable, Hashable, Codable {
  /// One σ in voxels, divided per axis by `SLICSettings.spacing` (a scalar `sigma`).
  case isotropic(Double)
  /// σ_t, σ_h, σ_w in voxels, used as given (an array `sigma`, which scikit-image does not
  /// divide by the spacing).
  case perAxis(t: Double, h: Double, w: Double)
}

/// Settings of 3-D SLIC supervoxels, with the names, meanings and defaults of scikit-image's
/// `skimage.segmentation.slic` (skimage/segmentation/slic_superpixels.py, 0.26) on a T×H×W×C
/// stack with a channel axis. Checked by `validate(channels:frames:height:width:)` before any
/// work; a bad value throws `SLICError.invalidSetting` naming the setting.
///
/// Left out: scikit-image's `mask` (maskSLIC, seeds placed by k-means on the mask).
public struct SLICSettings: Sendable, Hashable, Codable {
  /// `n_segments`: the approximate number of supervoxels (the grid of seeds is as close to it
  /// as a regular grid allows); 1 ≤ segments ≤ T·H·W.
  public var segments: Int
  /// `compactness` m > 0: colour distances are divided by m, so larger values give more
  /// weight to space (more cubic supervoxels).
  public var compactness: Double
  /// `max_num_iter` ≥ 1: k-means iterations (scikit-image runs all of them in practice: its
  /// early exit needs an iteration in which no voxel is reached by any seed's window).
  public var maxIterations: Int
  /// `sigma`: the pre-smoothing Gaussian, applied after the colour conversion; 0 = none.
  public var sigma: SLICSmoothing
  /// `spacing` (t, h, w) > 0: voxel size along each axis; weights the spatial distance.
  public var spacing: SIMD3<Double>
  /// `convert2lab`.
  public var colourSpace: SLICColourSpace
  /// `enforce_connectivity`: relabel 6-connected components and merge small ones.
  public var enforceConnectivity: Bool
  /// `min_size_factor` ≥ 0: components smaller than ⌊factor·T·H·W/K⌋ voxels are merged into a
  /// neighbour (K: the number of seeds).
  public var minSizeFactor: Double
  /// `max_size_factor` > 0: a component stops growing at ⌊factor·T·H·W/K⌋ voxels (the rest
  /// of it becomes further components); the size must be ≥ 1.
  public var maxSizeFactor: Double
  /// `slic_zero`: SLICO, colour distances divided by each supervoxel's largest one so far.
  public var slicZero: Bool
  /// `start_label`, 0 or 1: the first label.
  public var startLabel: Int

  /// scikit-image's defaults unless given: 100 segments, compactness 10, 10 iterations, no
  /// smoothing, unit spacing, Lab for 3 channels, connectivity enforced with factors 0.5 and
  /// 3, plain SLIC, labels from 1.
  public init(
    segments: Int = 100, compactness: Double = 10, maxIterations: Int = 10, sigma: SLICSmoothing = .isotropic(0),
    spacing: SIMD3<Double> = SIMD3(1, 1, 1), colourSpace: SLICColourSpace = .automatic,
    enforceConnectivity: Bool = true, minSizeFactor: Double = 0.5, maxSizeFactor: Double = 3, slicZero: Bool = false,
    startLabel: Int = 1
  ) {
    self.segments = segments
    self.compactness = compactness
    self.maxIterations = maxIterations
    self.sigma = sigma
    self.spacing = spacing
    self.colourSpace = colourSpace
    self.enforceConnectivity = enforceConnectivity
    self.minSizeFactor = minSizeFactor
    self.maxSizeFactor = maxSizeFactor
    self.slicZero = slicZero
    self.startLabel = startLabel
  }

  /// What Li et al. ran for the supervoxel insertion/deletion metric (their
  /// evaluation/main_superpixel_causal_metric.py with `--num_superpixel 256`, Li-TCSVT):
  /// `slic(frames, n_segments=256, sigma=1, slic_zero=True)` on the T×H×W×3 stack of the
  /// clip's frames as RGB pixels (not the normalised network input), other settings default.
  public static let liCausalMetric = SLICSettings(segments: 256, sigma: .isotropic(1), slicZero: true)
}
