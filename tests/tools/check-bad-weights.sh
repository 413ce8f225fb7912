#!/usr/bin/env bash
# Runs kiln-run with each malformed safetensors file of the generated corpus
# as --weights and as --inputs, and checks that every run exits with status 1
# (not a signal), prints exactly one line on stderr, and that the line holds
# the corpus's expected message.
# Usage: check-bad-weights.sh BIN_DIR MODEL.mlir GOOD_WEIGHTS WORK_DIR
set -u
bin=$1 model=$2 weights=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
"$bin/gen-bad-safetensors" "$work" > /dev/null || { echo "generator failed"; exit 1; }
failures=0 count=0
while IFS=$'\t' read -r file expected; do
  for flag in --weights --inputs; do
    count=$((count + 1))
    if [ "$flag" = --weights ]; then
      "$bin/kiln-run" "$model" --weights="$work/$file" --input="2x4xf32=1" > /dev/null 2> "$work/err"
    else
      "$bin/kiln-run" "$model" --weights="$weights" --inputs="$work/$file" > /dev/null 2> "$work/err"
    fi
    rc=$?
    lines=$(wc -l < "$work/err")
    if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$expected" "$work/err"; then
      echo "FAIL: $flag $file: exit $rc, $lines stderr lines, expected '$expected':"
      cat "$work/err"
      failures=$((failures + 1))
    fi
  done
done < "$work/expected.txt"
echo "$count runs, $failures failures"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
