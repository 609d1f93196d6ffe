#!/usr/bin/env bash
# Issue 18's experiment (docs/nuner.md, "Experiment that isolates concept-contrastive pretraining") on this machine's CPU:
# builds the bench, then runs `nuner-arms --budget cpu` at nice -n 19 in the background, output and log under OUTDIR.
# Resumable: run the same command again; finished encoders and cells in OUTDIR are kept and skipped, pretraining resumes
# from its latest checkpoint.  Usage: bash bench/nuner/run-experiment.sh [OUTDIR] [extra bench options]
#   OUTDIR default /work/runs/nuner; e.g. `--budget quick` for a smoke run, `--target wnut17`, `--extra-concepts FILE`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/work/runs/nuner}; shift || true
export MEGALODON_SHARED=${MEGALODON_SHARED:-$(cd "$root/.." && pwd)/shared}
nice -n 10 dotnet build -c Release "$root/bench/Megalodon.Bench" > /dev/null
mkdir -p "$out"
nohup nice -n 19 dotnet "$root/artifacts/bin/Megalodon.Bench/release/Megalodon.Bench.dll" nuner-arms --budget cpu --threads 1 --out "$out" "$@" >> "$out/run.log" 2>&1 &
echo "started (pid $!); log $out/run.log; summary $out/nuner-arms-summary.md"
