#!/usr/bin/env bash
# Trains the built-in benchmark's model zoo (Reference/models/<arch>.safetensors) with the
# exact commands recorded in Reference/models/README.md. Release build, 2 cores, about
# 7–10 minutes per model. Each run prints a JSON summary (training time, test accuracy
# overall and per class) that the README copies; the weights file's metadata records the same.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release
V=.build/release/vidattr
out=Reference/models
for arch in r3d_mini r2plus1d_mini tsm_mini cnn_lstm_mini tsn_mini; do
  "$V" train --model "$arch" --epochs 10 --seed 1 --output "$out/$arch.safetensors" | tee "$out/$arch.json"
done
