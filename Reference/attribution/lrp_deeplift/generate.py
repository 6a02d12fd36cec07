#!/usr/bin/env python3
"""Cross-check vectors for LRP (Zennit, Captum) and DeepLIFT-rescale (Captum) on the mini networks.

Run:  PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/lrp_deeplift/generate.py

The networks are those of Reference/networks/generate_networks.py (imported, not redefined), with
the same HashFill weights, run in float64 on a crop of the networks' clip. Everything a peer needs
to compute the package's definition is set here explicitly and explained in README.md; where a
peer's default differs, the script measures the difference and stores what the Swift tests assert.
"""
import copy
import json
import math
import os
import sys
import types

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "networks"))
import generate_networks as gn  # noqa: E402

import captum  # noqa: E402
import captum.attr._core.deep_lift as captum_deep_lift  # noqa: E402
import zennit  # noqa: E402
from captum.attr import LRP, DeepLift  # noqa: E402
from captum.attr._utils.lrp_rules import EpsilonRule, IdentityRule  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.canonizers import SequentialMergeBatchNorm  # noqa: E402
from zennit.composites import EpsilonAlpha2Beta1, EpsilonPlus, LayerMapComposite  # noqa: E402
from zennit.layer import Sum  # noqa: E402
from zennit.rules import AlphaBeta, Epsilon, Norm, Pass, ZPlus  # noqa: E402
from zennit.types import Activation, AvgPool, BatchNorm, Convolution  # noqa: E402

COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/lrp_deeplift/generate.py'
OUT = os.path.join(HERE, "lrp_deeplift.safetensors")

FRAMES, SIZE = 4, 16  # the crop input[:, :, :4, :16, :16] of Reference/networks/input.safetensors
TARGETS = [1, 4]
EPSILON = 1e-6  # LayerwiseRelevance.defaultEpsilon / denseEpsilon (Zennit's default)
STABILIZER = 1e-9  # LayerwiseRelevance.stabilizer: residual sums and average pools
KINETICS_MEAN = [0.43216, 0.394666, 0.37645]
KINETICS_STD = [0.22803, 0.22145, 0.216989]


# ---------------------------------------------------------------------------------------------
# Inputs and models
# ---------------------------------------------------------------------------------------------


def clip() -> torch.Tensor:
    return gn.make_input()[:, :, :FRAMES, :SIZE, :SIZE].contiguous()


def black(x: torch.Tensor) -> torch.Tensor:
    """(0 − μ_c)/σ_c per channel (DeepLift.Baseline.black), each value rounded once."""
    b = torch.empty_like(x)
    for c in range(3):
        b[:, c] = -KINETICS_MEAN[c] / KINETICS_STD[c]
    return b


def model(architecture: str) -> nn.Module:
    family, configuration = gn.ARCHITECTURES[architecture]
    m = gn.TSM(configuration, FRAMES, gn.CLASSES) if family == "2d_cnn_tsm" else gn.build(architecture)
    gn.fill_model(m)
    return m.double().eval()


def logits(m: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return m(x)


def one_hot_times_output(y: torch.Tensor) -> torch.Tensor:
    """Relevance at the output: the target logit on the target unit (LayerwiseRelevance's seed)."""
    seed = torch.zeros_like(y)
    for n, c in enumerate(TARGETS):
        seed[n, c] = y[n, c]
    return seed


# ---------------------------------------------------------------------------------------------
# The canonical form shared by the Swift networks: every residual sum is a module (zennit's Sum
# over the stacked summands) and every ReLU module is used once (Captum's DeepLift refuses a
# module called twice; torchvision's 2-D BasicBlock calls `relu` twice). Same function.
# ---------------------------------------------------------------------------------------------


def _video_block_forward(self, x):
    shortcut = x if self.downsample is None else self.downsample(x)
    out = self.conv2(self.conv1(x))
    return self.relu(self.residual_sum(torch.stack([out, shortcut], dim=-1)))


def _basic2d_forward(self, x):
    shortcut = x if self.downsample is None else self.downsample(x)
    h = self.relu(self.bn1(self.conv1(x)))
    out = self.bn2(self.conv2(h))
    return self.relu_out(self.residual_sum(torch.stack([out, shortcut], dim=-1)))


def _tsm_pooled_consensus(self, x):
    n, c, t, h, w = x.shape
    frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
    per_frame = self.new_fc(self.base_model(frames))  # (N·T)×K
    return self.consensus(per_frame.reshape(n, t, -1).transpose(1, 2)).squeeze(-1)


def _resnet2d_forward_pool_input_copied(self, x):
    x = self.maxpool(self.relu(self.bn1(self.conv1(x))).clone())
    for stage in range(1, 5):
        x = getattr(self, f"layer{stage}")(x)
    return self.fc(torch.flatten(self.avgpool(x), 1))


def canonical(m: nn.Module, pooled_consensus: bool = True, pool_input_copied: bool = False) -> nn.Module:
    """A copy with sums as modules and single-use ReLUs. With `pooled_consensus`, TSM's average
    over frames is an AdaptiveAvgPool1d module (the Swift `consensus` average pool), so LRP
    treats it as a layer; otherwise it stays the functional mean of the reference TSM. With
    `pool_input_copied`, the 2-D stem passes a copy of the ReLU's output to the max pool (the
    same function), which lets Captum's DeepLift max-pool rule take effect (README, "Captum's
    DeepLift ignores its max-pool rule after a ReLU")."""
    m = copy.deepcopy(m)
    if pool_input_copied:
        for module in m.modules():
            if isinstance(module, gn.ConfigurableResNet2D):
                module.forward = types.MethodType(_resnet2d_forward_pool_input_copied, module)
    for module in m.modules():
        if isinstance(module, gn.VideoBlock):
            module.residual_sum = Sum()
            module.forward = types.MethodType(_video_block_forward, module)
        elif isinstance(module, gn.Basic2D):
            module.residual_sum = Sum()
            module.relu_out = nn.ReLU()
            module.forward = types.MethodType(_basic2d_forward, module)
    if isinstance(m, gn.TSM) and pooled_consensus:
        m.consensus = nn.AdaptiveAvgPool1d(1)
        m.forward = types.MethodType(_tsm_pooled_consensus, m)
    return m


# ---------------------------------------------------------------------------------------------
# Zennit
# ---------------------------------------------------------------------------------------------


class ExactMergeBatchNorm(SequentialMergeBatchNorm):
    """zennit 0.5.1's SequentialMergeBatchNorm folds batch norm into the convolution, then sets the
    batch norm to mean 0, var 1, weight 1, bias 0 but leaves eps = 1e-5, so the "identity" batch norm
    still divides by √(1 + 1e-5): the canonised network is not the network. (Upstream zennit sets
    eps = 0, and since torch 2.10 refuses eps ≤ 0, var = eps = 0.5.) This does the latter."""

    def register(self, linears, batch_norm):
        super().register(linears, batch_norm)
        self.saved_eps = batch_norm.eps
        batch_norm.running_var.data = torch.full_like(batch_norm.running_var.data, 0.5)
        batch_norm.eps = 0.5

    def remove(self):
        super().remove()
        self.batch_norm.eps = self.saved_eps

    def copy(self):
        return self.__class__()


def divide_or_zero(d: torch.Tensor) -> torch.Tensor:
    """A zennit stabiliser that makes R / d equal `divideOrZero`: d unchanged, ∞ where d = 0."""
    return torch.where(d == 0, torch.full_like(d, math.inf), d)


def zennit_composite(kind: str) -> LayerMapComposite:
    """LayerwiseRelevance.composite as a zennit layer map (Zennit's EpsilonPlus and
    EpsilonAlpha2Beta1, with the package's bias-free, unstabilised z⁺ / αβ and its stabiliser)."""
    base = [(Activation, Pass()), (Sum, Norm(stabilizer=STABILIZER)), (AvgPool, Norm(stabilizer=STABILIZER)),
            (BatchNorm, Pass())]
    conv = {
        "lrp_epsilon": lambda: Epsilon(epsilon=EPSILON),
        "lrp_zplus": lambda: ZPlus(stabilizer=divide_or_zero, zero_params=["bias"]),
        "lrp_alphabeta": lambda: AlphaBeta(alpha=2.0, beta=1.0, stabilizer=divide_or_zero, zero_params=["bias"]),
    }[kind]()
    return LayerMapComposite(layer_map=base + [(Convolution, conv), (nn.Linear, Epsilon(epsilon=EPSILON))],
                             canonizers=[ExactMergeBatchNorm()])


def zennit_lrp(m: nn.Module, x: torch.Tensor, composite) -> torch.Tensor:
    with Gradient(model=m, composite=composite) as attributor:
        _, relevance = attributor(x.clone(), one_hot_times_output)
    return relevance.detach()


def canonizer_drift(m: nn.Module, x: torch.Tensor):
    """max |logits(canonised) − logits| / max |logits| with zennit's stock merge (the effect of the
    kept eps) and with ExactMergeBatchNorm."""
    reference = logits(m, x)
    instances = SequentialMergeBatchNorm().apply(m)
    drifted = logits(m, x)
    for i in instances:
        i.remove()
    exact = ExactMergeBatchNorm().apply(m)
    exact_logits = logits(m, x)
    for i in exact:
        i.remove()
    assert torch.equal(logits(m, x), reference)
    scale = reference.abs().max().item()
    return (drifted - reference).abs().max().item() / scale, (exact_logits - reference).abs().max().item() / scale


# ---------------------------------------------------------------------------------------------
# Captum LRP: refuses Conv3d; checked on the 2-D stem of TSM (conv1 + bn1 + relu + maxpool)
# ---------------------------------------------------------------------------------------------


def fold_batch_norm(conv: nn.Conv2d, bn: nn.BatchNorm2d):
    """w′ = w·γ/√(σ²+ε), b′ = (0 − μ)·γ/√(σ²+ε) + β into the conv; the batch norm becomes the identity."""
    scale = bn.weight.data / torch.sqrt(bn.running_var.data + bn.eps)
    conv.weight.data = conv.weight.data * scale[:, None, None, None]
    conv.bias = nn.Parameter((0 - bn.running_mean.data) * scale + bn.bias.data)
    bn.weight.data.fill_(1)
    bn.bias.data.fill_(0)
    bn.running_mean.data.fill_(0)
    bn.running_var.data.fill_(0.5)
    bn.eps = 0.5


def captum_lrp_refusal(m: nn.Module, x: torch.Tensor) -> str:
    try:
        LRP(m).attribute(x.clone(), target=TARGETS)
    except Exception as e:  # noqa: BLE001 — the refusal is what is recorded
        return f"{type(e).__name__}: {e}"
    return "no error"


STEM_TARGET = (5, 1, 2)  # (channel, h, w) of the stem output 16×4×4 explained in every frame


def captum_lrp_stem(tsm: nn.Module, x: torch.Tensor):
    base = copy.deepcopy(tsm.base_model)
    fold_batch_norm(base.conv1, base.bn1)
    stem = nn.Sequential(base.conv1, base.bn1, nn.ReLU(), base.maxpool)
    stem[0].rule = EpsilonRule(epsilon=EPSILON)
    stem[1].rule = IdentityRule()
    # The package gives each max-pool window's relevance to its winner; Captum's ε rule gives
    # a_win·R/(z + ε) = R·z/(z + ε). With ε = 1e-300, z + ε = z for every z ≠ 0 in float64.
    stem[3].rule = EpsilonRule(epsilon=1e-300)
    n, c, t, h, w = x.shape
    frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
    relevance = LRP(stem).attribute(frames.clone(), target=STEM_TARGET)
    return relevance.reshape(n, t, c, h, w).permute(0, 2, 1, 3, 4).contiguous().detach()


# ---------------------------------------------------------------------------------------------
# Captum DeepLift, stock and with the max-pool unpooling summed
# ---------------------------------------------------------------------------------------------


def maxpool2d_summed(module, inputs, outputs, grad_input, grad_output, eps=1e-10):
    """Captum's `deep_lift.maxpool` for MaxPool2d with one change: the shares of windows that have
    the same winner are added (scatter_add) instead of assigned (max_unpool2d)."""
    with torch.no_grad():
        x, x_ref = inputs.chunk(2)
        y, y_ref = outputs.chunk(2)
        delta_in = torch.cat(2 * [x - x_ref])
        y_max = torch.max(y, y_ref)
        delta_out = torch.cat([y_max - y_ref, y - y_max])
        _, indices = F.max_pool2d(module.input, module.kernel_size, module.stride, module.padding,
                                  module.dilation, module.ceil_mode, True)
        v = grad_output * delta_out
        flat = torch.zeros(inputs.shape[0], inputs.shape[1], inputs.shape[2] * inputs.shape[3], dtype=v.dtype)
        flat.scatter_add_(2, indices.flatten(2), v.flatten(2))
        unpooled = flat.reshape(inputs.shape)
        part, part_ref = unpooled.chunk(2)
        summed = torch.cat(2 * [part + part_ref])
    return torch.where(abs(delta_in) < eps, grad_input, summed / delta_in)


def captum_deeplift(m: nn.Module, x: torch.Tensor, x0: torch.Tensor, summed_maxpool: bool = False):
    stock = captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d]
    if summed_maxpool:
        captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d] = maxpool2d_summed
    try:
        attribution, delta = DeepLift(m).attribute(x.clone(), baselines=x0.clone(), target=TARGETS,
                                                   return_convergence_delta=True)
    finally:
        captum_deep_lift.SUPPORTED_NON_LINEAR[nn.MaxPool2d] = stock
    return attribution.detach(), delta.detach()


def target_difference(m: nn.Module, x: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
    y, y0 = logits(m, x), logits(m, x0)
    return torch.stack([y[n, c] - y0[n, c] for n, c in enumerate(TARGETS)])


def clip_sums(a: torch.Tensor) -> torch.Tensor:
    return a.flatten(1).sum(dim=1)


# ---------------------------------------------------------------------------------------------


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def main():
    torch.manual_seed(0)  # nothing is random
    x = clip()
    x0_black = black(x)
    tensors = {"input": x.clone(), "target": torch.tensor(TARGETS, dtype=torch.int64)}
    summary = {}

    # --- Zennit LRP on three families -----------------------------------------------------
    for architecture in ("r3d_mini", "r2plus1d_mini", "tsm_mini"):
        m = canonical(model(architecture))
        assert rel(logits(m, x), logits(model(architecture), x)) == 0
        tensors[f"logits.{architecture}"] = logits(m, x)
        drift, exact = canonizer_drift(m, x)
        summary[f"zennit_canonizer_logit_drift.{architecture}"] = {"stock": drift, "exact": exact}
        for kind in ("lrp_epsilon", "lrp_zplus", "lrp_alphabeta"):
            r = zennit_lrp(m, x, zennit_composite(kind))
            tensors[f"zennit.{architecture}.{kind}"] = r
            summary[f"zennit.{architecture}.{kind}"] = {
                "sum_per_clip": clip_sums(r).tolist(),
                "target_logit": [logits(m, x)[n, c].item() for n, c in enumerate(TARGETS)]}
        # Zennit's own composites with their defaults (bias in z⁺/αβ, stabiliser 1e-6, stock
        # canonizer) against the package's definition: how far apart, for the README.
        stock = {
            "lrp_zplus": EpsilonPlus(canonizers=[SequentialMergeBatchNorm()]),
            "lrp_alphabeta": EpsilonAlpha2Beta1(canonizers=[SequentialMergeBatchNorm()]),
        }
        for kind, composite in stock.items():
            r = zennit_lrp(m, x, composite)
            summary[f"zennit_defaults_vs_package.{architecture}.{kind}"] = {
                "max_rel_difference": rel(r, tensors[f"zennit.{architecture}.{kind}"]),
                "sum_per_clip": clip_sums(r).tolist()}

    # TSM with the reference model's functional mean over frames: zennit passes relevance
    # through it as a gradient (each frame gets R/T).
    tsm_functional = canonical(model("tsm_mini"), pooled_consensus=False)
    tensors["zennit.tsm_mini_functional_mean.lrp_epsilon"] = zennit_lrp(
        tsm_functional, x, zennit_composite("lrp_epsilon"))

    # --- Captum LRP ---------------------------------------------------------------------------
    summary["captum_lrp_refusal.r3d_mini"] = captum_lrp_refusal(model("r3d_mini"), x)
    stem = captum_lrp_stem(model("tsm_mini"), x)
    tensors["captum_lrp.tsm_mini.stem"] = stem
    tensors["captum_lrp.tsm_mini.stem_target"] = torch.tensor(STEM_TARGET, dtype=torch.int64)

    # --- Captum DeepLift ----------------------------------------------------------------------
    # Stock: as a user runs it. "summed_maxpool": the stem's max pool fed a copy of the ReLU
    # output (so Captum's max-pool rule is not dropped) and that rule's unpooling summed.
    for architecture in ("r3d_mini", "tsm_mini", "cnn_lstm_mini"):
        stock = canonical(model(architecture))
        fixed = canonical(model(architecture), pool_input_copied=True)
        for name, x0 in (("zero", torch.zeros_like(x)), ("black", x0_black)):
            key = f"captum_deeplift.{architecture}.{name}"
            expected = target_difference(stock, x, x0)
            a, delta = captum_deeplift(stock, x, x0)
            summary[key] = {"convergence_delta": delta.tolist(), "sum_per_clip": clip_sums(a).tolist(),
                            "target_logit_difference": expected.tolist()}
            if architecture == "r3d_mini":
                tensors[key] = a
                continue
            _, delta_rule = captum_deeplift(fixed, x, x0)
            b, delta_summed = captum_deeplift(fixed, x, x0, summed_maxpool=True)
            summary[key]["convergence_delta_with_maxpool_rule"] = delta_rule.tolist()
            summary[key]["convergence_delta_with_summed_maxpool_rule"] = delta_summed.tolist()
            if architecture == "tsm_mini":
                tensors[key] = a
                tensors[key + "_summed_maxpool"] = b
            else:
                tensors[key + "_summed_maxpool.delta"] = delta_summed
                tensors[key + "_summed_maxpool.target_logit_difference"] = expected

    metadata = {
        "command": COMMAND, "torch": torch.__version__, "captum": captum.__version__,
        "zennit": getattr(zennit, "__version__", "0.5.1"), "clip": "input[:, :, :4, :16, :16] of "
        "Reference/networks/input.safetensors (float64, exact in float32)",
        "targets": json.dumps(TARGETS), "epsilon": str(EPSILON), "stabilizer": str(STABILIZER),
        "captum_lrp_refusal.r3d_mini": summary["captum_lrp_refusal.r3d_mini"],
    }
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    gn.save(tensors, OUT, metadata)
    with open(os.path.join(HERE, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print(json.dumps(summary, indent=1))
    print(f"{OUT}: {os.path.getsize(OUT) / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
