# Shared set-up of the GPU scripts (run-gpu-checks.sh, run-nuner.sh); source it, do not run it.
# Before sourcing, set:   budget   seconds for the whole script (limit, remaining)
#                         out      the results folder (note appends to $out/gpu.txt)
# Functions:
#   gpu_unpack ARCHIVE     unpacks the archive of publish.sh into a fresh temporary folder and sets
#                          work (that folder), app (the published apps), bench (the bench executable),
#                          golden (the parity cases) and shared (the data folder the bench reads)
#   gpu_torch_env          points TorchSharp at PyTorch's libraries (python3's torch, else MEGALODON_LIBTORCH_DIR)
#                          and sets the .NET variables the GPU image needs; sets torchlib
#   gpu_describe DEVICE    writes the card, driver, PyTorch and library folder to $out/gpu.txt and sets card
#   gpu_begin ARCHIVE DEVICE  all of the above in order, after a fresh $out/gpu.txt and status=0; fails when a step does
#   remaining, limit CAP, note TEXT: the budget's seconds left, a step's time limit, a time-stamped note

remaining() { echo $(( budget - SECONDS )); }
# A step's time limit: its own cap, or what is left of the budget if that is less (at least 5 s).
limit() { local left; left=$(remaining); (( left < $1 )) && echo $(( left > 5 ? left : 5 )) || echo "$1"; }
note() { echo "[$(date +%H:%M:%S) +${SECONDS}s] $*" | tee -a "$out/gpu.txt"; }

gpu_unpack() {
  work=$(mktemp -d)
  tar -xJf "$1" -C "$work" || { echo "cannot unpack $1" >&2; return 1; }
  app=$work/megalodon-gpu/app
  bench=$app/Megalodon.Bench
  golden=$work/megalodon-gpu/golden
  shared=$work/megalodon-gpu/shared
}

gpu_torch_env() {
  torchlib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) \
    || torchlib=${MEGALODON_LIBTORCH_DIR:-}
  [[ -n $torchlib && -d $torchlib ]] || { echo "python3 cannot import torch and MEGALODON_LIBTORCH_DIR is not set" >&2; return 1; }
  export MEGALODON_LIBTORCH_DIR=$torchlib
  export LD_LIBRARY_PATH=$torchlib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1   # the GPU image may lack libicu; nothing here needs cultures
  export DOTNET_CLI_TELEMETRY_OPTOUT=1
}

gpu_describe() {
  {
    echo "# $(basename "$0"), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "device", torch.cuda.get_device_name(0))'
    echo "device $1"
    echo "MEGALODON_LIBTORCH_DIR=$torchlib"
  } >> "$out/gpu.txt" 2>&1
  card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  card=${card:-"no GPU ($1 dry run)"}
}

gpu_begin() {
  mkdir -p "$out"
  : > "$out/gpu.txt"
  status=0
  gpu_unpack "$1" && gpu_torch_env && gpu_describe "$2"
}
