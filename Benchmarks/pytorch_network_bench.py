#!/usr/bin/env python3
"""PyTorch peer timings for `vidattr bench networks`.

Usage: python Benchmarks/pytorch_network_bench.py --model r2plus1d_18 --threads 2 --repetitions 3
Prints one JSON line: {"model", "torch_version", "threads", "forward_s", "forward_backward_s",
"peak_rss_mb"}. torchvision's model with random weights (weights=None, num_classes=11), eval
mode, float32, input 1×3×16×112×112 (--frames, --size); forward under torch.no_grad();
forward+backward = the gradient of one logit with respect to the input. Median of
--repetitions after one warm-up. One model per process, so peak RSS is that model's.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torchvision


def median_seconds(fn, repetitions):
    fn()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=112)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models.video, a.model)(weights=None, num_classes=11).eval()
    x = torch.rand(1, 3, a.frames, a.size, a.size) * 2 - 1

    def forward():
        with torch.no_grad():
            model(x)

    def forward_backward():
        xi = x.clone().requires_grad_(True)
        model(xi)[0, 3].backward()

    f = median_seconds(forward, a.repetitions)
    fb = median_seconds(forward_backward, a.repetitions)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"model": a.model, "torch_version": torch.__version__, "threads": torch.get_num_threads(),
                      "forward_s": f, "forward_backward_s": fb, "peak_rss_mb": rss}), flush=True)


if __name__ == "__main__":
    main()
