#!/usr/bin/env bash
# Every GPU check of issue 7 in one go, on a machine with an NVIDIA GPU, python3 + PyTorch (CUDA) and no .NET.
# It builds nothing: it unpacks the archive that bench/gpu/publish.sh made on a .NET machine, points TorchSharp at
# PyTorch's libraries (MEGALODON_LIBTORCH_DIR) and runs, under one deadline of 450 s:
#   (a) golden parity on cuda in fp32, default tolerances (bench mode parity, then `megalodon parity --device cuda`,
#       then the bench again with the fused attention kernel);
#   (b) a short bf16 training run on the bench config (bench mode train-bf16);
#   (c) forward+backward throughput and model-FLOPs utilisation of the reference 200M shape (vocab 32000, batch 1)
#       at 8K and 32K in bf16, next to the equal-size Llama, one process per model and length so that peak GPU
#       memory (nvidia-smi sampled every 100 ms, minus the idle reading) belongs to one measurement;
#   (d) time left over: a profile of Megalodon's step at each length (where the time goes).
# Results (at most 8 files, for the device tool): gpu.txt parity.log train-bf16.log mfu.log mfu.csv memory.csv summary.md
# profile.log
# Usage: bash bench/gpu/run-gpu-checks.sh [ARCHIVE] [OUTDIR]
#   ARCHIVE default artifacts/gpu/megalodon-gpu.tar.xz; OUTDIR default $OUT, else artifacts/gpu-results.
#   GPU_CHECK_DRY_RUN=1 runs the same steps on the CPU with tiny sizes (libtorch from MEGALODON_LIBTORCH_DIR when
#   python3 has no torch; nvidia-smi optional), to test the script itself on a machine without a GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
archive=${1:-$root/artifacts/gpu/megalodon-gpu.tar.xz}
out=${2:-${OUT:-$root/artifacts/gpu-results}}
budget=450                                   # seconds for everything; the device tool's call is given ~540
lengths=(8192 32768)
device=cuda preset=200m train_args=(--preset bench --lengths 2048 --batch 4 --steps 40)
if [[ ${GPU_CHECK_DRY_RUN:-0} == 1 ]]; then
  lengths=(128 256) device=cpu preset=tiny train_args=(--preset tiny --lengths 128 --batch 4 --steps 20)
fi
gpu_memory() { command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1 || echo 0; }
source "$(dirname "$0")/gpu-env.sh"   # gpu_begin (unpack, PyTorch's libraries, card), remaining, limit, note
gpu_begin "$archive" "$device" || exit 1
echo "preset $preset, lengths ${lengths[*]}" >> "$out/gpu.txt"
note "card: $card"

note "(a) golden parity on $device, fp32"
timeout -k 5 "$(limit 75)" "$bench" parity --device "$device" --golden "$golden" --out "$work/parity" > "$out/parity.log" 2>&1
rc=$?; note "parity exit $rc"; (( rc == 0 )) || status=1
# The same cases through the CLI verb, which users run.
timeout -k 5 "$(limit 45)" "$app/megalodon" parity "$golden" --device "$device" >> "$out/parity.log" 2>&1
rc=$?; note "megalodon parity --device $device exit $rc"; (( rc == 0 )) || status=1
timeout -k 5 "$(limit 45)" "$bench" parity --device "$device" --golden "$golden" --attention fused --out "$work/parity-fused" >> "$out/parity.log" 2>&1
rc=$?; note "parity with fused attention exit $rc"; (( rc == 0 )) || status=1

note "(b) bf16 training run, bench config"
timeout -k 5 "$(limit 90)" "$bench" train-bf16 --device "$device" "${train_args[@]}" \
  --out "$work/train" > "$out/train-bf16.log" 2>&1
rc=$?; note "train-bf16 exit $rc"; (( rc == 0 )) || status=1

note "(c) forward+backward throughput and MFU, 200M shape, bf16"
echo "model,length,peak MiB over idle,idle MiB,exit" > "$out/memory.csv"
: > "$out/mfu.log"
# One process per (label, model, length): peak device memory then belongs to one measurement.
run_mfu() {
  local label=$1 model=$2 length=$3; shift 3
  local idle rc peak sampler
  idle=$(gpu_memory)
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$work/mem-$label-$length.txt" &
  else
    echo 0 > "$work/mem-$label-$length.txt" & # dry run without a GPU: no device memory to sample
  fi
  sampler=$!
  timeout -k 5 "$(limit 70)" "$bench" mfu --device "$device" --precision bf16 --preset "$preset" --vocab 32000 --models "$model" \
    --lengths "$length" --runs 3 --warmup 1 --peak-tflops 989 --out "$work/mfu-$label-$length" "$@" >> "$out/mfu.log" 2>&1
  rc=$?
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  peak=$(sort -n "$work/mem-$label-$length.txt" | tail -1)
  echo "$label,$length,$(( ${peak:-$idle} - idle )),$idle,$rc" >> "$out/memory.csv"
  note "mfu $label L=$length exit $rc, peak $(( ${peak:-$idle} - idle )) MiB over idle"
  (( rc == 0 )) || status=1
}
for model in megalodon llama; do
  for length in "${lengths[@]}"; do run_mfu "$model" "$model" "$length"; done
done
# If time is left: both models at the shorter length with 4 sequences per step (bigger matmuls, higher utilisation);
# then Megalodon with the fused attention kernel and with the values in q-wide slices (FusedSplitValues, which
# flash attention can take), against the default explicit path, at the shorter length.
for model in megalodon llama; do
  if (( $(remaining) > 90 )); then run_mfu "$model-b4" "$model" "${lengths[0]}" --batch 4; fi
done
if (( $(remaining) > 90 )); then run_mfu megalodon-fused megalodon "${lengths[0]}" --attention fused; fi
if (( $(remaining) > 90 )); then run_mfu megalodon-split megalodon "${lengths[0]}" --attention split; fi

# (d) Where Megalodon's step time goes (bench mode profile: the whole model, its forward split at the layer taps,
# and every sub-computation timed alone at the model's shapes), if time is left.
note "(d) profile of the Megalodon step, bf16"
for length in "${lengths[@]}"; do
  if (( $(remaining) > 60 )); then
    timeout -k 5 "$(limit 120)" "$bench" profile --device "$device" --precision bf16 --preset "$preset" --vocab 32000 \
      --lengths "$length" --runs 3 --warmup 1 --out "$work/profile" >> "$out/profile.log" 2>&1
    rc=$?; note "profile L=$length exit $rc"; (( rc == 0 )) || status=1
  fi
done

# One CSV of every measurement, then a summary that puts throughput, MFU and memory side by side.
first=1
for csv in "$work"/mfu-megalodon-[0-9]*/mfu.csv "$work"/mfu-llama-[0-9]*/mfu.csv "$work"/mfu-*-b4-*/mfu.csv "$work"/mfu-megalodon-fused-*/mfu.csv "$work"/mfu-megalodon-split-*/mfu.csv; do
  [[ -f $csv ]] || continue
  if (( first )); then cat "$csv"; first=0; else tail -n +2 "$csv"; fi
done > "$out/mfu.csv"
python3 - "$out" "$card" <<'PY' || status=1
import csv, sys, os
out, card = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(os.path.join(out, "mfu.csv")))) if os.path.getsize(os.path.join(out, "mfu.csv")) else []
memory = {(r["model"], r["length"]): r for r in csv.DictReader(open(os.path.join(out, "memory.csv")))}
def key(row):
    model = row["model"]
    label = ("llama" if model.startswith("Llama") else "megalodon-fused" if "fused" in model
             else "megalodon-split" if "split" in model else "megalodon")
    if row.get("batch", "1") != "1": label += "-b" + row["batch"]
    return (label, row["length"])
lines = [f"# GPU check on {card}", "",
         "Forward+backward (no optimizer step), bf16 projections on fp32 master weights; peak memory is "
         "nvidia-smi's device reading (CUDA context and caching allocator included) minus the idle reading.", "",
         "| model | params | length | batch | tokens/s | MFU 6N % | MFU 6N+attention % | peak GPU MiB | status |", "|---|---|---|---|---|---|---|---|---|"]
tps, mem = {}, {}
for r in rows:
    m = memory.get(key(r), {})
    lines.append(f"| {r['model']} | {r['params']} | {r['length']} | {r.get('batch', '1')} | {r['tokens/s']} | {r['MFU 6N %']} | {r['MFU 6N+attention %']} | {m.get('peak MiB over idle', '?')} | {r['status']} |")
    try: tps[key(r)] = float(r["tokens/s"]); mem[key(r)] = float(m.get("peak MiB over idle", "nan"))
    except ValueError: pass
formula = next((l.strip() for l in open(os.path.join(out, "mfu.log")) if l.startswith("FLOPs per token")), "")
lines += ["", formula, "", "| length | Megalodon / Llama tokens/s | Megalodon / Llama peak memory |", "|---|---|---|"]
for length in sorted({k[1] for k in tps}, key=int):
    a, b = ("megalodon", length), ("llama", length)
    speed = f"{tps[a] / tps[b]:.2f}" if a in tps and b in tps and tps[b] > 0 else "-"
    peak = f"{mem[a] / mem[b]:.2f}" if a in mem and b in mem and mem[b] > 0 else "-"
    lines.append(f"| {length} | {speed} | {peak} |")
open(os.path.join(out, "summary.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
note "done in ${SECONDS}s, status $status"
rm -rf "$work"
exit $status
