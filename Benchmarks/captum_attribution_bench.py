#!/usr/bin/env python3
"""Captum peer timings for `vidattr bench attribution`.

Usage: python Benchmarks/captum_attribution_bench.py --method ig|grad_cam --threads 2 --repetitions 1
Prints one JSON line {"method", "captum_version", "torch_version", "threads", "seconds", "peak_rss_mb"}.
torchvision r2plus1d_18 (weights=None, num_classes=11), eval, float32, input 1×3×16×112×112
(--frames, --size), target class 3.
- ig: captum.attr.IntegratedGradients(model).attribute(x, target=3, baselines=black clip,
  n_steps=--steps (25), method="riemann_left") — Li et al.'s settings; Captum's default
  internal_batch_size (all steps in one batch).
- grad_cam: captum.attr.LayerGradCam(model, model.layer4).attribute(x, target=3), then
  LayerAttribution.interpolate(..., (T, H, W), "trilinear") to the clip's size.
Median of --repetitions after one warm-up; one method per process, so peak RSS is that run's.
"""
import argparse
import json
import resource
import statistics
import time

import captum
import torch
import torchvision
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam

MEAN = (0.43216, 0.394666, 0.37645)
STD = (0.22803, 0.22145, 0.216989)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", required=True, choices=["ig", "grad_cam"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repetitions", type=int, default=1)
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=112)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = torchvision.models.video.r2plus1d_18(weights=None, num_classes=11).eval()
    x = torch.rand(1, 3, a.frames, a.size, a.size) * 2 - 1
    black = torch.tensor([(0 - m) / s for m, s in zip(MEAN, STD)]).view(1, 3, 1, 1, 1).expand_as(x).contiguous()

    if a.method == "ig":
        ig = IntegratedGradients(model)

        def run():
            ig.attribute(x, target=3, baselines=black, n_steps=a.steps, method="riemann_left")
    else:
        gc = LayerGradCam(model, model.layer4)

        def run():
            m = gc.attribute(x, target=3)
            LayerAttribution.interpolate(m, (a.frames, a.size, a.size), "trilinear")

    run()
    times = []
    for _ in range(a.repetitions):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": a.method, "captum_version": captum.__version__, "torch_version": torch.__version__,
                      "threads": torch.get_num_threads(), "seconds": statistics.median(times),
                      "peak_rss_mb": rss}), flush=True)


if __name__ == "__main__":
    main()
