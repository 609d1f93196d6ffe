#!/usr/bin/env bash
# The continual pre-training experiment of docs/continual.md: every row with every seed, by two worker processes of
# one torch thread each sharing the output folder, then the report (tables with mean ± std, criteria, curves).
# Resumable: each finished run writes its result file at once and is skipped by a rerun, a pretraining run resumes
# from its last checkpoint, and a run a dead worker had taken is free again; so rerunning this same command continues
# an interrupted experiment. The report alone, on whatever has finished:
#   dotnet run -c Release --project bench/Megalodon.Bench -- continual --part report --steps N --seeds K --out DIR
#   usage: bench/continual/run-experiment.sh [steps-per-budget (default 500)] [output folder (default runs/continual)] [seeds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-500}"
out="${2:-runs/continual}"
seeds="${3:-3}"
mkdir -p "$out"
dotnet build -c Release bench/Megalodon.Bench >/dev/null
bench=(dotnet run -c Release --no-build --project bench/Megalodon.Bench -- continual --threads 1 --steps "$steps" --seeds "$seeds" --out "$out")
start=$(date +%s)
echo "$(date -u '+%F %T') UTC: start, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/times.log"
"${bench[@]}" --part worker >>"$out/worker-1.log" 2>&1 & first=$!
sleep 20 # the first worker takes the first run; the second one then starts on the next
"${bench[@]}" --part worker >>"$out/worker-2.log" 2>&1 & second=$!
status=0
wait "$first" || status=$?
wait "$second" || status=$?
"${bench[@]}" --part report | tee "$out/report.md"
echo "$(date -u '+%F %T') UTC: workers ended (exit $status) after $(( ($(date +%s) - start) / 60 )) min; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/times.log" "$out/report.md"
exit "$status"
