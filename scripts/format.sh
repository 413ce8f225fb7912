#!/usr/bin/env bash
# Formats the C++ sources with clang-format (LLVM style, .clang-format);
# with --check, only reports files that differ; with --tidy, also runs
# clang-tidy (.clang-tidy) over the compiled sources.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.h')
case "${1:-}" in
  --check) clang-format --dry-run -Werror $files ;;
  --tidy)
    clang-format -i $files
    [ -f build/compile_commands.json ] || { echo "configure first (make build)"; exit 1; }
    clang-tidy -p build $(git ls-files '*.cpp' | grep -v '^tests/') ;;
  *) clang-format -i $files ;;
esac
