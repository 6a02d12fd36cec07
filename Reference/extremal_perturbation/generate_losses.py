#!/usr/bin/env python3
"""Reference vectors for the extremal-perturbation losses and the SGD step (Sources/Kernels:
SortedRampLoss, ExtremalCore / coreLoss, sgdStep).

Writes Reference/extremal_perturbation/losses.safetensors with, in float64:
- the area regulariser of TorchRay's `extremal_perturbation` (torchray/attribution/
  extremal_perturbation.py: `reference[i, :int(max_area * (1 - a))] = 0`, then
  `((mask.reshape(len(areas), -1).sort(dim=1)[0] - reference)**2).mean(dim=1)`), and the same
  formula over a whole clip (`vref` of Li et al.'s `video_perturbation`) and per frame (their
  commented-out `aref`), with autograd gradients;
- STEP's core loss as Li et al.'s `CoreLossCalulator` defines it (visual_meth/
  perturbation_area.py of shinkyo0513/Spatio-Temporal-Perturbations-for-Video-Attribution): the
  numpy-rasterised ellipsoid / cylinder kernels, n_K, `F.conv3d` responses, the descending sort
  and the two means, with autograd gradients; where their code gives NaN (n_K ≥ P) the
  package's finite definition is recorded beside it;
- trajectories of `torch.optim.SGD` (momentum with dampening, Nesterov with weight decay, plain),
  one with TorchRay's clamp of the parameter to [0, 1] after every step.

Random tie orders are replaced by permutations stored in the file, and every sort that meets
ties is `stable=True` (torch's default CPU sort is not stable: README.md).

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/extremal_perturbation/generate_losses.py

Written for this project; the peers' code was read to learn their exact formulas, not copied.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/extremal_perturbation/generate_losses.py'
torch.set_default_dtype(torch.float64)
OUT = {}
NOTES = {}


def uniform_mask(shape, seed):
    """Distinct values in [0, 1), exact in float32 (so the Float path reads the same numbers)."""
    g = np.random.default_rng(seed)
    return torch.from_numpy(g.random(shape).astype(np.float32).astype(np.float64))


def put(name, tensor):
    """Masks (names ending in `.mask`) are float32-exact and stored as float32 (half the size)."""
    t = tensor.detach().contiguous()
    OUT[name] = t.float() if name.endswith(".mask") and t.is_floating_point() else t


# ---------------------------------------------------------------------------------------------
# Area loss
# ---------------------------------------------------------------------------------------------

def ramp(n, area):
    """TorchRay's `reference` row: int(n * (1 - a)) zeros, then ones (float64 arithmetic)."""
    r = torch.ones(n)
    r[: int(np.int64(n) * (1 - area))] = 0
    return r


def area_loss(mask, areas, grouping, perm=None):
    """L per row and its autograd gradient. mask A×1×T×H×W. grouping 'clip' sorts each row
    (Li et al.'s vref, and TorchRay's image case with T = 1), 'frame' each frame (aref, mean over
    frames). perm: optional permutation applied to every group before a stable sort."""
    m = mask.clone().requires_grad_(True)
    a_count, _, t, h, w = m.shape
    groups = m.reshape(a_count, 1 if grouping == "clip" else t, -1)
    n = groups.shape[2]
    if perm is not None:
        groups = groups[:, :, perm]
    s = groups.sort(dim=2, stable=True)[0] if perm is not None else groups.sort(dim=2)[0]
    ref = torch.stack([ramp(n, a) for a in areas]).unsqueeze(1)
    loss = ((s - ref) ** 2).mean(dim=2).mean(dim=1)
    (grad,) = torch.autograd.grad(loss.sum(), m)
    return loss, grad


def area_cases():
    # TorchRay's image case: three areas as one batch, a 13×11 padded mask (T = 1).
    areas = [0.1, 0.33, 0.9]
    m = uniform_mask((3, 1, 1, 13, 11), 1)
    loss, grad = area_loss(m, areas, "clip")
    put("area.torchray.mask", m), put("area.torchray.areas", torch.tensor(areas))
    put("area.torchray.loss", loss), put("area.torchray.gradient", grad)

    # int(100 * (1 - 0.9)) = 9, not 10.
    m = uniform_mask((1, 1, 1, 10, 10), 2)
    loss, grad = area_loss(m, [0.9], "clip")
    put("area.rounding.mask", m), put("area.rounding.loss", loss), put("area.rounding.gradient", grad)
    NOTES["int(100 * (1 - 0.9))"] = int(100 * (1 - 0.9))

    # A clip: one budget per row (3D-EP) and one per frame (2D-EP), the same mask.
    areas = [0.15, 0.5]
    m = uniform_mask((2, 1, 4, 9, 7), 3)
    put("area.video.mask", m), put("area.video.areas", torch.tensor(areas))
    for grouping in ["clip", "frame"]:
        loss, grad = area_loss(m, areas, grouping)
        put(f"area.video.{grouping}.loss", loss), put(f"area.video.{grouping}.gradient", grad)

    # Ties: values from {0, ¼, ½, ¾, 1}, stable index order and a stored permutation.
    g = np.random.default_rng(4)
    m = torch.from_numpy(g.integers(0, 5, (2, 1, 3, 5, 4)) / 4.0)
    perm = torch.from_numpy(g.permutation(3 * 5 * 4))
    put("area.ties.mask", m), put("area.ties.permutation", perm)
    for grouping in ["clip", "frame"]:
        loss, grad = area_loss(m, [0.3, 0.55], grouping, perm=torch.arange(m[0].numel() if grouping == "clip" else 20))
        put(f"area.ties.{grouping}.stable.loss", loss), put(f"area.ties.{grouping}.stable.gradient", grad)
    loss, grad = area_loss(m, [0.3, 0.55], "clip", perm=perm)
    put("area.ties.clip.permuted.loss", loss), put("area.ties.clip.permuted.gradient", grad)
    frame_perm = torch.from_numpy(np.random.default_rng(5).permutation(20))
    put("area.ties.frame_permutation", frame_perm)
    loss, grad = area_loss(m, [0.3, 0.55], "frame", perm=frame_perm)
    put("area.ties.frame.permuted.loss", loss), put("area.ties.frame.permuted.gradient", grad)

    # Whether torch's default sort keeps ties in index order (it does not on CPU).
    x = torch.ones(1, 20000)
    NOTES["default torch.sort keeps 20000 equal values in index order"] = bool(
        (x.sort(dim=1)[1] == torch.arange(20000)).all())

    # Zero counts z = int(n * (1 - a)) against the exact floor.
    ns, as_, zs = [], [], []
    for n in [100, 143, 1000, 17956, 16 * 17956, 8 * 38 * 38, 3 * 7 * 7]:
        for a in [0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 1 / 3, 0.5, 0.7, 0.9, 0.95, 0.99]:
            ns.append(n), as_.append(a), zs.append(int(np.int64(n) * (1 - a)))
    put("area.zero_count.n", torch.tensor(ns, dtype=torch.int64))
    put("area.zero_count.area", torch.tensor(as_))
    put("area.zero_count.z", torch.tensor(zs, dtype=torch.int64))
    # The paper's settings: 16 frames of 134 × 134, areas 0.05, 0.1, 0.15, 0.5.
    NOTES["paper zero counts: clip z_vol, T·z_frame, difference"] = {
        str(a): [int(np.int64(16 * 17956) * (1 - a)), 16 * int(np.int64(17956) * (1 - a)),
                 int(np.int64(16 * 17956) * (1 - a)) - 16 * int(np.int64(17956) * (1 - a))]
        for a in [0.05, 0.1, 0.15, 0.5]}


# ---------------------------------------------------------------------------------------------
# Core loss, as Li et al.'s CoreLossCalulator
# ---------------------------------------------------------------------------------------------

def core_kernel(kt, s, shape):
    """np.meshgrid of np.linspace(-1, 1, d) per axis (indexing='ij'); the ellipsoid keeps
    sqrt(v1² + v2² + v3²) <= 1, the cylinder sqrt(v2² + v3²) <= 1."""
    v1, v2, v3 = np.meshgrid(np.linspace(-1, 1, kt), np.linspace(-1, 1, s), np.linspace(-1, 1, s), indexing="ij")
    dist = np.sqrt(v1 ** 2 + v2 ** 2 + v3 ** 2) if shape == "ellipsoid" else np.sqrt(v2 ** 2 + v3 ** 2)
    return torch.from_numpy((dist <= 1)[np.newaxis, np.newaxis, ...].astype(np.float64))


def nominal_volume(kt, s):
    return int(kt * s * s * 0.5236)


def n_k(area, t, h, w, kt, s):
    return math.ceil((area * t * h * w) / nominal_volume(kt, s))


def core_loss(mask, areas, kt, s, shape, perms=None, finite=False):
    """Per row: responses conv3d(m, K, stride (1, s, s)) / ΣK, sorted descending (after the
    row's permutation, stable), mean (R − 1)² over the first n_K plus mean R² over the rest.
    finite=False slices as the authors do (NaN when n_K ≥ P); finite=True uses n = min(n_K, P)
    and an empty second mean of 0 (the package's definition)."""
    m = mask.clone().requires_grad_(True)
    k = core_kernel(kt, s, shape)
    losses, responses = [], []
    for a, area in enumerate(areas):
        r = F.conv3d(m[a:a + 1], k, stride=(1, s, s)) / k.sum()
        responses.append(r.detach())
        flat = r.view(1, -1)
        p = flat.shape[1]
        perm = torch.arange(p) if perms is None else perms[a]
        ordered = flat[:, perm].sort(dim=1, descending=True, stable=True)[0]
        top = n_k(area, m.shape[2], m.shape[3], m.shape[4], kt, s)
        if finite and top >= p:
            losses.append(((ordered - 1) ** 2).mean(dim=1))
        else:
            losses.append(((ordered[:, :top] - 1) ** 2).mean(dim=1) + (ordered[:, top:] ** 2).mean(dim=1))
    loss = torch.cat(losses)
    (grad,) = torch.autograd.grad(loss.sum(), m)
    return loss, grad, torch.cat(responses)


def core_cases():
    # Kernels, ΣK and the nominal volume for the settings Li et al. ran (K_t 5, 8, 11, 14 with
    # s = 11) and small ones.
    sizes = [(8, 11), (5, 11), (11, 11), (14, 11), (1, 11), (2, 3), (3, 5), (4, 7), (6, 4), (1, 1)]
    volumes = {}
    for kt, s in sizes:
        for shape in ["ellipsoid", "cylinder"]:
            k = core_kernel(kt, s, shape)
            put(f"core.kernel.{shape}.{kt}x{s}", k[0, 0].to(torch.int64))
            volumes[f"{shape} {kt}x{s}"] = [int(k.sum()), nominal_volume(kt, s)]
    NOTES["core voxels and nominal volume"] = volumes
    e = core_kernel(1, 11, "ellipsoid")[0, 0, 0]
    NOTES["ellipsoid 8x11: voxels at (h, w) = (8, 9) and (2, 1) in its middle frames"] = [
        int(core_kernel(8, 11, "ellipsoid")[0, 0, 3, 8, 9]), int(core_kernel(8, 11, "ellipsoid")[0, 0, 3, 2, 1])]
    NOTES["ellipsoid 1x11 voxels"] = int(e.sum())

    # n_K at the paper's settings (16 × 134 × 134) and a few others.
    rows = []
    for t, h, w in [(16, 134, 134), (8, 38, 38), (5, 21, 22)]:
        for kt, s in [(8, 11), (5, 11), (3, 5)]:
            for area in [0.05, 0.1, 0.15, 0.5, 0.9]:
                rows.append([t, h, w, kt, s, area, n_k(area, t, h, w, kt, s)])
    put("core.n_k.table", torch.tensor(rows))
    NOTES["paper n_K (T 16, 134x134, K_t 8) for 0.05, 0.1, 0.15, 0.5"] = [
        n_k(a, 16, 134, 134, 8, 11) for a in [0.05, 0.1, 0.15, 0.5]]

    # A small case: core 3×5×5 on 5×21×22 (rows and columns left over), both shapes.
    areas = [0.1, 0.3, 0.6]
    m = uniform_mask((3, 1, 5, 21, 22), 6)
    put("core.small.mask", m), put("core.small.areas", torch.tensor(areas))
    for shape in ["ellipsoid", "cylinder"]:
        loss, grad, r = core_loss(m, areas, 3, 5, shape)
        put(f"core.small.{shape}.loss", loss), put(f"core.small.{shape}.gradient", grad)
        put(f"core.small.{shape}.responses", r)

    # The paper's core (8 × 11 × 11) on 9 × 24 × 24: P = 2·2·2 = 8, n_K(0.3) = 4.
    m = uniform_mask((1, 1, 9, 24, 24), 7)
    loss, grad, _ = core_loss(m, [0.3], 8, 11, "ellipsoid")
    put("core.paper.mask", m), put("core.paper.loss", loss), put("core.paper.gradient", grad)

    # n_K ≥ P: core 2×5×5 on 4×10×10, P = 12, n_K(0.9) = 14: NaN in the authors' code.
    m = uniform_mask((1, 1, 4, 10, 10), 8)
    loss, grad, _ = core_loss(m, [0.9], 2, 5, "ellipsoid")
    finite_loss, finite_grad, _ = core_loss(m, [0.9], 2, 5, "ellipsoid", finite=True)
    put("core.full.mask", m), put("core.full.authors_loss", loss)
    put("core.full.loss", finite_loss), put("core.full.gradient", finite_grad)
    NOTES["n_K >= P: authors' loss"] = str(float(loss[0].detach()))

    # Ties: a binary mask of whole cores (responses exactly 0 and 1, and partial overlaps),
    # each row with its own stored permutation (the authors draw one per area).
    k = core_kernel(3, 5, "ellipsoid")[0, 0]
    m = torch.zeros(2, 1, 6, 15, 15)
    for a, cells in enumerate([[(0, 0, 0), (3, 1, 1), (1, 2, 0)], [(0, 0, 2), (0, 2, 2), (2, 1, 0), (3, 2, 1)]]):
        for to, ho, wo in cells:
            m[a, 0, to:to + 3, 5 * ho:5 * ho + 5, 5 * wo:5 * wo + 5] += k
    m = m.clamp(max=1)
    g = np.random.default_rng(9)
    perms = [torch.from_numpy(g.permutation(4 * 3 * 3)) for _ in range(2)]
    loss, grad, r = core_loss(m, [0.05, 0.12], 3, 5, "ellipsoid", perms=perms)
    put("core.ties.mask", m), put("core.ties.permutations", torch.stack(perms))
    put("core.ties.loss", loss), put("core.ties.gradient", grad)
    NOTES["core ties: n_K per row"] = [n_k(a, 6, 15, 15, 3, 5) for a in [0.05, 0.12]]


# ---------------------------------------------------------------------------------------------
# SGD trajectories
# ---------------------------------------------------------------------------------------------

SGD_SETTINGS = {
    "li": dict(lr=0.05, momentum=0.9, dampening=0.9),
    "torchray_clamped": dict(lr=0.01, momentum=0.9, dampening=0.9),
    "nesterov": dict(lr=0.1, momentum=0.8, dampening=0.0, weight_decay=0.05, nesterov=True),
    "plain": dict(lr=0.2, momentum=0.0, weight_decay=0.1),
}


def sgd_cases(steps=6):
    g = np.random.default_rng(10)
    p0 = torch.from_numpy(g.random((2, 1, 2, 3, 3)))
    grads = torch.from_numpy(g.normal(size=(steps, 2, 1, 2, 3, 3)))
    put("sgd.p0", p0), put("sgd.gradients", grads)
    for name, settings in SGD_SETTINGS.items():
        p = p0.clone().requires_grad_(True)
        opt = torch.optim.SGD([p], **settings)
        params, buffers = [], []
        for k in range(steps):
            opt.zero_grad()
            p.grad = grads[k].clone()
            opt.step()
            if name == "torchray_clamped":
                p.data = p.data.clamp(0, 1)  # TorchRay: pmask.data = pmask.data.clamp(0, 1)
            params.append(p.detach().clone())
            buf = opt.state[p].get("momentum_buffer")
            buffers.append(torch.zeros_like(p0) if buf is None else buf.clone())
        put(f"sgd.{name}.parameters", torch.stack(params))
        put(f"sgd.{name}.buffers", torch.stack(buffers))
    NOTES["sgd settings"] = SGD_SETTINGS


def main():
    area_cases()
    core_cases()
    sgd_cases()
    path = os.path.join(HERE, "losses.safetensors")
    metadata = {
        "command": COMMAND, "torch": torch.__version__, "numpy": np.__version__,
        "notes": json.dumps(NOTES, sort_keys=True),
    }
    save_file(OUT, path, metadata)
    with open(os.path.join(HERE, "losses_notes.json"), "w") as f:
        json.dump(NOTES, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(NOTES, indent=1, sort_keys=True))
    print(f"wrote {path}: {os.path.getsize(path)} bytes, {len(OUT)} tensors")


if __name__ == "__main__":
    main()
