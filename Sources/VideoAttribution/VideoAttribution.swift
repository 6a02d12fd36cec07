/// VideoAttribution: visual explanations for spatio-temporal networks.
///
/// This umbrella module re-exports the public modules; import it to get everything.
@_exported import Attribution
@_exported import Evaluation
@_exported import Study
@_exported import Imaging
@_exported import Kernels
@_exported import Networks
@_exported import SyntheticVideo
@_exported import TensorCore

/// The package version recorded in every file the tool writes.
public let videoAttributionVersion = "0.1.0"
