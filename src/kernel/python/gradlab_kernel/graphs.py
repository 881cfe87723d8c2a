# SPDX-License-Identifier: GPL-3.0-or-later
"""Graph requests: which tensors have a graph, snapshots, capture-mode
traces and the trace of the last real backward(), through libgradlab's
ge_graph_* / ge_trace_* (bound in C as _gradlab_graph)."""

import json
import re
import sys

GRAPH_MIME = "application/vnd.gradlab.graph+json"
TRACE_MIME = "application/vnd.gradlab.trace+json"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_OPTIONS = ("max_nodes", "keep_nodes", "max_full_elements", "max_events")
_OPTION_MAX = 1_000_000


class RequestError(Exception):
    """A graph request that cannot be answered: (ename, evalue)."""

    def __init__(self, ename, evalue):
        super().__init__(evalue)
        self.ename = ename
        self.evalue = evalue


def _torch():
    torch = sys.modules.get("torch")
    if torch is None:
        raise RequestError("NameError", "torch has not been imported: there are no tensors yet")
    return torch


def _graph_module():
    import _gradlab_graph
    return _gradlab_graph


def _tensor_type():
    torch = sys.modules.get("torch")
    return None if torch is None else torch.Tensor


def tensor_names(ns):
    """{name: tensor} for naming graph nodes: the namespace's tensors, and
    the parameters of its nn.Modules as "model.0.weight" (plain variables
    win when both name one tensor)."""
    tensor = _tensor_type()
    if tensor is None:
        return {}
    names = {}
    module_type = None
    nn = sys.modules.get("torch.nn")
    if nn is not None:
        module_type = getattr(nn, "Module", None)
    plain = {}
    for key, value in list(ns.items()):
        if not isinstance(key, str) or key.startswith("_"):
            continue
        if isinstance(value, tensor):
            plain[key] = value
        elif module_type is not None and isinstance(value, module_type):
            try:
                for pname, p in value.named_parameters():
                    names["%s.%s" % (key, pname)] = p
            except Exception:
                pass
    names.update(plain)
    return names


def resolve(ns, name):
    """The tensor a request names: a variable, or attributes of one
    ("model.weight", "w.grad"); no code is run other than attribute
    lookups."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise RequestError("ValueError", "%r is not a variable name (letters, digits, _ and dots)"
                           % (name,))
    torch = _torch()
    parts = name.split(".")
    if parts[0] not in ns:
        raise RequestError("NameError", "name '%s' is not defined" % parts[0])
    obj = ns[parts[0]]
    for i, part in enumerate(parts[1:], 1):
        try:
            obj = getattr(obj, part)
        except Exception as e:
            raise RequestError(type(e).__name__, "%s: %s" % (".".join(parts[:i + 1]), e)) from None
    if not isinstance(obj, torch.Tensor):
        raise RequestError("TypeError", "'%s' is a %s, not a Tensor" % (name, type(obj).__name__))
    return obj


def options(request):
    opts = request.get("options") or {}
    out = {}
    for key, value in opts.items():
        if key not in _OPTIONS:
            raise RequestError("ValueError", "unknown graph option %r (known: %s)"
                               % (key, ", ".join(_OPTIONS)))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _OPTION_MAX:
            raise RequestError("ValueError", "graph option %r must be an integer from 0 to %d"
                               % (key, _OPTION_MAX))
        out[key] = value
    return out


def list_tensors(ns):
    """The namespace's tensors that take part in a graph: those that
    require grad (leaves) or were made by an op that did (grad_fn)."""
    tensor = _tensor_type()
    result = []
    if tensor is None:
        return result
    for key in sorted(k for k in ns if isinstance(k, str) and not k.startswith("_")):
        value = ns[key]
        if not isinstance(value, tensor):
            continue
        try:
            if not value.requires_grad:
                continue
            grad_fn = value.grad_fn
            result.append({
                "name": key,
                "shape": list(value.shape),
                "dtype": str(value.dtype).replace("torch.", ""),
                "grad_fn": grad_fn.name() if grad_fn is not None else None,
                "is_leaf": bool(value.is_leaf),
                "requires_grad": True,
                "has_grad": value.grad is not None,
            })
        except Exception:
            continue
    return result


def cheap(tensor, max_nodes=5000, max_elements=4 * 1024 * 1024):
    """Whether a snapshot of @tensor's graph is quick to take (values are
    copied and summarised: that costs time for millions of elements)."""
    n_nodes, n_elements = _graph_module().estimate(tensor)
    return n_nodes <= max_nodes and n_elements <= max_elements


def snapshot(ns, root, opts=None):
    """The gradlab.graph/1 document (a dict) of the graph behind @root."""
    opts = {k: v for k, v in (opts or {}).items() if k != "max_events"}
    text = _graph_module().snapshot([root], tensor_names(ns), **opts)
    return json.loads(text)


def capture_trace(ns, root, opts=None):
    """(gradlab.trace/1 dict, backward_error or None): forward replay and a
    capture-mode backward that leaves .grad and the graph as they were."""
    text, backward_error = _graph_module().trace(root, tensor_names(ns), **(opts or {}))
    return json.loads(text), backward_error


def last_backward():
    """None, or (trace dict or None, execution_count, error, call, calls)."""
    if "_gradlab_graph" not in sys.modules and "torch" not in sys.modules:
        return None
    found = _graph_module().last_backward()
    if found is None:
        return None
    text, tag, error, call, calls = found
    return (json.loads(text) if text is not None else None), tag, error, call, calls
