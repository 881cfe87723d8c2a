# SPDX-License-Identifier: GPL-3.0-or-later
"""complete_request and inspect_request: names and attributes from the
user's namespace (no code is run but attribute lookups)."""

import builtins
import inspect
import keyword
import re

_TOKEN_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.?$|$")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.]")
_MAX_MATCHES = 500


def _cursor(code, cursor_pos):
    if cursor_pos is None or cursor_pos > len(code):
        return len(code)
    return max(0, cursor_pos)


def _lookup(ns, dotted):
    parts = dotted.split(".")
    if parts[0] in ns:
        obj = ns[parts[0]]
    elif hasattr(builtins, parts[0]):
        obj = getattr(builtins, parts[0])
    else:
        raise LookupError(parts[0])
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def complete(ns, code, cursor_pos):
    """(matches, cursor_start, cursor_end)"""
    pos = _cursor(code, cursor_pos)
    m = _TOKEN_BEFORE.search(code[:pos])
    token = m.group(0) if m else ""
    start = pos - len(token)
    if "." in token:
        base, _, prefix = token.rpartition(".")
        try:
            obj = _lookup(ns, base)
        except Exception:
            return [], start, pos
        names = set(dir(obj))
        matches = sorted(n for n in names if n.startswith(prefix)
                         and (prefix.startswith("_") or not n.startswith("_")))
        matches = ["%s.%s" % (base, n) for n in matches]
    else:
        names = set(ns) | set(dir(builtins)) | set(keyword.kwlist)
        matches = sorted(n for n in names if isinstance(n, str) and n.startswith(token)
                         and (token.startswith("_") or not n.startswith("_")))
    return matches[:_MAX_MATCHES], start, pos


def inspect_name(ns, code, cursor_pos, detail_level=0):
    """The text/plain help for the name under the cursor, or None."""
    pos = _cursor(code, cursor_pos)
    start = pos
    while start > 0 and _NAME_CHARS.match(code[start - 1]):
        start -= 1
    end = pos
    while end < len(code) and _NAME_CHARS.match(code[end]):
        end += 1
    name = code[start:end].strip(".")
    if not name or not (name[0].isalpha() or name[0] == "_"):
        return None
    try:
        obj = _lookup(ns, name)
    except Exception:
        return None
    lines = ["Type:        %s" % type(obj).__name__]
    try:
        form = repr(obj)
    except Exception as e:
        form = "<repr failed: %r>" % e
    if len(form) > 1000:
        form = form[:1000] + "…"
    lines.append("String form: %s" % form)
    if callable(obj):
        try:
            lines.append("Signature:   %s%s" % (name.rsplit(".", 1)[-1], inspect.signature(obj)))
        except (TypeError, ValueError):
            pass
    doc = inspect.getdoc(obj)
    if doc:
        lines.append("Docstring:\n%s" % doc)
    if detail_level and (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        try:
            lines.append("Source:\n%s" % inspect.getsource(obj))
        except (OSError, TypeError):
            pass
    return "\n".join(lines)
