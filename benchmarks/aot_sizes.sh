#!/usr/bin/env bash
# Sizes and compile times of AOT artifacts (BENCHMARKS.md, "Ahead-of-time
# artifacts"). Run from the repository root after a Release build:
#   benchmarks/aot_sizes.sh [build-dir]
# Model code is measured with --weights=file, so that the object holds code
# only (.text; the weights are .bss, filled at init from <model>.weights).
set -euo pipefail
build=${1:-build}
gen=$build/bin/kiln-aot-test-generator
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "runtime library (text+data+bss of each member, then file size):"
for lib in "$build/lib/libkiln_runtime_aot.a" \
           "$build/tests/aot/aarch64/runtime/lib/libkiln_runtime_aot.a"; do
  [ -f "$lib" ] || continue
  size "$lib" | awk -v f="$lib" 'NR > 1 {t += $1; d += $2; b += $3}
    END {printf "  %s: text %d, data %d, bss %d", f, t, d, b}'
  echo ", file $(stat -c %s "$lib") bytes"
done

echo "model code (weights in a file), compile time:"
printf "  %-7s %-18s %-13s %10s %12s %10s\n" model target cpu ".text" weights seconds
for model in mlp lenet resnet; do
  for tc in "x86_64-linux-gnu generic" "x86_64-linux-gnu x86-64-v3" \
            "x86_64-linux-gnu x86-64-v4" "aarch64-linux-gnu neoverse-n1"; do
    set -- $tc
    o=$out/$model-$1-$2
    line=$("$gen" "$model" -o "$o.o" --name="$model" --target="$1" --cpu="$2" --weights=file)
    seconds=$(echo "$line" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
    text=$(size -A "$o.o" | awk '$1 == ".text" {print $2}')
    printf "  %-7s %-18s %-13s %10s %12s %10.2f\n" "$model" "$1" "$2" "$text" \
      "$(stat -c %s "$o.weights")" "$seconds"
  done
done
