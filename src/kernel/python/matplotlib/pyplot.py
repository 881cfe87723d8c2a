# SPDX-License-Identifier: GPL-3.0-or-later
"""matplotlib.pyplot for Gradlab: the calls the lessons use, recorded as
figures in the "gradlab.figure/1" JSON schema (docs/figure-schema.md).

show() and pause() publish the open figures (gradlab_kernel.figures): in the
protocol kernel as display messages (later ones with "update": true and the
same figure id), in --script mode as files in --figures DIR.  In the
protocol kernel, figures still open at the end of a cell are shown and
closed, as Jupyter's inline backend does.  Nothing is drawn here."""

import math
import sys
import time

import matplotlib
from matplotlib import colors as _colors
from matplotlib import rcParams

from gradlab_kernel import figures as _figures

SCHEMA = "gradlab.figure/1"
# updates of one figure sent at most this often (protocol); the last state
# is always sent at the end of the cell
_MIN_UPDATE_INTERVAL = 1 / 30
# points per series beyond which a line is thinned out for the picture
_MAX_POINTS = 50_000

_LINESTYLES = {"-": "solid", "--": "dashed", "-.": "dashdot", ":": "dotted",
               "solid": "solid", "dashed": "dashed", "dashdot": "dashdot", "dotted": "dotted",
               "None": "none", "none": "none", " ": "none", "": "none"}
_MARKERS = set(".,ov^<>12348spP*hH+xXDd|_")
_MARKER_NAMES = {"None": None, "none": None, " ": None, "": None}
_FMT_COLORS = set("bgrcmykw")

_KNOWN_LINE_KWARGS = {
    "color", "c", "alpha", "label", "linewidth", "lw", "linestyle", "ls", "marker",
    "markersize", "ms",
}
# accepted and not drawn: how they look is Gradlab's choice
_COSMETIC_KWARGS = {
    "zorder", "markeredgecolor", "mec", "markerfacecolor", "mfc", "markeredgewidth", "mew",
    "markevery", "antialiased", "aa", "solid_capstyle", "solid_joinstyle", "dash_capstyle",
    "dash_joinstyle", "drawstyle", "ds", "fillstyle", "clip_on", "rasterized", "picker",
    "animated", "snap", "gid", "url", "visible", "transform", "scalex", "scaley", "data",
}


class _Text:
    """What title()/xlabel()/ylabel()/text() return: Text(x, y, 'text')."""

    def __init__(self, x, y, text, owner=None, key=None):
        self._x, self._y, self._text = x, y, text
        self._owner, self._key = owner, key

    def __repr__(self):
        return "Text(%s, %s, %r)" % (_g(self._x), _g(self._y), self._text)

    def get_text(self):
        return self._text

    def set_text(self, text):
        self._text = str(text)
        if self._owner is not None:
            self._owner._set_text(self._key, self._text)


_Text.__name__ = _Text.__qualname__ = "Text"
_Text.__module__ = "matplotlib.text"


def _g(v):
    return repr(v) if isinstance(v, float) else str(v)


# ---- data ----

def _is_tensor(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def _plain(obj):
    """Nested lists/floats from tensors, ndarrays, sequences and numbers."""
    if _is_tensor(obj):
        return obj.detach().tolist()
    tolist = getattr(obj, "tolist", None)
    if tolist is not None and not isinstance(obj, (list, tuple, str)):
        try:
            return tolist()
        except TypeError:
            pass
    if isinstance(obj, (str, bytes)):
        raise TypeError("Gradlab's pyplot plots numbers only, not text (%r)" % (obj,))
    if isinstance(obj, (list, tuple, range)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "__iter__") and not isinstance(obj, dict):
        return [_plain(v) for v in obj]
    return obj


def _number(v):
    if v is None:
        return math.nan
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return _number(v[0])
        raise ValueError("expected a number, got a sequence of %d values" % len(v))
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError("Gradlab's pyplot plots numbers only, not %s (%r)"
                        % (type(v).__name__, v)) from None


def _vector(obj, what="data"):
    """A 1-D list of floats."""
    data = _plain(obj)
    if not isinstance(data, list):
        return [_number(data)]
    if data and all(isinstance(v, list) for v in data):
        # an (n, 1) column or a (1, n) row
        if all(len(v) == 1 for v in data):
            return [_number(v[0]) for v in data]
        if len(data) == 1:
            return [_number(v) for v in data[0]]
        raise ValueError("%s must be 1-dimensional here" % what)
    return [_number(v) for v in data]


def _columns(obj):
    """Columns of a 1-D or 2-D array: a list of float lists (plot draws one
    line per column, as matplotlib does)."""
    data = _plain(obj)
    if not isinstance(data, list):
        return [[_number(data)]]
    if data and all(isinstance(v, list) for v in data):
        width = len(data[0])
        if any(len(row) != width for row in data):
            raise ValueError("setting an array element with a sequence: rows of different lengths")
        if any(isinstance(v, list) for row in data for v in row):
            raise ValueError("x and y can be no greater than 2D")
        return [[_number(row[j]) for row in data] for j in range(width)]
    return [[_number(v) for v in data]]


def _json_numbers(values):
    return [v if math.isfinite(v) else None for v in values]


def _thin(x, y):
    n = len(y)
    if n <= _MAX_POINTS:
        return x, y, False
    step = math.ceil(n / _MAX_POINTS)
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return [x[i] for i in idx], [y[i] for i in idx], True


# ---- format strings and styles ----

def _parse_fmt(fmt):
    """'r--o' -> (linestyle, marker, color), None for what it does not say."""
    linestyle = marker = color = None
    try:
        if fmt and _colors.is_color_like(fmt) and not (len(fmt) == 1 and fmt in _MARKERS) \
                and fmt not in _LINESTYLES:
            return None, None, fmt
    except Exception:
        pass
    i = 0
    while i < len(fmt):
        two = fmt[i:i + 2]
        ch = fmt[i]
        if two in ("--", "-."):
            if linestyle is not None:
                raise ValueError("%r is not a valid format string (two linestyle symbols)" % fmt)
            linestyle = two
            i += 2
            continue
        if ch in ("-", ":"):
            if linestyle is not None:
                raise ValueError("%r is not a valid format string (two linestyle symbols)" % fmt)
            linestyle = ch
        elif ch in _MARKERS:
            if marker is not None:
                raise ValueError("%r is not a valid format string (two marker symbols)" % fmt)
            marker = ch
        elif ch in _FMT_COLORS:
            if color is not None:
                raise ValueError("%r is not a valid format string (two color symbols)" % fmt)
            color = ch
        elif ch == "C" and i + 1 < len(fmt) and fmt[i + 1].isdigit():
            if color is not None:
                raise ValueError("%r is not a valid format string (two color symbols)" % fmt)
            j = i + 1
            while j < len(fmt) and fmt[j].isdigit():
                j += 1
            color = fmt[i:j]
            i = j
            continue
        else:
            raise ValueError("%r is not a valid format string (unrecognized character %r)" % (fmt, ch))
        i += 1
    if linestyle is None and marker is not None:
        linestyle = "None"
    return linestyle, marker, color


def _linestyle(ls):
    if ls is None:
        return None
    try:
        return _LINESTYLES[ls]
    except (KeyError, TypeError):
        raise ValueError("%r is not a valid value for ls; supported values are '-', '--', '-.', "
                         "':', 'None', ' ', '', 'solid', 'dashed', 'dashdot', 'dotted'"
                         % (ls,)) from None


def _marker(m):
    if m is None or m in _MARKER_NAMES:
        return None
    if isinstance(m, str) and len(m) == 1 and m in _MARKERS:
        return m
    raise ValueError("Unrecognized marker style %r" % (m,))


def _check_kwargs(kind, kwargs, known):
    for key in kwargs:
        if key not in known and key not in _COSMETIC_KWARGS:
            raise AttributeError("%s.set() got an unexpected keyword argument '%s'" % (kind, key))


def _color(spec):
    return _colors.to_hex(spec)


def _alpha(value):
    if value is None:
        return None
    a = float(value)
    if not 0 <= a <= 1:
        raise ValueError("alpha (%s) is outside 0-1 range" % value)
    return a


def _label(label):
    if label is None:
        return None
    return str(label)


# ---- artists ----

class _Artist:
    def __init__(self, axes):
        self.axes = axes

    def _changed(self):
        if self.axes is not None:
            self.axes._changed()

    def remove(self):
        if self.axes is not None and self in self.axes._artists:
            self.axes._artists.remove(self)
            self._changed()
        self.axes = None

    def get_label(self):
        return self._label

    def set_label(self, s):
        self._label = None if s is None else str(s)
        self._changed()

    def set_alpha(self, alpha):
        self._alpha = _alpha(alpha)
        self._changed()

    def get_alpha(self):
        return self._alpha

    def set_visible(self, b):
        self._visible = bool(b)
        self._changed()

    def set(self, **kwargs):
        for key, value in kwargs.items():
            setter = getattr(self, "set_" + key, None)
            if setter is None:
                raise AttributeError("%s.set() got an unexpected keyword argument '%s'"
                                     % (type(self).__name__, key))
            setter(value)

    def _legend_label(self):
        label = self._label
        if label is None or label.startswith("_") or not getattr(self, "_visible", True):
            return None
        return label


class Line2D(_Artist):
    def __init__(self, axes, x, y, color, linestyle, marker, label, alpha, linewidth, markersize):
        super().__init__(axes)
        self._x, self._y = x, y
        self._color = color
        self._linestyle = linestyle
        self._marker = marker
        self._label = label
        self._alpha = alpha
        self._linewidth = linewidth
        self._markersize = markersize
        self._visible = True

    def __str__(self):
        return "Line2D(%s)" % (self._label or "")

    def get_xdata(self, orig=True):
        return list(self._x)

    def get_ydata(self, orig=True):
        return list(self._y)

    def get_data(self, orig=True):
        return self.get_xdata(), self.get_ydata()

    def set_xdata(self, x):
        self._x = _vector(x, "x")
        self._changed()

    def set_ydata(self, y):
        self._y = _vector(y, "y")
        self._changed()

    def set_data(self, *args):
        if len(args) == 1:
            args = args[0]
        x, y = args
        self._x = _vector(x, "x")
        self._y = _vector(y, "y")
        self._changed()

    def get_color(self):
        return self._color

    def set_color(self, color):
        self._color = _color(color)
        self._changed()

    def set_linewidth(self, w):
        self._linewidth = float(w)
        self._changed()

    def set_linestyle(self, ls):
        self._linestyle = _linestyle(ls)
        self._changed()

    def set_marker(self, m):
        self._marker = _marker(m)
        self._changed()

    def set_markersize(self, s):
        self._markersize = float(s)
        self._changed()

    def _json(self):
        if len(self._x) != len(self._y):
            raise ValueError("x and y must have same first dimension, but have shapes (%d,) and (%d,)"
                             % (len(self._x), len(self._y)))
        x, y, thinned = _thin(self._x, self._y)
        d = {"kind": "line", "x": _json_numbers(x), "y": _json_numbers(y),
             "label": self._legend_label(), "color": self._color,
             "alpha": self._alpha if self._alpha is not None else 1.0,
             "linewidth": self._linewidth, "linestyle": self._linestyle,
             "marker": self._marker, "markersize": self._markersize}
        if thinned:
            d["thinned_from"] = len(self._y)
        return d


Line2D.__module__ = "matplotlib.lines"


class _RefLine(Line2D):
    """axhline / axvline: a line across the axes at one data coordinate."""

    def __init__(self, axes, kind, value, lo, hi, **style):
        super().__init__(axes, [], [], **style)
        self._kind, self._value, self._lo, self._hi = kind, value, lo, hi

    def _json(self):
        d = {"kind": self._kind,
             "y" if self._kind == "hline" else "x": self._value if math.isfinite(self._value) else None,
             "from": self._lo, "to": self._hi, "label": self._legend_label(), "color": self._color,
             "alpha": self._alpha if self._alpha is not None else 1.0,
             "linewidth": self._linewidth, "linestyle": self._linestyle}
        return d


_RefLine.__name__ = _RefLine.__qualname__ = "Line2D"
_RefLine.__module__ = "matplotlib.lines"


class PathCollection(_Artist):
    """What scatter() returns."""

    def __init__(self, axes, x, y, color, marker, size, label, alpha):
        super().__init__(axes)
        self._x, self._y = x, y
        self._color, self._marker, self._size = color, marker, size
        self._label, self._alpha = label, alpha
        self._visible = True

    def set_offsets(self, offsets):
        pts = _plain(offsets)
        self._x = [_number(p[0]) for p in pts]
        self._y = [_number(p[1]) for p in pts]
        self._changed()

    def get_offsets(self):
        return [[a, b] for a, b in zip(self._x, self._y)]

    def set_color(self, color):
        self._color = _color(color)
        self._changed()

    def set_sizes(self, sizes):
        self._size = _scatter_size(sizes, len(self._x))
        self._changed()

    def _json(self):
        d = {"kind": "scatter", "x": _json_numbers(self._x), "y": _json_numbers(self._y),
             "label": self._legend_label(), "color": self._color,
             "alpha": self._alpha if self._alpha is not None else 1.0,
             "marker": self._marker, "size": self._size}
        return d


PathCollection.__module__ = "matplotlib.collections"


class _TextArtist(_Artist):
    def __init__(self, axes, x, y, text, color, fontsize, ha, va):
        super().__init__(axes)
        self._x, self._y, self._text = x, y, text
        self._color, self._fontsize, self._ha, self._va = color, fontsize, ha, va
        self._label = None
        self._alpha = None

    def __repr__(self):
        return "Text(%s, %s, %r)" % (_g(self._x), _g(self._y), self._text)

    def get_text(self):
        return self._text

    def set_text(self, s):
        self._text = str(s)
        self._changed()

    def set_position(self, xy):
        self._x, self._y = float(xy[0]), float(xy[1])
        self._changed()

    def _json(self):
        x, y = _number(self._x), _number(self._y)
        return {"kind": "text", "x": x if math.isfinite(x) else None,
                "y": y if math.isfinite(y) else None, "text": self._text,
                "color": self._color, "fontsize": self._fontsize,
                "ha": self._ha, "va": self._va}


_TextArtist.__name__ = _TextArtist.__qualname__ = "Text"
_TextArtist.__module__ = "matplotlib.text"


class BarContainer(_Artist):
    def __init__(self, axes, x, heights, widths, bottoms, color, label, alpha, kind="bar"):
        super().__init__(axes)
        self._x, self._heights, self._widths, self._bottoms = x, heights, widths, bottoms
        self._color, self._label, self._alpha = color, label, alpha
        self._visible = True

    def __repr__(self):
        return "<BarContainer object of %d artists>" % len(self._x)

    def __len__(self):
        return len(self._x)

    def _json(self):
        return {"kind": "bar", "x": _json_numbers(self._x), "height": _json_numbers(self._heights),
                "width": _json_numbers(self._widths), "bottom": _json_numbers(self._bottoms),
                "label": self._legend_label(), "color": self._color,
                "alpha": self._alpha if self._alpha is not None else 1.0}


BarContainer.__module__ = "matplotlib.container"


class Legend:
    def __repr__(self):
        return "Legend"

    def remove(self):
        if self._axes is not None:
            self._axes._legend = None
            self._axes._changed()

    def __init__(self, axes):
        self._axes = axes


Legend.__module__ = "matplotlib.legend"


class _Tick:
    pass


_Tick.__name__ = _Tick.__qualname__ = "XTick"
_Tick.__module__ = "matplotlib.axis"


def _scatter_size(s, n):
    if s is None:
        return rcParams["lines.markersize"] ** 2
    data = _plain(s)
    if isinstance(data, list):
        sizes = [_number(v) for v in data]
        if len(sizes) == 1:
            return sizes[0]
        if len(sizes) != n:
            raise ValueError("s must be a scalar, or float array-like with the same size as x and y")
        return _json_numbers(sizes)
    return _number(data)


# ---- axes ----

class Axes:
    def __init__(self, figure, nrows, ncols, index):
        self.figure = figure
        self._nrows, self._ncols, self._index = nrows, ncols, index
        self._reset()

    def _reset(self):
        self._artists = []
        self._title = ""
        self._xlabel = ""
        self._ylabel = ""
        self._xlim = None
        self._ylim = None
        self._xscale = "linear"
        self._yscale = "linear"
        self._grid = bool(rcParams["axes.grid"])
        self._legend = None
        self._xticks = None
        self._yticks = None
        self._line_colors = 0
        self._patch_colors = 0

    def _changed(self):
        if self.figure is not None:
            self.figure._changed()

    def _set_text(self, key, text):
        setattr(self, "_" + key, text)
        self._changed()

    # -- repr like matplotlib 3.6's AxesSubplot --

    def __repr__(self):
        fields = []
        if self._title:
            fields.append("title={'center': %r}" % self._title)
        if self._xlabel:
            fields.append("xlabel=%r" % self._xlabel)
        if self._ylabel:
            fields.append("ylabel=%r" % self._ylabel)
        return "<AxesSubplot: %s>" % ", ".join(fields)

    def __str__(self):
        x0, y0, w, h = self._position()
        return "AxesSubplot(%g,%g;%gx%g)" % (x0, y0, w, h)

    def _position(self):
        left, right, bottom, top, wspace, hspace = 0.125, 0.9, 0.11, 0.88, 0.2, 0.2
        cell_w = (right - left) / (self._ncols + wspace * (self._ncols - 1))
        cell_h = (top - bottom) / (self._nrows + hspace * (self._nrows - 1))
        row, col = divmod(self._index - 1, self._ncols)
        x0 = left + col * cell_w * (1 + wspace)
        y0 = top - (row + 1) * cell_h - row * cell_h * hspace
        return round(x0, 6), round(y0, 6), round(cell_w, 6), round(cell_h, 6)

    # -- colours --

    def _next_line_color(self):
        cycle = _colors._cycle()
        color = cycle[self._line_colors % len(cycle)]
        self._line_colors += 1
        return _color(color)

    def _next_patch_color(self):
        cycle = _colors._cycle()
        color = cycle[self._patch_colors % len(cycle)]
        self._patch_colors += 1
        return _color(color)

    def _add(self, artist):
        self._artists.append(artist)
        self._changed()
        return artist

    # -- plotting --

    def plot(self, *args, **kwargs):
        """plot([x], y, [fmt], [x2], y2, [fmt2], ..., **kwargs)"""
        _check_kwargs("Line2D", kwargs, _KNOWN_LINE_KWARGS)
        groups = []
        args = list(args)
        while args:
            if isinstance(args[0], str):
                raise ValueError("plot() got a format string %r where data was expected" % args[0])
            first = args.pop(0)
            if args and not isinstance(args[0], str):
                x, y = first, args.pop(0)
            else:
                x, y = None, first
            fmt = args.pop(0) if args and isinstance(args[0], str) else ""
            groups.append((x, y, fmt))
        lines = []
        for x, y, fmt in groups:
            lines.extend(self._plot_group(x, y, fmt, kwargs))
        return lines

    def _plot_group(self, x, y, fmt, kwargs):
        ycols = _columns(y)
        n = len(ycols[0]) if ycols else 0
        if x is None:
            xcols = [[float(i) for i in range(n)]]
        else:
            xcols = _columns(x)
        xn = len(xcols[0]) if xcols else 0
        if xn != n:
            raise ValueError("x and y must have same first dimension, but have shapes (%d,) and (%d,)"
                             % (xn, n))
        if len(xcols) > 1 and len(ycols) > 1 and len(xcols) != len(ycols):
            raise ValueError("x has %d columns but y has %d columns" % (len(xcols), len(ycols)))
        fmt_ls, fmt_marker, fmt_color = _parse_fmt(fmt) if fmt else (None, None, None)
        color_kw = kwargs.get("color", kwargs.get("c"))
        ls_kw = kwargs.get("linestyle", kwargs.get("ls"))
        marker_kw = kwargs.get("marker")
        label = _label(kwargs.get("label"))
        alpha = _alpha(kwargs.get("alpha"))
        lw = float(kwargs.get("linewidth", kwargs.get("lw", rcParams["lines.linewidth"])))
        ms = float(kwargs.get("markersize", kwargs.get("ms", rcParams["lines.markersize"])))
        lines = []
        ncols = max(len(xcols), len(ycols))
        for j in range(ncols):
            xc = xcols[j if len(xcols) > 1 else 0]
            yc = ycols[j if len(ycols) > 1 else 0]
            spec = color_kw if color_kw is not None else fmt_color
            color = _color(spec) if spec is not None else self._next_line_color()
            marker = _marker(marker_kw if marker_kw is not None else fmt_marker)
            if ls_kw is not None:
                ls = _linestyle(ls_kw)
            elif fmt_ls is not None:
                ls = _linestyle(fmt_ls)
            else:
                ls = "solid"
            line_label = label if label is not None else "_child%d" % len(self._artists)
            line = Line2D(self, xc, yc, color, ls, marker, line_label, alpha, lw, ms)
            lines.append(self._add(line))
        return lines

    def scatter(self, x, y, s=None, c=None, marker=None, cmap=None, norm=None, vmin=None,
                vmax=None, alpha=None, linewidths=None, *, edgecolors=None, label=None,
                color=None, **kwargs):
        _check_kwargs("PathCollection", kwargs, set())
        xs, ys = _vector(x, "x"), _vector(y, "y")
        if len(xs) != len(ys):
            raise ValueError("x and y must be the same size")
        spec = color if color is not None else c
        if spec is not None and not _colors.is_color_like(spec):
            raise NotImplementedError("scatter(c=<values>) with a colour map is not available in "
                                      "Gradlab yet: give one colour")
        col = _color(spec) if spec is not None else self._next_patch_color()
        m = _marker(marker if marker is not None else rcParams["scatter.marker"]) or "o"
        coll = PathCollection(self, xs, ys, col, m, _scatter_size(s, len(xs)),
                              _label(label) if label is not None else "_child%d" % len(self._artists),
                              _alpha(alpha))
        return self._add(coll)

    def _refline(self, kind, value, lo, hi, kwargs):
        _check_kwargs("Line2D", kwargs, _KNOWN_LINE_KWARGS - {"marker", "markersize", "ms"})
        spec = kwargs.get("color", kwargs.get("c"))
        color = _color(spec if spec is not None else rcParams["lines.color"])
        line = _RefLine(self, kind, _number(value), float(lo), float(hi),
                        color=color, linestyle=_linestyle(kwargs.get("linestyle", kwargs.get("ls", "-"))),
                        marker=None,
                        label=_label(kwargs.get("label")) or "_child%d" % len(self._artists),
                        alpha=_alpha(kwargs.get("alpha")),
                        linewidth=float(kwargs.get("linewidth", kwargs.get("lw", rcParams["lines.linewidth"]))),
                        markersize=rcParams["lines.markersize"])
        return self._add(line)

    def axhline(self, y=0, xmin=0, xmax=1, **kwargs):
        return self._refline("hline", y, xmin, xmax, kwargs)

    def axvline(self, x=0, ymin=0, ymax=1, **kwargs):
        return self._refline("vline", x, ymin, ymax, kwargs)

    def text(self, x, y, s, fontdict=None, **kwargs):
        spec = kwargs.get("color", kwargs.get("c"))
        size = kwargs.get("fontsize", kwargs.get("size"))
        ha = kwargs.get("ha", kwargs.get("horizontalalignment", "left"))
        va = kwargs.get("va", kwargs.get("verticalalignment", "baseline"))
        if ha not in ("left", "center", "right"):
            raise ValueError("%r is not a valid value for horizontalalignment; supported values are "
                             "'center', 'right', 'left'" % (ha,))
        if va not in ("top", "center", "bottom", "baseline", "center_baseline"):
            raise ValueError("%r is not a valid value for verticalalignment; supported values are "
                             "'top', 'bottom', 'center', 'baseline', 'center_baseline'" % (va,))
        _number(x)
        _number(y)
        artist = _TextArtist(self, x, y, str(s),
                             _color(spec) if spec is not None else None,
                             float(size) if isinstance(size, (int, float)) else None, ha, va)
        return self._add(artist)

    def bar(self, x, height, width=0.8, bottom=None, *, align="center", color=None, label=None,
            alpha=None, **kwargs):
        xs = _vector(x, "x")
        n = len(xs)

        def spread(v, default):
            if v is None:
                return [default] * n
            vals = _vector(v)
            if len(vals) == 1:
                return vals * n
            if len(vals) != n:
                raise ValueError("shape mismatch: objects cannot be broadcast to a single shape")
            return vals

        heights, widths, bottoms = spread(height, 0.0), spread(width, 0.8), spread(bottom, 0.0)
        if align == "edge":
            xs = [a + w / 2 for a, w in zip(xs, widths)]
        elif align != "center":
            raise ValueError("%r is not a valid value for align; supported values are 'center', 'edge'"
                             % (align,))
        col = _color(color) if color is not None else self._next_patch_color()
        bars = BarContainer(self, xs, heights, widths, bottoms, col,
                            _label(label) if label is not None else "_container%d" % len(self._artists),
                            _alpha(alpha))
        return self._add(bars)

    def hist(self, x, bins=None, range=None, density=False, *, color=None, label=None,
             alpha=None, **kwargs):
        data = [v for v in _vector(x, "x") if math.isfinite(v)]
        if bins is None:
            bins = rcParams["hist.bins"]
        if isinstance(bins, int):
            lo, hi = range if range is not None else ((min(data), max(data)) if data else (0.0, 1.0))
            lo, hi = float(lo), float(hi)
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges = [lo + (hi - lo) * i / bins for i in _range(bins + 1)]
        else:
            edges = _vector(bins, "bins")
        counts = [0.0] * (len(edges) - 1)
        for v in data:
            if v < edges[0] or v > edges[-1]:
                continue
            k = _bisect(edges, v)
            counts[k] += 1
        if density and data:
            total = sum(counts)
            counts = [c / (total * (edges[i + 1] - edges[i])) if total else 0.0
                      for i, c in enumerate(counts)]
        widths = [edges[i + 1] - edges[i] for i in _range(len(counts))]
        centers = [edges[i] + widths[i] / 2 for i in _range(len(counts))]
        col = _color(color) if color is not None else self._next_patch_color()
        bars = BarContainer(self, centers, counts, widths, [0.0] * len(counts), col,
                            _label(label) if label is not None else "_container%d" % len(self._artists),
                            _alpha(alpha))
        self._add(bars)
        return _array(counts), _array(edges), bars

    # -- decorations --

    def set_title(self, label, fontdict=None, loc=None, pad=None, **kwargs):
        self._title = str(label)
        self._changed()
        return _Text(0.5, 1.0, self._title, self, "title")

    def get_title(self, loc="center"):
        return self._title

    def set_xlabel(self, xlabel, fontdict=None, labelpad=None, **kwargs):
        self._xlabel = str(xlabel)
        self._changed()
        return _Text(0.5, 0, self._xlabel, self, "xlabel")

    def set_ylabel(self, ylabel, fontdict=None, labelpad=None, **kwargs):
        self._ylabel = str(ylabel)
        self._changed()
        return _Text(0, 0.5, self._ylabel, self, "ylabel")

    def get_xlabel(self):
        return self._xlabel

    def get_ylabel(self):
        return self._ylabel

    def _limits(self, current, args, kwargs, lo_key, hi_key, auto):
        if len(args) == 1 and args[0] is not None and not isinstance(args[0], (int, float)):
            args = tuple(args[0])
        lo = args[0] if len(args) > 0 else kwargs.get(lo_key, kwargs.get("left" if lo_key == "xmin" else "bottom"))
        hi = args[1] if len(args) > 1 else kwargs.get(hi_key, kwargs.get("right" if hi_key == "xmax" else "top"))
        old_lo, old_hi = current if current is not None else auto()
        lo = old_lo if lo is None else _number(lo)
        hi = old_hi if hi is None else _number(hi)
        return [lo, hi]

    def _data_range(self, axis):
        values = []
        for a in self._artists:
            if isinstance(a, _RefLine):
                if (a._kind == "hline") == (axis == "y"):
                    values.append(a._value)
                continue
            if isinstance(a, BarContainer):
                if axis == "x":
                    values += [c - w / 2 for c, w in zip(a._x, a._widths)]
                    values += [c + w / 2 for c, w in zip(a._x, a._widths)]
                else:
                    values += a._bottoms + [b + h for b, h in zip(a._bottoms, a._heights)]
                continue
            data = getattr(a, "_x" if axis == "x" else "_y", None)
            if isinstance(data, list):
                values += data
            elif isinstance(data, float):
                values.append(data)
        values = [v for v in values if math.isfinite(v)]
        if not values:
            return (0.0, 1.0)
        lo, hi = min(values), max(values)
        if lo == hi:
            return (lo - 0.05 * abs(lo) if lo else -0.05, hi + 0.05 * abs(hi) if hi else 0.05)
        margin = (hi - lo) * 0.05
        return (lo - margin, hi + margin)

    def set_xlim(self, *args, **kwargs):
        self._xlim = self._limits(self._xlim, args, kwargs, "xmin", "xmax", lambda: self._data_range("x"))
        self._changed()
        return tuple(self._xlim)

    def set_ylim(self, *args, **kwargs):
        self._ylim = self._limits(self._ylim, args, kwargs, "ymin", "ymax", lambda: self._data_range("y"))
        self._changed()
        return tuple(self._ylim)

    def get_xlim(self):
        return tuple(self._xlim) if self._xlim is not None else self._data_range("x")

    def get_ylim(self):
        return tuple(self._ylim) if self._ylim is not None else self._data_range("y")

    def set_xscale(self, value, **kwargs):
        if value not in ("linear", "log"):
            raise ValueError("scale %r is not available in Gradlab yet (linear or log)" % (value,))
        self._xscale = value
        self._changed()

    def set_yscale(self, value, **kwargs):
        if value not in ("linear", "log"):
            raise ValueError("scale %r is not available in Gradlab yet (linear or log)" % (value,))
        self._yscale = value
        self._changed()

    def get_xscale(self):
        return self._xscale

    def get_yscale(self):
        return self._yscale

    def semilogy(self, *args, **kwargs):
        self.set_yscale("log")
        return self.plot(*args, **kwargs)

    def semilogx(self, *args, **kwargs):
        self.set_xscale("log")
        return self.plot(*args, **kwargs)

    def loglog(self, *args, **kwargs):
        self.set_xscale("log")
        self.set_yscale("log")
        return self.plot(*args, **kwargs)

    def grid(self, visible=None, which="major", axis="both", **kwargs):
        if visible is None and not kwargs:
            self._grid = not self._grid
        else:
            self._grid = True if visible is None else bool(visible)
        self._changed()

    def legend(self, *args, loc=None, **kwargs):
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            labels = [str(s) for s in args[0]]
            targets = [a for a in self._artists if not isinstance(a, _TextArtist)]
            for artist, text in zip(targets, labels):
                artist._label = text
        elif len(args) == 2:
            for artist, text in zip(args[0], args[1]):
                artist._label = str(text)
        if not any(a._legend_label() for a in self._artists if not isinstance(a, _TextArtist)):
            sys.stderr.write("No artists with labels found to put in legend.  Note that artists "
                             "whose label start with an underscore are ignored when legend() is "
                             "called with no argument.\n")
        self._legend = {"loc": str(loc) if loc is not None else str(rcParams["legend.loc"])}
        self._changed()
        return Legend(self)

    def get_legend(self):
        return Legend(self) if self._legend is not None else None

    def _ticks(self, which, ticks, labels):
        if ticks is None:
            return
        values = _vector(ticks, "ticks")
        texts = [str(s) for s in labels] if labels is not None else None
        if texts is not None and len(texts) != len(values):
            raise ValueError("The number of FixedLocator locations (%d), usually from a call to "
                             "set_ticks, does not match the number of labels (%d)."
                             % (len(values), len(texts)))
        setattr(self, "_" + which, {"values": _json_numbers(values), "labels": texts})
        self._changed()

    def set_xticks(self, ticks, labels=None, **kwargs):
        self._ticks("xticks", ticks, labels)

    def set_yticks(self, ticks, labels=None, **kwargs):
        self._ticks("yticks", ticks, labels)

    def set_xticklabels(self, labels, **kwargs):
        if self._xticks is not None:
            self._ticks("xticks", self._xticks["values"], labels)

    def set_yticklabels(self, labels, **kwargs):
        if self._yticks is not None:
            self._ticks("yticks", self._yticks["values"], labels)

    def set(self, **kwargs):
        for key, value in kwargs.items():
            setter = getattr(self, "set_" + key, None)
            if setter is None:
                raise AttributeError("AxesSubplot.set() got an unexpected keyword argument '%s'" % key)
            setter(value)

    def set_aspect(self, aspect, **kwargs):
        pass

    def tick_params(self, *args, **kwargs):
        pass

    def cla(self):
        self._reset()
        self._changed()

    clear = cla

    def get_lines(self):
        return [a for a in self._artists if isinstance(a, Line2D) and not isinstance(a, _RefLine)]

    @property
    def lines(self):
        return self.get_lines()

    def _json(self):
        series = [a._json() for a in self._artists if getattr(a, "_visible", True)]
        return {
            "position": {"nrows": self._nrows, "ncols": self._ncols, "index": self._index},
            "title": self._title or None,
            "xlabel": self._xlabel or None,
            "ylabel": self._ylabel or None,
            "xlim": _json_numbers(self._xlim) if self._xlim is not None else None,
            "ylim": _json_numbers(self._ylim) if self._ylim is not None else None,
            "xscale": self._xscale,
            "yscale": self._yscale,
            "grid": self._grid,
            "legend": self._legend,
            "xticks": self._xticks,
            "yticks": self._yticks,
            "series": series,
        }


Axes.__name__ = Axes.__qualname__ = "AxesSubplot"
Axes.__module__ = "matplotlib.axes._subplots"
Subplot = AxesSubplot = Axes

_range = range


def _bisect(edges, v):
    import bisect
    k = bisect.bisect_right(edges, v) - 1
    return min(max(k, 0), len(edges) - 2)


def _array(values):
    try:
        import numpy
    except ImportError:
        return list(values)
    return numpy.array(values, dtype=float)


class _AxesArray:
    """What subplots(n, m) returns without numpy: indexing [i], [i, j],
    iteration, .flat/.flatten()/.ravel(), .shape."""

    def __init__(self, rows):
        self._rows = rows     # a list of lists (2-D) or of axes (1-D)

    @property
    def shape(self):
        if self._rows and isinstance(self._rows[0], list):
            return (len(self._rows), len(self._rows[0]))
        return (len(self._rows),)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return len(self.flatten())

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            item = self
            for k in key:
                item = item[k]
            return item
        item = self._rows[key]
        if isinstance(item, list) and (not item or isinstance(item[0], (list, Axes))) and isinstance(key, slice):
            return _AxesArray(item)
        if isinstance(item, list):
            return _AxesArray(item)
        return item

    def __iter__(self):
        for item in self._rows:
            yield _AxesArray(item) if isinstance(item, list) else item

    def flatten(self):
        out = []
        for item in self._rows:
            out.extend(item if isinstance(item, list) else [item])
        return _AxesArray(out)

    ravel = flatten

    @property
    def flat(self):
        return iter(self.flatten()._rows)

    def tolist(self):
        return [list(r) if isinstance(r, list) else r for r in self._rows]

    def __repr__(self):
        def fmt(item):
            if isinstance(item, list):
                return "[" + ", ".join(fmt(i) for i in item) + "]"
            return repr(item)
        return "array(%s, dtype=object)" % fmt(self._rows)


def _axes_array(rows, squeeze):
    try:
        import numpy
    except ImportError:
        numpy = None
    nrows, ncols = len(rows), len(rows[0])
    if squeeze:
        if nrows == 1 and ncols == 1:
            return rows[0][0]
        if nrows == 1 or ncols == 1:
            flat = [a for row in rows for a in row]
            if numpy is not None:
                arr = numpy.empty(len(flat), dtype=object)
                arr[:] = flat
                return arr
            return _AxesArray(flat)
    if numpy is not None:
        arr = numpy.empty((nrows, ncols), dtype=object)
        for i in range(nrows):
            for j in range(ncols):
                arr[i, j] = rows[i][j]
        return arr
    return _AxesArray([list(r) for r in rows])


# ---- figures ----

_serial = 0


class Figure:
    def __init__(self, figsize=None, dpi=None, number=None):
        global _serial
        _serial += 1
        self.id = "figure-%d" % _serial
        size = figsize if figsize is not None else rcParams["figure.figsize"]
        self._size = [float(size[0]), float(size[1])]
        self._dpi = float(dpi if dpi is not None else rcParams["figure.dpi"])
        self.number = number
        self._axes = []
        self._current_axes = None
        self._suptitle = None
        self._dirty = True
        self._published = False
        self._last_publish = 0.0

    def _changed(self):
        self._dirty = True

    def __repr__(self):
        return "<Figure size %gx%g with %d Axes>" % (self._size[0] * self._dpi, self._size[1] * self._dpi,
                                                      len(self._axes))

    def __str__(self):
        return "Figure(%gx%g)" % (self._size[0] * self._dpi, self._size[1] * self._dpi)

    @property
    def axes(self):
        return list(self._axes)

    def get_axes(self):
        return list(self._axes)

    def add_subplot(self, *args, **kwargs):
        if not args:
            args = (1, 1, 1)
        if len(args) == 1:
            code = args[0]
            if isinstance(code, Axes):
                return code
            code = int(code)
            if not 111 <= code <= 999:
                raise ValueError("Integer subplot specification must be a three-digit number, not %d"
                                 % code)
            args = (code // 100, (code // 10) % 10, code % 10)
        nrows, ncols, index = (int(a) for a in args)
        if not 1 <= index <= nrows * ncols:
            raise ValueError("num must be 1 <= num <= %d, not %d" % (nrows * ncols, index))
        for ax in self._axes:
            if (ax._nrows, ax._ncols, ax._index) == (nrows, ncols, index):
                self._current_axes = ax
                return ax
        ax = Axes(self, nrows, ncols, index)
        self._axes.append(ax)
        self._current_axes = ax
        self._changed()
        return ax

    def subplots(self, nrows=1, ncols=1, *, sharex=False, sharey=False, squeeze=True, **kwargs):
        rows = [[self.add_subplot(nrows, ncols, i * ncols + j + 1) for j in range(ncols)]
                for i in range(nrows)]
        return _axes_array(rows, squeeze)

    def gca(self):
        if self._current_axes is None:
            return self.add_subplot(1, 1, 1)
        return self._current_axes

    def sca(self, ax):
        self._current_axes = ax

    def delaxes(self, ax):
        if ax in self._axes:
            self._axes.remove(ax)
            if self._current_axes is ax:
                self._current_axes = self._axes[-1] if self._axes else None
            self._changed()

    def suptitle(self, t, **kwargs):
        self._suptitle = str(t)
        self._changed()
        return _Text(0.5, 0.98, self._suptitle)

    def set_size_inches(self, w, h=None, forward=True):
        if h is None:
            w, h = w
        self._size = [float(w), float(h)]
        self._changed()

    def get_size_inches(self):
        return list(self._size)

    def set_dpi(self, dpi):
        self._dpi = float(dpi)
        self._changed()

    def get_dpi(self):
        return self._dpi

    dpi = property(get_dpi, set_dpi)

    def tight_layout(self, *args, **kwargs):
        pass

    def subplots_adjust(self, *args, **kwargs):
        pass

    def clf(self, keep_observers=False):
        self._axes = []
        self._current_axes = None
        self._suptitle = None
        self._changed()

    clear = clf

    def legend(self, *args, **kwargs):
        return self.gca().legend(*args, **kwargs)

    def show(self, warn=True):
        _publish(self, force=True)

    def savefig(self, fname, **kwargs):
        path = str(fname)
        fmt = kwargs.get("format")
        if fmt is None and "." in path.rsplit("/", 1)[-1]:
            fmt = path.rsplit(".", 1)[-1]
        if (fmt or "").lower() != "json":
            raise NotImplementedError(
                "savefig to %r is not available in Gradlab's kernel: save the figure as .json here, "
                "or export it as PNG, SVG or PDF from Gradlab's plot view" % path)
        _figures.write_file(self._json(), path)

    def _json(self):
        return {
            "schema": SCHEMA,
            "id": self.id,
            "number": self.number,
            "size": list(self._size),
            "dpi": self._dpi,
            "suptitle": self._suptitle,
            "axes": [ax._json() for ax in self._axes],
        }


Figure.__module__ = "matplotlib.figure"


# ---- pyplot state ----

_figures_by_number = {}
_current = None


def _publish(fig, force=False, rate_limited=False):
    """Sends @fig if it changed since it was last sent (or @force)."""
    if not _figures.has_sink():
        fig._dirty = False
        return
    if not (fig._dirty or force or not fig._published):
        return
    now = time.monotonic()
    if rate_limited and fig._published and _figures.is_live() \
            and now - fig._last_publish < _MIN_UPDATE_INTERVAL:
        return
    data = fig._json()
    update = fig._published
    fig._dirty = False
    fig._published = True
    fig._last_publish = now
    _figures.publish(data, repr(fig), update)


def _display_figure(fig):
    """A Figure as a cell's value: shown now (not again at the cell's end
    unless it changes)."""
    _publish(fig, force=True)


def _cell_end():
    """Protocol kernel, end of a cell: show what changed, close all."""
    global _current
    try:
        for fig in list(_figures_by_number.values()):
            if fig._dirty or not fig._published:
                _publish(fig)
    finally:
        _figures_by_number.clear()
        _current = None


_figures.on_cell_end(_cell_end)


def figure(num=None, figsize=None, dpi=None, *, facecolor=None, edgecolor=None, frameon=True,
           clear=False, **kwargs):
    global _current
    if isinstance(num, Figure):
        if num.number not in _figures_by_number:
            num.number = _next_number()
            _figures_by_number[num.number] = num
        _current = num
        return num
    if num is not None and not isinstance(num, str):
        num = int(num)
        if num in _figures_by_number:
            fig = _figures_by_number[num]
            _current = fig
            if clear:
                fig.clf()
            return fig
    number = num if isinstance(num, int) else _next_number()
    fig = Figure(figsize=figsize, dpi=dpi, number=number)
    _figures_by_number[number] = fig
    _current = fig
    return fig


def _next_number():
    return max(_figures_by_number) + 1 if _figures_by_number else 1


def gcf():
    if _current is None:
        return figure()
    return _current


def gca(**kwargs):
    return gcf().gca()


def sca(ax):
    figure(ax.figure)
    ax.figure.sca(ax)


def get_fignums():
    return sorted(_figures_by_number)


def fignum_exists(num):
    return num in _figures_by_number


def subplots(nrows=1, ncols=1, *, sharex=False, sharey=False, squeeze=True, subplot_kw=None,
             gridspec_kw=None, **fig_kw):
    fig = figure(**fig_kw)
    axs = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=squeeze)
    return fig, axs


def subplot(*args, **kwargs):
    return gcf().add_subplot(*args, **kwargs)


def close(fig=None):
    global _current
    if fig is None:
        if _current is not None:
            _figures_by_number.pop(_current.number, None)
    elif isinstance(fig, str) and fig == "all":
        _figures_by_number.clear()
    elif isinstance(fig, Figure):
        _figures_by_number.pop(fig.number, None)
    elif isinstance(fig, int):
        _figures_by_number.pop(fig, None)
    else:
        raise TypeError("close() argument must be a Figure, an int, a string, or None, not %s"
                        % type(fig).__name__)
    if _current is not None and _current.number not in _figures_by_number:
        _current = _figures_by_number[max(_figures_by_number)] if _figures_by_number else None


def clf():
    gcf().clf()


def cla():
    gca().cla()


def show(*args, block=None, **kwargs):
    """Sends every open figure that changed (in a loop, as an update)."""
    for fig in list(_figures_by_number.values()):
        _publish(fig, rate_limited=True)


def pause(interval):
    """Sends the open figures that changed, then waits @interval seconds."""
    for fig in list(_figures_by_number.values()):
        _publish(fig, rate_limited=True)
    if interval > 0:
        time.sleep(interval)


def draw():
    gcf()._changed()


def savefig(*args, **kwargs):
    return gcf().savefig(*args, **kwargs)


def ion():
    matplotlib.interactive(True)


def ioff():
    matplotlib.interactive(False)


def isinteractive():
    return matplotlib.is_interactive()


def plot(*args, **kwargs):
    return gca().plot(*args, **kwargs)


def scatter(*args, **kwargs):
    return gca().scatter(*args, **kwargs)


def bar(*args, **kwargs):
    return gca().bar(*args, **kwargs)


def hist(*args, **kwargs):
    return gca().hist(*args, **kwargs)


def semilogy(*args, **kwargs):
    return gca().semilogy(*args, **kwargs)


def semilogx(*args, **kwargs):
    return gca().semilogx(*args, **kwargs)


def loglog(*args, **kwargs):
    return gca().loglog(*args, **kwargs)


def axhline(y=0, xmin=0, xmax=1, **kwargs):
    return gca().axhline(y, xmin, xmax, **kwargs)


def axvline(x=0, ymin=0, ymax=1, **kwargs):
    return gca().axvline(x, ymin, ymax, **kwargs)


def text(x, y, s, fontdict=None, **kwargs):
    return gca().text(x, y, s, fontdict, **kwargs)


def title(label, fontdict=None, loc=None, pad=None, **kwargs):
    return gca().set_title(label, fontdict, loc, pad, **kwargs)


def suptitle(t, **kwargs):
    return gcf().suptitle(t, **kwargs)


def xlabel(xlabel, fontdict=None, labelpad=None, **kwargs):
    return gca().set_xlabel(xlabel, fontdict, labelpad, **kwargs)


def ylabel(ylabel, fontdict=None, labelpad=None, **kwargs):
    return gca().set_ylabel(ylabel, fontdict, labelpad, **kwargs)


def xlim(*args, **kwargs):
    ax = gca()
    if not args and not kwargs:
        return ax.get_xlim()
    return ax.set_xlim(*args, **kwargs)


def ylim(*args, **kwargs):
    ax = gca()
    if not args and not kwargs:
        return ax.get_ylim()
    return ax.set_ylim(*args, **kwargs)


def xscale(value, **kwargs):
    gca().set_xscale(value, **kwargs)


def yscale(value, **kwargs):
    gca().set_yscale(value, **kwargs)


def _ticks(which, ticks, labels, kwargs):
    ax = gca()
    if ticks is not None:
        getattr(ax, "set_" + which)(ticks, labels)
    spec = getattr(ax, "_" + which)
    values = spec["values"] if spec is not None else []
    if ticks is not None:
        raw = _plain(ticks)
        values = raw if isinstance(raw, list) else [raw]
    texts = (spec["labels"] if spec is not None and spec["labels"] is not None
             else [str(v) for v in values])
    ticks_out = [_Tick() for _ in values]
    if which == "xticks":
        return ticks_out, [_Text(v, 0, t) for v, t in zip(values, texts)]
    return ticks_out, [_Text(0, v, t) for v, t in zip(values, texts)]


def xticks(ticks=None, labels=None, **kwargs):
    return _ticks("xticks", ticks, labels, kwargs)


def yticks(ticks=None, labels=None, **kwargs):
    return _ticks("yticks", ticks, labels, kwargs)


def grid(visible=None, which="major", axis="both", **kwargs):
    gca().grid(visible, which, axis, **kwargs)


def legend(*args, **kwargs):
    return gca().legend(*args, **kwargs)


def tight_layout(*args, **kwargs):
    pass


def subplots_adjust(*args, **kwargs):
    pass


def rc(group, **kwargs):
    matplotlib.rc(group, **kwargs)


class _Style:
    available = ["default", "classic", "ggplot", "seaborn", "bmh", "dark_background",
                 "fivethirtyeight", "grayscale"]

    def use(self, style):
        # styles change looks only; Gradlab draws in its own style
        pass

    def context(self, style, after_reset=False):
        return matplotlib.rc_context()


style = _Style()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError("matplotlib.pyplot.%s is not available in Gradlab yet" % name)
