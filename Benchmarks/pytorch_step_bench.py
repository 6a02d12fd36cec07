#!/usr/bin/env python3
"""PyTorch peer timings for `vidattr bench perturbation`: the STEP loop of Li et al. (Li-TCSVT)
written in PyTorch on TorchRay's mask generator, as the authors run it.

Usage: python Benchmarks/pytorch_step_bench.py --model r2plus1d_18 --threads 2 --iterations 3
Prints one JSON line {"model", "shape", "areas", "torch_version", "threads", "iterations",
"seconds_per_iteration", "peak_rss_mb"}.

One iteration, for a clip x (1×3×T×H×W) and A areas optimised as one batch:
- masks from TorchRay's `MaskGenerator` (step 7, σ 11 at 112×112, scaled with the frame),
  one lattice per frame (A·T rows of ⌈H/7⌉×⌈W/7⌉ parameters, starting at 1);
- the per-frame blur pyramid of TorchRay's `imsmooth` (8 levels, σ_max 20), blended by the
  cropped masks as TorchRay's `Perturbation.apply`, rows regrouped into A clips A×3×T×H×W;
- the network on the A perturbed clips, reward −log p_c;
- the area loss: the padded masks of each area flattened over T×Hp×Wp, permuted by
  `torch.randperm`, sorted, squared distance to the ramp of ⌊|Ω|(1 − a)⌋ zeros, mean, ·λ_a;
- the core loss: `conv3d` with the 8×11×11 ellipsoid, stride (1, 11, 11), responses permuted and
  sorted descending, mean (R/ΣK − 1)² over the first n_K plus mean (R/ΣK)² over the rest, ·300;
- `backward`, `torch.optim.SGD(lr 0.05, momentum 0.9, dampening 0.9).step()`, clamp to [0, 1].
Median seconds over --iterations after one warm-up iteration. r2plus1d_18: torchvision's model,
random weights (seed 0), 11 classes; r2plus1d_mini: the benchmark's model built by
Reference/networks/generate_networks.py with the weights of Reference/models/r2plus1d_mini.safetensors.
"""
import argparse
import warnings
import json
import math
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchray.attribution.extremal_perturbation import MaskGenerator
from torchray.utils import imsmooth

HERE = os.path.dirname(os.path.abspath(__file__))
# TorchRay's MaskGenerator calls torch.meshgrid without `indexing`; the warning is not ours.
warnings.filterwarnings("ignore", message="torch.meshgrid")


def build(model_name):
    if model_name == "r2plus1d_18":
        torch.manual_seed(0)
        return torchvision.models.video.r2plus1d_18(weights=None, num_classes=11).eval()
    sys.path.insert(0, os.path.join(HERE, "..", "Reference", "networks"))
    import generate_networks as G
    from safetensors.torch import load_file
    model = G.build(model_name)
    state = load_file(os.path.join(HERE, "..", "Reference", "models", model_name + ".safetensors"))
    model.load_state_dict(state)
    return model.eval()


def ellipsoid(kt, s):
    grids = np.meshgrid(np.linspace(-1, 1, kt), np.linspace(-1, 1, s), np.linspace(-1, 1, s), indexing="ij")
    return torch.from_numpy((np.sqrt(sum(g ** 2 for g in grids)) <= 1)[None, None].astype(np.float32))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="r2plus1d_18")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=3)
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=112)
    p.add_argument("--areas", default="0.05,0.1,0.15,0.5")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = build(a.model)
    for q in model.parameters():
        q.requires_grad_(False)
    areas = [float(v) for v in a.areas.split(",")]
    A, T, S = len(areas), a.frames, a.size
    torch.manual_seed(1)
    x = torch.rand(1, 3, T, S, S) * 2 - 1
    target = 3
    scale = S / 112
    step, sigma = max(1, round(7 * scale)), 11 * scale
    core_size = max(1, round(11 * scale))

    frames = x[0].transpose(0, 1).contiguous()  # T×3×H×W
    levels = 8
    pyramid = torch.stack([imsmooth(frames, sigma=(1 - l / (levels - 1)) * 20) for l in range(levels)], dim=1)
    generator = MaskGenerator((S, S), step, sigma)
    h, w = generator.shape_in
    hp, wp = generator.shape_out
    lattice = torch.ones(A * T, 1, h, w, requires_grad=True)
    optimizer = torch.optim.SGD([lattice], lr=0.05, momentum=0.9, dampening=0.9)
    volume = T * hp * wp
    ramp = torch.ones(A, volume)
    for i, area in enumerate(areas):
        ramp[i, : int(volume * (1 - area))] = 0
    core = ellipsoid(8, core_size)
    core_sum = core.sum()
    nominal = int(8 * core_size * core_size * 0.5236)
    top = [math.ceil(area * T * hp * wp / nominal) for area in areas]

    def iteration(t):
        cropped, padded = generator.generate(lattice)  # A·T×1×H×W, A·T×1×Hp×Wp
        m = cropped * (levels - 1)
        k = m.floor()
        f = m - k
        k = k.long()
        y = pyramid.repeat(A, 1, 1, 1, 1)  # A·T×L×3×H×W
        kk = k.unsqueeze(1).expand(A * T, 1, 3, S, S)
        y0 = torch.gather(y, 1, kk)
        y1 = torch.gather(y, 1, torch.clamp(kk + 1, max=levels - 1))
        z = ((1 - f.unsqueeze(1)) * y0 + f.unsqueeze(1) * y1).squeeze(1)  # A·T×3×H×W
        clips = z.view(A, T, 3, S, S).transpose(1, 2)  # A×3×T×H×W
        reward = -F.log_softmax(model(clips), dim=1)[:, target]
        vol = padded.view(A, T, hp, wp).reshape(A, -1)
        vol = vol[:, torch.randperm(volume)].sort(dim=1)[0]
        area_loss = ((vol - ramp) ** 2).mean(dim=1) * (300 * 1.0008668 ** t)
        responses = F.conv3d(padded.view(A, T, 1, hp, wp).transpose(1, 2), core, stride=(1, core_size, core_size))
        responses = responses.view(A, -1)
        responses = responses[:, torch.randperm(responses.shape[1])].sort(dim=1, descending=True)[0] / core_sum
        core_loss = torch.stack([
            ((responses[i, : top[i]] - 1) ** 2).mean() + (responses[i, top[i]:] ** 2).mean() for i in range(A)])
        energy = (reward + area_loss + 300 * core_loss).sum()
        optimizer.zero_grad()
        energy.backward()
        optimizer.step()
        lattice.data = lattice.data.clamp(0, 1)

    iteration(0)
    times = []
    for t in range(1, a.iterations + 1):
        start = time.perf_counter()
        iteration(t)
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "model": a.model, "shape": f"1×3×{T}×{S}×{S}", "areas": areas, "torch_version": torch.__version__,
        "threads": torch.get_num_threads(), "iterations": a.iterations,
        "seconds_per_iteration": statistics.median(times),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
