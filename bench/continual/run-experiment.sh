#!/usr/bin/env bash
# The continual pre-training experiment (docs/continual.md) in two processes of one torch thread each: first the two
# D0 runs side by side, then the weak-shift and strong-shift rows side by side, then the tables. A finished row is
# never trained again, so rerunning this after a crash resumes where it stopped.
#   usage: bench/continual/run-experiment.sh [steps-per-budget (default 800)] [output folder (default runs/continual)]
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-800}"
out="${2:-runs/continual}"
mkdir -p "$out"
dotnet build -c Release bench/Megalodon.Bench >/dev/null
bench=(dotnet run -c Release --no-build --project bench/Megalodon.Bench -- continual --threads 1 --steps "$steps" --out "$out")
run_pair() {
    "${bench[@]}" --part "$1" >"$out/$1.log" 2>&1 & first=$!
    "${bench[@]}" --part "$2" >"$out/$2.log" 2>&1 & second=$!
    wait "$first"; wait "$second"
}
start=$(date +%s)
run_pair d0 d0-inf
run_pair weak strong
"${bench[@]}" --part report | tee "$out/report.md"
echo "wall time: $(( ($(date +%s) - start) / 60 )) min; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/report.md"
