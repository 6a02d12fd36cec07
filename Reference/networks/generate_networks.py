#!/usr/bin/env python3
"""PyTorch cross-check vectors for the networks of VideoAttribution (Sources/Networks).

Builds every architecture the Swift package knows in PyTorch — torchvision's own VideoResNets
(r3d_18, mc3_18, r2plus1d_18), TSM and the CNN-LSTM on torchvision's resnet18 / resnet50, and
the five mini models of the built-in benchmark — fills every parameter and batch-norm buffer
with HashFill (the integer hash of Sources/Networks/Weights/ParameterSource.swift, computed
bit for bit here), runs one deterministic clip through each in float64, and writes
Reference/networks/input.safetensors (the clip) and Reference/networks/<architecture>.safetensors
with the logits, the input gradient of the argmax scores and the last stage's activation (plus,
for the mini models, one training step: train-mode logits, parameter gradients of the
cross-entropy loss and the updated running statistics), the safetensors header of torchvision's
r2plus1d_18 state_dict, and summary.json (every number the README quotes). See README.md next
to this file for the format and the tolerances.

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/networks/generate_networks.py

Everything here is written for this project; torchvision's and the official TSM code were read
to learn the structure (module names, strides, paddings), not copied.
"""

import copy
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np
import safetensors
import safetensors.torch
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/networks/generate_networks.py'

CLASSES = 11  # the built-in benchmark's class count; every model's classifier has K = 11 rows
CLIP_SHAPE = (2, 3, 8, 32, 32)  # N×C×T×H×W
TRAIN_TARGETS = [1, 4]  # cross-entropy targets of the training step (mini models)
BN_MOMENTUM = 0.1  # PyTorch's default, as Convolution.batchNormMomentum
# Parameter gradients of the training step: tensors with at most this many elements are stored
# whole; larger ones as their first GRAD_PREFIX elements (row-major) plus whole-tensor summaries
# (see README, "Training step"). Keeps Reference/networks a few MB.
GRAD_PREFIX = 512

# ---------------------------------------------------------------------------------------------
# HashFill (ParameterSource.swift), bit for bit.
# ---------------------------------------------------------------------------------------------

MASK64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x00000100000001B3
GOLDEN = 0x9E3779B97F4A7C15
MIX_1 = 0xBF58476D1CE4E5B9
MIX_2 = 0x94D049BB133111EB


def fnv1a64(name: str) -> int:
    """FNV-1a, 64 bit, over the UTF-8 bytes of `name`."""
    key = FNV_OFFSET
    for byte in name.encode("utf-8"):
        key ^= byte
        key = (key * FNV_PRIME) & MASK64
    return key


def mix_int(z: int) -> int:
    """SplitMix64's finaliser on Python integers, masked to 64 bits after every product."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * MIX_1) & MASK64
    z = ((z ^ (z >> 27)) * MIX_2) & MASK64
    return z ^ (z >> 31)


def unit_int(name: str, index: int) -> float:
    """HashFill.unit(name:index:) — the scalar reference: u = (k − 2²¹)/2²¹ ∈ [−1, 1)."""
    h = mix_int(fnv1a64(name) ^ mix_int((index + GOLDEN) & MASK64))
    k = h >> 42
    return (k - (1 << 21)) * 2.0**-21


def _mix_np(z: np.ndarray) -> np.ndarray:
    # uint64 array arithmetic in NumPy wraps modulo 2⁶⁴, which is the masking above.
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX_1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX_2)
    return z ^ (z >> np.uint64(31))


def unit_array(name: str, count: int) -> np.ndarray:
    """HashFill.unit for indices 0..<count (float64), vectorised; checked against unit_int."""
    i = np.arange(count, dtype=np.uint64)
    h = _mix_np(np.uint64(fnv1a64(name)) ^ _mix_np(i + np.uint64(GOLDEN)))
    k = (h >> np.uint64(42)).astype(np.int64)
    u = (k - (1 << 21)).astype(np.float64) * 2.0**-21
    # The vectorised form must equal the masked-integer form: check a spread of indices.
    probe = sorted({0, 1, 2, count // 3, count // 2, max(count - 2, 0), count - 1})
    for j in probe:
        if j < count:
            assert u[j] == unit_int(name, j), (name, j, u[j], unit_int(name, j))
    return u


def weight_exponent(shape) -> int:
    """s = ⌊(⌈log₂ fan_in⌉ + 1)/2⌋, fan_in = max(1, Π shape[1…])."""
    fan_in = max(1, int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1)
    ceil_log2 = 0 if fan_in <= 1 else (fan_in - 1).bit_length()
    return (ceil_log2 + 1) // 2


ROLES = ("weight", "bias", "batchNormScale", "batchNormShift", "runningMean", "runningVariance")


def hash_fill(name: str, shape, role: str) -> np.ndarray:
    """HashFill.tensor(name:shape:role:) as float64 values that are exact in float32."""
    count = int(np.prod(shape, dtype=np.int64))
    u = unit_array(name, count)
    if role == "weight":
        v = u * 2.0 ** -weight_exponent(shape)
    elif role == "bias":
        v = u / 16
    elif role in ("batchNormScale", "runningVariance"):
        v = 1 + u / 4
    elif role in ("batchNormShift", "runningMean"):
        v = u / 8
    else:
        raise ValueError(role)
    # Exact in Float32 by construction: float64 → float32 → float64 must be lossless.
    assert np.array_equal(v.astype(np.float32).astype(np.float64), v), name
    return v.reshape(shape)


def parameter_roles(model: nn.Module) -> dict:
    """state_dict name → HashFill role, by the type of the owning module."""
    roles = {}
    for path, module in model.named_modules():
        prefix = path + "." if path else ""
        local = dict(module.named_parameters(recurse=False))
        local.update({k: v for k, v in module.named_buffers(recurse=False) if v is not None})
        for key in local:
            name = prefix + key
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                role = {
                    "weight": "batchNormScale",
                    "bias": "batchNormShift",
                    "running_mean": "runningMean",
                    "running_var": "runningVariance",
                    "num_batches_tracked": None,
                }[key]
            elif isinstance(module, (nn.Conv2d, nn.Conv3d, nn.Linear)):
                role = {"weight": "weight", "bias": "bias"}[key]
            elif isinstance(module, nn.LSTM):
                role = "weight" if key.startswith("weight_") else "bias"
                assert key in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), key
            else:
                raise TypeError(f"no HashFill role for {name} in {type(module).__name__}")
            if role is not None:
                roles[name] = role
    return roles


def fill_model(model: nn.Module) -> dict:
    """Overwrites every parameter and batch-norm statistic with HashFill; returns the roles."""
    roles = parameter_roles(model)
    state = model.state_dict()
    for name, tensor in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        assert name in roles, f"{name} has no role"
        value = hash_fill(name, tuple(tensor.shape), roles[name])
        with torch.no_grad():
            tensor.copy_(torch.from_numpy(value).to(tensor.dtype))
    assert set(roles) == {k for k in state if not k.endswith("num_batches_tracked")}
    return roles


def make_input() -> torch.Tensor:
    """The clip: input[i] = HashFill.unit(name: "input", index: i), i row-major over N×3×T×H×W."""
    count = int(np.prod(CLIP_SHAPE))
    u = unit_array("input", count)
    assert np.array_equal(u.astype(np.float32).astype(np.float64), u)
    return torch.from_numpy(u.reshape(CLIP_SHAPE))


# ---------------------------------------------------------------------------------------------
# Configurations (ModelConfiguration.standard in Architecture.swift).
# ---------------------------------------------------------------------------------------------

STANDARD_18 = dict(widths=[64, 128, 256, 512], blocks=[2, 2, 2, 2], bottleneck=False, stem_mid=45,
                   shift_div=8, recurrent=[1024, 512, 256])
STANDARD_50 = dict(widths=[64, 128, 256, 512], blocks=[3, 4, 6, 3], bottleneck=True, stem_mid=45,
                   shift_div=8, recurrent=[1024, 512, 256])
MINI = dict(widths=[16, 32, 64, 128], blocks=[1, 1, 1, 1], bottleneck=False, stem_mid=11,
            shift_div=8, recurrent=[128, 64, 64])

ARCHITECTURES = {
    # name: (family, configuration)
    "r3d_18": ("3d_cnn", STANDARD_18),
    "mc3_18": ("3d_cnn", STANDARD_18),
    "r2plus1d_18": ("2plus1d_cnn", STANDARD_18),
    "tsm_resnet18": ("2d_cnn_tsm", STANDARD_18),
    "tsm_resnet50": ("2d_cnn_tsm", STANDARD_50),
    "cnn_lstm_resnet18": ("cnn_rnn", STANDARD_18),
    "cnn_lstm_resnet50": ("cnn_rnn", STANDARD_50),
    "r3d_mini": ("3d_cnn", MINI),
    "mc3_mini": ("3d_cnn", MINI),
    "r2plus1d_mini": ("2plus1d_cnn", MINI),
    "tsm_mini": ("2d_cnn_tsm", MINI),
    "cnn_lstm_mini": ("cnn_rnn", MINI),
}

# ---------------------------------------------------------------------------------------------
# A VideoResNet with configurable sizes, laid out as torchvision.models.video.VideoResNet
# (same module names, so the same state_dict keys), checked against torchvision below.
# ---------------------------------------------------------------------------------------------


def r2plus1d_midplanes(cin: int, cout: int) -> int:
    return (cin * cout * 27) // (cin * 9 + 3 * cout)


def video_conv(kind: str, cin: int, cout: int, mid: int, stride: int) -> nn.Module:
    """torchvision's conv builders: Conv3DSimple, Conv3DNoTemporal, Conv2Plus1D (no bias)."""
    if kind == "3d":
        return nn.Conv3d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)
    if kind == "no_temporal":
        return nn.Conv3d(cin, cout, kernel_size=(1, 3, 3), stride=(1, stride, stride), padding=(0, 1, 1),
                         bias=False)
    if kind == "2plus1d":
        return nn.Sequential(
            nn.Conv3d(cin, mid, kernel_size=(1, 3, 3), stride=(1, stride, stride), padding=(0, 1, 1), bias=False),
            nn.BatchNorm3d(mid),
            nn.ReLU(inplace=True),
            nn.Conv3d(mid, cout, kernel_size=(3, 1, 1), stride=(stride, 1, 1), padding=(1, 0, 0), bias=False),
        )
    raise ValueError(kind)


class VideoBlock(nn.Module):
    """torchvision's video BasicBlock: conv1 = (conv, BN, ReLU), conv2 = (conv, BN), + shortcut, ReLU."""

    def __init__(self, kind: str, cin: int, cout: int, stride: int):
        super().__init__()
        mid = r2plus1d_midplanes(cin, cout)
        self.conv1 = nn.Sequential(video_conv(kind, cin, cout, mid, stride), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(video_conv(kind, cout, cout, mid, 1), nn.BatchNorm3d(cout))
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            ds = (1, stride, stride) if kind == "no_temporal" else (stride, stride, stride)
            self.downsample = nn.Sequential(nn.Conv3d(cin, cout, kernel_size=1, stride=ds, bias=False),
                                            nn.BatchNorm3d(cout))

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + shortcut)


class ConfigurableVideoResNet(nn.Module):
    """stem, layer1–4, AdaptiveAvgPool3d(1), flatten, fc — torchvision's VideoResNet with sizes."""

    def __init__(self, architecture: str, widths, blocks, stem_mid: int, classes: int):
        super().__init__()
        if architecture.startswith("r2plus1d"):
            kinds = ["2plus1d"] * 4
            self.stem = nn.Sequential(
                nn.Conv3d(3, stem_mid, kernel_size=(1, 7, 7), stride=(1, 2, 2), padding=(0, 3, 3), bias=False),
                nn.BatchNorm3d(stem_mid),
                nn.ReLU(inplace=True),
                nn.Conv3d(stem_mid, widths[0], kernel_size=(3, 1, 1), stride=1, padding=(1, 0, 0), bias=False),
                nn.BatchNorm3d(widths[0]),
                nn.ReLU(inplace=True),
            )
        else:
            kinds = ["3d"] * 4 if architecture.startswith("r3d") else ["3d"] + ["no_temporal"] * 3
            self.stem = nn.Sequential(
                nn.Conv3d(3, widths[0], kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
                nn.BatchNorm3d(widths[0]),
                nn.ReLU(inplace=True),
            )
        cin = widths[0]
        for stage in range(4):
            layer = []
            for b in range(blocks[stage]):
                stride = 2 if stage > 0 and b == 0 else 1
                layer.append(VideoBlock(kinds[stage], cin, widths[stage], stride))
                cin = widths[stage]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*layer))
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.stem(x)
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return self.fc(self.avgpool(x).flatten(1))


# ---------------------------------------------------------------------------------------------
# A 2-D ResNet with configurable sizes, laid out as torchvision.models.ResNet, checked below.
# ---------------------------------------------------------------------------------------------


def downsample_2d(cin, cout, stride):
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(cout))


class Basic2D(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = downsample_2d(cin, width, stride)

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        h = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(h)) + shortcut)


class Bottleneck2D(nn.Module):
    """ResNet v1.5 bottleneck: 1×1, 3×3 (stride), 1×1 ×4."""

    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, 4 * width, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(4 * width)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample_2d(cin, 4 * width, stride)

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        h = self.relu(self.bn1(self.conv1(x)))
        h = self.relu(self.bn2(self.conv2(h)))
        return self.relu(self.bn3(self.conv3(h)) + shortcut)


class ConfigurableResNet2D(nn.Module):
    def __init__(self, widths, blocks, bottleneck: bool, classes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        cin = widths[0]
        for stage in range(4):
            layer = []
            for b in range(blocks[stage]):
                stride = 2 if stage > 0 and b == 0 else 1
                if bottleneck:
                    layer.append(Bottleneck2D(cin, widths[stage], stride))
                    cin = 4 * widths[stage]
                else:
                    layer.append(Basic2D(cin, widths[stage], stride))
                    cin = widths[stage]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*layer))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, classes)
        self.features = cin

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet2d(configuration, standard_name=None):
    """torchvision's resnet18/resnet50 for the full-size models, else the configurable one."""
    if standard_name is not None:
        net = getattr(torchvision.models, standard_name)(weights=None)
        features = net.fc.in_features
    else:
        net = ConfigurableResNet2D(configuration["widths"], configuration["blocks"], configuration["bottleneck"], 1)
        features = net.features
    net.fc = nn.Identity()  # the video heads replace it (TSM: new_fc; CNN-LSTM: fc6 …)
    return net, features


# ---------------------------------------------------------------------------------------------
# TSM (official TSN wrapper with blockres shift) and the CNN-LSTM.
# ---------------------------------------------------------------------------------------------


class TemporalShift(nn.Module):
    """Shift on (N·T)×C×H×W before `net`: channels [0, C/d) take frame t+1, [C/d, 2C/d) frame t−1,
    zero at the ends; the module is named `net` inside, as in the official implementation."""

    def __init__(self, net: nn.Module, segments: int, fold_div: int):
        super().__init__()
        self.net = net
        self.segments = segments
        self.fold_div = fold_div

    def forward(self, x):
        nt, c, h, w = x.shape
        v = x.reshape(nt // self.segments, self.segments, c, h, w)
        fold = c // self.fold_div
        zero = v.new_zeros(v.shape[0], 1, fold, h, w)
        forward_part = torch.cat([v[:, 1:, :fold], zero], dim=1)  # takes frame t+1
        backward_part = torch.cat([zero, v[:, :-1, fold:2 * fold]], dim=1)  # takes frame t−1
        shifted = torch.cat([forward_part, backward_part, v[:, :, 2 * fold:]], dim=2)
        return self.net(shifted.reshape(nt, c, h, w))


class TSM(nn.Module):
    """base_model (ResNet, every block's conv1 wrapped by TemporalShift) → per-frame average pool
    → new_fc per frame → average consensus over the T frames. Input N×C×T×H×W is laid out as the
    official (N·T)×C×H×W (clip-major, frame-minor) before the 2-D network."""

    def __init__(self, configuration, segments: int, classes: int, standard_name=None):
        super().__init__()
        self.segments = segments
        self.base_model, features = resnet2d(configuration, standard_name)
        for stage in range(1, 5):
            for block in getattr(self.base_model, f"layer{stage}"):
                block.conv1 = TemporalShift(block.conv1, segments, configuration["shift_div"])
        self.new_fc = nn.Linear(features, classes)

    def forward(self, x):
        n, c, t, h, w = x.shape
        assert t == self.segments
        frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
        per_frame = self.new_fc(self.base_model(frames))  # (N·T)×K
        return per_frame.reshape(n, t, -1).mean(dim=1)


class CNNLSTM(nn.Module):
    """backbone (ResNet per frame) → average pool → fc6, ReLU → fc7, ReLU → nn.LSTM(batch_first)
    → fc on every step's hidden state → mean of the step logits over time."""

    def __init__(self, configuration, classes: int, standard_name=None):
        super().__init__()
        fc6, fc7, hidden = configuration["recurrent"]
        self.backbone, features = resnet2d(configuration, standard_name)
        self.fc6 = nn.Linear(features, fc6)
        self.relu6 = nn.ReLU()
        self.fc7 = nn.Linear(fc6, fc7)
        self.relu7 = nn.ReLU()
        self.lstm = nn.LSTM(fc7, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        n, c, t, h, w = x.shape
        frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
        f = self.backbone(frames).reshape(n, t, -1)
        f = self.relu7(self.fc7(self.relu6(self.fc6(f))))
        steps, _ = self.lstm(f)  # N×T×H, h₀ = c₀ = 0
        return self.fc(steps).mean(dim=1)


# ---------------------------------------------------------------------------------------------
# Building, and checking the configurable models against torchvision.
# ---------------------------------------------------------------------------------------------


def build(architecture: str) -> nn.Module:
    family, configuration = ARCHITECTURES[architecture]
    mini = architecture.endswith("_mini")
    if family in ("3d_cnn", "2plus1d_cnn"):
        if mini:
            return ConfigurableVideoResNet(architecture, configuration["widths"], configuration["blocks"],
                                           configuration["stem_mid"], CLASSES)
        return getattr(torchvision.models.video, architecture)(weights=None, num_classes=CLASSES)
    standard = None if mini else ("resnet50" if configuration["bottleneck"] else "resnet18")
    if family == "2d_cnn_tsm":
        return TSM(configuration, CLIP_SHAPE[2], CLASSES, standard)
    return CNNLSTM(configuration, CLASSES, standard)


def activation_path(architecture: str) -> str:
    family = ARCHITECTURES[architecture][0]
    return {"2d_cnn_tsm": "base_model.layer4", "cnn_rnn": "backbone.layer4"}.get(family, "layer4")


def same_layout(a: nn.Module, b: nn.Module, what: str):
    sa = [(k, tuple(v.shape), v.dtype) for k, v in a.state_dict().items()]
    sb = [(k, tuple(v.shape), v.dtype) for k, v in b.state_dict().items()]
    assert sa == sb, f"{what}: state_dict keys/shapes/order differ:\n" + "\n".join(
        f"  {x} | {y}" for x, y in zip(sa, sb) if x != y)


def check_configurable_models(x: torch.Tensor):
    """With the standard sizes the configurable models have torchvision's exact state_dict
    (keys, shapes, dtypes, order) and compute the same logits with the same weights."""
    results = {}
    for name in ("r3d_18", "mc3_18", "r2plus1d_18"):
        reference = getattr(torchvision.models.video, name)(weights=None, num_classes=CLASSES)
        ours = ConfigurableVideoResNet(name, STANDARD_18["widths"], STANDARD_18["blocks"], STANDARD_18["stem_mid"],
                                       CLASSES)
        same_layout(reference, ours, name)
        fill_model(reference)
        ours.load_state_dict(reference.state_dict(), strict=True)
        reference.double().eval()
        ours.double().eval()
        with torch.no_grad():
            a, b = reference(x), ours(x)
        diff = (a - b).abs().max().item()
        assert diff <= 1e-13 * a.abs().max().item(), (name, diff)
        results[name] = diff
    for name, configuration in (("resnet18", STANDARD_18), ("resnet50", STANDARD_50)):
        reference = getattr(torchvision.models, name)(weights=None, num_classes=CLASSES)
        ours = ConfigurableResNet2D(configuration["widths"], configuration["blocks"], configuration["bottleneck"],
                                    CLASSES)
        same_layout(reference, ours, name)
        fill_model(reference)
        ours.load_state_dict(reference.state_dict(), strict=True)
        reference.double().eval()
        ours.double().eval()
        frames = x.permute(0, 2, 1, 3, 4).reshape(-1, 3, CLIP_SHAPE[3], CLIP_SHAPE[4])
        with torch.no_grad():
            a, b = reference(frames), ours(frames)
        diff = (a - b).abs().max().item()
        assert diff <= 1e-13 * a.abs().max().item(), (name, diff)
        results[name] = diff
    return results


def check_temporal_shift():
    """The shift against its definition, element by element, on a small tensor."""
    n, t, c = 2, 5, 16
    v = torch.arange(n * t * c * 2 * 3, dtype=torch.float64).reshape(n * t, c, 2, 3) + 1
    out = TemporalShift(nn.Identity(), t, 8)(v).reshape(n, t, c, 2, 3)
    src = v.reshape(n, t, c, 2, 3)
    fold = c // 8
    for i in range(n):
        for f in range(t):
            for ch in range(c):
                if ch < fold:
                    expect = src[i, f + 1, ch] if f + 1 < t else torch.zeros(2, 3, dtype=v.dtype)
                elif ch < 2 * fold:
                    expect = src[i, f - 1, ch] if f >= 1 else torch.zeros(2, 3, dtype=v.dtype)
                else:
                    expect = src[i, f, ch]
                assert torch.equal(out[i, f, ch], expect), (i, f, ch)


# ---------------------------------------------------------------------------------------------
# Running the models.
# ---------------------------------------------------------------------------------------------


def to_video_layout(activation: torch.Tensor, family: str, n: int) -> torch.Tensor:
    """(N·T)×C×H×W of the 2-D models → N×C×T×H×W; video models already are."""
    if family in ("3d_cnn", "2plus1d_cnn"):
        return activation
    nt, c, h, w = activation.shape
    return activation.reshape(n, nt // n, c, h, w).permute(0, 2, 1, 3, 4).contiguous()


def evaluate(model: nn.Module, x: torch.Tensor, family: str, layer: str, target=None):
    """Eval-mode logits, argmax target, ∂Σₙ logit[n, targetₙ]/∂x and the activation at `layer`."""
    model.eval()
    captured = {}
    handle = model.get_submodule(layer).register_forward_hook(
        lambda module, args, output: captured.__setitem__("a", output.detach().clone()))
    x = x.detach().clone().requires_grad_(True)
    logits = model(x)
    handle.remove()
    if target is None:
        target = logits.detach().argmax(dim=1)
    score = logits.gather(1, target[:, None]).sum()
    (gradient,) = torch.autograd.grad(score, x)
    return logits.detach(), target, gradient.detach(), to_video_layout(captured["a"], family, x.shape[0])


def training_step(model: nn.Module, x: torch.Tensor):
    """One train-mode forward (batch statistics, running stats updated with momentum 0.1) and the
    gradient of the mean cross-entropy loss w.r.t. every parameter."""
    model.train()
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            assert m.momentum == BN_MOMENTUM and m.eps == 1e-5
    model.zero_grad(set_to_none=True)
    logits = model(x)
    loss = F.cross_entropy(logits, torch.tensor(TRAIN_TARGETS))
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in model.named_parameters()}
    updated = {k: v.detach().clone() for k, v in model.state_dict().items()
               if k.endswith("running_mean") or k.endswith("running_var")}
    return logits.detach(), loss.detach(), grads, updated


def difference(a: torch.Tensor, b: torch.Tensor):
    """max |a − b| and max |a − b| / max |b| (b the float64 reference)."""
    d = (a.double() - b).abs().max().item()
    return d, d / max(b.abs().max().item(), 1e-300)


def kinks(model: nn.Module, x64: torch.Tensor, train: bool):
    """Where float32 may legitimately take the other side of a kink: the ReLU inputs nearest 0
    (min |z| / max |z| per call, minimum over calls) in the float64 forward pass, the ReLU inputs
    whose sign differs between the float32 and float64 forward passes, and the max-pool windows
    whose argmax differs."""

    def run(dtype):
        m = copy.deepcopy(model).to(dtype)
        m.train(train)
        seen = []
        for module in m.modules():
            if isinstance(module, (nn.ReLU, nn.MaxPool2d)):
                module.register_forward_pre_hook(lambda mod, args: seen.append((mod, args[0].detach().clone())))
        with torch.no_grad():
            m(x64.to(dtype))
        return seen

    margin, relu_flips, pool_changes = math.inf, 0, 0
    for (module, a), (_, b) in zip(run(torch.float64), run(torch.float32)):
        if isinstance(module, nn.ReLU):
            nonzero = a[a != 0].abs()
            if nonzero.numel():
                margin = min(margin, nonzero.min().item() / a.abs().max().item())
            relu_flips += ((a > 0) != (b > 0)).sum().item()
        else:
            _, ia = F.max_pool2d(a, 3, 2, 1, return_indices=True)
            _, ib = F.max_pool2d(b.double(), 3, 2, 1, return_indices=True)
            pool_changes += (ia != ib).sum().item()
    return {"relu_margin": margin, "relu_sign_flips_float32": relu_flips, "maxpool_argmax_changes_float32": pool_changes}


def stored_gradient(name: str, g: torch.Tensor, out: dict):
    """grad.<name>: the whole gradient, or (more than GRAD_PREFIX elements) its first GRAD_PREFIX
    elements in row-major order as a 1-D tensor, with gradsummary.<name> = [Σg, Σg², Σ g·probe],
    probe_i = HashFill.unit(name: "probe", index: i)."""
    flat = g.reshape(-1)
    if flat.numel() <= GRAD_PREFIX:
        out["grad." + name] = g.contiguous()
        return
    out["grad." + name] = flat[:GRAD_PREFIX].contiguous()
    probe = torch.from_numpy(unit_array("probe", flat.numel()))
    out["gradsummary." + name] = torch.stack([flat.sum(), (flat * flat).sum(), (flat * probe).sum()])


def state_dict_listing(model: nn.Module, roles: dict):
    return [[k, list(v.shape), roles.get(k, "num_batches_tracked")] for k, v in model.state_dict().items()]


def generate(architecture: str, x64: torch.Tensor, report: dict):
    family, configuration = ARCHITECTURES[architecture]
    mini = architecture.endswith("_mini")
    layer = activation_path(architecture)
    model = build(architecture)
    roles = fill_model(model)
    listing = state_dict_listing(model, roles)
    model64 = copy.deepcopy(model).double()
    model32 = copy.deepcopy(model).float()

    logits, target, gradient, activation = evaluate(model64, x64, family, layer)
    logits32, _, gradient32, activation32 = evaluate(model32, x64.float(), family, layer, target)
    top2 = logits.topk(2, dim=1).values
    numbers = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "max_abs_logit": logits.abs().max().item(),
        "logit_std": logits.std().item(),
        "top1_margin": (top2[:, 0] - top2[:, 1]).min().item(),
        "input_gradient_norm": gradient.norm().item(),
        "input_gradient_max_abs": gradient.abs().max().item(),
        "activation_max_abs": activation.abs().max().item(),
        "float32_logits_abs": difference(logits32, logits)[0],
        "float32_logits_rel": difference(logits32, logits)[1],
        "float32_input_gradient_abs": difference(gradient32, gradient)[0],
        "float32_input_gradient_rel": difference(gradient32, gradient)[1],
        "float32_activation_abs": difference(activation32, activation)[0],
        "float32_activation_rel": difference(activation32, activation)[1],
        "eval_kinks": kinks(model, x64, train=False),
    }
    # Full-size models: the large outputs are stored in float32 (rounded float64 results) to keep
    # Reference/networks small; the mini models keep everything in float64.
    large = torch.float64 if mini else torch.float32
    tensors = {
        "logits": logits,
        "target": target.to(torch.int64),
        "input_gradient": gradient.to(large),
        "activation." + layer: activation.to(large),
    }
    if mini:
        train_logits, loss, grads, updated = training_step(copy.deepcopy(model).double(), x64)
        train_logits32, loss32, grads32, _ = training_step(copy.deepcopy(model).float(), x64.float())
        tensors["train.logits"] = train_logits
        tensors["train.loss"] = loss.reshape(1)
        for name, g in grads.items():
            stored_gradient(name, g, tensors)
        for name, v in updated.items():
            tensors["updated." + name] = v
        per_tensor = sorted((difference(grads32[k], g)[1], k) for k, g in grads.items())
        numbers.update({
            "train_loss": loss.item(),
            "train_max_abs_logit": train_logits.abs().max().item(),
            "parameter_gradient_norm": math.sqrt(sum((g * g).sum().item() for g in grads.values())),
            "float32_train_logits_rel": difference(train_logits32, train_logits)[1],
            "float32_parameter_gradient_median_rel": per_tensor[len(per_tensor) // 2][0],
            "float32_parameter_gradient_worst_rel": per_tensor[-1][0],
            "float32_parameter_gradient_worst_tensor": per_tensor[-1][1],
            "train_kinks": kinks(model, x64, train=True),
        })
    metadata = {
        "architecture": architecture,
        "family": family,
        "configuration": json.dumps({**configuration, "classes": CLASSES}),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "safetensors": safetensors.__version__,
        "numpy": np.__version__,
        "command": COMMAND,
        "input": "input.safetensors: input[i] = HashFill.unit(name: \"input\", index: i), row-major N×3×T×H×W",
        "weights": "HashFill by state_dict name and role; num_batches_tracked = 0",
        "target": "argmax of the float64 logits per clip",
        "input_gradient": "d sum_n logits[n, target[n]] / d input, eval mode, computed in float64"
                          + ("" if mini else ", stored rounded to float32"),
        "activation": f"output of {layer} in N×C×T×H×W, eval mode, computed in float64"
                      + ("" if mini else ", stored rounded to float32"),
        "state_dict": json.dumps(listing),
        "float32_vs_float64": json.dumps({k: v for k, v in numbers.items() if k.startswith("float32")}),
        "kinks": json.dumps({k: v for k, v in numbers.items() if k.endswith("kinks")}),
    }
    if mini:
        metadata["train"] = json.dumps({
            "mode": "train (batch statistics), float64, one forward + backward",
            "loss": "mean cross-entropy",
            "targets": TRAIN_TARGETS,
            "batch_norm": {"momentum": BN_MOMENTUM, "eps": 1e-5, "running_var": "unbiased batch variance"},
            "grad_storage": f"grad.<name> whole if numel <= {GRAD_PREFIX}, else its first {GRAD_PREFIX} "
                            "elements in row-major order (1-D) plus gradsummary.<name> = "
                            "[sum g, sum g^2, sum_i g_i * HashFill.unit(\"probe\", i)]",
        })
    path = os.path.join(HERE, f"{architecture}.safetensors")
    save({k: v.contiguous() for k, v in tensors.items()}, path, metadata)
    numbers["bytes"] = os.path.getsize(path)
    report[architecture] = numbers
    return model


def torchvision_header(path: str):
    """The JSON header of safetensors.torch.save_file(r2plus1d_18.state_dict()) (K = 11)."""
    model = torchvision.models.video.r2plus1d_18(weights=None, num_classes=CLASSES)
    with tempfile.TemporaryDirectory() as tmp:
        file = os.path.join(tmp, "r2plus1d_18.safetensors")
        save_file(model.state_dict(), file)
        with open(file, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = f.read(length)
    text = header.decode("utf-8").rstrip(" ")  # safetensors pads the header with spaces to 8 bytes
    parsed = json.loads(text)
    assert any(k.endswith("num_batches_tracked") and v["dtype"] == "I64" for k, v in parsed.items())
    assert len([k for k in parsed if k != "__metadata__"]) == len(model.state_dict())
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def save(tensors: dict, path: str, metadata: dict):
    """safetensors.torch.save_file, then the header rewritten with the metadata keys sorted:
    safetensors serialises metadata from a hash map, in a different order on every run, and
    regenerated files should be byte-identical. Tensor entries and data are left as written."""
    save_file(tensors, path, metadata=metadata)
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    header = {"__metadata__": header.pop("__metadata__"), **header}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    loaded = safetensors.torch.load_file(path)
    assert loaded.keys() == tensors.keys() and all(torch.equal(loaded[k], tensors[k]) for k in tensors), path


def write_input(x64: torch.Tensor):
    """input.safetensors: the clip every model file refers to (stored once: 192 KiB)."""
    metadata = {
        "formula": "input[i] = HashFill.unit(name: \"input\", index: i), i row-major over N×3×T×H×W; "
                   "exact in float32",
        "command": COMMAND,
        "torch": torch.__version__,
    }
    save({"input": x64.float().contiguous()}, os.path.join(HERE, "input.safetensors"), metadata)


def main():
    torch.manual_seed(0)  # nothing here is random; set anyway so any accident is reproducible
    x64 = make_input()
    write_input(x64)
    check_temporal_shift()
    equivalence = check_configurable_models(x64)
    print("configurable models vs torchvision (max |Δlogit|, float64):",
          ", ".join(f"{k} {v:.1e}" for k, v in equivalence.items()))
    report = {}
    for architecture in ARCHITECTURES:
        generate(architecture, x64, report)
        r = report[architecture]
        k = r["eval_kinks"]
        line = (f"{architecture:18s} params {r['parameters']:>9d}  max|logit| {r['max_abs_logit']:.3e}  "
                f"logit std {r['logit_std']:.2e}  top1 margin {r['top1_margin']:.2e}  "
                f"|∇x| {r['input_gradient_norm']:.3e}  f32 logits abs {r['float32_logits_abs']:.1e} "
                f"rel {r['float32_logits_rel']:.1e}  f32 ∇x abs {r['float32_input_gradient_abs']:.1e} "
                f"rel {r['float32_input_gradient_rel']:.1e}  relu margin {k['relu_margin']:.1e} "
                f"f32 flips {k['relu_sign_flips_float32']}/{k['maxpool_argmax_changes_float32']}  "
                f"{r['bytes'] / 1024:.0f} KiB")
        if "train_loss" in r:
            k = r["train_kinks"]
            line += (f"\n{'':18s} train loss {r['train_loss']:.6f}  |∇θ| {r['parameter_gradient_norm']:.3e}  "
                     f"f32 train logits rel {r['float32_train_logits_rel']:.1e}  f32 ∇θ median rel "
                     f"{r['float32_parameter_gradient_median_rel']:.1e} worst "
                     f"{r['float32_parameter_gradient_worst_rel']:.1e} ({r['float32_parameter_gradient_worst_tensor']})"
                     f"  relu margin {k['relu_margin']:.1e} f32 flips {k['relu_sign_flips_float32']}/"
                     f"{k['maxpool_argmax_changes_float32']}")
        print(line, flush=True)
    torchvision_header(os.path.join(HERE, "torchvision_r2plus1d_18_header.json"))
    with open(os.path.join(HERE, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "command": COMMAND,
                   "equivalence_max_abs_logit_difference": equivalence, "models": report}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE))
    print(f"Reference/networks: {total / 2**20:.2f} MiB")


if __name__ == "__main__":
    sys.exit(main())
