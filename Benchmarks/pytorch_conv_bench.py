#!/usr/bin/env python3
"""PyTorch peer timings for `vidattr bench kernels`.

Reads {"specs": [{"key", "input", "weight", "stride", "padding", "dilation", "groups"}, ...]}
(JSON) on stdin and prints one JSON line per spec and direction:
  {"key": ..., "direction": "forward|backward_input|backward_weight", "seconds": …}
(the median of --repetitions timed calls, or with --statistic best the shortest, as the Swift
bench's `--statistic`; the calls are spread over --rounds passes through all specs, as the Swift
bench's `--rounds`, each pass making the tensors afresh and making one untimed call per spec and
direction before its timed ones)
after a first line {"torch_version": ..., "threads": ...}.

Forward is torch.nn.functional.conv3d; the backward passes are the ATen op autograd calls,
torch.ops.aten.convolution_backward, with output_mask selecting the input or the weight
gradient only (bias: none), so each direction is timed on its own, as in the Swift bench.
Float32, contiguous NCTHW tensors, torch.set_num_threads(--threads), no autograd graph.

Usage (the Swift bench runs it; by hand):
  echo '{"specs":[{"key":"k","input":[1,3,16,112,112],"weight":[45,3,1,7,7],"stride":[1,2,2],
        "padding":[0,3,3],"dilation":[1,1,1],"groups":1}]}' \
    | python Benchmarks/pytorch_conv_bench.py --threads 2 --repetitions 5 [--rounds 5] [--statistic best]
"""
import argparse
import json
import statistics
import sys
import time

import torch


def timed_calls(fn, calls):
    fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--statistic", choices=["median", "best"], default="median")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    request = json.load(sys.stdin)
    print(json.dumps({"torch_version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    rounds = max(1, min(args.rounds, args.repetitions))
    times = {}
    with torch.no_grad():
        for round_index in range(rounds):
            calls = args.repetitions // rounds + (1 if round_index < args.repetitions % rounds else 0)
            generator = torch.Generator().manual_seed(2024)
            for spec in request["specs"]:
                x = torch.rand(spec["input"], generator=generator) * 2 - 1
                w = (torch.rand(spec["weight"], generator=generator) * 2 - 1) * 0.1
                stride, padding, dilation = spec["stride"], spec["padding"], spec["dilation"]
                groups = spec["groups"]
                y = torch.nn.functional.conv3d(x, w, None, stride, padding, dilation, groups)
                dy = torch.rand(y.shape, generator=generator) * 2 - 1

                def forward():
                    torch.nn.functional.conv3d(x, w, None, stride, padding, dilation, groups)

                def backward(mask):
                    return lambda: torch.ops.aten.convolution_backward(
                        dy, x, w, None, stride, padding, dilation, False, [0, 0, 0], groups, mask)

                for direction, fn in (("forward", forward),
                                      ("backward_input", backward([True, False, False])),
                                      ("backward_weight", backward([False, True, False]))):
                    times.setdefault((spec["key"], direction), []).extend(timed_calls(fn, calls))
                del x, w, y, dy
    for (key, direction), samples in times.items():
        seconds = min(samples) if args.statistic == "best" else statistics.median(samples)
        print(json.dumps({"key": key, "direction": direction, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
