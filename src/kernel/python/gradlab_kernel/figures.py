# SPDX-License-Identifier: GPL-3.0-or-later
"""Where figures go: matplotlib.pyplot (our shim) calls publish() on show()
and pause().

- In protocol mode the protocol installs a sink that sends the figure as a
  display message (application/vnd.gradlab.figure+json).
- Otherwise, when GRADLAB_FIGURES_DIR is set (gradlab-kernel --figures DIR),
  each figure is written to DIR/figure-N.json, its latest state.
- Otherwise figures go nowhere, as with matplotlib's Agg backend."""

import json
import os

_sink = None
_cell_end_hooks = []


def set_sink(sink):
    """sink(figure_dict, text, update) or None for the default."""
    global _sink
    _sink = sink


def is_live():
    """True in the protocol kernel (figures go to the app as they change)."""
    return _sink is not None


def has_sink():
    return _sink is not None or bool(os.environ.get("GRADLAB_FIGURES_DIR"))


def dumps(figure):
    """The figure as compact JSON text (NaN and infinities already null)."""
    return json.dumps(figure, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_file(figure, path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps(figure))
        f.write("\n")
    os.replace(tmp, path)


def publish(figure, text, update):
    """Sends one figure (a dict in the gradlab.figure/1 schema)."""
    if _sink is not None:
        _sink(figure, text, update)
        return
    folder = os.environ.get("GRADLAB_FIGURES_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        write_file(figure, os.path.join(folder, "%s.json" % figure["id"]))


def on_cell_end(hook):
    """hook() runs at the end of every protocol cell (pyplot shows and
    closes the cell's open figures there, as notebooks do)."""
    if hook not in _cell_end_hooks:
        _cell_end_hooks.append(hook)


def cell_end():
    for hook in list(_cell_end_hooks):
        hook()
