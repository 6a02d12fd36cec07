import RealModule
import TensorCore

extension LiteralBackend {
  @inlinable public static func slic(_ clip: Tensor<Scalar>, settings: SLICSettings) throws(SLICError) -> Supervoxels {
    try Literal.slic(clip, settings: settings)
  }
}

extension FastBackend {
  @inlinable public static func slic(_ clip: Tensor<Float>, settings: SLICSettings) throws(SLICError) -> Supervoxels {
    try Fast.slic(clip, settings: settings)
  }
}
