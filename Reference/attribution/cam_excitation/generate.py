#!/usr/bin/env python3
"""Cross-check vectors for the CAM family and excitation backprop (Sources/Attribution/Methods:
GradCAM, GuidedGradCAM, CAM, ScoreCAM, ExcitationBackprop).

Runs the peer libraries — Captum (LayerGradCam, GuidedGradCam), pytorch-grad-cam (GradCAM,
ScoreCAM), TorchRay (grad_cam, excitation_backprop, contrastive_excitation_backprop) — and
float64 PyTorch implementations of the package's own definitions, on the mini networks of
Reference/networks (HashFill weights, imported from generate_networks.py) and the clip
Reference/networks/input.safetensors (2×3×8×32×32, targets [0, 3]), and writes
Reference/attribution/cam_excitation/{grad_cam,cam_score_cam,excitation}.safetensors. Where a
peer fails or differs on purpose, its output (or its error message) is kept and README.md says
why. Everything runs in float64 unless a peer returns float32.

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/cam_excitation/generate.py

Written for this project; the peers' code was read to learn their exact procedures, not copied.
"""

import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "networks"))
import generate_networks as gn  # noqa: E402

import captum  # noqa: E402
import pytorch_grad_cam  # noqa: E402
import torchray  # noqa: E402
from captum.attr import GuidedGradCam, LayerAttribution, LayerGradCam  # noqa: E402
from pytorch_grad_cam import GradCAM as PGCGradCAM  # noqa: E402
from pytorch_grad_cam import ScoreCAM as PGCScoreCAM  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402
from torchray.attribution.excitation_backprop import (  # noqa: E402
    ExcitationBackpropContext, contrastive_excitation_backprop, excitation_backprop)
from torchray.attribution.grad_cam import grad_cam as torchray_grad_cam  # noqa: E402

warnings.filterwarnings("ignore")
COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/attribution/cam_excitation/generate.py'
TARGETS = [0, 3]  # non-degenerate ReLU maps on every model (class 0 is both clips' argmax)
X = gn.make_input()  # 2×3×8×32×32 float64, exact in float32
N, T = X.shape[0], X.shape[2]
NOTES = {}  # numbers and messages for README.md and the metadata


def model(architecture):
    """A fresh float64 eval-mode copy with HashFill weights and out-of-place ReLUs (Captum's
    hooks and TorchRay's probes need them; the function is unchanged)."""
    m = gn.build(architecture)
    gn.fill_model(m)
    m.double().eval()
    for mod in m.modules():
        if isinstance(mod, nn.ReLU):
            mod.inplace = False
    return m


def family(architecture):
    return gn.ARCHITECTURES[architecture][0]


def video(t, architecture):
    """(N·T)×C×h×w of the 2-D networks → N×C×T×h×w; video networks unchanged."""
    return gn.to_video_layout(t, family(architecture), N)


def one_hot(logits):
    s = torch.zeros_like(logits)
    for n, c in enumerate(TARGETS):
        s[n, c] = 1
    return s


def activation_and_gradient(architecture, layer):
    """A and ∂Σₙ logit[n, cₙ]/∂A at `layer` (autograd), in N×K×t×h×w."""
    m = model(architecture)
    store = {}

    def hook(_, __, out):
        out.retain_grad()
        store["a"] = out

    h = m.get_submodule(layer).register_forward_hook(hook)
    logits = m(X.clone())
    h.remove()
    logits.backward(one_hot(logits))
    return video(store["a"].detach(), architecture), video(store["a"].grad.detach(), architecture)


def grad_cam_formula(a, g, weights, relu):
    """The package's definition: per-frame α = mean over (h, w); clip α = mean over (t, h, w)."""
    alpha = g.mean(dim=(3, 4), keepdim=True) if weights == "per-frame" else g.mean(dim=(2, 3, 4), keepdim=True)
    m = (alpha * a).sum(dim=1, keepdim=True)
    return m.clamp(min=0) if relu else m


# ---------------------------------------------------------------------------------------------
# Grad-CAM and guided Grad-CAM
# ---------------------------------------------------------------------------------------------


def grad_cam_vectors(out):
    cases = [("r3d_mini", "layer3"), ("r3d_mini", "layer4"), ("mc3_mini", "layer4"), ("r2plus1d_mini", "layer3"),
             ("tsm_mini", "base_model.layer3"), ("cnn_lstm_mini", "backbone.layer3")]
    for arch, layer in cases:
        a, g = activation_and_gradient(arch, layer)
        for weights in ("per-frame", "clip"):
            for relu in (True, False):
                out[f"formula.{arch}.{layer}.{weights}.{'relu' if relu else 'norelu'}"] = grad_cam_formula(a, g, weights, relu)

    # Captum LayerGradCam: clip weights (mean over every dim ≥ 2), relu_attributions False (default) and True.
    for arch, layer in (("r3d_mini", "layer3"), ("mc3_mini", "layer4"), ("tsm_mini", "base_model.layer3")):
        m = model(arch)
        lgc = LayerGradCam(m, m.get_submodule(layer))
        for relu in (False, True):
            attr = lgc.attribute(X.clone(), target=TARGETS, relu_attributions=relu).detach()
            out[f"captum.layer_grad_cam.{arch}.{layer}.{'relu' if relu else 'norelu'}"] = video(attr, arch)
        if arch == "r3d_mini":
            attr = lgc.attribute(X.clone(), target=TARGETS, relu_attributions=True).detach()
            up = LayerAttribution.interpolate(attr, tuple(X.shape[2:]), interpolate_mode="trilinear")
            out[f"captum.layer_grad_cam.{arch}.{layer}.relu.trilinear"] = up.detach()

    # pytorch-grad-cam GradCAM (5-D): clip weights, ReLU, min–max, scipy zoom (order 3) to T×H×W,
    # then min–max again; the layer-resolution map from its own get_cam_image.
    m = model("r3d_mini")
    cam = PGCGradCAM(m, [m.layer3])
    full = cam(X.clone(), [ClassifierOutputTarget(c) for c in TARGETS])
    acts = cam.activations_and_grads.activations[0].numpy()
    grads = cam.activations_and_grads.gradients[0].numpy()
    low = np.maximum(cam.get_cam_image(X, m.layer3, None, acts, grads), 0)
    out["pytorch_grad_cam.grad_cam.r3d_mini.layer3.layer"] = torch.from_numpy(low[:, None].copy())
    out["pytorch_grad_cam.grad_cam.r3d_mini.layer3.output"] = torch.from_numpy(full[:, None].copy())  # float32
    NOTES["pytorch_grad_cam_output_dtype"] = str(full.dtype)
    ours = out["formula.r3d_mini.layer3.clip.relu"]
    NOTES["pytorch_grad_cam_layer_vs_formula_max_abs"] = (out["pytorch_grad_cam.grad_cam.r3d_mini.layer3.layer"]
                                                          - ours).abs().max().item()
    up = F.interpolate(ours, size=tuple(X.shape[2:]), mode="trilinear", align_corners=False)
    lo, hi = up.amin(dim=(1, 2, 3, 4), keepdim=True), up.amax(dim=(1, 2, 3, 4), keepdim=True)
    NOTES["pytorch_grad_cam_output_vs_minmax_trilinear_max_abs"] = (
        torch.from_numpy(full[:, None]).double() - (up - lo) / (hi - lo)).abs().max().item()

    # TorchRay grad_cam: gradient averaged over dims (2, 3). On 5-D that is (t, h), not (h, w).
    m = model("r3d_mini")
    out["torchray.grad_cam.r3d_mini.layer3"] = torchray_grad_cam(m, X.clone(), TARGETS, saliency_layer="layer3").detach()
    tr = out["torchray.grad_cam.r3d_mini.layer3"]
    for weights in ("per-frame", "clip"):
        ref = out[f"formula.r3d_mini.layer3.{weights}.relu"]
        NOTES[f"torchray_grad_cam_5d_vs_{weights}_relative"] = (tr - ref).abs().max().item() / ref.abs().max().item()
    m = model("tsm_mini")  # official (N·T)×C×H×W layout: dims (2, 3) are (h, w) of each frame
    tr = torchray_grad_cam(m, X.clone(), TARGETS, saliency_layer="base_model.layer3").detach()
    out["torchray.grad_cam.tsm_mini.base_model.layer3"] = video(tr, "tsm_mini")

    # Captum GuidedGradCam: LayerGradCam with relu_attributions=True, interpolated with
    # F.interpolate(mode="nearest") (its default interpolate_mode), times GuidedBackprop.
    m = model("r3d_mini")
    ggc = GuidedGradCam(m, m.layer3).attribute(X.clone(), target=TARGETS).detach()
    out["captum.guided_grad_cam.r3d_mini.layer3.nearest"] = ggc.float()  # stored float32 (size)


# ---------------------------------------------------------------------------------------------
# CAM and Score-CAM
# ---------------------------------------------------------------------------------------------


def cam_formula(architecture, layer, classifier):
    m = model(architecture)
    store = {}
    h = m.get_submodule(layer).register_forward_hook(lambda _, __, o: store.__setitem__("a", o.detach()))
    with torch.no_grad():
        m(X.clone())
    h.remove()
    a = video(store["a"], architecture)
    w = m.get_submodule(classifier).weight.detach()[TARGETS]  # N×K
    return (a * w[:, :, None, None, None]).sum(dim=1, keepdim=True), a


def score_cam_formula(architecture, layer):
    """The package's Score-CAM: trilinear masks, min–max per mask over T×H×W (0 if constant),
    logit of the masked clip, ReLU(Σ_k s_k M_k)."""
    m = model(architecture)
    store = {}
    h = m.get_submodule(layer).register_forward_hook(lambda _, __, o: store.__setitem__("a", o.detach()))
    with torch.no_grad():
        m(X.clone())
    h.remove()
    a = video(store["a"], architecture)
    maps = []
    with torch.no_grad():
        for n in range(N):
            up = F.interpolate(a[n][:, None], size=tuple(X.shape[2:]), mode="trilinear", align_corners=False)
            lo = up.amin(dim=(1, 2, 3, 4), keepdim=True)
            hi = up.amax(dim=(1, 2, 3, 4), keepdim=True)
            masks = torch.where(hi > lo, (up - lo) / torch.where(hi > lo, hi - lo, torch.ones_like(hi)),
                                torch.zeros_like(up))  # K×1×T×H×W
            scores = m(X[n:n + 1] * masks)[:, TARGETS[n]]  # K
            maps.append((scores[:, None, None, None, None] * masks).sum(dim=0, keepdim=True).clamp(min=0))
    return torch.cat(maps)


def cam_vectors(out):
    for arch, layer, fc in (("mc3_mini", "layer4", "fc"), ("r3d_mini", "layer4", "fc"),
                            ("tsm_mini", "base_model.layer4", "new_fc")):
        c, a = cam_formula(arch, layer, fc)
        out[f"cam.{arch}.{layer}"] = c
        # P-CAM-1 in PyTorch: Grad-CAM (clip weights, no ReLU) × t·h·w = CAM.
        _, g = activation_and_gradient(arch, layer)
        z = a.shape[2] * a.shape[3] * a.shape[4]
        d = (grad_cam_formula(a, g, "clip", False) * z - c).abs().max().item()
        assert d <= 1e-13 * c.abs().max().item(), (arch, d)
        NOTES[f"p_cam_1_{arch}_max_abs_difference"] = d
    out["score_cam.r3d_mini.layer3"] = score_cam_formula("r3d_mini", "layer3").float()  # float32 (size)

    # pytorch-grad-cam ScoreCAM on 5-D activations: record the failure.
    m = model("r3d_mini")
    try:
        sc = PGCScoreCAM(m, [m.layer3])
        sc.batch_size = 64
        sc(X.clone(), [ClassifierOutputTarget(c) for c in TARGETS])
        NOTES["pytorch_grad_cam_score_cam_5d"] = "ran"
    except Exception as e:  # noqa: BLE001 — the failure is the finding
        NOTES["pytorch_grad_cam_score_cam_5d"] = f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------------------------------------
# Excitation backprop
# ---------------------------------------------------------------------------------------------


class PositiveSplitSum(torch.autograd.Function):
    """z = h + s whose backward splits g in proportion to h⁺ and s⁺ (the package's rule,
    P-RULES-3), 0 where h⁺ + s⁺ = 0."""

    @staticmethod
    def forward(ctx, h, s):
        ctx.save_for_backward(h, s)
        return h + s

    @staticmethod
    def backward(ctx, g):
        h, s = ctx.saved_tensors
        hp, sp = h.clamp(min=0), s.clamp(min=0)
        d = hp + sp
        share = torch.where(d > 0, g / torch.where(d > 0, d, torch.ones_like(d)), torch.zeros_like(g))
        return hp * share, sp * share


def video_block_forward(self, x):
    shortcut = x if self.downsample is None else self.downsample(x)
    return self.relu(PositiveSplitSum.apply(self.conv2(self.conv1(x)), shortcut))


def basic2d_forward(self, x):
    shortcut = x if self.downsample is None else self.downsample(x)
    h = self.relu(self.bn1(self.conv1(x)))
    return self.relu(PositiveSplitSum.apply(self.bn2(self.conv2(h)), shortcut))


def basic2d_forward_torchray_sum(self, x):
    """Basic2D with TorchRay's `eltwise_sum` (what `update_resnet` installs in a torchvision
    ResNet, and what Li et al. apply to their R50L backbone): in the excitation context its
    backward splits g in proportion to h and s (signed), g·h/z and g·s/z."""
    import torchray.attribution.excitation_backprop as ebp
    shortcut = x if self.downsample is None else self.downsample(x)
    h = self.relu(self.bn1(self.conv1(x)))
    return self.relu(ebp.eltwise_sum(self.bn2(self.conv2(h)), shortcut))


def fuse_batch_norms(module):
    """Folds every batch norm into the convolution before it (torch's fuse_conv_bn_eval), as the
    package does at inference: Sequential pairs, R(2+1)D's inner conv + outer BN, Basic2D's
    conv1/bn1 and conv2/bn2 (conv1 possibly inside TSM's TemporalShift)."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    for child in module.children():
        fuse_batch_norms(child)
    bn_types = (nn.BatchNorm2d, nn.BatchNorm3d)
    if isinstance(module, nn.Sequential):
        for i in range(len(module) - 1):
            if isinstance(module[i], (nn.Conv2d, nn.Conv3d)) and isinstance(module[i + 1], bn_types):
                module[i] = fuse_conv_bn_eval(module[i], module[i + 1])
                module[i + 1] = nn.Identity()
            elif (isinstance(module[i], nn.Sequential) and isinstance(module[i][-1], nn.Conv3d)
                  and isinstance(module[i + 1], bn_types)):
                module[i][-1] = fuse_conv_bn_eval(module[i][-1], module[i + 1])
                module[i + 1] = nn.Identity()
    for conv_name, bn_name in (("conv1", "bn1"), ("conv2", "bn2")):
        conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
        if isinstance(bn, bn_types):
            if isinstance(conv, gn.TemporalShift):
                conv.net = fuse_conv_bn_eval(conv.net, bn)
            else:
                setattr(module, conv_name, fuse_conv_bn_eval(conv, bn))
            setattr(module, bn_name, nn.Identity())
    for name, child in module.named_children():
        if isinstance(child, bn_types):
            raise AssertionError(f"unfolded batch norm {name}")


def adapted(architecture, fuse=True):
    """TorchRay's setting changed to the package's two conventions: residual sums split in
    proportion to h⁺, s⁺; batch norm folded into the convolutions (optional: with positive
    BN scales it makes no difference, which the generator checks)."""
    m = model(architecture)
    for mod in m.modules():
        if isinstance(mod, gn.VideoBlock):
            mod.forward = video_block_forward.__get__(mod)
        elif isinstance(mod, gn.Basic2D):
            mod.forward = basic2d_forward.__get__(mod)
    if fuse:
        fuse_batch_norms(m)
        with torch.no_grad():
            assert (m(X) - model(architecture)(X)).abs().max().item() < 1e-14
    return m


def eb(m, layer, architecture):
    return video(excitation_backprop(m, X.clone(), TARGETS, saliency_layer=layer).detach(), architecture)


def ceb(m, layer, contrast, classifier, architecture):
    s = contrastive_excitation_backprop(m, X.clone(), TARGETS, saliency_layer=layer, contrast_layer=contrast,
                                        classifier_layer=classifier)
    return video(s.detach(), architecture)


def cnn_lstm_excitation(out):
    """The CNN-LSTM: (a) Li et al.'s procedure (visual_meth/excitation_backprop.py) on the
    nn.LSTM network — TorchRay's context (nn.LSTM is not patched, so the LSTM passes its plain
    gradient), the backbone's residual sums through TorchRay's eltwise_sum (Li et al. apply
    update_resnet), pseudo-gradient at fc7's output normalised T·g/Σg per clip, then continued per
    frame; (b) the package's rule mirrored in PyTorch — the LSTM unrolled with its gate
    pre-activation as ONE F.linear of [x_t; h_{t−1}] (patched: joint excitation with W⁺), the
    element-wise gates plain, the classifier patched, the mean over steps plain, T·g/Σg at the
    head's input (relu7's output), residual sums split in proportion to h⁺, s⁺."""
    arch, layer = "cnn_lstm_mini", "backbone.layer3"
    m = model(arch)
    for p in m.parameters():
        p.requires_grad_(False)  # as TorchRay's saliency(): the patched backward must not differentiate the bias
    hidden = m.lstm.hidden_size

    def run(mirror):
        for mod in m.modules():
            if isinstance(mod, gn.Basic2D):
                mod.forward = (basic2d_forward if mirror else basic2d_forward_torchray_sum).__get__(mod)
        store = {}
        hooks = [m.get_submodule(layer).register_forward_hook(lambda _, __, o: store.__setitem__("obs", o)),
                 m.fc7.register_forward_hook(lambda _, __, o: store.__setitem__("fc7", o)),
                 m.relu7.register_forward_hook(lambda _, __, o: store.__setitem__("relu7", o))]
        xx = X.clone().requires_grad_(True)
        with ExcitationBackpropContext():
            # The same function as CNNLSTM.forward with every F.linear on 2-D inputs (TorchRay's
            # patched linear fails on N×T×F inputs in this torch: its backward multiplies a view
            # in place).
            n, c, t, h, w = xx.shape
            frames = xx.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
            f = m.backbone(frames)
            f = m.relu7(m.fc7(m.relu6(m.fc6(f))))  # (N·T)×F
            mid = store["fc7"] if not mirror else store["relu7"]
            f = f.reshape(n, t, -1)
            if not mirror:
                steps, _ = m.lstm(f)
                logits = m.fc(steps.reshape(n * t, -1)).reshape(n, t, -1).mean(dim=1)
            else:
                wcat = torch.cat([m.lstm.weight_ih_l0, m.lstm.weight_hh_l0], dim=1)
                bias = m.lstm.bias_ih_l0 + m.lstm.bias_hh_l0
                hs = torch.zeros(n, hidden, dtype=xx.dtype)
                cs = torch.zeros(n, hidden, dtype=xx.dtype)
                total = 0
                for step in range(t):
                    z = F.linear(torch.cat([f[:, step], hs], dim=1), wcat, bias)
                    i, fg, g, o = z.chunk(4, dim=1)
                    cs = torch.sigmoid(fg) * cs + torch.sigmoid(i) * torch.tanh(g)
                    hs = torch.sigmoid(o) * torch.tanh(cs)
                    total = total + F.linear(hs, m.fc.weight, m.fc.bias)
                logits = total / t
            with torch.no_grad():
                assert (logits - model(arch)(X)).abs().max().item() < 1e-15
            (g,) = torch.autograd.grad(logits, mid, one_hot(logits), retain_graph=True)  # (N·T)×F
            g = g.reshape(n, t, -1)
            NOTES[f"cnn_lstm_{'package' if mirror else 'li'}_sum_before_normalisation"] = g.sum(dim=(1, 2)).tolist()
            NOTES[f"cnn_lstm_{'package' if mirror else 'li'}_abs_sum_over_abs_of_sum"] = (
                g.abs().sum(dim=(1, 2)) / g.sum(dim=(1, 2)).abs()).tolist()
            g = (T * g / g.sum(dim=(1, 2), keepdim=True)).reshape(n * t, -1)
            (p,) = torch.autograd.grad(mid, store["obs"], g)
        for hk in hooks:
            hk.remove()
        return video(p.sum(dim=1, keepdim=True).detach(), arch)

    li, ours = run(mirror=False), run(mirror=True)
    out[f"li_procedure.excitation_backprop.{arch}.{layer}"] = li
    out[f"package_rule.excitation_backprop.{arch}.{layer}"] = ours
    NOTES["cnn_lstm_li_vs_package_relative"] = (li - ours).abs().max().item() / ours.abs().max().item()
    NOTES["cnn_lstm_package_mass"] = ours.sum(dim=(1, 2, 3, 4)).tolist()
    NOTES["cnn_lstm_li_mass"] = li.sum(dim=(1, 2, 3, 4)).tolist()


def excitation_vectors(out):
    for arch, layers, contrast, classifier in (
        ("r3d_mini", ["layer4", "layer3", "layer2"], "layer4", "fc"),
        ("tsm_mini", ["base_model.layer4", "base_model.layer3"], "base_model.layer4", "new_fc"),
    ):
        for layer in layers:
            native = eb(model(arch), layer, arch)
            out[f"torchray.excitation_backprop.{arch}.{layer}"] = native
            out[f"adapted.excitation_backprop.{arch}.{layer}"] = eb(adapted(arch), layer, arch)
            split_only = eb(adapted(arch, fuse=False), layer, arch)
            d = (split_only - out[f"adapted.excitation_backprop.{arch}.{layer}"]).abs().max().item()
            assert d < 1e-13, (arch, layer, d)  # folding BN changes nothing: every BN scale is positive
            NOTES[f"torchray_mass.{arch}.{layer}"] = native.sum(dim=(1, 2, 3, 4)).tolist()
            ours = out[f"adapted.excitation_backprop.{arch}.{layer}"]
            NOTES[f"torchray_vs_package_relative.{arch}.{layer}"] = (native - ours).abs().max().item() / ours.abs().max().item()
        layer = layers[1]
        out[f"torchray.contrastive_excitation_backprop.{arch}.{layer}"] = ceb(model(arch), layer, contrast, classifier, arch)
        out[f"adapted.contrastive_excitation_backprop.{arch}.{layer}"] = ceb(adapted(arch), layer, contrast, classifier, arch)
        a, b = out[f"torchray.contrastive_excitation_backprop.{arch}.{layer}"], out[f"adapted.contrastive_excitation_backprop.{arch}.{layer}"]
        NOTES[f"torchray_contrastive_vs_package_relative.{arch}.{layer}"] = (a - b).abs().max().item() / b.abs().max().item()
    try:
        excitation_backprop(model("r3d_mini"), X.clone(), TARGETS, saliency_layer="layer4", resize=True)
        NOTES["torchray_resize_5d"] = "ran"
    except Exception as e:  # noqa: BLE001 — the failure is the finding
        NOTES["torchray_resize_5d"] = f"{type(e).__name__}: {e}"
    cnn_lstm_excitation(out)


def save(tensors, name, description):
    path = os.path.join(HERE, name)
    metadata = {
        "description": description, "command": COMMAND, "torch": torch.__version__, "captum": captum.__version__,
        "pytorch_grad_cam": "1.5.7", "torchray": "1.0.0.2", "targets": json.dumps(TARGETS),
        "input": "Reference/networks/input.safetensors (2×3×8×32×32)", "notes": json.dumps(NOTES),
    }
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    save_file(tensors, path, metadata)
    print(f"{name}: {len(tensors)} tensors, {os.path.getsize(path) / 1024:.0f} KiB")


def main():
    torch.manual_seed(0)
    g = {}
    grad_cam_vectors(g)
    save(g, "grad_cam.safetensors", "Grad-CAM and guided Grad-CAM: package formulas, Captum, pytorch-grad-cam, TorchRay")
    c = {}
    cam_vectors(c)
    save(c, "cam_score_cam.safetensors", "CAM and Score-CAM: package formulas in PyTorch")
    e = {}
    excitation_vectors(e)
    save(e, "excitation.safetensors", "excitation backprop: TorchRay native, TorchRay adapted, CNN-LSTM")
    with open(os.path.join(HERE, "notes.json"), "w", encoding="utf-8") as f:
        json.dump(NOTES, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE) if n.endswith(".safetensors"))
    print(f"vectors: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
