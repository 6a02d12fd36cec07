/// The CAM family and excitation backprop: grad_cam, guided_grad_cam, cam, score_cam,
/// excitation_backprop, contrastive_excitation_backprop.
extension MethodRegistry {
  private static let gradCAMOptions = [
    MethodOption.layer.erased, MethodOption.camWeights.erased, MethodOption.relu.erased,
    MethodOption.upsampling.erased,
  ]
  private static let layerOptions = [MethodOption.layer.erased, MethodOption.upsampling.erased]

  static let camExcitationEntries: [Entry] = [
    Entry(
      name: "grad_cam", summary: "Σ_k α_k A_k at a layer, α = pooled ∂s/∂A (Selvaraju et al.)",
      options: gradCAMOptions
    ) { try gradCAM($0) },
    Entry(name: "guided_grad_cam", summary: "guided backprop ⊙ upsampled Grad-CAM", options: gradCAMOptions) {
      GuidedGradCAM(try gradCAM($0))
    },
    Entry(
      name: "cam", summary: "Σ_k w_ck A_k before a GAP + linear head (CAM, Saliency Tubes)", options: layerOptions
    ) { a in
      CAM(layer: try a.optional(.layer), upsampling: try a.value(.upsampling), batch: a.batch)
    },
    Entry(
      name: "score_cam", summary: "ReLU(Σ_k s_c(x ⊙ M_k)·M_k), M_k the normalised upsampled channels",
      options: layerOptions
    ) { a in
      ScoreCAM(layer: try a.optional(.layer), upsampling: try a.value(.upsampling), batch: a.batch)
    },
    Entry(
      name: "excitation_backprop", summary: "marginal winning probabilities at a layer (Zhang et al.)",
      options: layerOptions
    ) { a in
      ExcitationBackprop(layer: try a.optional(.layer), upsampling: try a.value(.upsampling), batch: a.batch)
    },
    Entry(
      name: "contrastive_excitation_backprop", summary: "excitation backprop minus that of the negated classifier",
      options: [MethodOption.layer.erased, MethodOption.contrastLayer.erased, MethodOption.upsampling.erased]
    ) { a in
      ExcitationBackprop(
        layer: try a.optional(.layer), contrastive: true, contrastLayer: try a.optional(.contrastLayer),
        upsampling: try a.value(.upsampling), batch: a.batch)
    },
  ]

  private static func gradCAM(_ a: MethodArguments) throws -> GradCAM {
    GradCAM(
      layer: try a.optional(.layer), weighting: try a.value(.camWeights), relu: try a.value(.relu),
      upsampling: try a.value(.upsampling), batch: a.batch)
  }
}
