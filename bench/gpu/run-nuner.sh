#!/usr/bin/env bash
# The NuNER experiment (docs/nuner.md) on one GPU, on a machine with python3 + PyTorch (CUDA) and no .NET. It builds
# nothing: it unpacks the archive of bench/gpu/publish.sh (the published bench and the data folders crossner, wnut17
# and wikitext-2), points TorchSharp at PyTorch's libraries and runs, under one deadline of 330 s:
#   (1) a smoke run: `nuner --budget quick` with a few steps per stage on cuda (the step timing of --fit-seconds, every
#       stage, saving, zero-shot); when it fails, nothing else runs;
#   (2) `nuner --budget gpu` (250 s on an H200): MLM, the concept and MLM-only arms, few-shot k=4,16,64 x 3 seeds x
#       2 encoders on CrossNER music, WNUT-17 and zero-shot; killed at 300 s (the tables written until then still come
#       back). NUNER_ARGS="--fit-seconds S" instead times every kind of step on the card first and scales the MLM and
#       second-stage steps (one factor, x0.1 to x3, the two arms kept equal) so that the run fills about S seconds.
# Results (at most 8 files, for the device tool): gpu.txt smoke.log nuner.log nuner-summary.md nuner-timing.csv
#   nuner-pretraining.csv nuner-fewshot.csv nuner-fewshot-runs.csv
# Usage: bash bench/gpu/run-nuner.sh [ARCHIVE] [OUTDIR]
#   ARCHIVE default artifacts/gpu/megalodon-gpu.tar.xz; OUTDIR default $OUT, else artifacts/nuner-gpu-results.
#   NUNER_ARGS adds options to the main run without a rebuild; the last of a repeated option wins (e.g.
#   "--fit-seconds 200", or "--fit-seconds 0 --mlm-steps 1000 --concept-steps 500" for fixed steps).
#   GPU_CHECK_DRY_RUN=1 runs both steps on the CPU with the quick budget (libtorch from MEGALODON_LIBTORCH_DIR when
#   python3 has no torch; nvidia-smi optional), to test the script itself on a machine without a GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
archive=${1:-$root/artifacts/gpu/megalodon-gpu.tar.xz}
out=${2:-${OUT:-$root/artifacts/nuner-gpu-results}}
budget=330                                   # seconds for everything; give the device tool's call about 420
device=cuda
smoke_args=(--budget quick --mlm-steps 6 --concept-steps 6 --wnut-steps 4 --fewshot-max-steps 4 --fit-seconds 60)
main_args=(--budget gpu)
main_cap=300
if [[ ${GPU_CHECK_DRY_RUN:-0} == 1 ]]; then
  device=cpu main_args=(--budget quick --fit-seconds 100) main_cap=150
fi
# shellcheck disable=SC2206   # NUNER_ARGS is split into options on purpose
main_args+=(${NUNER_ARGS:-})
source "$(dirname "$0")/gpu-env.sh"   # gpu_begin (unpack, PyTorch's libraries, card), remaining, limit, note
gpu_begin "$archive" "$device" || exit 1
export MEGALODON_SHARED=$shared
note "card: $card; data: $(du -sh "$shared/data" | cut -f1) under $shared"

note "(1) smoke: nuner ${smoke_args[*]} --device $device"
timeout -k 5 "$(limit 90)" "$bench" nuner --device "$device" "${smoke_args[@]}" --out "$work/smoke" > "$out/smoke.log" 2>&1
rc=$?; note "smoke exit $rc"
if (( rc != 0 )); then
  tail -n 30 "$out/smoke.log"
  note "the smoke run failed: the main run is not started"
  rm -rf "$work"
  exit 1
fi

note "(2) nuner ${main_args[*]} --device $device (killed after $(limit "$main_cap") s)"
timeout -k 10 "$(limit "$main_cap")" "$bench" nuner --device "$device" "${main_args[@]}" --out "$work/nuner" 2>&1 | tee "$out/nuner.log"
rc=${PIPESTATUS[0]}; note "nuner exit $rc"; (( rc == 0 )) || status=1
for name in nuner-summary.md nuner-timing.csv nuner-pretraining.csv nuner-fewshot.csv nuner-fewshot-runs.csv; do
  [[ -f $work/nuner/$name ]] && cp "$work/nuner/$name" "$out/"
done
note "done in ${SECONDS}s, status $status; results: $(cd "$out" && ls | tr '\n' ' ')"
rm -rf "$work"
exit $status
