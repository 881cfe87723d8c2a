#!/bin/sh
# Regenerates every golden file with Debian's python3-torch 1.13.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cd "$(dirname "$0")"
export ATEN_CPU_CAPABILITY=default
export PYTHONDONTWRITEBYTECODE=1
for script in gen-*.py; do
  echo "golden: $script"
  /usr/bin/python3 "$script"
done
