#!/usr/bin/env python3
"""Captum cross-check vectors for the gradient and integral attribution methods of VideoAttribution.

Runs Captum 0.9 in float64 on the four mini model families (r3d_mini, r2plus1d_mini, tsm_mini,
cnn_lstm_mini), built and HashFill-filled by Reference/networks/generate_networks.py (imported, not
redefined), on one small deterministic clip, and writes

  Reference/attribution/captum_gradients/input.safetensors        the clip, targets, settings
  Reference/attribution/captum_gradients/<architecture>.safetensors  Captum's maps and deltas
  Reference/attribution/captum_gradients/quadrature.safetensors   Captum's alphas and step sizes

for Saliency (abs=False), InputXGradient, GuidedBackprop, Deconvolution, IntegratedGradients
(every approximation method, baseline zero; riemann_left and gausslegendre with the black
baseline; with the convergence delta) and NoiseTunnel (smoothgrad, smoothgrad_sq, vargrad) with
the noise fed in from a formula both sides compute. See README.md next to this file.

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/captum_gradients/generate.py

Everything here is written for this project; Captum's source was read to learn its semantics.
"""

import json
import os
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "networks"))
import generate_networks as gn  # noqa: E402  (the network builders and HashFill)

import captum  # noqa: E402
from captum.attr import (  # noqa: E402
    Deconvolution,
    GuidedBackprop,
    InputXGradient,
    IntegratedGradients,
    NoiseTunnel,
    Saliency,
)
from captum.attr._utils.approximation_methods import approximation_parameters  # noqa: E402

COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/captum_gradients/generate.py'
ARCHITECTURES = ["r3d_mini", "r2plus1d_mini", "tsm_mini", "cnn_lstm_mini"]
CLIP_SHAPE = (2, 3, 4, 10, 10)  # N×C×T×H×W: small, odd strides (10 → 5 → 3 → 2 → 1)
TARGETS = [3, 8]
IG_STEPS = 4
IG_METHODS = ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"]
IG_BLACK_METHODS = ["riemann_left", "gausslegendre"]
NT_SAMPLES = 3
NOISE_SCALE = 0.25
KINETICS_MEAN = [0.43216, 0.394666, 0.37645]
KINETICS_STD = [0.22803, 0.22145, 0.216989]
QUADRATURE_COUNTS = [2, 3, 4, 7, 25, 50]


def clip() -> torch.Tensor:
    """input[i] = HashFill.unit(name: "captum_gradients.input", index: i), row-major; float32-exact."""
    u = gn.unit_array("captum_gradients.input", int(np.prod(CLIP_SHAPE)))
    assert np.array_equal(u.astype(np.float32).astype(np.float64), u)
    return torch.from_numpy(u.reshape(CLIP_SHAPE))


def noise() -> torch.Tensor:
    """ε[r, i] = 0.25·HashFill.unit(name: "captum_gradients.noise", index: r·P + i), r = n·S + s
    (clip n, sample s), P = C·T·H·W: the (N·S)×C×T×H×W tensor in NoiseTunnel's order
    (input.repeat_interleave(S, dim=0)). Exact in float32."""
    n, per = CLIP_SHAPE[0], int(np.prod(CLIP_SHAPE[1:]))
    u = gn.unit_array("captum_gradients.noise", n * NT_SAMPLES * per) * NOISE_SCALE
    assert np.array_equal(u.astype(np.float32).astype(np.float64), u)
    return torch.from_numpy(u.reshape((n * NT_SAMPLES,) + CLIP_SHAPE[1:]))


def black_baseline(x: torch.Tensor) -> torch.Tensor:
    """(0 − μ_c)/σ_c per channel with the Kinetics mean and std of Reference/SOURCES.md (Li et al.'s black clip)."""
    b = torch.zeros_like(x)
    for c in range(3):
        b[:, c] = (0 - KINETICS_MEAN[c]) / KINETICS_STD[c]
    return b


class FedNoiseTunnel(NoiseTunnel):
    """NoiseTunnel whose Gaussian draw is replaced by the fixed tensor `noise()` (same shape and
    order as Captum's own draw), so the Swift side can add the very same noise."""

    fed = None

    @staticmethod
    def _add_noise_to_input(input, stdev, nt_samples_partition):  # noqa: A002 (Captum's name)
        assert nt_samples_partition == NT_SAMPLES
        expanded = input.repeat_interleave(nt_samples_partition, dim=0)
        assert expanded.shape == FedNoiseTunnel.fed.shape
        return expanded + FedNoiseTunnel.fed


def build(architecture: str) -> torch.nn.Module:
    family, configuration = gn.ARCHITECTURES[architecture]
    if family == "2d_cnn_tsm":  # the generator's TSM is built for T = 8 segments
        model = gn.TSM(configuration, CLIP_SHAPE[2], gn.CLASSES)
    else:
        model = gn.build(architecture)
    gn.fill_model(model)
    return model.double().eval()


def generate(architecture: str, x: torch.Tensor, eps: torch.Tensor, report: dict) -> dict:
    model = build(architecture)
    targets = torch.tensor(TARGETS)
    out = {}
    with torch.no_grad():
        out["logits"] = model(x)
    out["saliency"] = Saliency(model).attribute(x, target=targets, abs=False)
    out["input_x_gradient"] = InputXGradient(model).attribute(x, target=targets)
    out["guided_backprop"] = GuidedBackprop(model).attribute(x, target=targets)
    out["deconvolution"] = Deconvolution(model).attribute(x, target=targets)
    ig = IntegratedGradients(model)
    baselines = {"zero": torch.zeros_like(x), "black": black_baseline(x)}
    for name, methods in (("zero", IG_METHODS), ("black", IG_BLACK_METHODS)):
        for method in methods:
            attr, delta = ig.attribute(
                x, baselines=baselines[name], target=targets, n_steps=IG_STEPS, method=method,
                return_convergence_delta=True)
            out[f"ig.{name}.{method}"] = attr
            out[f"ig.{name}.{method}.delta"] = delta
    FedNoiseTunnel.fed = eps
    for kind in ("smoothgrad", "smoothgrad_sq", "vargrad"):
        nt = FedNoiseTunnel(Saliency(model))
        out[f"nt.{kind}"] = nt.attribute(x, nt_type=kind, nt_samples=NT_SAMPLES, stdevs=1.0, target=targets, abs=False)
    for k, v in out.items():
        assert v.dtype == torch.float64 and torch.isfinite(v).all(), (architecture, k)
    out = {k: v.detach().contiguous() for k, v in out.items()}
    report[architecture] = {
        "logits": out["logits"].tolist(),
        "ig_relative_delta": {k: (out[k].abs().max() / (out["logits"].abs().max())).item()
                              for k in out if k.endswith(".delta")},
        "max_abs": {k: out[k].abs().max().item() for k in out if not k.endswith(".delta")},
    }
    return out


def quadrature_tables() -> dict:
    """Captum's own alphas and step sizes, float64 (torch default dtype float64 here)."""
    tables = {}
    for method in IG_METHODS:
        step_sizes, alphas = approximation_parameters(method)
        for n in QUADRATURE_COUNTS:
            tables[f"{method}.{n}.alphas"] = torch.tensor(alphas(n), dtype=torch.float64)
            tables[f"{method}.{n}.weights"] = torch.tensor(step_sizes(n), dtype=torch.float64)
    return tables


def main():
    # Captum warns that it sets requires_grad and installs ReLU hooks; both are expected here.
    warnings.filterwarnings("ignore", category=UserWarning, module="captum")
    torch.set_default_dtype(torch.float64)  # Captum's alphas come from torch.linspace in the default dtype
    torch.manual_seed(0)  # nothing is random (the noise is fed in); set anyway
    x, eps = clip(), noise()
    versions = {"torch": torch.__version__, "captum": captum.__version__, "numpy": np.__version__}
    settings = {
        "clip": "input[i] = HashFill.unit(name: \"captum_gradients.input\", index: i), shape "
                + "×".join(map(str, CLIP_SHAPE)),
        "targets": json.dumps(TARGETS),
        "ig_steps": str(IG_STEPS),
        "nt_samples": str(NT_SAMPLES),
        "noise": "eps[r, i] = 0.25·HashFill.unit(name: \"captum_gradients.noise\", index: r·P + i), r = n·S + s",
        "command": COMMAND,
        **versions,
    }
    gn.save({"input": x.float().contiguous(), "targets": torch.tensor(TARGETS, dtype=torch.int64)},
            os.path.join(HERE, "input.safetensors"), settings)
    gn.save(quadrature_tables(), os.path.join(HERE, "quadrature.safetensors"), settings)
    report = {}
    for architecture in ARCHITECTURES:
        out = generate(architecture, x, eps, report)
        gn.save(out, os.path.join(HERE, f"{architecture}.safetensors"), {**settings, "architecture": architecture})
        print(architecture, {k: f"{v:.3e}" for k, v in report[architecture]["max_abs"].items()}, flush=True)
    with open(os.path.join(HERE, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"settings": settings, "models": report}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE))
    print(f"Reference/attribution/captum_gradients: {total / 2**20:.2f} MiB")


if __name__ == "__main__":
    sys.exit(main())
