#!/usr/bin/env python3
"""PyTorch peer timing for `vidattr bench evaluation`: one insertion curve.

Usage: python Benchmarks/pytorch_insertion_bench.py --data DIR --threads 2 --steps 128 --block 7 --batch 8
Prints one JSON line {"seconds", "cpu_seconds", "peak_rss_mb", "auc", "curve", "torch_version", "threads"}.

DIR holds what `vidattr bench evaluation` wrote: weights.safetensors (torchvision r2plus1d_18,
11 classes, state_dict() names), clip.safetensors (`input` 1x3xTxHxW) and map.safetensors (`map`
1x1xTxHxW). The curve is the one VideoAttribution computes (Sources/Evaluation/InsertionDeletion.swift),
written here the way a PyTorch user would, in the style of Li et al.'s `CausalMetric.evaluate`:
- units: k x k blocks of each frame, importance = the block's mean (avg_pool2d, ceil_mode for
  narrower edge blocks), ranked most relevant first (stable sort, ties by unit number);
- s = ceil(U / steps) units per step, m = ceil(U / s) steps, curve p_0 .. p_m;
- step j shows the clip on the units of ranks < j*s and the fade base (0) elsewhere;
- the perturbed clips go through the network `--batch` at a time under torch.no_grad(), eval mode;
- p = softmax(logits)[target 3]; AUC = (sum p - (p_0 + p_m)/2) / m.
Median of --repetitions after a warm-up pass of one batch (wall and process CPU time, all
threads); peak RSS of this process.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision
from safetensors.torch import load_file

TARGET = 3


def insertion_curve(model, x, saliency, steps, block, batch):
    _, c, t, h, w = x.shape
    pooled = F.avg_pool2d(saliency.reshape(t, 1, h, w), block, stride=block, ceil_mode=True)  # T x 1 x h' x w'
    rows, cols = pooled.shape[-2:]
    units = t * rows * cols
    order = torch.argsort(-pooled.reshape(-1), stable=True)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(units)
    per_step = math.ceil(units / steps)
    m = math.ceil(units / per_step)
    first = (rank // per_step + 1).reshape(t, rows, cols)  # step at which each block appears
    first = first.repeat_interleave(block, 1).repeat_interleave(block, 2)[:, :h, :w]  # T x H x W
    base = torch.zeros_like(x)
    curve = []
    with torch.no_grad():
        for start in range(0, m + 1, batch):
            ks = torch.arange(start, min(m, start + batch - 1) + 1)
            mask = (first.unsqueeze(0) <= ks.view(-1, 1, 1, 1)).unsqueeze(1)  # B x 1 x T x H x W
            z = torch.where(mask, x, base)
            p = torch.softmax(model(z), dim=1)[:, TARGET]
            curve += p.tolist()
    auc = (sum(curve) - (curve[0] + curve[-1]) / 2) / (len(curve) - 1)
    return curve, auc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=128)
    p.add_argument("--block", type=int, default=7)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--repetitions", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = torchvision.models.video.r2plus1d_18(weights=None, num_classes=11).eval()
    state = load_file(f"{a.data}/weights.safetensors")
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    x = load_file(f"{a.data}/clip.safetensors")["input"]
    saliency = load_file(f"{a.data}/map.safetensors")["map"]

    with torch.no_grad():
        model(torch.cat([x] * a.batch))  # warm-up: one pass of a batch
    times, cpu = [], []
    for _ in range(max(a.repetitions, 1)):
        start, start_cpu = time.perf_counter(), time.process_time()
        curve, auc = insertion_curve(model, x, saliency, a.steps, a.block, a.batch)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": statistics.median(times), "cpu_seconds": statistics.median(cpu),
                      "peak_rss_mb": rss, "auc": auc, "curve": curve,
                      "torch_version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
