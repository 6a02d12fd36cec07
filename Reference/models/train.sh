#!/usr/bin/env bash
# Trains the built-in benchmark's model zoo (Reference/models/<arch>.safetensors) with the
# exact commands recorded in Reference/models/README.md. Release build, 2 cores, 4–10 minutes
# per model. Each run prints a JSON summary (training time, test accuracy overall and per
# class) that the README copies; the weights file's metadata records the same.
#
# The 3-D models converge in 10 epochs; the 2-D ones (TSM, CNN-LSTM and the per-frame
# baseline), whose stem and max pool bring 32×32 frames down to 8×8 at once, need 30 epochs at
# about a third of the cost per epoch.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release
V=.build/release/vidattr
out=Reference/models
train() {
  local arch=$1 epochs=$2
  "$V" train --model "$arch" --epochs "$epochs" --seed 1 --output "$out/$arch.safetensors" | tee "$out/$arch.json"
}
if [ $# -gt 0 ]; then
  for arch in "$@"; do
    case $arch in r3d_mini|r2plus1d_mini|mc3_mini) train "$arch" 10 ;; *) train "$arch" 30 ;; esac
  done
  exit 0
fi
train r3d_mini 10
train r2plus1d_mini 10
train tsm_mini 30
train cnn_lstm_mini 30
train tsn_mini 30
