import TensorCore

// The extremal-perturbation losses and the SGD step on both backends (the requirements under
// "Extremal perturbation (losses and optimiser)" in `KernelBackend`).

extension LiteralBackend {
  @inlinable public static func sortedRampLoss(
    _ mask: Tensor<Scalar>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder
  ) -> ExtremalLossResult<Scalar> {
    Literal.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder)
  }

  @inlinable public static func coreResponses(_ mask: Tensor<Scalar>, core: ExtremalCore) -> Tensor<Scalar> {
    Literal.coreResponses(mask, core: core)
  }

  @inlinable public static func coreLoss(
    _ mask: Tensor<Scalar>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder
  ) -> ExtremalLossResult<Scalar> {
    Literal.coreLoss(mask, areas: areas, core: core, tieOrder: tieOrder)
  }

  @inlinable public static func sgdStep(
    _ parameter: Tensor<Scalar>, gradient: Tensor<Scalar>, momentumBuffer: Tensor<Scalar>?, settings: SGDSettings
  ) -> SGDStepResult<Scalar> {
    Literal.sgdStep(parameter, gradient: gradient, momentumBuffer: momentumBuffer, settings: settings)
  }
}

extension FastBackend {
  @inlinable public static func sortedRampLoss(
    _ mask: Tensor<Scalar>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder
  ) -> ExtremalLossResult<Scalar> {
    Fast.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder)
  }

  @inlinable public static func coreResponses(_ mask: Tensor<Scalar>, core: ExtremalCore) -> Tensor<Scalar> {
    Fast.coreResponses(mask, core: core)
  }

  @inlinable public static func coreLoss(
    _ mask: Tensor<Scalar>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder
  ) -> ExtremalLossResult<Scalar> {
    Fast.coreLoss(mask, areas: areas, core: core, tieOrder: tieOrder)
  }

  @inlinable public static func sgdStep(
    _ parameter: Tensor<Scalar>, gradient: Tensor<Scalar>, momentumBuffer: Tensor<Scalar>?, settings: SGDSettings
  ) -> SGDStepResult<Scalar> {
    Fast.sgdStep(parameter, gradient: gradient, momentumBuffer: momentumBuffer, settings: settings)
  }
}
