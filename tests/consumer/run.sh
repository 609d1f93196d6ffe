#!/usr/bin/env bash
# Consumer test: uses Megalodon as a new user would, from packages only (no project reference).
#   1. `dotnet pack` Megalodon.ML, Megalodon.ML.Transforms and the megalodon tool (this machine's platform) into a
#      local folder feed, with a unique version (VersionSuffix ci.<time>) so no cached package is ever reused;
#      then checks their contents (metadata, readme, XML docs, symbols, dependency ranges, the tool's layout);
#   2. for Microsoft.ML 6.0.0 and 5.0.1: a fresh console app in a temporary folder (its nuget.config adds the folder
#      feed to the machine's own sources), TreatWarningsAsErrors, TorchSharp-cpu as its backend, Program.cs from this
#      folder; build; `fit` (tiny pretraining on a few strings, Save); `predict` in a new process (Load,
#      PredictionEngine, same score as the fitting process saw);
#   3. `dotnet tool install` of megalodon from the feed, `megalodon --help`, and `megalodon generate` on the model
#      the first app saved.
# Prints one line per check and "consumer: N passed, M failed"; exits 1 when any check failed.
# Usage: bash tests/consumer/run.sh [KEEP_DIR]   (a folder to work in and keep; default: a temporary one, removed)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/consumer
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/megalodon-consumer.XXXXXX")}
keep=${1:+yes}
mkdir -p "$work"
feed=$work/feed
version_prefix=$(sed -nE 's#.*<VersionPrefix>([^<]+)</VersionPrefix>.*#\1#p' "$root/Directory.Build.props")
suffix=ci.$(date -u +%Y%m%d%H%M%S)
version=$version_prefix-$suffix
rid=$(dotnet --info | sed -nE 's/^ *RID: *([^ ]+).*/\1/p' | head -n 1)
passed=0 failed=0
declare -a mlnet_versions=(6.0.0 5.0.1)

# check NAME COMMAND...: runs it with its output in $work/logs/NAME.log; prints the log's tail when it fails.
mkdir -p "$work/logs"
check() {
  local name=$1; shift
  local log=$work/logs/$name.log start=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "consumer check $name: passed ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); echo "consumer check $name: FAILED ($((SECONDS - start)) s), last lines of $log:"; tail -n 25 "$log"
  fi
}

pack_all() {
  dotnet pack "$root/Megalodon.ML/Megalodon.ML.csproj" -c Release -p:VersionSuffix="$suffix" -o "$feed" -nologo &&
  dotnet pack "$root/Megalodon.ML.Transforms/Megalodon.ML.Transforms.csproj" -c Release -p:VersionSuffix="$suffix" -o "$feed" -nologo &&
  dotnet pack "$root/samples/Megalodon.Cli/Megalodon.Cli.csproj" -c Release -p:VersionSuffix="$suffix" \
    -p:ToolPackageRuntimeIdentifiers="$rid" -o "$feed" -nologo
}

# new_app DIR MLNET_VERSION: a console app as the README's "Use it in your app" describes it.
new_app() {
  local dir=$1 mlnet=$2
  mkdir -p "$dir"
  cat >"$dir/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="megalodon-local" value="$feed" />
  </packageSources>
</configuration>
XML
  cat >"$dir/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <GenerateDocumentationFile>true</GenerateDocumentationFile>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML" Version="$mlnet" />
    <PackageReference Include="Megalodon.ML.Transforms" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
  </ItemGroup>
</Project>
XML
  cp "$here/Program.cs" "$dir/Program.cs"
  dotnet build "$dir/Consumer.csproj" -c Release -o "$dir/out" -nologo
}

mlnet_is() { grep -qE "^Microsoft.ML $1([+]|$)" "$2"; }

# nuspec_has PACKAGE TEXT...: the package's .nuspec contains every TEXT (fixed strings).
nuspec_has() {
  local nuspec text
  nuspec=$(unzip -p "$1" '*.nuspec') || return 1
  for text in "${@:2}"; do
    grep -qF -- "$text" <<<"$nuspec" || { echo "$(basename "$1"): the nuspec lacks: $text"; return 1; }
  done
}

# has_entries PACKAGE PATH...: the package (a zip) holds every PATH.
has_entries() {
  local entries path
  entries=$(unzip -Z1 "$1") || return 1
  for path in "${@:2}"; do
    grep -qxF -- "$path" <<<"$entries" || { echo "$(basename "$1"): no $path"; return 1; }
  done
}

# The packages carry what the README's "Packages" promises: version, licence, readme, description, XML docs,
# symbols; the library's dependency ranges (Microsoft.ML [5.0.1, 7.0.0), Tokenizers 3.0.0, TorchSharp without a
# libtorch); the tool as a DotnetTool package with this platform's build inside.
packages_are_complete() {
  local id nupkg
  for id in Megalodon.ML Megalodon.ML.Transforms; do
    nupkg=$feed/$id.$version.nupkg
    nuspec_has "$nupkg" "<id>$id</id>" "<version>$version</version>" '<license type="expression">MIT</license>' \
      '<readme>README.md</readme>' '<description>' '<authors>' &&
    has_entries "$nupkg" README.md "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" &&
    has_entries "$feed/$id.$version.snupkg" "lib/net10.0/$id.pdb" || return 1
    if unzip -p "$nupkg" '*.nuspec' | grep -qE 'id="TorchSharp-(cpu|cuda)'; then echo "$id depends on a libtorch package"; return 1; fi
  done
  nuspec_has "$feed/Megalodon.ML.$version.nupkg" '<dependency id="TorchSharp" version="0.107.0"' \
    '<dependency id="Microsoft.ML.Tokenizers" version="3.0.0"' &&
  nuspec_has "$feed/Megalodon.ML.Transforms.$version.nupkg" '<dependency id="Microsoft.ML" version="[5.0.1, 7.0.0)"' \
    "<dependency id=\"Megalodon.ML\" version=\"$version\"" &&
  nuspec_has "$feed/megalodon.$version.nupkg" '<packageType name="DotnetTool"' '<license type="expression">MIT</license>' &&
  has_entries "$feed/megalodon.$rid.$version.nupkg" "tools/net10.0/$rid/megalodon.dll" "tools/net10.0/$rid/megalodon.pdb" \
    "tools/net10.0/$rid/Megalodon.ML.dll" "tools/net10.0/$rid/Megalodon.ML.Transforms.dll"
}

echo "consumer: version $version, platform $rid, work folder $work"
check pack pack_all
echo "packages:"; ls -1 "$feed" 2>/dev/null | sed 's/^/  /'
check package-contents packages_are_complete
for mlnet in "${mlnet_versions[@]}"; do
  app=$work/app-mlnet-$mlnet
  check "build-mlnet-$mlnet" new_app "$app" "$mlnet"
  check "fit-mlnet-$mlnet" dotnet "$app/out/Consumer.dll" fit "$app/model.zip"
  check "predict-mlnet-$mlnet" dotnet "$app/out/Consumer.dll" predict "$app/model.zip"
  # The app really ran on the Microsoft.ML it asked for (the informational version the app prints).
  check "loaded-mlnet-$mlnet" mlnet_is "$mlnet" "$work/logs/predict-mlnet-$mlnet.log"
  grep -hE '^(fit|predict):' "$work/logs/fit-mlnet-$mlnet.log" "$work/logs/predict-mlnet-$mlnet.log" 2>/dev/null | sed 's/^/  /'
done

tools=$work/tools
check tool-install dotnet tool install --tool-path "$tools" --add-source "$feed" megalodon --version "$version"
check tool-help "$tools/megalodon" --help
check tool-generate "$tools/megalodon" generate --model "$work/app-mlnet-${mlnet_versions[0]}/model.zip" --prompt "The quick" --max-tokens 8 --seed 1
echo "  megalodon generate wrote $(wc -c <"$work/logs/tool-generate.log" 2>/dev/null || echo 0) bytes (a 4-step model: the text itself is noise)"

# The unique version must not stay in the machine's package cache.
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
for id in megalodon.ml megalodon.ml.transforms megalodon "megalodon.$rid"; do
  [ -n "$packages" ] && rm -rf "${packages%/}/$id/$version"
done
# Each app folder and the tool hold a libtorch (~600 MB): a temporary work folder goes, or keeps only its logs and
# packages after a failure.
if [ -z "$keep" ]; then
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else rm -rf "$work"/app-* "$tools"; echo "consumer: logs and packages kept in $work"; fi
fi

echo "consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
