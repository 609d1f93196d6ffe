#!/usr/bin/env bash
# The trust-dynamics probing experiment of docs/probing.md, end to end: pretrain a 12-layer byte-level Megalodon on the
# State of the Union addresses keeping 15 log-spaced checkpoints (step 0 and the midpoint included), probe every
# checkpoint and layer on four dimensions with 3 split seeds and their controls (majority class, untrained network,
# shuffled labels) and the nHSIC terms, steer the final model with the midpoint's vectors against a random direction
# (judged by a probe of another checkpoint and layer, and by a stock ML.NET text classifier on generations), then
# write report.md with the tables and the criteria.
# Sized for about 2.5 hours of one unshared core (6000 steps: about 1.5 h pretraining, 1 h probing and steering).
# Resumable: pretraining resumes from its last checkpoint (one every steps/24), each probed checkpoint and each steered
# set writes its file at once and is skipped by a rerun; so rerunning this same command continues an interrupted run.
# The report alone, on whatever has finished (same steps and folder):
#   dotnet run -c Release --project bench/Megalodon.Bench -- probing --part report --steps N --out DIR
# usage: bench/probing/run-experiment.sh [steps (default 6000)] [output folder (default runs/probing)] [extra bench options...]
# MEGALODON_SHARED names the shared folder holding data/ (default: ../shared beside the repository).
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-6000}"
out="${2:-runs/probing}"
shift $(( $# > 2 ? 2 : $# ))
mkdir -p "$out"
nice -n 10 dotnet build -c Release bench/Megalodon.Bench >/dev/null
echo "$(date -u '+%F %T') UTC: start (steps $steps), commit $(git rev-parse --short HEAD), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/times.log"
status=0
nice -n 19 dotnet run -c Release --no-build --project bench/Megalodon.Bench -- probing --threads 1 --steps "$steps" \
  --checkpoints 15 --probe-rows 1600 --mi-rows 512 --seeds 3 --steer-rows 200 --prompts 16 --gen-tokens 64 --out "$out" "$@" \
  >>"$out/experiment.log" 2>&1 || status=$?
echo "$(date -u '+%F %T') UTC: ended (exit $status), load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/times.log"
exit "$status"
