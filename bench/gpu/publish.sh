#!/usr/bin/env bash
# Builds what the GPU check needs, on a machine with .NET (no GPU needed), into one archive for a GPU machine that
# has python3 + PyTorch but no .NET:
#   - the bench (modes parity, train-bf16, mfu) and the megalodon CLI, published self-contained for linux-x64 with
#     -p:TorchBackend=none: TorchSharp's managed code and its small native shim, no libtorch package (libtorch_cpu
#     alone is ~460 MB); at run time MEGALODON_LIBTORCH_DIR points at PyTorch's own libraries;
#   - the golden parity cases;
#   - the data the nuner mode reads (data/crossner, data/wnut17, data/wikitext-2 of the shared folder next to the
#     golden cases, or MEGALODON_SHARED), under megalodon-gpu/shared/data;
#   - the GPU scripts (run-gpu-checks.sh, run-nuner.sh and their gpu-env.sh).
# Output: artifacts/gpu/megalodon-gpu.tar.xz (the only thing to carry to the GPU machine) and its size.
# Usage: bash bench/gpu/publish.sh [GOLDEN_DIR]   (default: shared/megalodon-golden beside the repository or a parent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$root/artifacts/gpu-publish          # the unpacked folder, kept for inspection; never carried
dest=$root/artifacts/gpu                   # the archive to carry
build=$root/artifacts/gpu-build            # separate bin/obj: a TorchBackend=none restore must not disturb normal builds

golden=${1:-}
if [[ -z $golden ]]; then
  dir=$root
  while [[ $dir != / ]]; do
    if [[ -d $dir/shared/megalodon-golden ]]; then golden=$dir/shared/megalodon-golden; break; fi
    dir=$(dirname "$dir")
  done
fi
[[ -n $golden && -d $golden ]] || { echo "publish.sh: golden cases not found; pass their folder" >&2; exit 1; }
shared=${MEGALODON_SHARED:-$(dirname "$golden")}
nuner_data=(crossner wnut17 wikitext-2)
for name in "${nuner_data[@]}"; do
  [[ -d $shared/data/$name ]] || { echo "publish.sh: $shared/data/$name not found (set MEGALODON_SHARED)" >&2; exit 1; }
done

rm -rf "$stage" "$dest"
mkdir -p "$stage/megalodon-gpu/app" "$dest"
for project in bench/Megalodon.Bench/Megalodon.Bench.csproj samples/Megalodon.Cli/Megalodon.Cli.csproj; do
  # Both apps share one folder: same runtime, same Megalodon.ML and TorchSharp; each has its own deps.json.
  dotnet publish "$root/$project" -c Release -r linux-x64 --self-contained true -p:TorchBackend=none \
    --artifacts-path "$build" -o "$stage/megalodon-gpu/app" -nologo -v quiet
done
if compgen -G "$stage/megalodon-gpu/app/libtorch*.so" > /dev/null; then
  echo "publish.sh: a libtorch library was published; TorchBackend=none should leave libtorch out" >&2; exit 1
fi
cp -r "$golden" "$stage/megalodon-gpu/golden"
mkdir -p "$stage/megalodon-gpu/shared/data"
for name in "${nuner_data[@]}"; do cp -r "$shared/data/$name" "$stage/megalodon-gpu/shared/data/"; done
cp "$root/bench/gpu/gpu-env.sh" "$root/bench/gpu/run-gpu-checks.sh" "$root/bench/gpu/run-nuner.sh" "$stage/megalodon-gpu/"
tar -C "$stage" -cJf "$dest/megalodon-gpu.tar.xz" megalodon-gpu

echo "published folder: $(du -sm "$stage/megalodon-gpu" | cut -f1) MiB ($(du -sm "$stage/megalodon-gpu/app" | cut -f1) MiB app, $(du -sm "$stage/megalodon-gpu/shared" | cut -f1) MiB data)"
echo "archive: $dest/megalodon-gpu.tar.xz, $(du -m "$dest/megalodon-gpu.tar.xz" | cut -f1) MiB (the device tool carries at most 64 MiB)"
