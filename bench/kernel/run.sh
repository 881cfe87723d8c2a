#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/kernel/run.sh [BUILD_DIR] [run.py options...]
# Builds gradlab-kernel in BUILD_DIR (default: build) and runs the kernel
# benchmarks: start-up time and the notebooks' training loops under
# gradlab-kernel vs /usr/bin/python3 with Debian's PyTorch, in one run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case $build in /*) ;; *) build=$root/$build ;; esac
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" >/dev/null
fi
ninja -C "$build" src/kernel/gradlab-kernel >/dev/null
exec /usr/bin/python3 "$here/run.py" --kernel "$build/src/kernel/gradlab-kernel" "$@"
