#!/usr/bin/env bash
# Trains the built-in benchmark's model zoo (Reference/models/<arch>.safetensors) with the
# exact commands recorded in Reference/models/README.md. Release build, 2 cores, 2–10 minutes
# per model. Each run prints a JSON summary (training time, test accuracy overall and per
# class) that is kept beside the weights as <arch>.json; the weights file's metadata records
# the same.
#
#   Reference/models/train.sh                 # the whole zoo (about 27 minutes)
#   Reference/models/train.sh tsm_mini …      # selected models
#
# Settings (README.md explains each): the 3-D models converge in 10 epochs at Adam's default
# rate here (0.002, cosine); TSM, whose stem and max pool bring 32×32 frames down to 8×8 at
# once, needs 30 epochs at about a third of the cost per epoch; the CNN-LSTM 40 epochs at
# 0.004 with the ReLU-LSTM cell of Li et al.'s R50L; the per-frame baseline tsn_mini 10 epochs
# (it only has to show where it stays at chance). r3d_mini_permuted_labels is r3d_mini trained
# on permuted labels (Adebayo et al.'s data randomisation, used by the sanity checks): 550
# training clips so that it can memorise them in 60 epochs.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release
V=.build/release/vidattr
out=Reference/models
# The architecture of a zoo entry (its name up to the first suffix after "_mini").
architecture() { echo "${1%%_mini*}_mini"; }
settings() {
  case $1 in
    r3d_mini_permuted_labels) echo "--epochs 60 --videos 550 --permute-labels 1" ;;
    r3d_mini | r2plus1d_mini | mc3_mini | tsn_mini) echo "--epochs 10" ;;
    tsm_mini) echo "--epochs 30" ;;
    cnn_lstm_mini) echo "--epochs 40 --learning-rate 0.004 --lstm-activation relu" ;;
    *) echo "train.sh: no recorded settings for '$1' (r3d_mini r2plus1d_mini tsm_mini cnn_lstm_mini tsn_mini r3d_mini_permuted_labels)" >&2; return 1 ;;
  esac
}
train() {
  local arch=$1 args
  args=$(settings "$arch")
  # shellcheck disable=SC2086
  "$V" train --model "$(architecture "$arch")" $args --seed 1 --output "$out/$arch.safetensors" >"$out/$arch.json.tmp"
  mv "$out/$arch.json.tmp" "$out/$arch.json"
  cat "$out/$arch.json"
}
if [ $# -eq 0 ]; then set -- r3d_mini r2plus1d_mini tsm_mini cnn_lstm_mini tsn_mini; fi
for arch in "$@"; do train "$arch"; done
