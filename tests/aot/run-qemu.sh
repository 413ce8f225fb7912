#!/bin/sh
# usage: run-qemu.sh X86_DRIVER AARCH64_DRIVER QEMU
# Runs the x86-64 driver for the reference outputs, then the aarch64 one
# under qemu, which compares its outputs with them (tests/aot/AotDriver.cpp).
set -eu
ref=$(mktemp)
trap 'rm -f "$ref"' EXIT
"$1" > "$ref"
"$3" -L /usr/aarch64-linux-gnu "$2" --compare "$ref"
