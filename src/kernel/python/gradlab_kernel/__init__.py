# SPDX-License-Identifier: GPL-3.0-or-later
"""gradlab_kernel: the parts of gradlab-kernel written in Python.

- protocol: the JSON-lines protocol of `gradlab-kernel --protocol`
  (docs/kernel-protocol.md);
- figures: where matplotlib.pyplot (our shim) sends its figures;
- the rest are the protocol's helpers.

Frames inside this package are hidden from the tracebacks learners see."""

__version__ = "0.1.0"

PROTOCOL_VERSION = "1.0"
