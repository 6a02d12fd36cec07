"""Reference vectors for the reliability, sanity-check and infidelity metrics (Sources/Evaluation).

Run:  PY=$(Reference/setup-peers.sh) && "$PY" Reference/evaluation_reliability/generate_reliability.py

Writes, beside this script:
  similarity.safetensors  two sets of maps (N×C×T×H×W) and, per clip, Spearman's ρ (scipy), the
                          frame-averaged SSIM (scikit-image) and the HOG correlation (scikit-image
                          `hog` + numpy) of their reduced maps Σ_c|m_c|/max, plus what Quantus'
                          `correlation_spearman` and `ssim` give on the same maps with their own
                          preprocessing;
  reliability.json        a score matrix with Li et al.'s reliability α (written from the formula of
                          their test_code/metric_reliability.py) and `krippendorff.alpha` of its rank
                          matrix at the four levels; Krippendorff's (2011) worked example;
  infidelity.json         Captum's infidelity (normalize False / True) and sensitivity_max on the zoo's
                          r3d_mini in float64, for perturbations that Swift rebuilds exactly
                          (HashFill units, see below);
  quantus.json            Quantus' MPRT (defaults) and RandomLogit on the same model: the layer
                          order, the per-layer scores, the random classes, and what the defaults do.
The README explains each file and every difference found.
"""
import json
import os
import sys

import numpy as np
import torch
import scipy.stats
import skimage
import skimage.feature
import skimage.metrics
import krippendorff
import captum
import captum.attr
import captum.metrics
import quantus
import safetensors.torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Reference", "networks"))
import generate_networks as gn  # noqa: E402  (the PyTorch twins of the Swift networks, HashFill)


# ---------------------------------------------------------------------------------------------
# Similarity of maps
# ---------------------------------------------------------------------------------------------

def reduce_map(m):
    """N×C×T×H×W → N×T×H×W: Σ_c |m_c| divided by each clip's maximum (MapComparison.reduced)."""
    r = np.abs(m).sum(axis=1)
    top = r.reshape(r.shape[0], -1).max(axis=1)
    top[top == 0] = 1
    return r / top[:, None, None, None]


def similarity_vectors():
    rng = np.random.default_rng(12)
    n, c, t, h, w = 3, 3, 2, 32, 33
    a = rng.standard_normal((n, c, t, h, w)).astype(np.float32)
    # b: partly a (so the similarities are far from 0), partly new noise, with ties (zeros).
    b = (0.6 * a + 0.8 * rng.standard_normal((n, c, t, h, w))).astype(np.float32)
    b[:, :, :, :4, :] = 0
    a[2] = np.round(a[2] * 2) / 2  # many ties in clip 2
    ra, rb = reduce_map(a.astype(np.float64)), reduce_map(b.astype(np.float64))
    spearman, ssim, hog = [], [], []
    for i in range(n):
        spearman.append(scipy.stats.spearmanr(ra[i].ravel(), rb[i].ravel())[0])
        ssim.append(np.mean([skimage.metrics.structural_similarity(ra[i, k], rb[i, k], data_range=1.0)
                             for k in range(t)]))
        da = np.concatenate([skimage.feature.hog(ra[i, k]) for k in range(t)])
        db = np.concatenate([skimage.feature.hog(rb[i, k]) for k in range(t)])
        hog.append(np.corrcoef(da, db)[0, 1])
    # Quantus' similarity functions on Quantus' preprocessing (normalise_by_max, abs, flattened).
    qa = np.abs(quantus.normalise_func.normalise_by_max(a.copy(), normalise_axes=[1, 2, 3, 4]))
    qb = np.abs(quantus.normalise_func.normalise_by_max(b.copy(), normalise_axes=[1, 2, 3, 4]))
    q_spearman = quantus.similarity_func.correlation_spearman(qa.reshape(n, -1), qb.reshape(n, -1), batched=True)
    q_ssim = quantus.similarity_func.ssim(qa.reshape(n, -1), qb.reshape(n, -1), batched=True)
    # One HOG frame alone (the kernel), for a frame with a step edge and a ramp.
    frame = np.zeros((32, 40))
    frame[:, 20:] = 1.0
    frame += np.linspace(0, 0.5, 32)[:, None] * np.linspace(0, 1, 40)[None, :]
    hog_frame = skimage.feature.hog(frame)
    tensors = {
        "a": torch.from_numpy(a), "b": torch.from_numpy(b),
        "spearman": torch.tensor(spearman, dtype=torch.float64),
        "ssim": torch.tensor(ssim, dtype=torch.float64),
        "hog": torch.tensor(hog, dtype=torch.float64),
        "quantus_spearman": torch.tensor(np.asarray(q_spearman, dtype=np.float64)),
        "quantus_ssim_flattened": torch.tensor(np.asarray(q_ssim, dtype=np.float64)),
        "hog_frame": torch.from_numpy(frame), "hog_frame_descriptor": torch.from_numpy(hog_frame),
    }
    save_file(tensors, os.path.join(HERE, "similarity.safetensors"),
              metadata={"command": COMMAND, "scikit-image": skimage.__version__, "quantus": quantus.__version__})
    return {"spearman": spearman, "ssim": ssim, "hog": hog, "quantus_spearman": list(map(float, q_spearman)),
            "quantus_ssim_flattened": list(map(float, q_ssim))}


# ---------------------------------------------------------------------------------------------
# Reliability and Krippendorff's alpha
# ---------------------------------------------------------------------------------------------

def ranks_worst_first(row, higher_is_better):
    """Li et al.'s rank: the position of the value's first occurrence in the row sorted from worst
    to best, i.e. the number of strictly worse values (0 = worst)."""
    return [int(np.sum(row < v)) if higher_is_better else int(np.sum(row > v)) for v in row]


def li_reliability(scores, higher_is_better):
    n, m = scores.shape
    ranks = np.array([ranks_worst_first(r, higher_is_better) for r in scores])
    weights = (m - 1 - ranks[:, 0]) / (m - 1)
    rho = scipy.stats.spearmanr(scores, axis=1)[0]
    upper = np.triu_indices(n, k=1)
    wij = np.outer(weights, weights)[upper]
    with_eps = float((wij * (rho[upper] + 1)).sum() / (wij.sum() + 1e-10) - 1)
    exact = float((wij * (rho[upper] + 1)).sum() / wij.sum() - 1)
    return exact, with_eps, ranks


def reliability_vectors():
    rng = np.random.default_rng(7)
    n, m = 30, 6
    quality = np.array([0.2, 0.5, 0.6, 0.55, 0.7, 0.65])  # method 0: the random map
    scores = np.clip(quality[None, :] + 0.12 * rng.standard_normal((n, m)), 0, 1)
    scores = np.round(scores, 2)  # ties, as AUCs printed with two digits would have
    # Method 0 competitive: the random map sometimes beats the others.
    competitive = np.round(np.clip(np.array([0.55, 0.5, 0.6, 0.55, 0.7, 0.65])[None, :]
                                   + 0.12 * rng.standard_normal((n, m)), 0, 1), 2)
    out = {"scores": scores.tolist(), "competitive_scores": competitive.tolist(), "cases": []}
    # (name, matrix, orientation): the same ranks twice (scores, higher better; 1 − scores, lower
    # better); the random map best everywhere (every weight 0); the competitive random map.
    for name, matrix, orientation in (("scores", scores, "higher_is_better"),
                                      ("one_minus_scores", 1 - scores, "lower_is_better"),
                                      ("scores", scores, "lower_is_better"),
                                      ("competitive_scores", competitive, "higher_is_better")):
        exact, with_eps, ranks = li_reliability(matrix, orientation == "higher_is_better")
        case = {"matrix": name, "orientation": orientation, "alpha": None if np.isnan(exact) else exact,
                "alpha_authors_epsilon": with_eps, "ranks": ranks.tolist(), "krippendorff": {}}
        for level in ("nominal", "ordinal", "interval", "ratio"):
            case["krippendorff"][level] = float(krippendorff.alpha(reliability_data=ranks.astype(float),
                                                                   level_of_measurement=level))
        out["cases"].append(case)
    nan = np.nan
    example = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
                        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
                        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    out["krippendorff_2011_example"] = {
        "data": [[None if np.isnan(v) else float(v) for v in row] for row in example],
        "alpha": {level: float(krippendorff.alpha(reliability_data=example, level_of_measurement=level))
                  for level in ("nominal", "ordinal", "interval", "ratio")}}
    out["versions"] = {"krippendorff": "0.9.0 (pinned in Reference/setup-peers.sh)", "scipy": scipy.__version__}
    with open(os.path.join(HERE, "reliability.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    return out


# ---------------------------------------------------------------------------------------------
# Captum infidelity and sensitivity on the zoo's r3d_mini, float64
# ---------------------------------------------------------------------------------------------

PERTURBATIONS = 3
INFIDELITY_SCALE = 2.0**-4  # I_s = HashFill.unit("infidelity.perturbation.s", i) · 2⁻⁴ (exact)
SENSITIVITY_SCALE = 0.02 * 2.0**-0  # δ_s = 0.02 · HashFill.unit("sensitivity.perturbation.s", i)


def hash_perturbations(prefix, shape, scale):
    count = int(np.prod(shape))
    return [torch.from_numpy((gn.unit_array(f"{prefix}.{s}", count) * scale).reshape(shape))
            for s in range(PERTURBATIONS)]


def zoo_model(architecture, dtype):
    model = gn.build(architecture)
    weights = safetensors.torch.load_file(os.path.join(ROOT, "Reference", "models", f"{architecture}.safetensors"))
    model.load_state_dict(weights, strict=False)
    return model.to(dtype).eval()


def clip():
    return safetensors.torch.load_file(os.path.join(ROOT, "Reference", "networks", "input.safetensors"))["input"]


def infidelity_vectors():
    model = zoo_model("r3d_mini", torch.float64)
    x = clip().to(torch.float64)
    targets = model(x).argmax(dim=1)
    saliency = captum.attr.Saliency(model)
    attributions = saliency.attribute(x, target=targets, abs=False)
    infid_p = hash_perturbations("infidelity.perturbation", tuple(x.shape), INFIDELITY_SCALE)
    sens_p = hash_perturbations("sensitivity.perturbation", tuple(x.shape), SENSITIVITY_SCALE)
    n, s = x.shape[0], PERTURBATIONS

    def infidelity_perturb(inputs):
        # Captum repeats each clip S times consecutively: row r is clip r // S, perturbation r % S.
        noise = torch.stack([infid_p[r % s][r // s] for r in range(inputs.shape[0])])
        return noise, inputs - noise

    def sensitivity_perturb(inputs):
        return inputs + torch.stack([sens_p[r % s][r // s] for r in range(inputs.shape[0])])

    out = {"model": "r3d_mini (Reference/models), float64", "input": "Reference/networks/input.safetensors",
           "targets": targets.tolist(), "perturbations": PERTURBATIONS, "captum": captum.__version__,
           "torch": torch.__version__}
    for normalize in (False, True):
        v = captum.metrics.infidelity(model, infidelity_perturb, x, attributions, target=targets,
                                      n_perturb_samples=s, normalize=normalize)
        out["infidelity_normalized" if normalize else "infidelity"] = v.tolist()
    v = captum.metrics.sensitivity_max(saliency.attribute, x, perturb_func=sensitivity_perturb,
                                       n_perturb_samples=s, target=targets, abs=False)
    out["sensitivity_max"] = v.tolist()
    with open(os.path.join(HERE, "infidelity.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    return out


# ---------------------------------------------------------------------------------------------
# Quantus MPRT and RandomLogit
# ---------------------------------------------------------------------------------------------

class FramesAsRows(torch.nn.Module):
    """The video model seen by Quantus as an image model: clips N×C×T×H×W are passed as images
    N×C×(T·H)×W (Quantus accepts batched 1-D and 2-D inputs only) and unfolded before the model."""

    def __init__(self, model, frames):
        super().__init__()
        self.model = model
        self.frames = frames

    def forward(self, x):
        n, c, th, w = x.shape
        return self.model(x.reshape(n, c, self.frames, th // self.frames, w))


def quantus_vectors():
    base = zoo_model("r3d_mini", torch.float32)
    x5 = clip()
    n, c, t, h, w = x5.shape
    model = FramesAsRows(base, t).eval()
    x = x5.reshape(n, c, t * h, w).numpy()
    targets = base(x5).argmax(dim=1).numpy()

    def explain(model, inputs, targets, **kwargs):
        inputs = torch.as_tensor(inputs, dtype=torch.float32).requires_grad_(True)
        out = model(inputs)
        grad = torch.autograd.grad(out[torch.arange(out.shape[0]), torch.as_tensor(targets)].sum(), inputs)[0]
        return grad.detach().numpy()

    out = {"targets": targets.tolist(), "layout": "clips passed to Quantus as N×C×(T·H)×W images (FramesAsRows)"}
    # What MPRT's randomisation does: the modules it resets, in its order, and two equal-shaped
    # layers' values after reset_parameters under its per-layer reseeding (seed + 1 every time).
    wrapped = quantus.helpers.model.pytorch_model.PyTorchModel(model=model, channel_first=True, softmax=False,
                                                               device="cpu")
    out["mprt_reset_modules_top_down"] = [name for name, _ in wrapped.get_random_layer_generator()]
    layer_a, layer_b = torch.nn.Linear(4, 4), torch.nn.Linear(4, 4)
    for layer in (layer_a, layer_b):
        torch.manual_seed(42 + 1)
        layer.reset_parameters()
    out["mprt_equal_shapes_get_equal_values"] = bool(torch.equal(layer_a.weight, layer_b.weight))
    metric = quantus.MPRT(disable_warnings=True)
    out["mprt_layer_order_default"] = metric.layer_order
    scores = metric(model=model, x_batch=x, y_batch=targets, a_batch=None, explain_func=explain, device="cpu")
    out["mprt_scores"] = {k: list(map(float, v)) for k, v in scores.items()}
    logit = quantus.RandomLogit(num_classes=11, disable_warnings=True,
                                similarity_func=quantus.similarity_func.correlation_spearman)
    out["random_logit_spearman"] = list(map(float, logit(model=model, x_batch=x, y_batch=targets, a_batch=None,
                                                          explain_func=explain, device="cpu")))
    # The off-classes RandomLogit drew (its evaluate_batch: np.random.seed(seed), one randint per clip
    # into the other classes in increasing order).
    np.random.seed(logit.seed)
    picks = np.random.randint(0, 11 - 1, len(targets))
    out["random_logit_other_classes"] = [int([k for k in range(11) if k != y][p]) for y, p in zip(targets, picks)]
    default = quantus.RandomLogit(num_classes=11, disable_warnings=True)
    out["random_logit_default_ssim_flattened"] = list(map(float, default(
        model=model, x_batch=x, y_batch=targets, a_batch=None, explain_func=explain, device="cpu")))
    with open(os.path.join(HERE, "quantus.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    return out


COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/evaluation_reliability/generate_reliability.py'


def main():
    torch.set_num_threads(2)
    print(json.dumps(similarity_vectors(), indent=1))
    r = reliability_vectors()
    for case in r["cases"]:
        print(json.dumps({k: v for k, v in case.items() if k != "ranks"}))
    print(json.dumps(r["krippendorff_2011_example"]["alpha"], indent=1))
    print(json.dumps(infidelity_vectors(), indent=1))
    print(json.dumps(quantus_vectors(), indent=1))


if __name__ == "__main__":
    main()
