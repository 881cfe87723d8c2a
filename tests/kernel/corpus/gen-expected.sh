#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes expected/NAME.out: what Debian's PyTorch 1.13 prints (stdout only)
# for each scripts/NAME.py.  Needs python3-torch, python3-numpy and
# python3-matplotlib for /usr/bin/python3.  Re-runnable; give script names
# (scripts/foo.py or foo) to regenerate only those.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}

if ! "$python" -c 'import torch, numpy, matplotlib' 2>/dev/null; then
  echo "gen-expected.sh: $python needs torch, numpy and matplotlib" >&2
  echo "  (apt-get install python3-torch python3-numpy python3-matplotlib)" >&2
  exit 1
fi

if [ $# -eq 0 ]; then
  set -- "$here"/scripts/*.py
fi

mkdir -p "$here/expected"
status=0
for arg in "$@"; do
  name=$(basename "$arg" .py)
  script="$here/scripts/$name.py"
  out="$here/expected/$name.out"
  # the scalar CPU kernels, which the engine matches bit for bit; figures
  # off-screen; scripts run from their folder like the tests run them
  if (cd "$here/scripts" && ATEN_CPU_CAPABILITY=default MPLBACKEND=Agg PYTHONHASHSEED=0 \
        OMP_NUM_THREADS=1 "$python" "$script") > "$out.tmp" 2> "$out.err"; then
    mv "$out.tmp" "$out"
    rm -f "$out.err"
    echo "wrote expected/$name.out"
  else
    echo "gen-expected.sh: $name.py failed under $python:" >&2
    cat "$out.err" >&2
    rm -f "$out.tmp" "$out.err"
    status=1
  fi
done
exit $status
