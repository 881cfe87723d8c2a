# SPDX-License-Identifier: GPL-3.0-or-later
"""Gradlab's matplotlib: a small pure-Python stand-in for matplotlib 3.6
inside gradlab-kernel.  pyplot records figures as JSON (the
"gradlab.figure/1" schema, docs/figure-schema.md) that Gradlab draws; there
is no real rendering here.  rcParams holds matplotlib's keys and defaults;
figure.figsize, figure.dpi, lines.linewidth, lines.markersize, axes.grid,
axes.prop_cycle and hist.bins are used, the others are only recorded."""

from matplotlib._rcdefaults import DEFAULTS as _DEFAULTS

__version__ = "3.6.3"
__gradlab__ = True

_ALIASES = {
    "lw": "linewidth", "ls": "linestyle", "c": "color", "fc": "facecolor",
    "ec": "edgecolor", "mew": "markeredgewidth", "aa": "antialiased",
}


def _invalid_key(key):
    return KeyError("%s is not a valid rc parameter (see rcParams.keys() for a list of valid "
                    "parameters)" % (key,))


def _validate(key, value):
    if key in ("figure.figsize", "figure.subplot.figsize"):
        try:
            pair = [float(v) for v in value]
        except (TypeError, ValueError):
            raise ValueError("Key %s: Could not convert %r to float" % (key, value)) from None
        if len(pair) != 2:
            raise ValueError("Key %s: Expected 2 values, but there are %d values in %r"
                             % (key, len(pair), value))
        return pair
    if key in ("figure.dpi", "lines.linewidth", "lines.markersize", "font.size"):
        try:
            return float(value)
        except (TypeError, ValueError):
            if key == "font.size" and isinstance(value, str):
                return value
            raise ValueError("Key %s: Could not convert %r to float" % (key, value)) from None
    return value


class RcParams(dict):
    """matplotlib.rcParams: only matplotlib's keys are accepted."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.update(*args, **kwargs)

    def __setitem__(self, key, value):
        if key not in _DEFAULTS:
            raise _invalid_key(key)
        super().__setitem__(key, _validate(key, value))

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise _invalid_key(key) from None

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, default=None):
        if key in self:
            return self[key]
        self[key] = default
        return default

    def copy(self):
        return RcParams(dict(self))

    def find_all(self, pattern):
        import re
        return RcParams({k: v for k, v in self.items() if re.search(pattern, k)})

    def __repr__(self):
        return "RcParams(%s)" % dict.__repr__(self)


rcParamsDefault = RcParams(_DEFAULTS)
rcParams = RcParams(_DEFAULTS)
rcParamsOrig = RcParams(_DEFAULTS)


def rc(group, **kwargs):
    """matplotlib.rc('lines', linewidth=2) sets rcParams['lines.linewidth']."""
    groups = (group,) if isinstance(group, str) else group
    for g in groups:
        for key, value in kwargs.items():
            rcParams["%s.%s" % (g, _ALIASES.get(key, key))] = value


def rcdefaults():
    rcParams.clear()
    rcParams.update(_DEFAULTS)


def rc_file_defaults():
    rcdefaults()


class rc_context:
    """with matplotlib.rc_context({...}): rcParams changed for a block."""

    def __init__(self, rc=None, fname=None):
        self._rc = rc or {}

    def __enter__(self):
        self._saved = dict(rcParams)
        rcParams.update(self._rc)
        return self

    def __exit__(self, *exc):
        rcParams.clear()
        dict.update(rcParams, self._saved)
        return False


def use(backend, *, force=True):
    """Backends do not exist here: figures always go to Gradlab."""
    dict.__setitem__(rcParams, "backend", str(backend))


def get_backend():
    return rcParams["backend"]


def interactive(b):
    dict.__setitem__(rcParams, "interactive", bool(b))


def is_interactive():
    return bool(rcParams["interactive"])


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError("matplotlib.%s is not available in Gradlab yet" % name)
