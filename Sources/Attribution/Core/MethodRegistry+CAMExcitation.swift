/// The CAM family and excitation backprop: grad_cam, guided_grad_cam, cam, score_cam,
/// excitation_backprop, contrastive_excitation_backprop.
extension MethodRegistry {
  static let camExcitationEntries: [Entry] = [
    Entry(
      name: "grad_cam", summary: "Σ_k α_k A_k at a layer, α = pooled ∂s/∂A (Selvaraju et al.)",
      options: ["layer", "cam-weights", "relu", "upsampling"]
    ) { try gradCAM($0) },
    Entry(
      name: "guided_grad_cam", summary: "guided backprop ⊙ upsampled Grad-CAM",
      options: ["layer", "cam-weights", "relu", "upsampling"]
    ) { GuidedGradCAM(try gradCAM($0)) },
    Entry(
      name: "cam", summary: "Σ_k w_ck A_k before a GAP + linear head (CAM, Saliency Tubes)",
      options: ["layer", "upsampling"]
    ) { CAM(layer: $0.layer, upsampling: try upsampling($0), batch: $0.batch) },
    Entry(
      name: "score_cam", summary: "ReLU(Σ_k s_c(x ⊙ M_k)·M_k), M_k the normalised upsampled channels",
      options: ["layer", "upsampling"]
    ) { ScoreCAM(layer: $0.layer, upsampling: try upsampling($0), batch: $0.batch) },
    Entry(
      name: "excitation_backprop", summary: "marginal winning probabilities at a layer (Zhang et al.)",
      options: ["layer", "upsampling"]
    ) { ExcitationBackprop(layer: $0.layer, upsampling: try upsampling($0), batch: $0.batch) },
    Entry(
      name: "contrastive_excitation_backprop", summary: "excitation backprop minus that of the negated classifier",
      options: ["layer", "contrast-layer", "upsampling"]
    ) {
      ExcitationBackprop(
        layer: $0.layer, contrastive: true, contrastLayer: $0.contrastLayer, upsampling: try upsampling($0),
        batch: $0.batch)
    },
  ]

  static func upsampling(_ o: MethodOptions) throws -> Upsampling {
    guard let s = o.upsampling else { return .trilinear }
    guard let u = Upsampling(rawValue: s) else {
      throw AttributionError("--upsampling \(s) is not one of \(Upsampling.names)")
    }
    return u
  }

  static func gradCAM(_ o: MethodOptions) throws -> GradCAM {
    var weighting = GradCAM.Weighting.perFrame
    if let s = o.camWeights {
      guard let w = GradCAM.Weighting(rawValue: s) else {
        throw AttributionError("--cam-weights \(s) is not one of \(GradCAM.Weighting.names)")
      }
      weighting = w
    }
    return GradCAM(
      layer: o.layer, weighting: weighting, relu: o.relu ?? true, upsampling: try upsampling(o), batch: o.batch)
  }
}
