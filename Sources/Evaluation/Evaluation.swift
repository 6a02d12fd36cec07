/// Metrics of explanations: how faithful an attribution map is to the network (insertion and
/// deletion curves, temporal faithfulness, infidelity, sensitivity), how well it agrees with
/// ground truth (pointing games, evidence mass), how reliable a metric is (Li-TCSVT's
/// reliability, Krippendorff's α), and whether a method depends on the model at all (sanity
/// checks, Adebayo et al. 2018).
///
/// Every metric takes a network, clips (N×C×T×H×W), targets and maps, and runs on either
/// backend, so its literal path (Double) checks its fast path (Float).
public enum Evaluation {}
